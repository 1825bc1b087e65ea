import { beforeEach, describe, expect, it } from 'vitest';
import { providerFromApi, type PythonExtensionApi } from '../src/pythonExtension';
import { ROUTES_CHANGED_NOTIFICATION, ROUTES_REQUEST, type RouteInfo, type TreeNode } from '../src/routes';
import { RoutesProvider, searchRoutes } from '../src/routesView';
import type { ServerStatus } from '../src/server';
import { fakeLog } from './fakes';
import { EventEmitter, reset, state, TreeItemCollapsibleState, Uri, window } from './vscode-stub';

const users: RouteInfo = {
  app: 'app — app/main.py',
  appKey: '/ws/app/main.py::app.main.app',
  routers: ['api_router — app/api.py', 'router — app/routers/users.py'],
  methods: ['GET'],
  path: '/api/v1/users/{user_id}',
  name: 'read_user',
  uri: 'file:///ws/app/routers/users.py',
  range: { start: { line: 16, character: 4 }, end: { line: 16, character: 13 } },
};

class FakeServer {
  answer: unknown = { routes: [users] };
  requests = 0;
  readonly handlers = new Map<string, (p: unknown) => void>();
  readonly status = new EventEmitter<ServerStatus>();
  readonly onDidChangeStatus = this.status.event;
  currentStatus: ServerStatus = 'running';
  async sendRequest<R>(method: string): Promise<R> {
    expect(method).toBe(ROUTES_REQUEST);
    this.requests += 1;
    if (this.answer instanceof Error) {
      throw this.answer;
    }
    return this.answer as R;
  }
  onNotification(method: string, handler: (p: unknown) => void): void {
    this.handlers.set(method, handler);
  }
}

function fakeView() {
  return {
    visible: true,
    message: undefined as string | undefined,
    description: undefined as string | undefined,
    visibility: new EventEmitter<{ visible: boolean }>(),
    get onDidChangeVisibility() {
      return this.visibility.event;
    },
  };
}

beforeEach(() => {
  reset();
  state.folders = [{ uri: Uri.file('/ws'), name: 'ws', index: 0 }];
});

describe('RoutesProvider', () => {
  it('builds tree items: app and routers expanded, a route opens its handler at the range', async () => {
    const server = new FakeServer();
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    await provider.refresh();
    const [app] = provider.getChildren();
    const appItem = provider.getTreeItem(app);
    expect(appItem.label).toBe('app — app/main.py');
    expect(appItem.description).toBe('1 route');
    expect(appItem.collapsibleState).toBe(TreeItemCollapsibleState.Expanded);
    const [apiRouter] = provider.getChildren(app);
    const [usersRouter] = provider.getChildren(apiRouter);
    const [route] = provider.getChildren(usersRouter) as TreeNode[];
    const item = provider.getTreeItem(route);
    expect(item.label).toBe('GET /api/v1/users/{user_id}');
    expect(item.description).toBe('read_user');
    expect(item.command?.command).toBe('vscode.open');
    const [uri, options] = item.command?.arguments ?? [];
    expect(String(uri)).toBe('file:///ws/app/routers/users.py');
    expect((options as { selection: { start: { line: number } } }).selection.start.line).toBe(16);
    expect(String((item.tooltip as { value: string }).value)).toContain('app/routers/users.py:17');
  });

  it('refreshes on fastapiLint/routesChanged (debounced) and on server start', async () => {
    const server = new FakeServer();
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    provider.attach(fakeView() as never);
    server.handlers.get(ROUTES_CHANGED_NOTIFICATION)?.({});
    server.handlers.get(ROUTES_CHANGED_NOTIFICATION)?.({});
    server.status.fire('running');
    await new Promise((r) => setTimeout(r, 400));
    expect(server.requests).toBe(1);
    expect(provider.getChildren()).toHaveLength(1);
  });

  it('waits until the view is visible to fetch', async () => {
    const server = new FakeServer();
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    const view = fakeView();
    view.visible = false;
    provider.attach(view as never);
    server.handlers.get(ROUTES_CHANGED_NOTIFICATION)?.({});
    await new Promise((r) => setTimeout(r, 400));
    expect(server.requests).toBe(0);
    view.visible = true;
    view.visibility.fire({ visible: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(server.requests).toBe(1);
  });

  it('shows why it is empty when the request fails', async () => {
    const server = new FakeServer();
    server.answer = new Error('Unhandled method fastapiLint/routes');
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    const view = fakeView();
    provider.attach(view as never);
    await provider.refresh();
    expect(provider.getChildren()).toEqual([]);
    expect(view.message).toBe('Could not list the routes: Unhandled method fastapiLint/routes');
    server.currentStatus = 'error';
    server.status.fire('error');
    expect(view.message).toMatch(/not running/);
  });

  it('rejects a malformed answer instead of drawing a wrong tree', async () => {
    const server = new FakeServer();
    server.answer = { routes: [{ ...users, range: null }] };
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    await provider.refresh();
    expect(provider.lastError).toMatch(/routes\[0\]\.range/);
  });
});

describe('searchRoutes', () => {
  it('opens the picked route', async () => {
    const provider = new RoutesProvider(new FakeServer() as never, fakeLog().channel);
    await searchRoutes(provider);
    expect(state.executed).toHaveLength(1);
    expect(state.executed[0].command).toBe('vscode.open');
    expect(String(state.executed[0].args[0])).toBe('file:///ws/app/routers/users.py');
  });

  it('reports a failure instead of "no routes"', async () => {
    const server = new FakeServer();
    server.answer = new Error('the FastAPI Lint server is not running');
    const provider = new RoutesProvider(server as never, fakeLog().channel);
    await searchRoutes(provider);
    expect(state.shown).toEqual(['error: FastAPI Lint: cannot list routes: the FastAPI Lint server is not running']);
    expect(window).toBeDefined();
  });
});

describe('Python extension API', () => {
  it('reads the active environment, then falls back to the execution details', async () => {
    const changed = new EventEmitter<unknown>();
    const api: PythonExtensionApi = {
      environments: {
        getActiveEnvironmentPath: () => ({ id: 'x', path: '/ws/.venv' }),
        resolveEnvironment: async () => ({ executable: { uri: Uri.file('/ws/.venv/bin/python') as never } }),
        onDidChangeActiveEnvironmentPath: changed.event as never,
      },
    };
    const ext = providerFromApi(api);
    expect(await ext.activeInterpreter('file:///ws')).toBe('/ws/.venv/bin/python');
    let fired = 0;
    ext.onDidChangeInterpreter(() => (fired += 1));
    changed.fire({});
    expect(fired).toBe(1);

    const old = providerFromApi({
      settings: { getExecutionDetails: () => ({ execCommand: ['/usr/bin/python3.12', '-X', 'utf8'] }), onDidChangeExecutionDetails: changed.event as never },
    });
    expect(await old.activeInterpreter()).toBe('/usr/bin/python3.12');
    const unresolved = providerFromApi({ ...api, environments: { ...api.environments!, resolveEnvironment: async () => undefined } });
    expect(await unresolved.activeInterpreter()).toBeUndefined();
  });
});
