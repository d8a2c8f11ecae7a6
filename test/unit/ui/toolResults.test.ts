import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseToExtension } from '../../../src/common/callToolProtocol';
import { contentText, describeBlob, promptDocument, resourceDocument } from '../../../src/common/catalogDocuments';
import { languageForMime } from '../../../src/common/mime';
import { notificationText, safeNotificationText } from '../../../src/common/sanitize';
import { Redactor } from '../../../src/common/redact';
import { cleanServerText, pathSegment, pickerText } from '../../../src/common/serverText';
import { expandTemplate, templateVariables } from '../../../src/common/uriTemplates';
import { base64Bytes, imageDataUri, renderToolResult } from '../../../src/common/toolResults';
import { loadSdk } from '../../../src/sdkLoader';

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const root = join(__dirname, '..', '..', '..', '..');

describe('toolResults: rendering a tool result', () => {
  it('shows text as text, verbatim (HTML and markdown stay literal: the webview uses textContent)', () => {
    const hostile = '<img src=x onerror=alert(1)> [run](command:workbench.action.terminal.new) **bold**';
    const r = renderToolResult({ content: [{ type: 'text', text: hostile }] });
    assert.equal(r.isError, false);
    assert.deepEqual(r.blocks, [{ kind: 'text', text: hostile }]);
  });

  it('strips invisible and bidi-override characters from server text', () => {
    const r = renderToolResult({ content: [{ type: 'text', text: 'a\u202eb\u0000c\u200bd\r\ne\tf' }] });
    assert.deepEqual(r.blocks, [{ kind: 'text', text: 'abcd\ne\tf' }]);
  });

  it('shows structuredContent as pretty JSON', () => {
    const r = renderToolResult({ content: [{ type: 'text', text: '{"t":1}' }], structuredContent: { t: 1, city: 'Chicago' } });
    assert.equal(r.blocks.length, 2);
    assert.deepEqual(r.blocks[1], { kind: 'json', label: 'Structured content', text: '{\n  "t": 1,\n  "city": "Chicago"\n}' });
  });

  it('turns allowlisted images into data: URIs and refuses others', () => {
    const ok = renderToolResult({ content: [{ type: 'image', mimeType: 'image/png', data: PNG_1PX }] });
    assert.ok(ok.blocks[0].kind === 'image');
    assert.equal(ok.blocks[0].dataUri, `data:image/png;base64,${PNG_1PX}`);
    assert.equal(ok.blocks[0].bytes, 70);
    const svg = renderToolResult({ content: [{ type: 'image', mimeType: 'image/svg+xml', data: 'PHN2Zz4=' }] });
    assert.ok(svg.blocks[0].kind === 'note' && /not displayed/.test(svg.blocks[0].text));
    const bad = renderToolResult({ content: [{ type: 'image', mimeType: 'image/png', data: 'not base64!"><script>' }] });
    assert.ok(bad.blocks[0].kind === 'note' && /not valid base64/.test(bad.blocks[0].text));
    assert.deepEqual(imageDataUri('IMAGE/PNG; charset=x', 'AAAA'), { uri: 'data:image/png;base64,AAAA' });
  });

  it('shows embedded and linked resources with uri, mime type and text (blobs described)', () => {
    const r = renderToolResult({
      content: [
        { type: 'resource', resource: { uri: 'demo://a', mimeType: 'text/plain', text: 'hello' } },
        { type: 'resource', resource: { uri: 'demo://b', mimeType: 'application/octet-stream', blob: 'AAAA' } },
        { type: 'resource_link', uri: 'demo://c', name: 'c.md', mimeType: 'text/markdown', description: 'a link' },
      ],
    });
    assert.deepEqual(r.blocks[0], { kind: 'resource', label: 'Embedded resource', uri: 'demo://a', mimeType: 'text/plain', text: 'hello', blobBytes: undefined });
    assert.ok(r.blocks[1].kind === 'resource' && r.blocks[1].blobBytes === 3 && r.blocks[1].text === undefined);
    assert.deepEqual(r.blocks[2], { kind: 'resource', label: 'Resource link', uri: 'demo://c', name: 'c.md', mimeType: 'text/markdown', description: 'a link' });
  });

  it('marks isError results and describes unknown and audio blocks', () => {
    const r = renderToolResult({ isError: true, content: [{ type: 'text', text: 'boom' }, { type: 'audio', mimeType: 'audio/wav', data: 'AAAA' }, { type: 'weird', x: 1 }] });
    assert.equal(r.isError, true);
    assert.ok(r.blocks[1].kind === 'note' && /Audio \(audio\/wav, 3 bytes\)/.test(r.blocks[1].text));
    assert.ok(r.blocks[2].kind === 'json' && r.blocks[2].label === 'Content of type weird');
    assert.deepEqual(renderToolResult({ content: [] }).blocks, [{ kind: 'note', text: 'The tool returned no content.' }]);
    assert.deepEqual(renderToolResult(undefined).blocks, [{ kind: 'note', text: 'The tool returned no content.' }]);
  });

  it('caps large results and says so', () => {
    const big = 'x'.repeat(150 * 1024);
    const r = renderToolResult({ content: [{ type: 'text', text: big }, { type: 'text', text: 'after' }, { type: 'image', mimeType: 'image/png', data: PNG_1PX }] });
    assert.equal(r.truncated, true);
    assert.ok(r.totalChars > 150 * 1024);
    const shown = r.blocks.map((b) => ('text' in b ? (b.text ?? '').length : 'dataUri' in b ? b.dataUri.length : 0)).reduce((a, n) => a + n, 0);
    assert.ok(shown < 101 * 1024, `shown ${shown}`);
    assert.ok(r.blocks[0].kind === 'text' && r.blocks[0].text.endsWith('open the full result as JSON)'));
    assert.ok(r.blocks.some((b) => b.kind === 'note' && /more content block/.test(b.text)));
    const small = renderToolResult({ content: [{ type: 'text', text: 'hi' }] });
    assert.equal(small.truncated, false);
  });

  it('counts base64 bytes', () => {
    assert.equal(base64Bytes(''), 0);
    assert.equal(base64Bytes('AA=='), 1);
    assert.equal(base64Bytes('AAA='), 2);
    assert.equal(base64Bytes('AAAA'), 3);
  });
});

