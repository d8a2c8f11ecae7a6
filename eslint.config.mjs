import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The SDK builds hundreds of zod schemas when evaluated; activation must not pay for that. So the extension takes it
// only from src/sdk.ts, bundled apart (dist/sdk.js) and loaded by loadSdk() at first use. A static value import
// elsewhere would put it back on the activation path (esbuild.mjs refuses that too); type-only imports are free.
const LAZY_SDK = {
  regex: '^@modelcontextprotocol/sdk/(?!shared/uriTemplate\\.js$)', // UriTemplate: plain code, no zod
  allowTypeImports: true,
  message: 'Take the MCP SDK from src/sdk.ts via loadSdk() where it is first used (it is costly at activation); type-only imports are fine.',
};
const NO_VSCODE_IN_SERVERS = { name: 'vscode', message: 'src/servers and src/remote run without VS Code; adapters live in src/vscode-adapters or src/views.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out*/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '**/*.mjs', 'test/fixtures/**/*.js', 'test/demo-workspace/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [LAZY_SDK] }] },
  },
  {
    // The pure core: no VS Code API, no processes, no network. Everything here is unit-testable on plain Node.
    files: ['src/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['vscode', 'child_process', 'node:child_process', 'http', 'node:http', 'net', 'node:net'].map((name) => ({ name, message: 'src/common is the pure core: no VS Code API or side-effecting modules.' })),
        patterns: [LAZY_SDK],
      }],
    },
  },
  {
    // Process supervision and MCP connections run without VS Code (unit-tested with real child processes and servers).
    files: ['src/servers/**/*.ts', 'src/remote/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [NO_VSCODE_IN_SERVERS], patterns: [LAZY_SDK] }] },
  },
  {
    // The SDK facade (bundled apart), and the conformance client (its own entry point, not part of the extension).
    files: ['src/sdk.ts', 'src/remote/conformanceClient.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [NO_VSCODE_IN_SERVERS] }] },
  },
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
    files: ['test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
