import * as vscode from 'vscode';
import {
  buildRouteTree,
  parseRoutesResponse,
  ROUTES_CHANGED_NOTIFICATION,
  ROUTES_REQUEST,
  routePickItems,
  type RouteInfo,
  type TreeNode,
} from './routes';
import type { ServerManager, ServerStatus } from './server';

export const ROUTES_VIEW_ID = 'fastapi-lint.routes';
const REFRESH_DELAY_MS = 250;

function toRange(route: RouteInfo): vscode.Range {
  const { start, end } = route.range;
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export function openRouteCommand(route: RouteInfo): vscode.Command {
  const options: vscode.TextDocumentShowOptions = { selection: toRange(route), preview: true };
  return { title: 'Open Handler', command: 'vscode.open', arguments: [vscode.Uri.parse(route.uri), options] };
}

/** The "FastAPI Routes" tree: app -> router chain -> route, fed by `fastapiLint/routes`. */
export class RoutesProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: TreeNode[] = [];
  private routes: RouteInfo[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stale = true;
  private generation = 0;
  private view: vscode.TreeView<TreeNode> | undefined;
  /** Why the last refresh failed, if it did. */
  lastError: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly server: Pick<ServerManager, 'sendRequest' | 'onNotification' | 'onDidChangeStatus' | 'currentStatus'>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    server.onNotification(ROUTES_CHANGED_NOTIFICATION, () => this.scheduleRefresh());
    this.disposables.push(
      server.onDidChangeStatus((status: ServerStatus) => {
        if (status === 'running') {
          this.scheduleRefresh();
        } else if (status === 'error') {
          this.setMessage('The FastAPI Lint server is not running (see "FastAPI Lint: Show Logs").');
        }
      }),
    );
  }

  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        if (e.visible && this.stale) {
          this.scheduleRefresh();
        }
      }),
    );
  }

  /** Latest routes (fetched if never fetched). */
  async allRoutes(): Promise<RouteInfo[]> {
    if (this.stale || this.roots.length === 0) {
      await this.refresh();
    }
    return this.routes;
  }

  scheduleRefresh(): void {
    this.stale = true;
    if (this.view !== undefined && !this.view.visible) {
      return; // fetched when the view becomes visible
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  private setMessage(message: string | undefined): void {
    if (this.view !== undefined) {
      this.view.message = message;
    }
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.stale = false;
    try {
      const raw = await this.server.sendRequest<unknown>(ROUTES_REQUEST, {});
      if (generation !== this.generation) {
        return; // a newer refresh is under way
      }
      this.routes = parseRoutesResponse(raw);
      this.roots = buildRouteTree(this.routes);
      this.lastError = undefined;
      this.setMessage(undefined);
      if (this.view !== undefined) {
        this.view.description = `${this.routes.length} route${this.routes.length === 1 ? '' : 's'}`;
      }
      this.log.debug(`Routes view: ${this.routes.length} routes`);
    } catch (err) {
      if (generation !== this.generation) {
        return;
      }
      this.stale = true;
      this.roots = [];
      this.routes = [];
      const text = err instanceof Error ? err.message : String(err);
      this.lastError = text;
      this.log.warn(`Routes view: ${ROUTES_REQUEST} failed: ${text}`);
      this.setMessage(this.server.currentStatus === 'running' ? `Could not list the routes: ${text}` : 'The FastAPI Lint server is not running.');
    }
    this.changed.fire(undefined);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (element === undefined) {
      return this.roots;
    }
    return element.kind === 'route' ? [] : element.children;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'route') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.route.name;
      const where = vscode.workspace.asRelativePath(vscode.Uri.parse(node.route.uri));
      item.tooltip = new vscode.MarkdownString(
        `**${node.label}**\n\nhandler \`${node.route.name}\` in ${where}:${node.route.range.start.line + 1}`,
      );
      item.iconPath = new vscode.ThemeIcon(node.route.methods.includes('WEBSOCKET') ? 'plug' : 'symbol-method');
      item.contextValue = 'route';
      item.command = openRouteCommand(node.route);
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    if (node.kind === 'app') {
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.description = `${node.count} route${node.count === 1 ? '' : 's'}`;
      item.contextValue = 'app';
    } else {
      item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
      item.contextValue = 'router';
    }
    return item;
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    this.changed.dispose();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

/** The "Search Routes" quick pick; opens the chosen handler. */
export async function searchRoutes(provider: RoutesProvider): Promise<void> {
  let routes: RouteInfo[];
  try {
    routes = await provider.allRoutes();
  } catch (err) {
    void vscode.window.showErrorMessage(`FastAPI Lint: cannot list routes: ${String(err)}`);
    return;
  }
  if (routes.length === 0 && provider.lastError !== undefined) {
    void vscode.window.showErrorMessage(`FastAPI Lint: cannot list routes: ${provider.lastError}`);
    return;
  }
  if (routes.length === 0) {
    void vscode.window.showInformationMessage('FastAPI Lint: no routes found in this workspace.');
    return;
  }
  const items = routePickItems(routes, (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'FastAPI Routes',
    placeHolder: 'Search routes by method, path, handler or file',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked !== undefined) {
    const command = openRouteCommand(picked.route);
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
  }
}
