import { errorMessage } from './errors';

/**
 * Loads what an operation needs when it first runs: `load` is a dynamic `import()`, which esbuild keeps out of the
 * activation path (a module only reached that way is evaluated when the import runs). A failure rejects with an error
 * that says what could not be loaded, so it surfaces as that operation's error (a failed start, a failed sign-in).
 */
export async function lazyImport<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new Error(`could not load ${what}: ${errorMessage(err)}`, { cause: err });
  }
}
