import * as assert from 'node:assert/strict';
import {
  type ElicitationAnswer, type FormElicitation, checkElicitationUrl, contentProblems, describeAnswer, describeRequest, elicitationForm, looksLikeSecretValue,
  parseElicitation, secretValues, sensitiveFields, sensitiveKeys,
} from '../../../src/common/elicitation';
import { validateElicitationContent } from '../../../src/features/argumentValidator';

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Your name', minLength: 2, maxLength: 20 },
    email: { type: 'string', format: 'email' },
    site: { type: 'string', format: 'uri' },
    birthday: { type: 'string', format: 'date' },
    meeting: { type: 'string', format: 'date-time' },
    pin: { type: 'string', format: 'password' },
    apiKey: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    ratio: { type: 'number', minimum: 0, maximum: 1 },
    subscribe: { type: 'boolean', default: true },
    size: { type: 'string', enum: ['s', 'm', 'l'] },
    legacy: { type: 'string', enum: ['a', 'b'], enumNames: ['Alpha', 'Beta'] },
    color: { type: 'string', oneOf: [{ const: 'r', title: 'Red' }, { const: 'g', title: 'Green' }] },
    tags: { type: 'array', items: { type: 'string', enum: ['x', 'y'] }, minItems: 1 },
    titledTags: { type: 'array', items: { anyOf: [{ const: 'p', title: 'Pear' }, { const: 'q', title: 'Quince' }] } },
  },
  required: ['name'],
};
const request = (): FormElicitation => {
  const parsed = parseElicitation({ message: 'Tell me', requestedSchema: SCHEMA });
  assert.ok(parsed.ok && parsed.request.mode === 'form');
  return parsed.request;
};

