import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server as HttpServer, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../common/errors';
import { Disposable, type IDisposable, toDisposable } from '../common/lifecycle';
import type { ServerId } from '../common/serverId';
import type { ForwardTarget } from '../bridgeSdk';
import type { BridgeSdk } from '../sdkLoader';
import { ToolBlockedError } from './errors';
import type { LogLevel } from './logSink';
import type { ServerManager } from './serverManager';

/** The largest request body the bridge reads (a tools/call's arguments; the SDK has its own limit too). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ChatBridgeOptions {
  readonly manager: Pick<ServerManager, 'getState' | 'getCatalog' | 'callTool' | 'readResource' | 'getPrompt' | 'complete' | 'onDidChangeCatalog' | 'logTo'>;
  readonly loadSdk: () => Promise<BridgeSdk>;
  /** The extension's log (the endpoint's own lifecycle; never the bearer). */
  readonly log: (level: LogLevel, message: string) => void;
}

type Route = { readonly id: ServerId; readonly handler: ReturnType<BridgeSdk['forwardingHandler']>; readonly subscription: IDisposable };

/**
 * Serves shared servers to VS Code's chat (issue 16) without a second process: one Streamable HTTP endpoint per shared
 * server, `http://127.0.0.1:<random port>/mcp/<random slug>`, whose every request is answered by the supervised session
 * through the ServerManager (so chat's calls are traced in that server's log, and the pinning policy gates them).
 * Loopback only; every request must carry this window's bearer (random, never logged) and a loopback Host (no DNS
 * rebinding), and none may come from a web page (an Origin header).
 */
export class ChatBridge extends Disposable {
  /** This window's bearer: in the definitions handed to VS Code, nowhere else. */
  readonly token = randomBytes(32).toString('base64url');
  private http: Promise<{ server: HttpServer; port: number }> | undefined;
  private readonly routes = new Map<string, Route>();
  private readonly slugs = new Map<ServerId, string>();

  constructor(private readonly options: ChatBridgeOptions) {
    super();
    this._register(toDisposable(() => {
      for (const slug of [...this.routes.keys()]) this.closeRoute(slug);
      void this.http?.then(({ server }) => { server.closeAllConnections(); server.close(); }, () => undefined);
    }));
  }

  /** The URL chat connects to for this server (the endpoint starts listening on first use). */
  async endpoint(id: ServerId): Promise<string> {
    const { port } = await (this.http ??= this.listen());
    let slug = this.slugs.get(id);
    if (!slug) {
      slug = randomBytes(12).toString('base64url');
      const sdk = await this.options.loadSdk();
      const handler = sdk.forwardingHandler(this.target(id), (err) => this.options.manager.logTo(id, 'debug', `chat endpoint: ${err.message}`, 'chat'));
      const subscription = this.options.manager.onDidChangeCatalog((e) => {
        if (e.id !== id) return;
        handler.notify.toolsChanged(); handler.notify.resourcesChanged(); handler.notify.promptsChanged();
      });
      this.slugs.set(id, slug);
      this.routes.set(slug, { id, handler, subscription });
    }
    return `http://127.0.0.1:${port}/mcp/${slug}`;
  }

  /** Headers chat sends with every request. */
  get headers(): Record<string, string> { return { Authorization: `Bearer ${this.token}` }; }

  /** The server is no longer shared: its endpoint answers 404 from now on. */
  unshare(id: ServerId): void {
    const slug = this.slugs.get(id);
    if (slug) this.closeRoute(slug);
  }

  private closeRoute(slug: string): void {
    const route = this.routes.get(slug);
    if (!route) return;
    this.routes.delete(slug);
    this.slugs.delete(route.id);
    route.subscription.dispose();
    void route.handler.close().catch(() => undefined);
  }

