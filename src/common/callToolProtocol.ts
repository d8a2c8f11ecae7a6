/** Messages between the Call Tool webview (media/callTool.js) and the extension (src/views/callToolPanel.ts). */
import type { FormField, ValidationError } from './schemaForm';
import type { RenderedResult } from './toolResults';

export type ToExtension =
  | { readonly type: 'ready' }
  | { readonly type: 'validate'; readonly args: unknown }
  | { readonly type: 'call'; readonly args: unknown }
  | { readonly type: 'openFullResult' }
  | { readonly type: 'openLog' };

export type ToWebview =
  | {
      readonly type: 'init';
      readonly server: string;
      readonly tool: { readonly name: string; readonly title?: string; readonly description?: string; readonly destructive: boolean; readonly annotations: readonly string[] };
      readonly form: FormField & { kind: 'object' };
      readonly initialArgs: Record<string, unknown>;
    }
  | { readonly type: 'validation'; readonly errors: readonly ValidationError[]; readonly note?: string }
  | { readonly type: 'running'; readonly message?: string }
  | { readonly type: 'result'; readonly result: RenderedResult; readonly elapsedMs: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'cancelled' };

/** A message from the webview, checked (the webview is ours, but its messages are data all the same). */
export function parseToExtension(msg: unknown): ToExtension | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  switch (m['type']) {
    case 'ready': case 'openFullResult': case 'openLog': return { type: m['type'] };
    case 'validate': case 'call': return { type: m['type'], args: m['args'] };
    default: return undefined;
  }
}