describe('Elicitation core (src/common/elicitation.ts)', () => {
  it('parses form mode (mode optional) and URL mode, and refuses what is not flat', () => {
    assert.equal(request().message, 'Tell me');
    const url = parseElicitation({ mode: 'url', message: 'Go', url: 'https://x.example/a', elicitationId: 'e1' });
    assert.deepEqual(url, { ok: true, request: { mode: 'url', message: 'Go', url: 'https://x.example/a', elicitationId: 'e1' } });
    const bad = (params: unknown) => { const p = parseElicitation(params); assert.ok(!p.ok); return p.error; };
    assert.match(bad({}), /no message/);
    assert.match(bad({ mode: 'url', message: 'Go' }), /needs a url/);
    assert.match(bad({ mode: 'url', message: 'Go', url: 'https://x', elicitationId: 7 }), /elicitationId must be a string/);
    // 2026-07-28: a URL-mode input request inside input_required has no elicitationId (its input key names it).
    assert.deepEqual(parseElicitation({ mode: 'url', message: 'Go', url: 'https://x.example/a' }), { ok: true, request: { mode: 'url', message: 'Go', url: 'https://x.example/a' } });
    assert.match(bad({ mode: 'telepathy', message: 'm' }), /unknown mode/);
    assert.match(bad({ message: 'm', requestedSchema: { type: 'string' } }), /object schema/);
    assert.match(bad({ message: 'm', requestedSchema: { type: 'object', properties: { o: { type: 'object', properties: { a: { type: 'string' } } } } } }), /field 'o'/);
    assert.match(bad({ message: 'm', requestedSchema: { type: 'object', properties: { l: { type: 'array', items: { type: 'string' } } } } }), /field 'l'/);
  });

  it('builds the Call Tool form model: titled enums, multi-selects, and password boxes for sensitive fields', () => {
    const form = elicitationForm(request());
    const f = (name: string) => form.fields.find((x) => x.name === name)!;
    const labels = (name: string) => { const x = f(name); assert.ok(x.kind === 'enum'); return x.options.map((o) => `${o.label}=${String(o.value)}`); };
    assert.deepEqual(labels('color'), ['Red=r', 'Green=g']);
    assert.deepEqual(labels('legacy'), ['Alpha=a', 'Beta=b']);
    const tags = f('titledTags');
    assert.ok(tags.kind === 'array' && tags.item.kind === 'enum' && tags.item.options[1].label === 'Quince');
    for (const name of ['pin', 'apiKey']) { const x = f(name); assert.ok(x.kind === 'string' && x.secret && !x.multiline, name); }
    const plain = f('name');
    assert.ok(plain.kind === 'string' && !plain.secret);
  });

  it('says which fields are sensitive: format password, secret-like names or titles, secret-looking values', () => {
    assert.deepEqual([...sensitiveFields(request())].sort(), ['apiKey', 'pin']);
    const titled = parseElicitation({ message: 'm', requestedSchema: { type: 'object', properties: { x: { type: 'string', title: 'Access token' }, author: { type: 'string' } } } });
    assert.ok(titled.ok && titled.request.mode === 'form');
    assert.deepEqual([...sensitiveFields(titled.request)], ['x'], 'a title counts; "author" is not a secret');
    for (const v of ['ghp_abcdefghijklmnopqrstuvwxyz012345', 'sk-abcdefghijklmnopqrstu', 'eyJhbGciOi.eyJzdWIiOjF9.sig', 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF']) assert.ok(looksLikeSecretValue(v), v);
    for (const v of ['Ada Lovelace', 'ada@example.com', 'https://example.com/a/b', '2025-11-25', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) assert.ok(!looksLikeSecretValue(v), v);
    assert.deepEqual([...sensitiveKeys(request(), { name: 'Ada', size: 'ghp_abcdefghijklmnopqrstuvwxyz012345' })].sort(), ['apiKey', 'pin', 'size']);
  });

  it('log lines: the request with its field count or host; the answer with sensitive values masked', () => {
    const r = request();
    assert.equal(describeRequest('srv', r), 'elicitation: srv asked "Tell me" (form, 15 fields)');
    assert.equal(describeRequest('srv', { mode: 'url', message: 'Sign\nin', url: 'https://auth.example.com:8443/x?code=1', elicitationId: 'e' }), 'elicitation: srv asked "Sign in" (url, auth.example.com:8443)');
    const answer: ElicitationAnswer = { action: 'accept', content: { name: 'Ada', pin: '1234-5678', apiKey: 'k-9f8e7d6c', age: 3, tags: ['x'], size: 'sk-abcdefghijklmnopqrstu' } };
    const line = describeAnswer('srv', r, answer);
    assert.equal(line, 'elicitation: srv accepted (name="Ada", pin=••••, apiKey=••••, age=3, tags=[1 chosen], size=••••)');
    assert.deepEqual(secretValues(r, answer).sort(), ['1234-5678', 'k-9f8e7d6c', 'sk-abcdefghijklmnopqrstu']);
    assert.equal(describeAnswer('srv', r, { action: 'decline' }), 'elicitation: srv declined');
    assert.equal(describeAnswer('srv', r, { action: 'cancel' }), 'elicitation: srv cancelled');
    assert.deepEqual(secretValues(r, { action: 'decline' }), []);
    assert.match(describeAnswer('srv', r, { action: 'accept', content: { name: 'x'.repeat(500) } }), /name="x{59}…"\)$/);
  });

  it('validates accepted content with the tool arguments\' ajv, plus formats and shape', async () => {
    const r = request();
    const errors = async (content: unknown) => (await validateElicitationContent(r, content)).errors.map((e) => `${e.path} ${e.message}`);
    assert.deepEqual(await errors({ name: 'Ada', email: 'ada@example.com', site: 'https://example.com', birthday: '1815-12-10', meeting: '2025-11-25T09:30:00Z', age: 36, ratio: 0.5, tags: ['x'], color: 'g' }), []);
    const bad = await errors({ email: 'nope', site: 'example', birthday: '2025-02-30', meeting: '2025-11-25 09:30', age: -1, ratio: 2, size: 'xl', tags: [], extra: 1 });
    for (const expected of [/^\/name Required/, /^\/email Must be an email/, /^\/site Must be a URI/, /^\/birthday Must be a date/, /^\/meeting Must be a date and time/, /^\/age /, /^\/ratio /, /^\/size /, /^\/tags /, /^\/extra Is not a field/]) {
      assert.ok(bad.some((e) => expected.test(e)), `${String(expected)} in ${JSON.stringify(bad)}`);
    }
    assert.deepEqual(contentProblems(r, { name: { nested: true } }).map((e) => e.path), ['/name']);
    assert.deepEqual(contentProblems(r, 'text').map((e) => e.message), ['The answer must be an object.']);
  });

  it('URL mode: only https links, or http to this machine, without credentials', () => {
    assert.deepEqual(checkElicitationUrl('https://auth.example.com/a?b=c'), { ok: true, host: 'auth.example.com' });
    assert.deepEqual(checkElicitationUrl('http://127.0.0.1:8080/cb'), { ok: true, host: '127.0.0.1:8080' });
    assert.deepEqual(checkElicitationUrl('http://localhost/x'), { ok: true, host: 'localhost' });
    assert.equal(checkElicitationUrl('https://xn--80ak6aa92e.com/').ok && 'punycode', 'punycode', 'an IDN host shows in its punycode form');
    for (const [url, reason] of [['http://example.com/', /this one is http:/], ['file:///etc/passwd', /this one is file:/], ['javascript:alert(1)', /this one is javascript:/],
      ['vscode://ext/cmd', /vscode:/], ['https://user:pw@example.com/', /user name or password/], ['not a url', /not a valid URL/]] as const) {
      const c = checkElicitationUrl(url);
      assert.ok(!c.ok && reason.test(c.reason), `${url}: ${JSON.stringify(c)}`);
    }
  });
});