  private listen(): Promise<{ server: HttpServer; port: number }> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => { void this.serve(req, res); });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        this.options.log('info', `chat endpoint listening on http://127.0.0.1:${port} (loopback only, bearer required)`);
        resolve({ server, port });
      });
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refuse = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(text);
    };
    const { port } = (req.socket.address() as AddressInfo);
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) { refuse(403, 'Forbidden: not a loopback host'); return; }
    if (req.headers.origin !== undefined) { refuse(403, 'Forbidden: requests from web pages are refused'); return; }
    if (!this.authorized(req.headers.authorization)) { refuse(401, 'Unauthorized', { 'www-authenticate': 'Bearer' }); return; }
    const route = this.routes.get(/^\/mcp\/([A-Za-z0-9_-]+)$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)?.[1] ?? '');
    if (!route) { refuse(404, 'Not found: no shared server here'); return; }
    if (this.options.manager.getState(route.id).kind !== 'running') { refuse(503, 'The server is not running in MCP Manager', { 'retry-after': '5' }); return; }
    const aborter = new AbortController();
    res.on('close', () => aborter.abort());
    try {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      if (body === null) { refuse(413, 'Request body too large'); return; }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v); else if (value !== undefined) headers.set(name, value);
      }
      const response = await route.handler.fetch(new Request(`http://${host}${req.url ?? '/'}`, { method: req.method, headers, body: body?.length ? new Uint8Array(body) : undefined, signal: aborter.signal }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) { res.end(); return; }
      res.flushHeaders();
      const reader = response.body.getReader();
      aborter.signal.addEventListener('abort', () => { reader.cancel().catch(() => undefined); }, { once: true });
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) res.write(chunk.value);
      res.end();
    } catch (err) {
      this.options.manager.logTo(route.id, 'warn', `chat request failed: ${errorMessage(err)}`, 'chat');
      if (!res.headersSent) refuse(500, 'Internal error'); else res.end();
    }
  }

  private authorized(header: string | undefined): boolean {
    const expected = Buffer.from(`Bearer ${this.token}`);
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The supervised server as the bridge serves it: its catalog as listed, its requests through the manager. */
  private target(id: ServerId): ForwardTarget {
    const m = this.options.manager;
    const catalog = () => m.getCatalog(id);
    const from = (what: string) => m.logTo(id, 'info', `${what} (from VS Code chat)`, 'chat');
    return {
      info: () => {
        const s = m.getState(id);
        const running = s.kind === 'running' ? s : undefined;
        return {
          name: running?.serverInfo?.name ?? 'mcp-manager-shared', version: running?.serverInfo?.version ?? '0.0.0',
          ...(running?.serverInfo?.title ? { title: running.serverInfo.title } : {}),
          ...(running?.instructions ? { instructions: running.instructions } : {}),
          capabilities: running?.capabilities ?? {},
        };
      },
      listTools: () => { const tools = catalog().tools; from(`tools/list: ${tools.length} tools`); return Promise.resolve([...tools]); },
      tool: (name) => catalog().tools.find((t) => t.name === name),
      listResources: () => Promise.resolve([...catalog().resources]),
      listResourceTemplates: () => Promise.resolve([...catalog().resourceTemplates]),
      listPrompts: () => Promise.resolve([...catalog().prompts]),
      callTool: async (name, args, signal) => {
        from(`tools/call ${name}`);
        try {
          return await m.callTool(id, name, args, { signal });
        } catch (err) {
          // The model reads why: a refusal of the pinning policy is the tool's answer, not a protocol failure.
          if (err instanceof ToolBlockedError) return { content: [{ type: 'text', text: err.message }], isError: true };
          throw err;
        }
      },
      readResource: (uri, signal) => { from(`resources/read ${uri}`); return m.readResource(id, uri, { signal }); },
      getPrompt: (name, args, signal) => { from(`prompts/get ${name}`); return m.getPrompt(id, name, args, { signal }); },
      complete: (params, signal) => m.complete(id, params, { signal }),
    };
  }
}

/** The request body, or null when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
