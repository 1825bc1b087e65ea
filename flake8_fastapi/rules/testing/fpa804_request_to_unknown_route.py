"""## What it does
Finds a test-client request (`client.get("/itmes/1")`, `client.request("POST", ...)`,
`client.websocket_connect(...)`) whose literal URL matches no route of the application the client was built
on, or matches routes that accept none of its method. URLs are matched against every route's full path
(router prefixes and `include_router` prefixes included, converters honoured, the query string ignored, a
trailing slash forgiven as Starlette's redirect does), plus FastAPI's own `/docs`, `/redoc` and
`/openapi.json`.

The rule stays silent whenever the route table might be incomplete: an f-string URL, an application it cannot
resolve (a fixture from outside the project, a factory), an application built with `**kwargs`, a dynamic prefix
or path anywhere in its router tree, an included router it cannot resolve, a mounted sub-application, or the
application handed to some other function (which may add routes, like an instrumentation library's
`expose(app)`). Tests that expect the failure (their function mentions `404`/`405`) are not reported.

## Why is this bad?
A request to a misspelt or outdated path answers `404 Not Found` (or `405 Method Not Allowed`), and a test
that only checks the body or that asserts `response.status_code != 500` passes while testing nothing. After a
prefix change (`/api/v1` to `/api/v2`) whole test files keep "passing" this way.

## Example
```python
from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


client = TestClient(app)


def test_read_item() -> None:
    response = client.get("/item/1")
    assert response.status_code < 500
```

## Use instead
```python
from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


client = TestClient(app)


def test_read_item() -> None:
    response = client.get("/items/1")
    assert response.status_code == 200
```

## Fix
No fix: the right path is the test author's call.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/testing/
- https://fastapi.tiangolo.com/tutorial/bigger-applications/
- https://www.starlette.io/routing/#path-parameters
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...model.clients import CLIENT_CLASSES, ClientCall, client_calls, module_clients, routes_for
from ...model.facts import CallSite, FunctionInfo, ModuleFacts
from ...model.names import FASTAPI, ROUTE_CALLS, ROUTE_DECORATORS
from ...model.project import Project, Route, RouterObject
from ...model.walk import children
from ..base import Context, Finding, Rule

_DOCS_DEFAULTS = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
_EXPECTS_FAILURE = ("404", "405", "NOT_FOUND", "METHOD_NOT_ALLOWED", "raises")
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Methods of an app or router that add no route.
_SAFE_METHODS = frozenset(
    ("add_middleware", "middleware", "exception_handler", "add_exception_handler", "on_event",
     "add_event_handler", "openapi", "url_path_for", "url_for", "dependency_overrides", "lifespan")
)  # fmt: skip
_HARMLESS = frozenset(  # callees that take an app and add no route to it
    ("uvicorn.run", "hypercorn.asyncio.serve", "httpx.ASGITransport", "httpx2.ASGITransport",
     "httpx._transports.asgi.ASGITransport")
)  # fmt: skip


@dataclass
class _AppTable:
    complete: bool = True
    extra_paths: set[str] = field(default_factory=set)  # /docs, /openapi.json, ...
    mounts: list[str] = field(default_factory=list)  # literal mount prefixes


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not any(module.imports_module(m) for m in ("fastapi", "starlette", "httpx", "httpx2")):
        return
    expecting: dict[int, bool] = {}
    for call in client_calls(project, module):
        if call.app is None or call.url is None or not _literal(call.url_node) or not call.url.startswith("/"):
            continue
        if not _app_is_certain(project, module, call):
            continue
        table = _app_table(project, call.app)
        if table is None or not table.complete:
            continue
        url = call.url
        if url in table.extra_paths or any(url == m or url.startswith(m.rstrip("/") + "/") for m in table.mounts):
            continue
        alternatives = {url, url.rstrip("/") or "/", url + "/"}
        by_path = [r for u in alternatives for r in routes_for(project, u, None, call.app)]
        method = call.method
        if by_path and (method is None or method == "OPTIONS"):
            continue
        if by_path and any(routes_for(project, u, method, call.app) for u in alternatives):
            continue
        fn = call.site.function
        if fn is not None:
            key = id(fn)
            if key not in expecting:
                expecting[key] = _expects_failure(fn.node)
            if expecting[key]:
                continue
        app = project.objects[call.app].name
        if by_path:
            allowed = sorted({m for r in by_path for m in r.methods})
            message = (
                f"No route of `{app}` accepts {method} `{url}` (405 Method Not Allowed); it answers "
                f"{', '.join(allowed)}"
            )
        else:
            message = f"`{url}` matches no route of `{app}`: the request answers 404 Not Found"
        yield ctx.finding(call.url_node, message)


def _app_is_certain(project: Project, module: ModuleFacts, call: ClientCall) -> bool:
    """Whether the client's app is known for sure: the receiver is bound to a client constructor (assignment or
    `with ... as`), or is a fixture parameter whose fixture - the one pytest would inject: defined in this module
    or the nearest `conftest.py`, under that name - builds the client on that app."""
    receiver, fn = call.site.receiver, call.site.function
    if receiver is None:
        return False
    bound = module_clients(project, module)[0]
    if receiver in bound:
        return bound[receiver] == call.app
    if fn is None or not receiver.startswith(fn.qualname + "."):
        return False
    name = receiver[len(fn.qualname) + 1 :]
    args = fn.node.args
    if not any(a.arg == name for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
        return False
    for facts in _fixture_modules(project, module):
        for other in facts.functions.values():
            if _fixture_name(facts, other) == name:
                return module_clients(project, facts)[1].get(other.name) == call.app
    return False


def _fixture_modules(project: Project, module: ModuleFacts) -> Iterator[ModuleFacts]:
    yield module
    directory = os.path.dirname(module.path)
    root = project.root
    while True:
        conftest = project.module(os.path.join(directory, "conftest.py"))
        if conftest is not None and conftest is not module:
            yield conftest
        parent = os.path.dirname(directory)
        if parent == directory or os.path.commonpath([root, directory]) != root or directory == root:
            return
        directory = parent


def _fixture_name(module: ModuleFacts, fn: FunctionInfo) -> str | None:
    for deco in fn.node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if module.resolve(target, fn.scope) not in ("pytest.fixture", "pytest_asyncio.fixture"):
            continue
        if isinstance(deco, ast.Call):
            for kw in deco.keywords:
                if kw.arg == "name":
                    value = kw.value
                    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        return fn.name
    return None


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values)


def _expects_failure(fn: ast.AST) -> bool:
    stack: list[ast.AST] = list(children(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant) and str(node.value) in ("404", "405"):
            return True
        if isinstance(node, ast.Attribute) and any(w in node.attr for w in _EXPECTS_FAILURE):
            return True
        if isinstance(node, ast.Name) and any(w in node.id for w in _EXPECTS_FAILURE):
            return True
        stack.extend(children(node))
    return False


def _app_table(project: Project, app_key: str) -> _AppTable | None:
    cache = project.derived.setdefault("fpa804.tables", {})
    assert isinstance(cache, dict)
    if app_key not in cache:
        cache[app_key] = _build_table(project, app_key)
    table = cache[app_key]
    return table if isinstance(table, _AppTable) else None


def _build_table(project: Project, app_key: str) -> _AppTable | None:
    app = project.objects.get(app_key)
    if app is None or app.call is None:
        return None
    if _callee_of(app) != FASTAPI:
        return None
    table = _AppTable()
    for name, default in _DOCS_DEFAULTS.items():
        kw = next((k for k in app.call.keywords if k.arg == name), None)
        if kw is None:
            table.extra_paths.add(default)
        elif isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            table.extra_paths.add(kw.value.value)
        elif not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
            table.complete = False
    if "/docs" in table.extra_paths:
        table.extra_paths.add("/docs/oauth2-redirect")
    if any(k.arg is None for k in app.call.keywords) or app.call.args:
        table.complete = False
    tree_keys = {key for key, mounts in project.mounts.items() if any(m.app == app_key for m in mounts)}
    index = _index(project)
    for key in tree_keys:
        for route in index.routes_by_router.get(key, ()):
            if any(k == app_key and full is None for k, full in route.full_paths()):
                table.complete = False
        obj = project.objects.get(key)
        if obj is not None and obj.call is not None and any(k.arg in ("routes", None) for k in obj.call.keywords):
            table.complete = False  # routes handed to the constructor
        if key in index.inner_access or key in index.handed:
            table.complete = False  # its route list reached directly, or handed to code that may add routes
        for site in index.calls_on.get(key, ()):
            _judge_method(site, key == app_key, index, table)
    return table


@dataclass
class _Index:
    """What the project does with its apps and routers, gathered once."""

    calls_on: dict[str, list[CallSite]] = field(default_factory=dict)  # object key -> method calls on it
    inner_access: set[str] = field(default_factory=set)  # `<obj>.router.x(...)`, `<obj>.routes.x(...)`
    handed: set[str] = field(default_factory=set)  # objects passed as an argument to some call
    routes_by_router: dict[str, list[Route]] = field(default_factory=dict)
    known_includes: set[int] = field(default_factory=set)


def _index(project: Project) -> _Index:
    cached = project.derived.get("fpa804.index")
    if isinstance(cached, _Index):
        return cached
    index = _Index()
    index.known_includes = {id(inc.site) for inc in project.includes}
    for route in project.routes:
        index.routes_by_router.setdefault(route.router.key, []).append(route)
    for facts in project.modules.values():
        for site in facts.calls:
            receiver = site.receiver
            if site.attr is not None and receiver is not None:
                direct = project.object_for(receiver, facts)
                if direct is not None:
                    index.calls_on.setdefault(direct.key, []).append(site)
                else:
                    base, _, last = receiver.rpartition(".")
                    inner = project.object_for(base, facts) if last in ("router", "routes") and base else None
                    if inner is not None:
                        index.inner_access.add(inner.key)
            if site.callee is not None and (site.callee in CLIENT_CLASSES or site.callee in _HARMLESS):
                continue
            if isinstance(site.node.func, ast.Name) and site.node.func.id in ("isinstance", "id", "print", "repr"):
                continue
            if site.attr in ("include_router", "mount"):
                continue
            for arg in (*site.node.args, *(k.value for k in site.node.keywords)):
                if isinstance(arg, (ast.Name, ast.Attribute)):
                    obj = project.object_for(facts.resolve(arg, site.scope), facts)
                    if obj is not None:
                        index.handed.add(obj.key)
    project.derived["fpa804.index"] = index
    return index


def _judge_method(site: CallSite, on_app: bool, index: _Index, table: _AppTable) -> None:
    """A method called on an object of the app's router tree."""
    attr = site.attr or ""
    if attr == "include_router":
        if id(site) not in index.known_includes:
            table.complete = False
    elif attr == "mount":
        path = site.node.args[0] if site.node.args else None
        if on_app and isinstance(path, ast.Constant) and isinstance(path.value, str):
            table.mounts.append(path.value)
        else:
            table.complete = False
    elif attr in ROUTE_DECORATORS:
        if not site.in_decorator:
            table.complete = False  # `app.get("/")(handler)`: a route the index does not hold
    elif attr not in ROUTE_CALLS and attr not in _SAFE_METHODS:
        table.complete = False  # `app.frontend(...)`, `host(...)`, anything that may add routes


def _callee_of(app: RouterObject) -> str | None:
    assign = app.module.assignments.get(app.qualname)
    return assign.callee if assign is not None else None


RULE = Rule(
    code="FPA804",
    name="request-to-unknown-route",
    summary="Test-client request to a path that matches no route",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
)
