"""What editors show about the code besides findings: route cards, a dependency's place in the graph, how many
test-client calls reach each route, and fixing a whole document in memory.

Everything here is computed from the project index; results that cost a walk over the project are cached in
`project.derived` (cleared on every update).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from .checker import NOQA, check_module, noqa_codes
from .config import Settings
from .fixes import apply_fixes
from .model.clients import ClientCall, client_calls, routes_for
from .model.facts import ClassInfo, FunctionInfo, ModuleFacts, Scope
from .model.params import callable_params, params_of, resolve_callable, resolve_dependency, route_dependencies
from .model.project import Include, Project, Route, RouterObject
from .rules.base import Edit, Finding


@dataclass(frozen=True)
class Place:
    """A named thing in a file: (1-based line, 0-based code-point column)."""

    name: str
    path: str
    line: int
    col: int = 0


@dataclass(frozen=True)
class Dependency:
    place: Place
    depth: int  # 1: used by the route (or dependency) itself
    via: str  # "parameter db", "route dependencies=", "router dependencies=", ...
    key: str  # path::qualname


@dataclass(frozen=True)
class Mounting:
    app: Place | None  # None: no app includes the router
    full_path: str | None
    chain: tuple[Place, ...]  # include_router calls, outermost first (name: the included router)


@dataclass(frozen=True)
class RouteCard:
    route: Route
    methods: tuple[str, ...]
    name: str
    handler: Place
    mountings: tuple[Mounting, ...]
    status_code: str | None
    response_model: str | None
    tags: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    summary: str | None = None


@dataclass(frozen=True)
class DependencyInfo:
    place: Place
    depends_on: tuple[Dependency, ...]
    used_by: tuple[Route, ...]
    is_class: bool = False


def relpath(path: str, root: str) -> str:
    rel = os.path.relpath(path, root)
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def object_label(project: Project, obj: RouterObject) -> str:
    """`app — app/main.py`."""
    return f"{obj.qualname.rsplit('.', 1)[-1]} — {relpath(obj.module.path, project.root)}"


def _place_of(module: ModuleFacts, node: ast.AST, name: str) -> Place:
    line, col = module.source.start(node)
    return Place(name, module.path, line, col)


def _callable_place(module: ModuleFacts, obj: FunctionInfo | ClassInfo) -> Place:
    return _place_of(module, obj.node, obj.qualname.removeprefix(module.module + "."))


def _callable_key(module: ModuleFacts, obj: FunctionInfo | ClassInfo) -> str:
    return f"{module.path}::{obj.qualname}"


def _direct_dependencies(
    project: Project, module: ModuleFacts, obj: FunctionInfo | ClassInfo
) -> Iterator[tuple[str, ModuleFacts, FunctionInfo | ClassInfo]]:
    params = callable_params(project, (module, obj)) or []
    for param in params:
        target = resolve_dependency(project, param)
        if target is not None:
            yield f"parameter {param.name}", target[0], target[1]


def _transitive(
    project: Project,
    roots: list[tuple[str, ModuleFacts, FunctionInfo | ClassInfo]],
    seen: set[str] | None = None,
) -> list[Dependency]:
    out: list[Dependency] = []
    seen = set() if seen is None else seen
    frontier = [(via, m, o, 1) for via, m, o in roots]
    while frontier:
        via, module, obj, depth = frontier.pop(0)
        key = _callable_key(module, obj)
        if key in seen or depth > 20:
            continue
        seen.add(key)
        out.append(Dependency(_callable_place(module, obj), depth, via, key))
        frontier.extend((v, m, o, depth + 1) for v, m, o in _direct_dependencies(project, module, obj))
    return out


def _route_roots(project: Project, route: Route) -> list[tuple[str, ModuleFacts, FunctionInfo | ClassInfo]]:
    roots: list[tuple[str, ModuleFacts, FunctionInfo | ClassInfo]] = []
    if route.handler is not None and route.handler_module is not None:
        for param in params_of(project, route.handler_module, route.handler):
            target = resolve_dependency(project, param)
            if target is not None:
                roots.append((f"parameter {param.name}", target[0], target[1]))
    for module, scope, expr in route_dependencies(project, route):
        target = _depends_callable(project, module, scope, expr)
        if target is not None:
            where = "route" if module is route.module and scope is route.site.scope else "router/app"
            roots.append((f"{where} dependencies=", target[0], target[1]))
    return roots


def _depends_callable(
    project: Project, module: ModuleFacts, scope: Scope, expr: ast.expr
) -> tuple[ModuleFacts, FunctionInfo | ClassInfo] | None:
    if isinstance(expr, ast.Call) and expr.args:
        return resolve_callable(project, module, expr.args[0], scope)
    return None


def route_dependency_keys(project: Project) -> dict[int, set[str]]:
    """id(route) -> keys of every dependency it uses, transitively (cached per project revision)."""
    cached = project.derived.get("route_dependency_keys")
    if isinstance(cached, dict):
        return cached
    out: dict[int, set[str]] = {}
    for route in project.routes:
        out[id(route)] = {d.key for d in _transitive(project, _route_roots(project, route))}
    project.derived["route_dependency_keys"] = out
    return out


def _literal(module: ModuleFacts, expr: ast.expr | None) -> str | None:
    return None if expr is None else module.source.segment(expr)


def _tags(expr: ast.expr | None) -> list[str]:
    if isinstance(expr, (ast.List, ast.Tuple)):
        return [e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _keyword(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def route_card(project: Project, route: Route) -> RouteCard:
    handler_module = route.handler_module or route.module
    handler = (
        _place_of(handler_module, route.handler.node, route.name)
        if route.handler is not None
        else _place_of(route.module, route.site.call, route.name)
    )
    mountings: list[Mounting] = []
    tags = _tags(route.keyword("tags")) + _tags(_keyword(route.router.call, "tags"))
    for mount, (_, full) in zip(route.mounts, route.full_paths()):
        app = project.objects.get(mount.app)
        chain = tuple(_include_place(project, inc) for inc in mount.chain)
        for inc in mount.chain:
            tags += [t for t in _tags(_keyword(inc.site.node, "tags")) if t not in tags]
        mountings.append(Mounting(_object_place(project, app) if app else None, full, chain))
    if not mountings:
        mountings.append(Mounting(None, route.local_path, ()))
    response = route.keyword("response_model")
    response_model = _literal(route.module, response)
    if response_model is None and route.handler is not None and route.handler.node.returns is not None:
        response_model = "-> " + handler_module.source.segment(route.handler.node.returns)
    summary = _literal(route.module, route.keyword("summary"))
    if summary is None and route.handler is not None:
        doc = ast.get_docstring(route.handler.node)
        summary = doc.strip().splitlines()[0] if doc else None
    return RouteCard(
        route=route,
        methods=route.methods,
        name=route.name,
        handler=handler,
        mountings=tuple(mountings),
        status_code=_literal(route.module, route.keyword("status_code")),
        response_model=response_model,
        tags=tuple(dict.fromkeys(tags)),
        dependencies=tuple(_transitive(project, _route_roots(project, route))),
        summary=summary,
    )


def _object_place(project: Project, obj: RouterObject) -> Place:
    node: ast.AST | None = obj.call
    assign = obj.module.assignments.get(obj.qualname)
    if assign is not None:
        node = assign.target
    if node is None:
        return Place(object_label(project, obj), obj.module.path, 1, 0)
    return _place_of(obj.module, node, object_label(project, obj))


def _include_place(project: Project, inc: Include) -> Place:
    child = project.objects.get(inc.child)
    label = object_label(project, child) if child is not None else "router"
    if inc.prefix:
        label += f" (prefix {inc.prefix})"
    return _place_of(inc.module, inc.site.node, label)


def routes_in(project: Project, module: ModuleFacts) -> list[Route]:
    """`project.routes_of(module)` from the project's cached route list (no recomputation per request)."""
    cached = project.derived.get("routes_by_module")
    if isinstance(cached, dict):
        found: list[Route] = cached.get(module.path, [])
        return found
    table: dict[str, list[Route]] = {}
    for route in project.routes:
        table.setdefault(route.module.path, []).append(route)
    project.derived["routes_by_module"] = table
    return table.get(module.path, [])


