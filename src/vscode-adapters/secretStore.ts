import * as vscode from 'vscode';
import { SECRET_INDEX_KEY, SECRET_KEY_PREFIX, type SecretPurpose, parseSecretKey, secretKey } from '../common/secretKeys';
import type { Redactor } from '../common/redact';
import type { ComponentLogger } from '../log';

/**
 * The only door to SecretStorage. Keys follow src/common/secretKeys.ts; an index of stored keys lets Clear All
 * Stored Data find everything. Values read or written are registered with the redactor so they never reach a log.
 * Failures are logged (without values) and surfaced as undefined/false, never thrown into the UI.
 */
export class SecretStore {
  readonly onDidChange: vscode.Event<vscode.SecretStorageChangeEvent>;

  constructor(private readonly storage: vscode.SecretStorage, private readonly redactor: Redactor, private readonly log: ComponentLogger) {
    this.onDidChange = storage.onDidChange;
  }

  async get(purpose: SecretPurpose, id: string): Promise<string | undefined> {
    try {
      const value = await this.storage.get(secretKey(purpose, id));
      this.redactor.add(value);
      return value;
    } catch (err) {
      this.log.error(`reading a ${purpose} secret failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  async store(purpose: SecretPurpose, id: string, value: string): Promise<void> {
    this.redactor.add(value);
    const key = secretKey(purpose, id);
    await this.storage.store(key, value);
    await this.updateIndex((keys) => keys.add(key));
    this.log.info(`stored a ${purpose} secret (${value.length} chars)`);
  }

  async delete(purpose: SecretPurpose, id: string): Promise<void> {
    const key = secretKey(purpose, id);
    await this.storage.delete(key);
    await this.updateIndex((keys) => keys.delete(key));
  }

  /** Keys (not values) of everything stored, optionally of one purpose. */
  async list(purpose?: SecretPurpose): Promise<{ purpose: SecretPurpose; id: string }[]> {
    const keys = await this.readIndex();
    return [...keys].map(parseSecretKey).filter((k): k is { purpose: SecretPurpose; id: string } => !!k && (!purpose || k.purpose === purpose));
  }

  /** Deletes every secret this extension stored. Returns how many were deleted. */
  async clearAll(): Promise<number> {
    const keys = await this.readIndex();
    let count = 0;
    for (const key of keys) {
      if (!key.startsWith(SECRET_KEY_PREFIX)) continue;
      await this.storage.delete(key);
      count++;
    }
    await this.storage.delete(SECRET_INDEX_KEY);
    this.log.info(`cleared ${count} stored secret(s)`);
    return count;
  }

  private async readIndex(): Promise<Set<string>> {
    try {
      const raw = await this.storage.get(SECRET_INDEX_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []);
    } catch {
      return new Set();
    }
  }

  private indexUpdate: Promise<void> = Promise.resolve();
  private updateIndex(change: (keys: Set<string>) => void): Promise<void> {
    const next = this.indexUpdate.then(async () => {
      const keys = await this.readIndex();
      change(keys);
      await this.storage.store(SECRET_INDEX_KEY, JSON.stringify([...keys]));
    });
    this.indexUpdate = next.catch(() => undefined);
    return next;
  }
}