describe('MIME type → editor language', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    ['application/json', undefined, 'json'],
    ['application/vnd.api+json', undefined, 'json'],
    ['text/markdown; charset=utf-8', undefined, 'markdown'],
    ['text/html', undefined, 'html'],
    ['application/xml', undefined, 'xml'],
    ['application/atom+xml', undefined, 'xml'],
    ['application/yaml', undefined, 'yaml'],
    ['text/javascript', undefined, 'javascript'],
    ['application/typescript', undefined, 'typescript'],
    ['text/x-python', undefined, 'python'],
    ['text/plain', undefined, 'plaintext'],
    ['image/png', undefined, 'plaintext'],
    [undefined, 'file:///a/b.py', 'python'],
    ['text/plain', 'demo://x/readme.md', 'markdown'],
    ['application/octet-stream', 'demo://x/data.json?v=1', 'json'],
    [undefined, undefined, 'plaintext'],
  ];
  for (const [mime, uri, lang] of cases) it(`${mime ?? '(none)'} ${uri ?? ''} → ${lang}`, () => assert.equal(languageForMime(mime, uri), lang));
});

describe('Resource and prompt documents', () => {
  it('shows one text content as itself, in its language', () => {
    assert.deepEqual(resourceDocument([{ uri: 'demo://a.md', mimeType: 'text/markdown', text: '# Hi\n' }], 'demo://a.md'), { text: '# Hi\n', language: 'markdown' });
  });

  it('describes binary content instead of dumping it, and lists several parts', () => {
    const doc = resourceDocument([{ uri: 'demo://blob', mimeType: 'application/octet-stream', blob: 'AAAAAAAA' }], 'demo://blob');
    assert.equal(doc.language, 'plaintext');
    assert.match(doc.text, /Binary content \(application\/octet-stream\), 6 bytes/);
    assert.doesNotMatch(doc.text, /AAAAAAAA/);
    const multi = resourceDocument([{ uri: 'u1', text: 'one' }, { uri: 'u2', mimeType: 'image/png', blob: 'AAAA' }], 'u');
    assert.match(multi.text, /Part 1 of 2: u1[\s\S]*one[\s\S]*Part 2 of 2: u2 \(image\/png\)[\s\S]*3 bytes/);
    assert.match(resourceDocument([], 'demo://none').text, /no contents/);
    assert.match(describeBlob(undefined, 'A'.repeat(4 * 1024)), /3\.0 KB \(3072 bytes\)/);
  });

  it('renders prompt messages as readable text with roles and described media', () => {
    const doc = promptDocument({
      description: 'A prompt',
      messages: [
        { role: 'user', content: { type: 'text', text: 'What is the weather in Paris?' } },
        { role: 'assistant', content: { type: 'image', mimeType: 'image/png', data: 'AAAA' } },
        { role: 'user', content: { type: 'resource', resource: { uri: 'demo://r', mimeType: 'text/plain', text: 'res text' } } },
      ],
    }, { server: 'everything', prompt: 'args-prompt', args: { city: 'Paris' } });
    assert.equal(doc.language, 'plaintext');
    assert.match(doc.text, /^Prompt: args-prompt {4}Server: everything\nArguments: city = "Paris"\nDescription: A prompt\n3 messages/);
    assert.match(doc.text, /━━ user ━━\nWhat is the weather in Paris\?/);
    assert.match(doc.text, /━━ assistant ━━\n\[image: image\/png, 3 bytes\]/);
    assert.match(doc.text, /\[embedded resource: demo:\/\/r \(text\/plain\)\]\nres text/);
    assert.equal(contentText({ type: 'resource_link', uri: 'demo://x', name: 'x' }), '[resource link: demo://x "x"]');
  });
});