def route_at(project: Project, module: ModuleFacts, line: int, col: int) -> Route | None:
    """The route whose decorator (or `add_api_route` call) or handler name is at (line, code-point col)."""
    for route in routes_in(project, module):
        call = route.site.call
        start, end = module.source.start(call), module.source.end(call)
        if start <= (line, col) <= end:
            return route
        fn = route.handler
        if fn is not None and route.handler_module is module:
            name_line = fn.node.lineno
            text = module.source.line(name_line)
            idx = text.find(fn.name, text.find("def ") + 4)
            if name_line == line and idx >= 0 and idx <= col <= idx + len(fn.name):
                return route
    return None


def depends_at(
    project: Project, module: ModuleFacts, line: int, col: int
) -> tuple[ModuleFacts, FunctionInfo | ClassInfo] | None:
    """The callable named by the `Depends(x)` / `Security(x)` call at (line, code-point col)."""
    from .model.names import marker_name

    for site in module.calls:
        node = site.node
        if site.callee is None or marker_name(site.callee) not in ("Depends", "Security"):
            continue
        if not (module.source.start(node) <= (line, col) <= module.source.end(node)):
            continue
        target_expr = node.args[0] if node.args else _keyword(node, "dependency")
        if target_expr is not None:
            return resolve_callable(project, module, target_expr, site.scope)
    return None


