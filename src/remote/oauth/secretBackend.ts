import type { SecretPurpose } from '../../common/secretKeys';

/**
 * What the OAuth core needs of SecretStorage. src/vscode-adapters/secretStore.ts's SecretStore satisfies it (keys
 * follow src/common/secretKeys.ts); the conformance CLI and the tests use MemorySecretBackend.
 */
export interface SecretBackend {
  get(purpose: SecretPurpose, id: string): Promise<string | undefined>;
  store(purpose: SecretPurpose, id: string, value: string): Promise<void>;
  delete(purpose: SecretPurpose, id: string): Promise<void>;
  list(purpose?: SecretPurpose): Promise<{ purpose: SecretPurpose; id: string }[]>;
}

export class MemorySecretBackend implements SecretBackend {
  readonly values = new Map<string, string>();
  get(purpose: SecretPurpose, id: string): Promise<string | undefined> { return Promise.resolve(this.values.get(`${purpose}/${id}`)); }
  store(purpose: SecretPurpose, id: string, value: string): Promise<void> { this.values.set(`${purpose}/${id}`, value); return Promise.resolve(); }
  delete(purpose: SecretPurpose, id: string): Promise<void> { this.values.delete(`${purpose}/${id}`); return Promise.resolve(); }
  list(purpose?: SecretPurpose): Promise<{ purpose: SecretPurpose; id: string }[]> {
    return Promise.resolve([...this.values.keys()].map((k) => {
      const slash = k.indexOf('/');
      return { purpose: k.slice(0, slash) as SecretPurpose, id: k.slice(slash + 1) };
    }).filter((k) => !purpose || k.purpose === purpose));
  }
}
