"""## What it does
Finds `TestClient(app)` used outside a `with` block when `app` (resolved across files) has a lifespan:
`FastAPI(lifespan=...)`, or `@app.on_event("startup"/"shutdown")` hooks. A client that is entered later
(`client = TestClient(app)` then `with client:`, `client.__enter__()`, `stack.enter_context(client)`), and a
fixture returning the client when some test enters it (`with client:`), are not reported, nor a client built in
a function that overrides dependencies (`app.dependency_overrides[get_session] = ...`: the test replaces what
startup would provide, as in SQLModel's testing tutorial). The rule stays silent when the application cannot be
resolved (a factory call, an import from outside the project).

## Why is this bad?
Starlette's `TestClient` runs the application's lifespan (startup and shutdown) only when it is used as a
context manager. Built and used directly, it sends requests to an application that never started: the database
pool, the HTTP client or the model the lifespan creates is missing, `app.state` lacks what startup put there,
and the tests fail with an `AttributeError`, or pass against a half-initialised application and miss what
production does at startup.

## Example
```python
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.greeting = "hello"
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
def root(request: Request) -> str:
    return request.app.state.greeting


def test_root() -> None:
    client = TestClient(app)
    assert client.get("/").json() == "hello"
```

## Use instead
```python
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.greeting = "hello"
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
def root(request: Request) -> str:
    return request.app.state.greeting


def test_root() -> None:
    with TestClient(app) as client:
        assert client.get("/").json() == "hello"
```

## Fix
No fix: the requests have to move inside the `with` block (or into a fixture that yields from inside one).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/advanced/testing-events/
- https://www.starlette.io/lifespan/#running-lifespan-in-tests
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import CallSite, FunctionInfo, ModuleFacts
from ...model.project import Project, RouterObject
from ...model.walk import pruned
from ..base import Context, Finding, Rule

TEST_CLIENTS = ("fastapi.testclient.TestClient", "starlette.testclient.TestClient")
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    sites = module.calls_to(*TEST_CLIENTS)
    if not sites:
        return
    uses: dict[int, _Uses] = {}
    for site in sites:
        if _entered_directly(site):
            continue
        app = _app(project, module, site)
        if app is None:
            continue
        why = lifespan_of(project, app)
        if why is None:
            continue
        key = id(site.function)
        if key not in uses:
            uses[key] = _Uses(module, site.function)
        use = uses[key]
        if id(site.node) in use.entered_calls or (site.function is not None and use.overrides):
            continue
        name = use.assigned.get(id(site.node))
        if name is not None and name in use.entered_names:
            continue
        produced = id(site.node) in use.produced or (name is not None and name in use.produced_names)
        if site.function is not None and produced and _fixture_entered(project, site.function.name):
            continue
        yield ctx.finding(
            site.node,
            f"`TestClient({app.name})` outside `with`: the lifespan of `{app.name}` ({why}) never runs; "
            f"use `with TestClient({app.name}) as client:`",
        )


def _entered_directly(site: CallSite) -> bool:
    """Whether the call is an item of a `with` statement at the top of its function's body: it is entered
    whatever else the function does, which is told without walking the function (see `_Uses`)."""
    fn = site.function
    if fn is None:
        return False
    return any(
        isinstance(stmt, (ast.With, ast.AsyncWith)) and any(item.context_expr is site.node for item in stmt.items)
        for stmt in fn.node.body
    )


def _app(project: Project, module: ModuleFacts, site: CallSite) -> RouterObject | None:
    call = site.node
    target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "app"), None)
    if not isinstance(target, (ast.Name, ast.Attribute)):
        return None
    obj = project.object_for(module.resolve(target, site.scope), module)
    return obj if obj is not None and obj.kind == "app" else None


def lifespan_of(project: Project, app: RouterObject) -> str | None:
    """What gives the app a lifespan (`lifespan=...`, `on_event` hooks), or None."""
    call = app.call
    if call is not None:
        for kw in call.keywords:
            if kw.arg == "lifespan" and not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                return "`lifespan=`"
    cached = project.derived.get("fpa803.hooks")
    hooks: set[str] = cached if isinstance(cached, set) else set()
    if not isinstance(cached, set):
        for facts in project.modules.values():
            for site in facts.method_calls("on_event"):
                obj = project.object_for(site.receiver, facts)
                if obj is not None and obj.kind == "app":
                    hooks.add(obj.key)
        project.derived["fpa803.hooks"] = hooks
    return "`on_event` hooks" if app.key in hooks else None


class _Uses:
    """How the clients built in one function body (or at module level) are used."""

    def __init__(self, module: ModuleFacts, fn: FunctionInfo | None) -> None:
        self.entered_calls: set[int] = set()  # TestClient(...) calls entered directly
        self.entered_names: set[str] = set()  # names used in `with name`, `name.__enter__`, `enter_context(name)`
        self.assigned: dict[int, str] = {}  # call id -> the name it is assigned to
        self.produced: set[int] = set()  # calls returned or yielded (a fixture)
        self.produced_names: set[str] = set()
        self.overrides = False  # sets `dependency_overrides`: the test replaces what startup would provide
        statements = _statements(module, fn)
        for node in _walk(statements):
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    self._enter(item.context_expr)
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "enter_context" and node.args:
                    self._enter(node.args[0])
                elif isinstance(func, ast.Attribute) and func.attr in ("__enter__", "__aenter__"):
                    self._enter(func.value)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned[id(node.value)] = node.targets[0].id
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                value = node.value
                if isinstance(value, ast.Attribute) and value.attr == "dependency_overrides":
                    self.overrides = True
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.assigned[id(node.value)] = node.target.id
            elif isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
                self._produce(node.value)

    def _enter(self, expr: ast.expr) -> None:
        if isinstance(expr, ast.Call):
            self.entered_calls.add(id(expr))
        elif isinstance(expr, ast.Name):
            self.entered_names.add(expr.id)

    def _produce(self, expr: ast.expr) -> None:
        if isinstance(expr, ast.Call):
            self.produced.add(id(expr))
        elif isinstance(expr, ast.Name):
            self.produced_names.add(expr.id)


def _statements(module: ModuleFacts, fn: FunctionInfo | None) -> list[ast.stmt]:
    if fn is not None:
        return list(fn.node.body)
    tree = module.source.tree
    if tree is None:
        return []
    # Module level: its own statements, and the functions that may enter a module-level client.
    out: list[ast.stmt] = list(tree.body)
    out.extend(stmt for f in module.functions.values() for stmt in f.node.body)
    return out


def _walk(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    return iter(pruned(list(statements), _NESTED))


def _fixture_entered(project: Project, fixture: str) -> bool:
    """Whether a function taking a parameter named `fixture` enters it (`with fixture:`, `fixture.__enter__()`)."""
    cache: dict[str, bool] = project.derived.setdefault("fpa803.entered", {})  # type: ignore[assignment]
    if fixture in cache:
        return bool(cache[fixture])
    found = False
    for facts in project.modules.values():
        for fn in facts.functions.values():
            args = fn.node.args
            if not any(a.arg == fixture for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
                continue
            if fixture in _Uses(facts, fn).entered_names:
                found = True
                break
        if found:
            break
    cache[fixture] = found
    return found


RULE = Rule(
    code="FPA803",
    name="test-client-without-lifespan",
    summary="`TestClient(app)` outside `with` for an app with a lifespan: startup never runs",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
