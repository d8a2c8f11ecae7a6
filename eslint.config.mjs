import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The SDK builds hundreds of zod schemas when evaluated; activation must not pay for that. So the extension takes it
// only from src/sdk.ts, bundled apart (dist/sdk.js) and loaded by loadSdk() at first use. A static value import
// elsewhere would put it back on the activation path (esbuild.mjs refuses that too); type-only imports are free.
const LAZY_SDK = {
  regex: '^@modelcontextprotocol/(sdk/|(client|core)(/|$))', // v1, and the v2 client and core
  allowTypeImports: true,
  message: 'Take the MCP SDK from src/sdk.ts via loadSdk() where it is first used (it is costly at activation); type-only imports are fine.',
};
/**
 * The layers of src/, top to bottom. A module may import from its own layer and from the layers below it, never from a
 * layer above (the per-layer `@typescript-eslint/no-restricted-imports` patterns below enforce it):
 *
 *   extension.ts      the composition root: constructs the features in order and wires them
 *   commands/         command handlers (tree nodes arrive as their arguments, so they sit above views/)
 *   views/            the Servers tree, status item, Call Tool forms, read-only documents
 *   features/         what views and commands drive: servers (supervision fed by the configuration), remote sign-in
 *                     and transports, the tool-call use case
 *   config/           the configuration in VS Code: files and settings, diagnostics, the trust / first-start gate
 *   vscode-adapters/  thin adapters over the VS Code API (SecretStorage, notifications, server log channels), and log.ts
 *   remote/           HTTP/SSE transports and OAuth, without VS Code
 *   servers/          stdio supervision, without VS Code
 *   common/           the pure core; inside it, presentation (COMMON_PRESENTATION) > config/ > the rest, which may
 *                     import only config/types
 */
const LAYERS = [
  ['extension'],
  ['commands'],
  ['views'],
  ['features'],
  ['config'],
  ['vscode-adapters', 'log'],
  ['remote'],
  ['servers'],
  ['common'],
];
/** The modules of src/common that turn the model into text and rows for the UI. */
const COMMON_PRESENTATION = ['treeModel', 'elicitation', 'argumentValidation', 'catalogTree', 'catalogDocuments', 'callToolProtocol', 'mime', 'processUsageText', 'schemaForm', 'serverText', 'toolResults'];

/** Imports of any layer above `layer`, written from a file in a folder of src/ (`../x`) or in src/ itself (`./x`). */
function upwardImports(layer, fromRoot) {
  const above = LAYERS.slice(0, LAYERS.findIndex((l) => l.includes(layer))).flat();
  if (above.length === 0) return [];
  return [{
    regex: `^${fromRoot ? '\\./' : '(\\.\\./)+'}(${above.join('|')})(/|$)`,
    message: `src layering (eslint.config.mjs): ${layer} may not import ${above.join(', ')}.`,
  }];
}

/** The pure core: no VS Code API, no processes, no network. Everything there is unit-testable on plain Node. */
const PURE_CORE = ['vscode', 'child_process', 'node:child_process', 'http', 'node:http', 'net', 'node:net']
  .map((name) => ({ name, message: 'src/common is the pure core: no VS Code API or side-effecting modules.' }));
/** src/servers and src/remote run without VS Code (unit-tested with real child processes and servers). */
const NO_VSCODE = [{ name: 'vscode', message: 'src/servers and src/remote run without VS Code; adapters live in src/vscode-adapters, src/features or src/views.' }];

const restrict = (files, { paths = [], patterns = [] }, ignores) => ({
  files, ...(ignores ? { ignores } : {}),
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns: [...patterns, LAZY_SDK] }] },
});
const presentationFiles = COMMON_PRESENTATION.map((f) => `src/common/${f}.ts`);

const layerRules = [
  restrict(['src/commands/**/*.ts'], { patterns: upwardImports('commands') }),
  restrict(['src/views/**/*.ts'], { patterns: upwardImports('views') }),
  restrict(['src/features/**/*.ts'], { patterns: upwardImports('features') }),
  restrict(['src/config/**/*.ts'], { patterns: upwardImports('config') }),
  restrict(['src/vscode-adapters/**/*.ts'], { patterns: upwardImports('vscode-adapters') }),
  restrict(['src/log.ts'], { patterns: upwardImports('log', true) }),
  restrict(['src/remote/**/*.ts'], { paths: NO_VSCODE, patterns: upwardImports('remote') }),
  restrict(['src/servers/**/*.ts'], { paths: NO_VSCODE, patterns: upwardImports('servers') }),
  restrict(presentationFiles, { paths: PURE_CORE, patterns: upwardImports('common') }),
  restrict(['src/common/config/**/*.ts'], {
    paths: PURE_CORE,
    patterns: [...upwardImports('common'), {
      regex: `^\\.\\./(${COMMON_PRESENTATION.join('|')})$`,
      message: 'src/common/config is below the presentation modules of src/common (eslint.config.mjs).',
    }],
  }),
  restrict(['src/common/*.ts'], {
    paths: PURE_CORE,
    patterns: [...upwardImports('common'), {
      regex: `^\\./(${COMMON_PRESENTATION.join('|')})$`,
      message: 'The core of src/common is below its presentation modules (eslint.config.mjs).',
    }, {
      regex: '^\\./config/(?!types$)',
      message: 'The core of src/common is below src/common/config; it may import only config/types (eslint.config.mjs).',
    }],
  }, presentationFiles),
];

/** Node's globals, for the untyped .mjs scripts (build, test setup, fixture servers). */
const NODE_GLOBALS = Object.fromEntries(['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'fetch', 'AbortController', 'TextEncoder', 'TextDecoder']
  .map((g) => [g, 'readonly']));

export default tseslint.config(
  { ignores: ['dist/**', 'out*/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'test/fixtures/**/*.js', 'test/demo-workspace/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'error',
    },
  },
  // Every file of src/ (the layer rules below repeat LAZY_SDK, since a later rule replaces an earlier one).
  restrict(['src/**/*.ts'], {}),
  ...layerRules,
  // The SDK facade (bundled apart), and the conformance client (its own entry point, not part of the extension).
  { files: ['src/sdk.ts', 'src/remote/conformanceClient.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: NO_VSCODE }] } },
  {
    // Webview scripts (media/*.js): plain browser JavaScript shipped as is, linted without type information.
    files: ['media/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: Object.fromEntries(['acquireVsCodeApi', 'window', 'document', 'setTimeout', 'clearTimeout', 'Node', 'HTMLElement', 'HTMLInputElement', 'HTMLTextAreaElement', 'HTMLSelectElement', 'HTMLButtonElement', 'HTMLFormElement'].map((g) => [g, 'readonly'])),
    },
  },
  {
    // Node scripts (esbuild.mjs, this file, test/setup, the fixture servers): ES modules, linted without type information
    // (no tsconfig covers them).
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: NODE_GLOBALS,
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
