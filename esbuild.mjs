// Builds the extension bundle (dist/extension.js) and, with --tests, transpiles src/ and test/ file by file
// into out/ so mocha (on Node and inside the extension host) can load them. Type checking is `npm run typecheck`.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
// Test output folder; parallel runs (e.g. two developers' suites) can each use their own: MCP_OUT=out-x.
const outDir = process.env.MCP_OUT || 'out';

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures-out' ? [] : tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * zod 4's classic API re-exports `locales`, a namespace of every locale (≈ 260 KB minified). esbuild cannot drop it
 * when `z` is used as an object (`import { z } from 'zod'`). MCP Manager and the SDK only use zod's default English
 * messages, which zod installs itself from `locales/en.js` (a direct import, untouched here). So zod's locales index
 * resolves to a module that exports English only: `z.locales.en` still works, other locales are absent.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/.test(file)) return undefined;
      return { path: file, namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from './en.js';\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

if (tests) {
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [...tsFiles('src'), ...tsFiles('test')],
    outdir: outDir,
    outbase: '.',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    // import() becomes require(): the code's lazy loads then resolve like its static imports (one copy of the SDK, its
    // CommonJS build), as in the bundle (one copy, its ESM build); a real import() would load the SDK's ESM build too.
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
  });
  // out/ is CommonJS whatever the root package.json says.
  writeFileSync(`${outDir}/package.json`, '{ "type": "commonjs" }\n');
} else {
  const result = await esbuild.build({
    entryPoints: ['src/extension.ts'],
    bundle: true,
    outfile: 'dist/extension.js',
    external: ['vscode'],
    // Prefer ESM builds: jsonc-parser's UMD main uses dynamic requires that esbuild cannot bundle.
    mainFields: ['module', 'main'],
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: production,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  });
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`[esbuild] dist/extension.js ${(bytes / 1024).toFixed(1)} KiB${production ? ' (production)' : ''}`);
}
