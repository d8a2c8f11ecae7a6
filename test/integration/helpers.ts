import type { McpManagerApi } from '../../src/extension';

/**
 * Resolves once `predicate` holds, re-checked on every change of the server list (events, no polling). The timeout
 * error lists every server's state.
 */
export function untilServers(api: McpManagerApi, what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => { if (predicate()) { sub.dispose(); clearTimeout(timer); resolve(); } };
    const sub = api.servers.onDidChange(check);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; states: ${JSON.stringify(api.servers.list().map((s) => [s.id, s.state]))}`));
    }, timeoutMs);
    check();
  });
}
