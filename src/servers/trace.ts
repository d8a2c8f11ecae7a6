import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { formatSize } from '../common/catalogDocuments';
import type { TraceLevel } from '../common/contracts';
import type { Redactor } from '../common/redact';
import type { LogLevel, ServerLogSink } from './logSink';

/** Longest message body written by `verbose` (characters, after redaction). */
export const MAX_TRACE_BODY_CHARS = 8_000;
/** Requests remembered for their response's elapsed time; a server that never answers cannot grow this further. */
const MAX_OPEN_REQUESTS = 1_000;
/** Summary lines (`messages`) are Debug, bodies (`verbose`) Trace: the channel's log level still filters both. */
const SUMMARY_LEVEL: LogLevel = 'debug';
const BODY_LEVEL: LogLevel = 'trace';

type Direction = 'send' | 'receive';
interface OpenRequest { readonly method: string; readonly at: number }

/**
 * A server's JSON-RPC trace per `mcpManager.trace`, written to its log: `messages` is one line per message (direction,
 * method or result/error, id, size, elapsed time for responses), `verbose` adds the redacted, length-capped body.
 * The level is read per message, so a settings change applies to running servers at once.
 */
export class JsonRpcTrace {
  /** Requests awaiting a response, by direction and id: ours to the server, and the server's to us. */
  private readonly open = new Map<string, OpenRequest>();
  /** The trace level the user was last told the log hides. */
  private hinted: TraceLevel | undefined;

  constructor(
    private readonly sink: ServerLogSink,
    private readonly redactor: Redactor,
    private readonly level: () => TraceLevel,
    private readonly now: () => number = () => performance.now(),
  ) {}

  message(direction: Direction, message: JSONRPCMessage): void {
    const level = this.level();
    if (level === 'off') { this.open.clear(); this.hinted = undefined; return; }
    if (!this.visible(level)) return;
    const body = JSON.stringify(message);
    const arrow = direction === 'send' ? '→' : '←';
    const summary = `[trace] ${arrow} ${this.summarize(direction, message)} (${formatSize(Buffer.byteLength(body))}${this.elapsed(direction, message)})`;
    this.sink.append(SUMMARY_LEVEL, [this.redactor.redact(summary)]);
    if (level === 'verbose' && this.enabled(BODY_LEVEL)) this.sink.append(BODY_LEVEL, [`[trace] ${arrow} ${cap(this.redactor.redact(body))}`]);
  }

  private enabled(level: LogLevel): boolean { return this.sink.enabled?.(level) ?? true; }

  /**
   * Whether the log shows this trace level's lines at all. When it filters them (its level is above Debug, or above
   * Trace for bodies), it says so once per trace level instead of tracing into the void.
   */
  private visible(level: Exclude<TraceLevel, 'off'>): boolean {
    const needed = level === 'verbose' ? BODY_LEVEL : SUMMARY_LEVEL;
    if (this.enabled(needed)) return true;
    if (this.hinted !== level) {
      this.hinted = level;
      this.sink.append('info', [`[trace] mcpManager.trace is "${level}", but this log hides ${needed === 'trace' ? 'Trace' : 'Debug'} lines: set its level to ${needed === 'trace' ? 'Trace' : 'Debug'} (the Output view's gear, or Developer: Set Log Level...) to see the JSON-RPC trace.`]);
    }
    return this.enabled(SUMMARY_LEVEL);
  }

  /** The connection ended: no response will come for what is open. */
  reset(): void { this.open.clear(); }

  private summarize(direction: Direction, m: JSONRPCMessage): string {
    if ('method' in m) {
      if (!('id' in m) || m.id === undefined) return `notification ${m.method}`;
      if (this.open.size >= MAX_OPEN_REQUESTS) this.open.clear();
      this.open.set(key(direction, m.id), { method: m.method, at: this.now() });
      return `request ${m.method} #${m.id}`;
    }
    const request = 'id' in m ? this.open.get(key(direction === 'send' ? 'receive' : 'send', m.id)) : undefined;
    const what = request ? ` ${request.method}` : '';
    if ('error' in m) return `error #${m.id}${what}: ${m.error.code} ${m.error.message}`;
    return `response #${m.id}${what}`;
  }

  /** For a response: the time since its request, and the request is closed. */
  private elapsed(direction: Direction, m: JSONRPCMessage): string {
    if ('method' in m || !('id' in m)) return '';
    const k = key(direction === 'send' ? 'receive' : 'send', m.id);
    const request = this.open.get(k);
    if (!request) return '';
    this.open.delete(k);
    return `, ${Math.round(this.now() - request.at)} ms`;
  }
}

const key = (direction: Direction, id: string | number | null | undefined): string => `${direction}:${typeof id}:${String(id)}`;

function cap(text: string): string {
  return text.length > MAX_TRACE_BODY_CHARS ? `${text.slice(0, MAX_TRACE_BODY_CHARS)}… (${text.length - MAX_TRACE_BODY_CHARS} more characters)` : text;
}
