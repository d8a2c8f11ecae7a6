import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The pure core: no VS Code API, no processes, no network. Everything here is unit-testable on plain Node.
    files: ['src/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['vscode', 'child_process', 'node:child_process', 'http', 'node:http', 'net', 'node:net'].map((name) => ({ name, message: 'src/common is the pure core: no VS Code API or side-effecting modules.' })),
      }],
    },
  },
  {
    // Process supervision and MCP connections run without VS Code (unit-tested with real child processes and servers).
    files: ['src/servers/**/*.ts', 'src/remote/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/servers and src/remote run without VS Code; adapters live in src/vscode-adapters or src/views.' }] }],
    },
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
