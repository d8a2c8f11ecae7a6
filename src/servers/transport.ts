import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { ResolvedLaunch } from '../common/config/types';
import type { Redactor } from '../common/redact';
import { isModernRevision } from '../common/protocolRevision';
import { isObject } from '../common/schemaForm';
import type { ServerId } from '../common/serverId';
import type { ServerLogSink } from './logSink';

/** How a transport's connection ended. */
export interface TransportExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** True when terminate()/kill() caused it (a stop the user or the supervisor asked for). */
  readonly requested: boolean;
  /** Set when a remote connection ended because the server needs an interactive sign-in (the reason). */
  readonly signInRequired?: string;
}

/**
 * An SDK transport the supervisor can own: it knows its process (if any), how it ended, and how to stop.
 * `close()` (called by the SDK Client) is the same as `terminate()`.
 */
export interface ManagedTransport extends Transport {
  readonly pid: number | undefined;
  /** A local pipe (stdio): a version probe nobody answers, or that ends the process, means a legacy server. */
  readonly localPipe?: boolean;
  /** Set just before `onclose` fires. */
  readonly exit: TransportExit | undefined;
  /** Last lines of the server's diagnostics (stderr for stdio), redacted. */
  stderrTail(): readonly string[];
  /** Graceful stop (for stdio: the stdin → SIGTERM → SIGKILL ladder). Called again while stopping, it forces. */
  terminate(): Promise<void>;
  /** Immediate stop, no grace (kill-on-hang). */
  kill(): Promise<void>;
}

/** What a transport factory gets besides the launch. */
export interface TransportContext {
  readonly serverId: ServerId;
  readonly serverName: string;
  readonly sink: ServerLogSink;
  readonly redactor: Redactor;
  /** A process group now exists (for the orphan ledger). */
  readonly onProcessSpawned?: (pid: number) => void;
  /** That process group is gone. */
  readonly onProcessGone?: (pid: number) => void;
}

export type TransportFactory = (launch: ResolvedLaunch, context: TransportContext) => ManagedTransport;

/** Transport factories by launch type; HTTP/SSE are plugged in by whoever implements them. */
export type TransportFactories = Partial<Record<ResolvedLaunch['type'], TransportFactory>>;

/** What `interceptTransport` lets a session see and do. */
export interface TransportHooks {
  readonly send?: (message: JSONRPCMessage) => void;
  /** Each message from the server before the SDK gets it; `false` drops it there. */
  readonly receive?: (message: JSONRPCMessage) => boolean;
  readonly closed?: () => void;
  /** The protocol revision the Client negotiated (it tells its transport after the handshake). */
  readonly negotiated?: (protocolVersion: string) => void;
}

/**
 * `inner` with `hooks` on its messages and close: what the SDK Client is connected to. On a 2026-07-28 connection a
 * result without `resultType` reaches the Client as `complete`, as the revision says a client must read it (SEP-2322;
 * the SDK 2.4 client refuses it instead).
 */
export function interceptTransport(inner: ManagedTransport, hooks: TransportHooks): ManagedTransport {
  const { send, receive, closed, negotiated } = hooks;
  let modern = false;
  const outer: ManagedTransport = {
    get pid() { return inner.pid; },
    get exit() { return inner.exit; },
    get sessionId() { return inner.sessionId; },
    get hasPerRequestStream() { return inner.hasPerRequestStream; },
    stderrTail: () => inner.stderrTail(),
    terminate: () => inner.terminate(),
    kill: () => inner.kill(),
    start: () => inner.start(),
    close: () => inner.close(),
    send: (message, options) => { send?.(message); return inner.send(message, options); },
    setProtocolVersion: (version: string) => { modern = isModernRevision(version); negotiated?.(version); inner.setProtocolVersion?.(version); },
  };
  // The SDK tells a local pipe from HTTP by a `stderr` (and `pid`) on the transport.
  if (inner.localPipe) Object.defineProperty(outer, 'stderr', { value: null });
  inner.onmessage = (message, extra) => {
    if (receive?.(message) === false) return;
    if (modern && 'result' in message && isObject(message.result) && !('resultType' in message.result)) message.result['resultType'] = 'complete';
    outer.onmessage?.(message, extra);
  };
  inner.onerror = (error) => outer.onerror?.(error);
  inner.onclose = () => { closed?.(); outer.onclose?.(); };
  return outer;
}
