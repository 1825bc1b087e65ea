// A small stand-in for the 'vscode' module (aliased in vitest.config.mts): enough of the API for the extension's
// own logic, with the calls recorded so that tests can assert on them.
import * as nodePath from 'node:path';

type Listener<T> = (e: T) => unknown;

export const state = {
  /** `fastapi-lint.*` settings by key (without the section). */
  settings: {} as Record<string, unknown>,
  /** Messages shown with window.show*Message, as "error: text". */
  shown: [] as string[],
  /** Registered commands. */
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  folders: [] as { uri: Uri; name: string; index: number }[],
  statusItems: [] as StatusBarItem[],
  extensions: new Map<string, unknown>(),
  /** Answer of the next show*Message call (a button label). */
  nextChoice: undefined as string | undefined,
};

export function reset(): void {
  state.settings = {};
  state.shown = [];
  state.commands.clear();
  state.executed = [];
  state.folders = [];
  state.statusItems = [];
  state.extensions.clear();
  state.nextChoice = undefined;
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static parse(value: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):(?:\/\/)?(.*)$/i.exec(value);
    if (m === null) {
      throw new Error(`not a uri: ${value}`);
    }
    return new Uri(m[1], decodeURIComponent(m[2].startsWith('/') ? m[2] : `/${m[2]}`));
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(sl: number, sc: number, el: number, ec: number) {
    this.start = new Position(sl, sc);
    this.end = new Position(el, ec);
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  constructor(readonly value: string) {}
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState,
  ) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class StatusBarItem {
  text = '';
  tooltip: unknown;
  name = '';
  command: unknown;
  backgroundColor: unknown;
  visible = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

function message(kind: string) {
  return async (text: string, ..._items: string[]): Promise<string | undefined> => {
    state.shown.push(`${kind}: ${text}`);
    const choice = state.nextChoice;
    state.nextChoice = undefined;
    return choice;
  };
}

export const window = {
  activeTextEditor: undefined as unknown,
  showErrorMessage: message('error'),
  showWarningMessage: message('warning'),
  showInformationMessage: message('info'),
  showQuickPick: async (items: unknown[]) => items[0],
  createStatusBarItem: (id: string) => {
    const item = new StatusBarItem(id);
    state.statusItems.push(item);
    return item;
  },
};

export const workspace = {
  getConfiguration: (_section?: string, _scope?: unknown) => ({
    get: <T>(key: string): T | undefined => state.settings[key] as T | undefined,
  }),
  get workspaceFolders() {
    return state.folders.length > 0 ? state.folders : undefined;
  },
  getWorkspaceFolder: (uri: Uri) => state.folders.find((f) => uri.path === f.uri.path || uri.path.startsWith(`${f.uri.path}/`)),
  asRelativePath: (uri: Uri | string) => {
    const p = typeof uri === 'string' ? uri : uri.path;
    const folder = state.folders.find((f) => p.startsWith(`${f.uri.path}/`));
    return folder !== undefined ? nodePath.relative(folder.uri.path, p) : p;
  },
};

export const commands = {
  registerCommand: (command: string, fn: (...args: unknown[]) => unknown) => {
    if (state.commands.has(command)) {
      throw new Error(`command '${command}' already exists`);
    }
    state.commands.set(command, fn);
    return new Disposable(() => state.commands.delete(command));
  },
  executeCommand: async (command: string, ...args: unknown[]) => {
    state.executed.push({ command, args });
    const fn = state.commands.get(command);
    return fn?.(...args);
  },
};

export const extensions = {
  getExtension: (id: string) => state.extensions.get(id),
};
