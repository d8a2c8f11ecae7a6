import type { McpManagerApi } from '../../src/extension';
import { until } from '../shared/wait';

/**
 * Resolves once `predicate` holds, re-checked on every change of the server list (events, no polling). The timeout
 * error lists every server's state.
 */
export async function untilServers(api: McpManagerApi, what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  await until(what, predicate, {
    on: (listener) => api.servers.onDidChange(listener), timeoutMs,
    detail: () => `states: ${JSON.stringify(api.servers.list().map((s) => [s.id, s.state]))}`,
  });
}