describe('Server text sanitizing', () => {
  it('keeps no command links, HTML or markdown in notifications', () => {
    const out = safeNotificationText('Failed: [click](command:workbench.action.reloadWindow) <b>x</b> `code`');
    assert.doesNotMatch(out, /\]\(|command:|<|>|`/);
  });

  it('a notification is redacted before it is made safe and cut (review M2, P9)', () => {
    const SECRET = 'sk-live-ABCDEF0123456789';
    const redactor = new Redactor();
    redactor.add(SECRET);
    const texts = [
      notificationText(`MCP server 'x' failed: upstream rejected key ${SECRET}`, (t) => redactor.redact(t)),
      // The secret crosses the 300-character cut: redacting after cutting would leave its prefix.
      notificationText(`${'w'.repeat(280)} key ${SECRET}`, (t) => redactor.redact(t)),
      notificationText('could not connect to http://me:s3cr3t-PASSWORD@127.0.0.1:9/mcp', (t) => redactor.redact(t)),
    ];
    for (const text of texts) assert.ok(!/sk-li|s3cr3t/.test(text), text);
    assert.match(texts[0], /rejected key ••••/);
  });

  it('an attacker-chosen URI path is logged on one bounded line: no spoofed log lines (review L9)', () => {
    const text = cleanServerText(`/x\n[error] [remote] spoofed line\r\n${'p'.repeat(500)}`, 100);
    assert.doesNotMatch(text, /[\r\n]/);
    assert.ok(text.length <= 100, text);
  });

  it('cleans one-line text for pickers: no codicon syntax, no controls', () => {
    assert.equal(pickerText('$(alert) tool\u202e\nname'), '$\u200a(alert) tool name');
    assert.equal(cleanServerText('a'.repeat(10), 5), 'aaaa…');
  });

  it('makes path segments safe', () => {
    assert.equal(pathSegment('../etc/passwd'), '__etc_passwd');
    assert.equal(pathSegment('a?b#c'), 'a_b_c');
    assert.equal(pathSegment(''), '_');
  });

  it('keeps the webview script free of HTML sinks and remote content', () => {
    const js = readFileSync(join(root, 'media', 'callTool.js'), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'http://', 'https://']) {
      assert.ok(!js.includes(sink), `media/callTool.js uses ${sink}`);
    }
  });

  it('accepts only known messages from the webview', () => {
    assert.deepEqual(parseToExtension({ type: 'call', args: { a: 1 }, extra: 'x' }), { type: 'call', args: { a: 1 } });
    assert.equal(parseToExtension({ type: 'runCommand' }), undefined);
    assert.equal(parseToExtension('call'), undefined);
  });
});

describe('Resource templates', () => {
  it('lists variables and expands them (with the SDK\'s UriTemplate, from loadSdk())', async () => {
    const { UriTemplate } = await loadSdk();
    assert.deepEqual(templateVariables(UriTemplate, 'demo://resource/dynamic/text/{resourceId}'), ['resourceId']);
    assert.deepEqual(templateVariables(UriTemplate, 'file:///{+path}{?q,lang}'), ['path', 'q', 'lang']);
    assert.equal(expandTemplate(UriTemplate, 'demo://resource/dynamic/text/{resourceId}', { resourceId: '1 2' }), 'demo://resource/dynamic/text/1%202');
    assert.deepEqual(templateVariables(UriTemplate, '{'), []);
    assert.throws(() => expandTemplate(UriTemplate, '{', {}));
  });
});
