import type { IDisposable } from './lifecycle';

/** What toAbortSignal needs of a vscode.CancellationToken (structural, so this stays free of the VS Code API). */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): IDisposable;
}

/**
 * The one bridge from a CancellationToken (withProgress, QuickPick) to the AbortSignal a request takes. Dispose it when
 * the request is settled: that removes the listener from the token, which can outlive the request.
 */
export function toAbortSignal(token: CancellationTokenLike): { readonly signal: AbortSignal } & IDisposable {
  const abort = new AbortController();
  if (token.isCancellationRequested) {
    abort.abort();
    return { signal: abort.signal, dispose: () => undefined };
  }
  const listener = token.onCancellationRequested(() => abort.abort());
  return { signal: abort.signal, dispose: () => listener.dispose() };
}
