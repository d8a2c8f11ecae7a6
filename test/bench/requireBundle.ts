/* Child process of activation.ts: requires the bundle given as argv[2] with a stub for the `vscode` module and prints
 * how long the require took, as JSON ({"ms": 12.3}). One fresh process per sample, so nothing is cached. */
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

/**
 * Answers every property, call and `new` with itself (also through its prototype, which esbuild's CommonJS interop
 * copies from): enough for a bundle that only uses `vscode` inside functions, as ours does at require time.
 */
const stub: unknown = new Proxy(function vscodeStub() { /* stub */ }, {
  get: (_target, key) => (key === '__esModule' ? undefined : key === 'prototype' ? {} : stub),
  getPrototypeOf: () => new Proxy({}, { get: () => stub }),
  apply: () => stub,
  construct: () => ({}),
});

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
loader._load = function (request, parent, isMain) {
  return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
};

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: requireBundle.js <bundle.js>');
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the point: time a plain require of the bundle
require(bundle);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
