import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverOptionsJsonSchema } from '../../src/common/config/serverOptionsSchema';
import { COMMANDS, COMMAND_CATEGORY, EXTENSION_ID, SERVERS_VIEW_ID, SETTINGS, VIEW_CONTAINER_ID, commandId, settingId, type CommandVerb } from '../../src/common/contracts';

interface Manifest {
  publisher: string; name: string; displayName: string; engines: { vscode: string };
  devDependencies: Record<string, string>; extensionKind: string[]; activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string; name: string }[]>;
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string; additionalProperties?: unknown }> };
  };
}
const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json agrees with src/common/contracts.ts', () => {
  it('has the contracted identity', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.equal(manifest.displayName, 'MCP Manager');
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.ok(manifest.activationEvents.includes('onUri'), 'onUri wakes the extension for the OAuth callback');
    // mcpManager.autoStart "onStartup" and the orphan reaping need the extension active without the view opened.
    assert.ok(manifest.activationEvents.includes('onStartupFinished'), 'activates in every window after startup');
  });

  it('keeps @types/vscode at or below the engine floor (vsce refuses otherwise)', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode'].replace(/^\^/, '');
    const num = (v: string) => v.split('.').map(Number).reduce((a, n) => a * 1000 + n, 0);
    assert.ok(num(types) <= num(engine), `@types/vscode ${types} > engine ${engine}`);
    assert.ok(num(engine) <= num('1.139.0'), 'engine floor must allow the offline VS Code 1.139');
  });

  it('declares only contracted commands, each with its one title and the category', () => {
    const declared = manifest.contributes.commands;
    assert.ok(declared.length > 0);
    for (const c of declared) {
      const verb = c.command.replace(/^mcpManager\./, '') as keyof typeof COMMANDS;
      assert.ok(verb in COMMANDS, `${c.command} is not in the command contract`);
      assert.equal(c.title, COMMANDS[verb], `title of ${c.command}`);
      assert.equal(c.category, COMMAND_CATEGORY, `category of ${c.command}`);
    }
    assert.equal(new Set(declared.map((c) => c.command)).size, declared.length, 'no duplicates');
  });

  it('declares every contracted command', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const verb of Object.keys(COMMANDS) as CommandVerb[]) assert.ok(declared.has(commandId(verb)), `${commandId(verb)} is not declared in package.json`);
  });

  it('references only declared commands from menus', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(declared.has(item.command), `${menu} uses undeclared ${item.command}`);
    }
  });

  it('contributes the activity-bar container and the Servers view', () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === VIEW_CONTAINER_ID);
    assert.equal(container?.title, 'MCP Manager');
    assert.ok(container?.icon.startsWith('media/'));
    const view = manifest.contributes.views[VIEW_CONTAINER_ID]?.find((v) => v.id === SERVERS_VIEW_ID);
    assert.equal(view?.name, 'Servers');
  });

  // That the code reads each of them: test/unit/settingsRead.test.ts.
  it('contributes exactly the contracted settings, each with a description', () => {
    const props = manifest.contributes.configuration.properties;
    for (const key of Object.values(SETTINGS)) {
      const p = props[settingId(key)];
      assert.ok(p, `missing setting ${settingId(key)}`);
      assert.ok(p.description || p.markdownDescription, `${settingId(key)} has no description`);
    }
    assert.deepEqual(Object.keys(props).sort(), Object.values(SETTINGS).map(settingId).sort());
  });

  it('declares the serverOptions schema generated from the zod schema', () => {
    const declared = manifest.contributes.configuration.properties[settingId(SETTINGS.serverOptions)]?.additionalProperties;
    assert.deepEqual(declared, serverOptionsJsonSchema(), 'package.json is out of date with src/common/config/serverOptionsSchema.ts: run `npm run gen:settings`');
  });
});
