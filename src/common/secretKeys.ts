/**
 * The one SecretStorage key scheme: `mcpManager/v1/<purpose>/<id>`. Every feature that stores, reads, clears or signs
 * out goes through these functions (and src/vscode-adapters/secretStore.ts), so "Clear All Stored Data" can find
 * everything the extension ever stored.
 */
export const SECRET_KEY_PREFIX = 'mcpManager/v1/';

export type SecretPurpose =
  /** A promptString input with password: true; id = `<secretScope>/<inputId>` (src/common/serverId.ts: carries the owner). */
  | 'input'
  /** A header value moved out of a config file on import; id = `<serverId>/<headerName>`. */
  | 'header'
  /** OAuth tokens for one server; id = its credentialId `<secretScope>#<name>` (src/common/serverId.ts). */
  | 'oauthTokens'
  /** An OAuth client registration; id = `[<ownerKey> ]<authorizationServer> <redirectUri>` (owner for workspace servers). */
  | 'oauthClient';

export const SECRET_PURPOSES: readonly SecretPurpose[] = ['input', 'header', 'oauthTokens', 'oauthClient'];

export function secretKey(purpose: SecretPurpose, id: string): string {
  if (!id) throw new Error('secret id must not be empty');
  return `${SECRET_KEY_PREFIX}${purpose}/${id}`;
}

export function parseSecretKey(key: string): { purpose: SecretPurpose; id: string } | undefined {
  if (!key.startsWith(SECRET_KEY_PREFIX)) return undefined;
  const rest = key.slice(SECRET_KEY_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const purpose = rest.slice(0, slash) as SecretPurpose;
  const id = rest.slice(slash + 1);
  return SECRET_PURPOSES.includes(purpose) && id ? { purpose, id } : undefined;
}

/**
 * `oauthClient` id of a static client's secret (serverOptions.oauth.clientId): `static <secretId>` (the server's OAuth
 * secretId). Set Secret... and Clear Secrets... name it, the OAuth provider reads it.
 */
export function staticClientSecretKey(secretId: string): string {
  return `static ${secretId}`;
}

/** Key of the index of every key we stored (SecretStorage cannot be enumerated on every engine we support). */
export const SECRET_INDEX_KEY = `${SECRET_KEY_PREFIX}index`;
