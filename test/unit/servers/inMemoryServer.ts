import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ManagedTransport, TransportExit, TransportFactory } from '../../../src/servers/transport';

/** The client end of an InMemoryTransport pair as a ManagedTransport: no process, stopping closes the pair. */
class InMemoryManagedTransport implements ManagedTransport {
  readonly pid = undefined;
  exit: TransportExit | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  constructor(private readonly inner: InMemoryTransport) {
    inner.onmessage = (m) => this.onmessage?.(m);
    inner.onerror = (e) => this.onerror?.(e);
    inner.onclose = () => { this.exit ??= { code: 0, signal: null, requested: false }; this.onclose?.(); };
  }

  start(): Promise<void> { return this.inner.start(); }
  send(message: JSONRPCMessage): Promise<void> { return this.inner.send(message); }
  stderrTail(): readonly string[] { return []; }
  close(): Promise<void> { return this.terminate(); }
  kill(): Promise<void> { return this.terminate(); }
  async terminate(): Promise<void> {
    this.exit ??= { code: 0, signal: null, requested: true };
    await this.inner.close();
  }
}

/** A transport factory that connects each start to a fresh SDK `Server` from `makeServer`, in this process. */
export function inMemoryServer(makeServer: () => Server): TransportFactory {
  return () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    void makeServer().connect(server);
    return new InMemoryManagedTransport(client);
  };
}
