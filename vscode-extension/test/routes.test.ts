import { describe, expect, it } from 'vitest';
import {
  buildRouteTree,
  NO_APP_LABEL,
  parseRoutesResponse,
  routeLabel,
  routePickItems,
  RoutesProtocolError,
  type AppNode,
  type RouteInfo,
  type TreeNode,
} from '../src/routes';

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 10 } });
const route = (over: Partial<RouteInfo>): RouteInfo => ({
  app: 'app.main:app',
  appKey: '/ws/app/main.py::app',
  routers: [],
  methods: ['GET'],
  path: '/',
  name: 'handler',
  uri: 'file:///ws/app/main.py',
  range: range(1),
  ...over,
});

/** The tree as indented text: easy to read when a test fails. */
function render(nodes: TreeNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.label}${n.kind === 'route' ? ` (${n.route.name})` : ''}`,
    ...(n.kind === 'route' ? [] : render(n.children, depth + 1)),
  ]);
}

describe('parseRoutesResponse', () => {
  it('accepts the contract shape', () => {
    const routes = parseRoutesResponse({ routes: [route({ app: null, appKey: null, path: null })] });
    expect(routes).toHaveLength(1);
    expect(routes[0].app).toBeNull();
    expect(routes[0].path).toBeNull();
  });
  it('defaults missing lists to empty', () => {
    const { routers: _r, methods: _m, ...rest } = route({});
    expect(parseRoutesResponse({ routes: [rest] })[0]).toMatchObject({ routers: [], methods: [] });
  });
  it('rejects malformed answers with the place of the problem', () => {
    expect(() => parseRoutesResponse(null)).toThrow(RoutesProtocolError);
    expect(() => parseRoutesResponse({ routes: {} })).toThrow(/expected \{"routes"/);
    expect(() => parseRoutesResponse({ routes: [route({}), { ...route({}), range: { start: 1 } }] })).toThrow(/routes\[1\]\.range/);
    expect(() => parseRoutesResponse({ routes: [{ ...route({}), methods: 'GET' }] })).toThrow(/lists of strings/);
    expect(() => parseRoutesResponse({ routes: [{ ...route({}), path: 3 }] })).toThrow(/routes\[0\]\.path/);
  });
});

describe('routeLabel', () => {
  it('joins methods and shows dynamic paths', () => {
    expect(routeLabel({ methods: ['GET'], path: '/api/users/{id}' })).toBe('GET /api/users/{id}');
    expect(routeLabel({ methods: ['GET', 'HEAD'], path: '/' })).toBe('GET|HEAD /');
    expect(routeLabel({ methods: [], path: null })).toBe('* <dynamic path>');
  });
});

describe('buildRouteTree', () => {
  const routes: RouteInfo[] = [
    route({ path: '/health', name: 'health', range: range(40) }),
    route({ routers: ['api_router', 'users.router'], path: '/api/v1/users/{user_id}', name: 'read_user', uri: 'file:///ws/app/routers/users.py' }),
    route({ routers: ['api_router', 'users.router'], methods: ['POST'], path: '/api/v1/users/', name: 'create_user', uri: 'file:///ws/app/routers/users.py', range: range(9) }),
    route({ routers: ['api_router', 'orders_router'], path: '/api/v1/orders/{order_id}', name: 'read_order', uri: 'file:///ws/app/routers/orders.py' }),
    route({ app: null, appKey: null, routers: ['admin.router'], methods: ['DELETE'], path: '/admin/users/{id}', name: 'delete_user', uri: 'file:///ws/app/routers/admin.py' }),
    route({ app: 'tests.app', appKey: '/ws/tests/conftest.py::app', path: '/ping', name: 'ping', uri: 'file:///ws/tests/conftest.py' }),
  ];

  it('nests app -> router chain -> route, routes without an app last', () => {
    expect(render(buildRouteTree(routes))).toEqual([
      'app.main:app',
      '  GET /health (health)',
      '  api_router',
      '    users.router',
      '      GET /api/v1/users/{user_id} (read_user)',
      '      POST /api/v1/users/ (create_user)',
      '    orders_router',
      '      GET /api/v1/orders/{order_id} (read_order)',
      'tests.app',
      '  GET /ping (ping)',
      NO_APP_LABEL,
      '  admin.router',
      '    DELETE /admin/users/{id} (delete_user)',
    ]);
  });

  it('counts routes per app', () => {
    expect(buildRouteTree(routes).map((a: AppNode) => a.count)).toEqual([4, 1, 1]);
  });

  it('keeps two apps with the same display name apart (by appKey)', () => {
    const tree = buildRouteTree([
      route({ app: 'app', appKey: '/ws/a/main.py::app' }),
      route({ app: 'app', appKey: '/ws/b/main.py::app' }),
    ]);
    expect(tree.map((a) => a.label)).toEqual(['app', 'app']);
    expect(new Set(tree.map((a) => a.id)).size).toBe(2);
  });

  it('gives every node a unique id that survives a rebuild', () => {
    const twice = [...routes, routes[1]]; // one router mounted twice gives the same entry twice
    const ids = (nodes: TreeNode[]): string[] => nodes.flatMap((n) => [n.id, ...(n.kind === 'route' ? [] : ids(n.children))]);
    const first = ids(buildRouteTree(twice));
    expect(new Set(first).size).toBe(first.length);
    expect(ids(buildRouteTree(twice))).toEqual(first);
  });
});

describe('routePickItems', () => {
  it('shows route, handler, chain and file:line (1-based)', () => {
    const [item] = routePickItems(
      [route({ routers: ['api_router', 'users.router'], path: '/api/v1/users/{user_id}', name: 'read_user', uri: 'file:///ws/app/routers/users.py', range: range(16) })],
      (uri) => uri.replace('file:///ws/', ''),
    );
    expect(item).toMatchObject({
      label: 'GET /api/v1/users/{user_id}',
      description: 'read_user',
      detail: 'app.main:app › api_router › users.router · app/routers/users.py:17',
    });
  });
});
