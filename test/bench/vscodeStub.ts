/* The few `vscode` APIs the Servers tree (src/views/serversTree.ts) uses, so the benchmark can run the real
 * TreeDataProvider on Node: EventEmitter, TreeItem, ThemeIcon/ThemeColor, createTreeView, executeCommand. Import it
 * before anything that imports `vscode`. `treeDataChanges` counts what the tree fires (the refreshes VS Code would do). */
import Module from 'node:module';

export const stats = { treeDataChanges: 0 };

type Listener<T> = (e: T) => unknown;
class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
  dispose(): void { this.listeners.clear(); }
}

class TreeItem {
  id?: string; description?: string; tooltip?: string; contextValue?: string; iconPath?: unknown; accessibilityInformation?: unknown;
  constructor(readonly label: string, readonly collapsibleState: number) {}
}

const disposable = { dispose: () => undefined };
const vscode = {
  EventEmitter,
  TreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class ThemeIcon { constructor(readonly id: string, readonly color?: unknown) {} },
  ThemeColor: class ThemeColor { constructor(readonly id: string) {} },
  window: {
    createTreeView: (_id: string, options: { treeDataProvider: { onDidChangeTreeData: (l: Listener<unknown>) => unknown } }) => {
      options.treeDataProvider.onDidChangeTreeData(() => { stats.treeDataChanges++; });
      return { onDidExpandElement: () => disposable, dispose: () => undefined };
    },
  },
  commands: { executeCommand: () => Promise.resolve(undefined) },
};

const STUB_PATH = '/vscode-bench-stub/index.js';
const loader = Module as unknown as { _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? STUB_PATH : resolve.call(this, request, ...rest);
};
require.cache[STUB_PATH] = { id: STUB_PATH, filename: STUB_PATH, loaded: true, exports: vscode } as unknown as NodeJS.Module;
