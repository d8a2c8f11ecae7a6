/**
 * The server side of the MCP SDK (v2, `@modelcontextprotocol/server`), for the chat bridge only (src/servers/chatBridge.ts).
 * Bundled apart, as dist/bridgeSdk.js, loaded by `loadBridgeSdk()` (./sdkLoader.ts) when a server is first shared with
 * VS Code's chat: neither activation nor a server start parses it. Like src/sdk.ts it imports only the SDK.
 */
import type {
  CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
  ListToolsResult, ReadResourceResult,
} from '@modelcontextprotocol/client';
import { type McpHttpHandler, Server, createMcpHandler } from '@modelcontextprotocol/server';

/** What a bridge serves: the supervised server's own answers (through the ServerManager), never a process of its own. */
export interface ForwardTarget {
  /** The supervised server's identity and capabilities (from its initialize / discover result). */
  info(): { readonly name: string; readonly version: string; readonly title?: string; readonly instructions?: string; readonly capabilities: ForwardCapabilities };
  listTools(): Promise<ListToolsResult['tools']>;
  /** One listed tool (its output schema shapes the call's result), without a listing of its own. */
  tool(name: string): ListToolsResult['tools'][number] | undefined;
  listResources(): Promise<ListResourcesResult['resources']>;
  listResourceTemplates(): Promise<ListResourceTemplatesResult['resourceTemplates']>;
  listPrompts(): Promise<ListPromptsResult['prompts']>;
  callTool(name: string, args: Record<string, unknown> | undefined, signal: AbortSignal): Promise<CallToolResult>;
  readResource(uri: string, signal: AbortSignal): Promise<ReadResourceResult>;
  getPrompt(name: string, args: Record<string, string> | undefined, signal: AbortSignal): Promise<GetPromptResult>;
  complete(params: CompleteRequest['params'], signal: AbortSignal): Promise<CompleteResult>;
}
export interface ForwardCapabilities { readonly tools?: object; readonly resources?: object; readonly prompts?: object; readonly completions?: object }

/**
 * A fetch-shaped MCP endpoint (the v2 server SDK's createMcpHandler: 2026-07-28, and 2025-11-25 statelessly) whose
 * every answer comes from `target`; `notify` announces list changes to open 2026-07-28 subscriptions.
 */
export function forwardingHandler(target: ForwardTarget, onerror: (error: Error) => void): McpHttpHandler {
  return createMcpHandler(() => {
    const info = target.info();
    const c = info.capabilities;
    const server = new Server({ name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) }, {
      capabilities: {
        ...(c.tools ? { tools: { listChanged: true } } : {}), ...(c.resources ? { resources: { listChanged: true } } : {}),
        ...(c.prompts ? { prompts: { listChanged: true } } : {}), ...(c.completions ? { completions: {} } : {}),
      },
      ...(info.instructions ? { instructions: info.instructions } : {}),
    });
    if (c.tools) {
      server.setRequestHandler('tools/list', async () => ({ tools: await target.listTools() }));
      server.setRequestHandler('tools/call', async (request, ctx) => {
        const result = await target.callTool(request.params.name, request.params.arguments, ctx.mcpReq.signal);
        return server.projectCallToolResult(result, target.tool(request.params.name)?.outputSchema);
      });
    }
    if (c.resources) {
      server.setRequestHandler('resources/list', async () => ({ resources: await target.listResources() }));
      server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: await target.listResourceTemplates() }));
      server.setRequestHandler('resources/read', (request, ctx) => target.readResource(request.params.uri, ctx.mcpReq.signal));
    }
    if (c.prompts) {
      server.setRequestHandler('prompts/list', async () => ({ prompts: await target.listPrompts() }));
      server.setRequestHandler('prompts/get', (request, ctx) => target.getPrompt(request.params.name, request.params.arguments, ctx.mcpReq.signal));
    }
    if (c.completions) server.setRequestHandler('completion/complete', (request, ctx) => target.complete(request.params, ctx.mcpReq.signal));
    return server;
  }, { onerror });
}
