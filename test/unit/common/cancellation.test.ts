import * as assert from 'node:assert/strict';
import { type CancellationTokenLike, toAbortSignal } from '../../../src/common/cancellation';

/** A token as vscode.CancellationTokenSource makes one, counting its listeners. */
class FakeToken implements CancellationTokenLike {
  isCancellationRequested = false;
  readonly listeners = new Set<() => void>();
  onCancellationRequested(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
}

describe('toAbortSignal', () => {
  it('aborts the signal when the token is cancelled', () => {
    const token = new FakeToken();
    const { signal } = toAbortSignal(token);
    assert.equal(signal.aborted, false);
    token.cancel();
    assert.equal(signal.aborted, true);
  });

  it('is aborted at once for a token cancelled already, and then listens to nothing', () => {
    const token = new FakeToken();
    token.cancel();
    const { signal } = toAbortSignal(token);
    assert.equal(signal.aborted, true);
    assert.equal(token.listeners.size, 0);
  });

  it('removes its listener from the token when disposed (the token can outlive the request)', () => {
    const token = new FakeToken();
    const bridge = toAbortSignal(token);
    assert.equal(token.listeners.size, 1);
    bridge.dispose();
    assert.equal(token.listeners.size, 0);
    token.cancel();
    assert.equal(bridge.signal.aborted, false, 'a settled request is not aborted afterwards');
  });
});
