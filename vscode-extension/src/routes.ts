/** The route table the server answers to `fastapiLint/routes`, and the tree the Routes view shows (no vscode here). */

export const ROUTES_REQUEST = 'fastapiLint/routes';
export const ROUTES_CHANGED_NOTIFICATION = 'fastapiLint/routesChanged';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RouteInfo {
  /** Display name of the app that serves the route; null for a router no app includes. */
  app: string | null;
  /** A key unique per app (two apps may share a display name). */
  appKey: string | null;
  /** The router chain from the app down to the route's own router (display names). */
  routers: string[];
  methods: string[];
  /** Full path; null when a prefix is dynamic. */
  path: string | null;
  /** Handler name. */
  name: string;
  uri: string;
  range: Range;
}

export class RoutesProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutesProtocolError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPosition(v: unknown): v is Position {
  return isObject(v) && Number.isInteger(v.line) && Number.isInteger(v.character);
}

function isRange(v: unknown): v is Range {
  return isObject(v) && isPosition(v.start) && isPosition(v.end);
}

function stringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** Validate the server's answer; a malformed entry fails loudly rather than drawing a wrong tree. */
export function parseRoutesResponse(value: unknown): RouteInfo[] {
  if (!isObject(value) || !Array.isArray(value.routes)) {
    throw new RoutesProtocolError(`${ROUTES_REQUEST}: expected {"routes": [...]}, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value.routes.map((r: unknown, i: number): RouteInfo => {
    const where = `${ROUTES_REQUEST}: routes[${i}]`;
    if (!isObject(r)) {
      throw new RoutesProtocolError(`${where} is not an object`);
    }
    const nullableString = (key: string): string | null => {
      const v = r[key];
      if (v === null || v === undefined) {
        return null;
      }
      if (typeof v !== 'string') {
        throw new RoutesProtocolError(`${where}.${key} must be a string or null`);
      }
      return v;
    };
    if (typeof r.name !== 'string' || typeof r.uri !== 'string') {
      throw new RoutesProtocolError(`${where} needs "name" and "uri" strings`);
    }
    if (!isRange(r.range)) {
      throw new RoutesProtocolError(`${where}.range is not an LSP range`);
    }
    const routers = r.routers ?? [];
    const methods = r.methods ?? [];
    if (!stringArray(routers) || !stringArray(methods)) {
      throw new RoutesProtocolError(`${where}: "routers" and "methods" must be lists of strings`);
    }
    return {
      app: nullableString('app'),
      appKey: nullableString('appKey'),
      routers,
      methods,
      path: nullableString('path'),
      name: r.name,
      uri: r.uri,
      range: r.range,
    };
  });
}

/** "GET /api/users/{id}", "GET|HEAD /", "* /static" (no methods: a mount or websocket without one). */
export function routeLabel(route: Pick<RouteInfo, 'methods' | 'path'>): string {
  const methods = route.methods.length > 0 ? route.methods.join('|') : '*';
  return `${methods} ${route.path ?? '<dynamic path>'}`;
}

export const NO_APP_LABEL = 'Not included in any app';

export interface RouteLeaf {
  kind: 'route';
  id: string;
  label: string;
  route: RouteInfo;
}

export interface RouterNode {
  kind: 'router';
  id: string;
  label: string;
  children: TreeNode[];
}

export interface AppNode {
  kind: 'app';
  id: string;
  label: string;
  /** Number of routes below. */
  count: number;
  children: TreeNode[];
}

export type TreeNode = AppNode | RouterNode | RouteLeaf;

/**
 * app -> router chain -> route. Apps keep the server's order, except that the group of routes no app includes
 * comes last. Routes declared on the app itself sit directly under the app; a router's routes under its node.
 * Ids are stable across refreshes so that VS Code keeps the expansion state.
 */
export function buildRouteTree(routes: readonly RouteInfo[]): AppNode[] {
  const apps = new Map<string, AppNode>();
  const routers = new Map<string, RouterNode>();
  const seen = new Map<string, number>();
  let orphans: AppNode | undefined;
  for (const route of routes) {
    const key = route.appKey ?? route.app;
    let app: AppNode;
    if (key === null) {
      orphans ??= { kind: 'app', id: 'app:-', label: NO_APP_LABEL, count: 0, children: [] };
      app = orphans;
    } else {
      const appId = `app:${key}`;
      let found = apps.get(appId);
      if (found === undefined) {
        found = { kind: 'app', id: appId, label: route.app ?? key, count: 0, children: [] };
        apps.set(appId, found);
      }
      app = found;
    }
    app.count += 1;
    let parent: { id: string; children: TreeNode[] } = app;
    for (const router of route.routers) {
      const id = `${parent.id}/router:${router}`;
      let node = routers.get(id);
      if (node === undefined) {
        node = { kind: 'router', id, label: router, children: [] };
        routers.set(id, node);
        parent.children.push(node);
      }
      parent = node;
    }
    const label = routeLabel(route);
    const base = `${parent.id}/route:${label}@${route.uri}#${route.range.start.line}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    parent.children.push({ kind: 'route', id: n === 0 ? base : `${base}~${n}`, label, route });
  }
  const result = [...apps.values()];
  if (orphans !== undefined) {
    result.push(orphans);
  }
  return result;
}

export interface RoutePickItem {
  label: string;
  description: string;
  detail: string;
  route: RouteInfo;
}

/** Quick pick entries: the route, its handler, then where it comes from. */
export function routePickItems(routes: readonly RouteInfo[], relativePath: (uri: string) => string): RoutePickItem[] {
  return routes.map((route) => {
    const chain = [route.app ?? NO_APP_LABEL, ...route.routers].join(' › ');
    return {
      label: routeLabel(route),
      description: route.name,
      detail: `${chain} · ${relativePath(route.uri)}:${route.range.start.line + 1}`,
      route,
    };
  });
}
