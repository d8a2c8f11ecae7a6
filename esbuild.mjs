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

/**
 * The MCP SDK (src/sdk.ts) is bundled apart, as dist/sdk.js, which src/sdkLoader.ts requires at first use (a server
 * start, a sign-in): the activation bundle neither parses nor evaluates the SDK. In dist/extension.js the dynamic
 * import of src/sdk.ts stays a require of './sdk.js'.
 */
const APART = { sdk: resolve('src/sdk.ts'), bridgeSdk: resolve('src/bridgeSdk.ts') };
const sdkApart = {
  name: 'sdk-apart',
  setup(build) {
    build.onResolve({ filter: /(^|[\\/])(sdk|bridgeSdk)\.js$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const name = Object.keys(APART).find((k) => APART[k] === file);
      return name && args.kind === 'dynamic-import' ? { path: `./${name}.js`, external: true } : undefined;
    });
  },
};

/** What must stay out of each bundle; a violation fails the build. */
function checkBundles(metafile) {
  const inputs = (out) => Object.keys(metafile.outputs[out]?.inputs ?? {});
  // No MCP SDK file, v1 (sdk/) or v2 (client/, core/), in the activation bundle; dist/sdk.js holds them.
  const sdkInActivation = inputs('dist/extension.js').filter((f) => /@modelcontextprotocol[\\/](sdk|client|core)[\\/]/.test(f));
  const oursInSdk = ['sdk', 'bridgeSdk'].flatMap((b) => inputs(`dist/${b}.js`).filter((f) => f.startsWith('src/') && f !== `src/${b}.ts`).map((f) => [b, f]));
  // The server SDK only in dist/bridgeSdk.js (loaded when a server is first shared with chat).
  const serverSdkElsewhere = ['extension', 'sdk'].flatMap((b) => inputs(`dist/${b}.js`).filter((f) => /@modelcontextprotocol[\\/]server[\\/]/.test(f)).map((f) => [b, f]));
  const problems = [
    ...sdkInActivation.map((f) => `dist/extension.js includes ${f}: import the SDK through src/sdk.ts (loadSdk()), not statically`),
    ...oursInSdk.map(([b, f]) => `dist/${b}.js includes ${f}: src/${b}.ts may import only the SDK (our modules would exist twice)`),
    ...serverSdkElsewhere.map(([b, f]) => `dist/${b}.js includes ${f}: the server SDK belongs in src/bridgeSdk.ts (loadBridgeSdk())`),
  ];
  if (problems.length) throw new Error(`[esbuild] ${problems.join('\n[esbuild] ')}`);
}

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
    // import() becomes require(): the lazy load of src/sdk.ts then resolves the SDK like every static import does (its
    // CommonJS build, one copy); a real import() there would load the SDK's ESM build as a second copy.
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
  });
  // out/ is CommonJS whatever the root package.json says.
  writeFileSync(`${outDir}/package.json`, '{ "type": "commonjs" }\n');
} else {
  const result = await esbuild.build({
    entryPoints: { extension: 'src/extension.ts', sdk: 'src/sdk.ts', bridgeSdk: 'src/bridgeSdk.ts' },
    bundle: true,
    outdir: 'dist',
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
    // import() becomes require() (as in the test build): dist/sdk.js is loaded by Node's CommonJS loader, like the
    // extension itself, not by its ESM loader.
    supported: { 'dynamic-import': false },
    // zod checks `typeof navigator` (to detect Cloudflare Workers) when it builds its first object schema. The extension
    // host defines `navigator` as a getter that logs a PendingMigrationError with a stack trace on every access, so each
    // activation wrote one into the host's log. An extension host is not a browser: `navigator` is undefined here.
    define: { navigator: 'undefined' },
    plugins: [sdkApart, zodEnglishOnly],
  });
  checkBundles(result.metafile);
  const kib = (out) => `${out} ${(result.metafile.outputs[out].bytes / 1024).toFixed(1)} KiB`;
  console.log(`[esbuild] ${kib('dist/extension.js')}, ${kib('dist/sdk.js')} (loaded at first use), ${kib('dist/bridgeSdk.js')} (when sharing with chat)${production ? ' (production)' : ''}`);
}
