"""## What it does
Finds, inside an `async def`, a call that creates a coroutine and then drops it: the call is a statement of its
own, or its result is assigned to a name that is never read. Coroutines are recognised from:

- project `async def` functions (not async generators, not decorated ones: a decorator may return anything);
- `AsyncSession` methods (`execute`, `commit`, `refresh`, `get`, `scalars`, `flush`, `rollback`, `close`) on a
  receiver that is a `sqlalchemy.ext.asyncio.AsyncSession`: a parameter annotated so (directly, through
  `Annotated`, or through the return annotation of its `Depends(...)` dependency), or a local built by
  `AsyncSession(...)`;
- `httpx.AsyncClient` methods (`get`, `post`, `put`, `patch`, `delete`, `head`, `options`, `request`, `send`,
  `aclose`) on a parameter annotated `httpx.AsyncClient`, or a local or module-level name built by
  `httpx.AsyncClient(...)`.

A coroutine passed on (to `asyncio.create_task`, `asyncio.gather`, `BackgroundTasks.add_task`, ...), returned,
stored in a name that is read later, or awaited is not reported.

## Why is this bad?
Calling an `async def` function does not run it: it builds a coroutine object, and nothing happens until it is
awaited. A forgotten `await` on `db.commit()` silently loses the write; on `client.post(...)` the request is
never sent. Python only prints `RuntimeWarning: coroutine ... was never awaited` when the object is collected,
after the response has gone out as if everything worked.

## Example
```python
from fastapi import FastAPI

app = FastAPI()
saved: list[str] = []


async def save(name: str) -> None:
    saved.append(name)


@app.post("/items/{name}")
async def create_item(name: str) -> dict[str, int]:
    save(name)
    return {"saved": len(saved)}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()
saved: list[str] = []


async def save(name: str) -> None:
    saved.append(name)


@app.post("/items/{name}")
async def create_item(name: str) -> dict[str, int]:
    await save(name)
    return {"saved": len(saved)}
```

## Fix
Adds `await` before the call. Safe for a call written as a statement (the code now does what it says: the
coroutine runs where it was written). For `x = call()` with `x` never read, the fix writes `x = await call()`
and is unsafe: if the coroutine was built on purpose, to be scheduled elsewhere, the code changes meaning.

## Related
ruff `RUF006` covers `asyncio.create_task` results that are not stored; flake8-async `ASYNC` rules and mypy's
`unused-coroutine` error cover parts of this with type information. No equivalent in flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/async/
- https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines
- https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html
- https://www.python-httpx.org/async/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import CallSite, FunctionInfo, ModuleFacts, Scope
from ...model.params import params_of, resolve_dependency
from ...model.project import Project
from .._gates import function_of
from ..base import Context, Edit, Finding, Fix, Rule
from ..params._common import GENERATOR_TYPES, type_name

ASYNC_SESSIONS = frozenset(("sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession"))
ASYNC_CLIENTS = frozenset(("httpx.AsyncClient",))
SESSION_METHODS = frozenset(("execute", "commit", "refresh", "get", "scalars", "flush", "rollback", "close"))
CLIENT_METHODS = frozenset(("get", "post", "put", "patch", "delete", "head", "options", "request", "send", "aclose"))
_KIND_METHODS = {"session": SESSION_METHODS, "client": CLIENT_METHODS}
_KIND_NAMES = {"session": "an `AsyncSession`", "client": "an `httpx.AsyncClient`"}


def _kind_of_type(name: str | None) -> str | None:
    if name in ASYNC_SESSIONS:
        return "session"
    if name in ASYNC_CLIENTS:
        return "client"
    return None


class _Analysis:
    def __init__(self, project: Project, module: ModuleFacts, fn: FunctionInfo) -> None:
        self.project, self.module, self.fn = project, module, fn
        self.stores: dict[str, int] = {}  # local name -> how many times the own body binds it
        self.values: dict[str, ast.expr] = {}  # local name -> its value, for `x = value` / `with value as x`
        self.statements: set[int] = set()  # ids of calls written as statements
        self.assigned: dict[int, str] = {}  # id of a call -> the single name it is assigned to
        for node in fn.own:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.stores[node.id] = self.stores.get(node.id, 0) + 1
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                self.statements.add(id(node.value))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.values[node.targets[0].id] = node.value
                if isinstance(node.value, ast.Call):
                    self.assigned[id(node.value)] = node.targets[0].id
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        self.values[item.optional_vars.id] = item.context_expr

    def receiver_kind(self, expr: ast.expr, site: CallSite) -> str | None:
        if not isinstance(expr, ast.Name):
            return None
        qual = site.scope.lookup(expr.id)
        if qual is None:
            return None
        if qual == f"{self.fn.qualname}.{expr.id}":
            count = self.stores.get(expr.id, 0)
            if count == 0:  # a parameter
                return self._parameter_kind(expr.id)
            value = self.values.get(expr.id)
            return self._built_kind(value, site.scope) if count == 1 and value is not None else None
        assign = self.module.assignments.get(qual)
        if assign is not None and assign.scope is self.module.scope:
            return "client" if self._built_kind(assign.value, assign.scope) == "client" else None
        return None

    def _built_kind(self, value: ast.expr, scope: Scope) -> str | None:
        if isinstance(value, ast.Call):
            return _kind_of_type(self.module.resolve(value.func, scope))
        return None

    def _parameter_kind(self, name: str) -> str | None:
        for param in params_of(self.project, self.module, self.fn):
            if param.name != name:
                continue
            if param.type_expr is not None and param.module is not None:
                kind = _kind_of_type(type_name(param.module, param.type_expr, param.scope or self.fn.scope))
                if kind is not None or param.marker is None:
                    return kind
            target = resolve_dependency(self.project, param)
            if target is None:
                return None
            dep_module, dep = target
            if not isinstance(dep, FunctionInfo):
                return None
            returns = dep.node.returns
            if returns is None:
                return None
            if isinstance(returns, ast.Subscript) and type_name(dep_module, returns, dep.scope) in GENERATOR_TYPES:
                returns = returns.slice.elts[0] if isinstance(returns.slice, ast.Tuple) else returns.slice
            return _kind_of_type(type_name(dep_module, returns, dep.scope))
        return None

    def describe(self, site: CallSite) -> str | None:
        """What coroutine the call builds, or None when it is not known to build one."""
        call = site.node
        if isinstance(call.func, ast.Attribute) and call.func.attr in CLIENT_METHODS | SESSION_METHODS:
            kind = self.receiver_kind(call.func.value, site)
            if kind is not None and call.func.attr in _KIND_METHODS[kind]:
                return f"`.{call.func.attr}()` of {_KIND_NAMES[kind]}"
        found = function_of(self.project, site.callee, self.module) if site.callee else None
        if found is None:
            return None
        _, target = found
        if not target.is_async or target.yields or target.node.decorator_list:
            return None
        return f"`{target.name}()` (an `async def`)"

    def read(self, name: str) -> bool:
        """Whether `name` is read anywhere in the function (nested functions and lambdas included)."""
        fn = self.fn
        if any(node.id == name and isinstance(node.ctx, ast.Load) for node in fn.nodes_of(ast.Name)):
            return True
        declared: list[ast.Global | ast.Nonlocal] = [*fn.nodes_of(ast.Global), *fn.nodes_of(ast.Nonlocal)]
        return any(name in node.names for node in declared)


_METHODS = CLIENT_METHODS | SESSION_METHODS


def _may_build_coroutine(project: Project, module: ModuleFacts, site: CallSite, cache: dict[str, bool]) -> bool:
    """A necessary condition for `_Analysis.describe(site)`, without the analysis of the function body."""
    func = site.node.func
    if isinstance(func, ast.Attribute) and func.attr in _METHODS and isinstance(func.value, ast.Name):
        return True
    callee = site.callee
    if not callee:
        return False
    known = cache.get(callee)
    if known is None:
        found = function_of(project, callee, module)
        known = found is not None and found[1].is_async and not found[1].yields and not found[1].node.decorator_list
        cache[callee] = known
    return known


def _usage(analysis: _Analysis, call: ast.Call) -> tuple[str, str] | None:
    """("statement", "") or ("assigned", name) when the coroutine is dropped; None otherwise."""
    if id(call) in analysis.statements:
        return "statement", ""
    name = analysis.assigned.get(id(call))
    if name is None or name == "_" or analysis.stores.get(name, 0) != 1 or analysis.read(name):
        return None
    return "assigned", name


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    coroutines: dict[str, bool] = {}
    for fn in module.functions.values():
        if not fn.is_async:
            continue
        analysis: _Analysis | None = None
        for site in fn.calls:
            if site.awaited or site.in_decorator or not _may_build_coroutine(project, module, site, coroutines):
                continue
            if analysis is None:
                analysis = _Analysis(project, module, fn)
            usage = _usage(analysis, site.node)
            if usage is None:
                continue
            what = analysis.describe(site)
            if what is None:
                continue
            how, name = usage
            dropped = "never awaited" if how == "statement" else f"assigned to `{name}` and never awaited"
            yield ctx.finding(
                site.node,
                f"Coroutine {what} is {dropped} in `async def {fn.name}`: it never runs; add `await`",
                fix=_fix(ctx, site.node, unsafe=how != "statement"),
            )


def _fix(ctx: Context, call: ast.Call, unsafe: bool) -> Fix | None:
    start = ctx.module.source.start(call)
    return fix("Add `await`", Edit(start, start, "await "), unsafe=unsafe)


RULE = Rule(
    code="FPA302",
    name="coroutine-never-awaited",
    summary="Coroutine (project `async def`, `AsyncSession`/`httpx.AsyncClient` method) built and never awaited",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=("RUF006",),
)
