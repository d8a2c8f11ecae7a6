/** The one lifecycle primitive. Structurally compatible with vscode.Disposable. */
export interface IDisposable {
  dispose(): unknown;
}

export function toDisposable(fn: () => unknown): IDisposable {
  let done = false;
  return { dispose: () => { if (!done) { done = true; return fn(); } return undefined; } };
}

/** A timer as a disposable: `fn` runs once after `ms` unless disposed first. */
export function disposableTimeout(ms: number, fn: () => void): IDisposable {
  const t = setTimeout(fn, ms);
  return toDisposable(() => clearTimeout(t));
}

/** Disposes every item, continuing past failures; the first failure is rethrown after all were tried. */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try { item.dispose(); } catch (err) { errors.push(err); }
  }
  if (errors.length === 1 && errors[0] instanceof Error) throw errors[0];
  if (errors.length) throw new AggregateError(errors, 'some disposables failed to dispose');
}

/**
 * Base class for owners of resources: `_register` what you create; `dispose()` releases it all in reverse order.
 * Registering after disposal disposes the item at once (no leaks from late async registrations).
 */
export abstract class Disposable implements IDisposable {
  private readonly _store: IDisposable[] = [];
  private _disposed = false;

  protected get isDisposed(): boolean { return this._disposed; }

  protected _register<T extends IDisposable>(item: T): T {
    if (this._disposed) item.dispose();
    else this._store.push(item);
    return item;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    disposeAll(this._store.splice(0).reverse());
  }
}

/** A tiny typed event emitter for the pure core (VS Code's EventEmitter is not available there). */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): IDisposable => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void { this.listeners.clear(); }
}
