import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAUTH_CALLBACK_PATH } from '../../common/contracts';
import type { CallbackOutcome } from './pendingFlows';

const DONE_PAGE = '<!doctype html><meta charset="utf-8"><title>MCP Manager</title><p>Sign-in complete. You can close this tab and return to VS Code.</p>';
const FAILED_PAGE = '<!doctype html><meta charset="utf-8"><title>MCP Manager</title><p>Sign-in failed. Return to VS Code and see the MCP Manager log.</p>';

/**
 * The RFC 8252 loopback redirect: an HTTP listener on 127.0.0.1, port 0 (the OS picks), serving only
 * `/oauth/callback`. Each request goes to `handle` (the pending-flow check); the page never echoes parameters.
 */
export class LoopbackRedirect {
  private constructor(private readonly server: Server, readonly redirectUri: string) {}

  static async start(handle: (callbackUrl: string) => CallbackOutcome): Promise<LoopbackRedirect> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== OAUTH_CALLBACK_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const outcome = handle(url.toString());
      res.writeHead(outcome.ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(outcome.ok ? DONE_PAGE : FAILED_PAGE);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    const { port } = server.address() as AddressInfo;
    return new LoopbackRedirect(server, `http://127.0.0.1:${port}${OAUTH_CALLBACK_PATH}`);
  }

  dispose(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
