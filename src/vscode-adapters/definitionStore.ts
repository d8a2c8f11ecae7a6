import type * as vscode from 'vscode';
import type { ApprovalRecord } from '../common/definitions';
import type { DefinitionStore } from '../servers/definitionTracker';

/** The global-state key of every server's approved definitions: `{ [<secretScope>#<name>]: ApprovalRecord }`. */
export const APPROVED_DEFINITIONS_KEY = 'mcpManager.approvedDefinitions';

/** Approved tool definitions in the extension's global state (shared by the profile's windows; never a secret). */
export class MementoDefinitionStore implements DefinitionStore {
  constructor(private readonly memento: vscode.Memento) {}

  get(key: string): ApprovalRecord | undefined { return this.all()[key]; }

  async set(key: string, record: ApprovalRecord | undefined): Promise<void> {
    const all = { ...this.all() };
    if (record) all[key] = record; else delete all[key];
    await this.memento.update(APPROVED_DEFINITIONS_KEY, all);
  }

  async clear(): Promise<void> { await this.memento.update(APPROVED_DEFINITIONS_KEY, undefined); }

  private all(): Readonly<Record<string, ApprovalRecord>> { return this.memento.get(APPROVED_DEFINITIONS_KEY, {}); }
}
