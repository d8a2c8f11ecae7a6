import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { SETTINGS, SETTINGS_SECTION } from '../../src/common/contracts';

const root = join(__dirname, '..', '..', '..');
const contributed = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
}).contributes.configuration.properties);

/** A read or write of setting `id` at `file:line`; `id` undefined when the key is no name the scan can resolve. */
type SettingAccess = { id: string; read: boolean; at: string } | { id: undefined; at: string };

/**
 * Every access to a setting in a source file, found in its syntax: `get` / `inspect` / `has` (reads) and `update`
 * (writes) called on `getConfiguration(section)`, directly or through a variable initialised with it. Keys are
 * `SETTINGS.x`, `settingId(SETTINGS.x)` or string literals.
 */
function settingAccesses(fileName: string, text: string): SettingAccess[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const at = (n: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const settingKey = (e: ts.Expression): string | undefined => {
    if (ts.isStringLiteralLike(e)) return e.text;
    if (ts.isPropertyAccessExpression(e) && e.expression.getText() === 'SETTINGS') return (SETTINGS as Record<string, string>)[e.name.text];
    if (ts.isIdentifier(e) && e.text === 'SETTINGS_SECTION') return SETTINGS_SECTION;
    if (ts.isCallExpression(e) && e.expression.getText() === 'settingId' && e.arguments[0]) {
      const key = settingKey(e.arguments[0]);
      return key === undefined ? undefined : `${SETTINGS_SECTION}.${key}`;
    }
    return undefined;
  };
  /** The section of a `getConfiguration(...)` call: '' for none, undefined when `e` is no such call or unresolvable. */
  const section = (e: ts.Expression): string | undefined => {
    if (!ts.isCallExpression(e) || !/(^|\.)getConfiguration$/.test(e.expression.getText())) return undefined;
    return e.arguments[0] ? settingKey(e.arguments[0]) : '';
  };
  const sections = new Map<string, string>();
  const found: SettingAccess[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const s = section(n.initializer);
      if (s !== undefined) sections.set(n.name.text, s);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['get', 'inspect', 'has', 'update'].includes(n.expression.name.text)) {
      const receiver = n.expression.expression;
      const s = ts.isIdentifier(receiver) ? sections.get(receiver.text) : section(receiver);
      if (s !== undefined) {
        const key = n.arguments[0] && settingKey(n.arguments[0]);
        found.push(key === undefined ? { id: undefined, at: at(n) } : { id: s ? `${s}.${key}` : key, read: n.expression.name.text !== 'update', at: at(n) });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? tsFiles(path) : d.name.endsWith('.ts') ? [path] : [];
  });
}

describe('every contributed setting is read by the code, and only contributed settings are', () => {
  const accesses = tsFiles(join(root, 'src')).flatMap((path) => settingAccesses(relative(root, path), readFileSync(path, 'utf8')));

  it('finds reads only on a WorkspaceConfiguration (a declared name, a write or a Map lookup is no read)', () => {
    const snippet = [
      "const SETTINGS = { trace: 'trace' };",
      'const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);',
      'c.get<string>(SETTINGS.trace, "off"); c.update(SETTINGS.servers, {}); new Map().get(SETTINGS.inputs);',
      "vscode.workspace.getConfiguration().inspect(settingId(SETTINGS.autoStart)); vscode.workspace.getConfiguration('mcpManager.oauth').get('redirect');",
      'c.get(key);',
    ].join('\n');
    assert.deepEqual(settingAccesses('x.ts', snippet), [
      { id: 'mcpManager.trace', read: true, at: 'x.ts:3' },
      { id: 'mcpManager.servers', read: false, at: 'x.ts:3' },
      { id: 'mcpManager.autoStart', read: true, at: 'x.ts:4' },
      { id: 'mcpManager.oauth.redirect', read: true, at: 'x.ts:4' },
      { id: undefined, at: 'x.ts:5' },
    ]);
    assert.deepEqual(settingAccesses('contracts.ts', readFileSync(join(root, 'src/common/contracts.ts'), 'utf8')), []);
  });

  it('reads every contributed setting somewhere in src/', () => {
    const read = new Set(accesses.flatMap((a) => (a.id !== undefined && a.read ? [a.id] : [])));
    const unread = contributed.filter((id) => !read.has(id));
    assert.deepEqual(unread, [], `contributed in package.json but read nowhere in src/ (read it with getConfiguration(SETTINGS_SECTION).get(SETTINGS.x)): ${unread.join(', ')}`);
  });

  it('reads and writes only contributed settings, with keys it can name', () => {
    const unnamed = accesses.filter((a) => a.id === undefined).map((a) => a.at);
    assert.deepEqual(unnamed, [], 'use SETTINGS constants (or string literals) as setting keys');
    const ours = accesses.filter((a) => a.id !== undefined && (a.id === SETTINGS_SECTION || a.id.startsWith(`${SETTINGS_SECTION}.`)));
    assert.ok(ours.length > 0);
    const undeclared = ours.filter((a) => !contributed.includes(a.id ?? '')).map((a) => `${a.id} (${a.at})`);
    assert.deepEqual(undeclared, [], `used by src/ but not contributed in package.json: ${undeclared.join(', ')}`);
  });
});