def dependency_info(project: Project, module: ModuleFacts, obj: FunctionInfo | ClassInfo) -> DependencyInfo:
    key = _callable_key(module, obj)
    users = route_dependency_keys(project)
    used_by = tuple(r for r in project.routes if key in users.get(id(r), ()))
    depends_on = tuple(_transitive(project, list(_direct_dependencies(project, module, obj)), {key}))
    return DependencyInfo(_callable_place(module, obj), depends_on, used_by, isinstance(obj, ClassInfo))


def route_key(route: Route) -> tuple[str, int, int]:
    """Identifies a route across `project.routes` and `project.routes_of(...)` (which build new objects)."""
    return route.module.path, route.site.call.lineno, route.site.call.col_offset


@dataclass
class ClientIndex:
    calls: list[ClientCall] = field(default_factory=list)
    by_route: dict[tuple[str, int, int], list[ClientCall]] = field(default_factory=dict)  # route_key -> calls

    def calls_to(self, route: Route) -> list[ClientCall]:
        return self.by_route.get(route_key(route), [])


def client_index(project: Project) -> ClientIndex:
    """Every test-client call of the project and the routes each reaches (cached per project revision)."""
    cached = project.derived.get("client_index")
    if isinstance(cached, ClientIndex):
        return cached
    index = ClientIndex()
    for module in project.modules.values():
        if not any(module.imports_module(m) for m in ("fastapi", "httpx", "httpx2", "starlette")):
            continue
        for call in client_calls(project, module):
            index.calls.append(call)
            if call.url is None:
                continue
            for route in routes_for(project, call.url, call.method, call.app):
                index.by_route.setdefault(route_key(route), []).append(call)
    project.derived["client_index"] = index
    return index


def fix_document(
    project: Project, facts: ModuleFacts, settings: Settings, unsafe: bool = False, passes: int = 10
) -> tuple[str, int]:
    """Apply fixes to one module's text in passes until nothing applies; the project is left as it was.

    Returns (new text, number of findings fixed). A pass that would break the syntax is dropped."""
    path, original = facts.source.path, facts.source.text
    text, count = original, 0
    current = facts
    try:
        findings: list[Finding] = check_module(project, current, settings)
        for _ in range(passes):
            new_text, fixed = apply_fixes(current.source, findings, unsafe)
            if not fixed or new_text == text:
                break
            current = project.add_source(path, new_text)
            if current.source.syntax_error is not None:
                break
            text, count = new_text, count + len(fixed)
            findings = check_module(project, current, settings)
    finally:
        if current is not facts:
            project.add_source(path, original, facts.source.tree)
    return text, count


def noqa_edit(facts: ModuleFacts, line: int, code: str) -> Edit | None:
    """An edit that silences `code` on `line`: extends an existing `# noqa: ...` or appends one.

    None when the line is already silenced for `code`, or when its end lies inside a multi-line string
    (a comment there would change the string)."""
    source = facts.source
    text = source.line(line)
    body = text.rstrip("\r\n")
    codes = noqa_codes(body) if "#" in body else None
    if codes is not None and (not codes or any(code.startswith(c) for c in codes)):
        return None
    if _inside_string(facts, line):
        return None
    match = NOQA.search(body) if codes is not None else None
    if match is not None and match.group("codes"):
        end = match.end("codes")
        return Edit((line, end), (line, end), f", {code}")
    stripped = body.rstrip()
    if match is not None:  # not reached: a bare noqa silences everything
        return None
    return Edit((line, len(stripped)), (line, len(body)), f"  # noqa: {code}")


def _inside_string(facts: ModuleFacts, line: int) -> bool:
    tree = facts.source.tree
    if tree is None:
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(node, "value", ""), (str, list)):
            end = getattr(node, "end_lineno", None)
            if end is not None and node.lineno <= line < end:
                return True
    return False
