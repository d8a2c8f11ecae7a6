import { errorMessage } from './common/errors';

/** The MCP SDK as the extension uses it (./sdk.ts). */
export type McpSdk = typeof import('./sdk.js');

/**
 * Loads the MCP SDK (dist/sdk.js, apart from the activation bundle) when something first needs it; later calls get the
 * same module. A failure rejects with an error that says so, and surfaces as the error of the operation that needed
 * it (a failed start, a failed sign-in).
 */
export async function loadSdk(): Promise<McpSdk> {
  try {
    return await import('./sdk.js');
  } catch (err) {
    throw new Error(`could not load the MCP SDK: ${errorMessage(err)}`, { cause: err });
  }
}

/** The server side of the MCP SDK (./bridgeSdk.ts, dist/bridgeSdk.js), loaded when a server is first shared with chat. */
export type BridgeSdk = typeof import('./bridgeSdk.js');

export async function loadBridgeSdk(): Promise<BridgeSdk> {
  try {
    return await import('./bridgeSdk.js');
  } catch (err) {
    throw new Error(`could not load the MCP server SDK: ${errorMessage(err)}`, { cause: err });
  }
}
