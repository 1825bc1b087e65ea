"""## What it does
Finds a blocking call in an `async def` route handler or dependency (a function used in `Depends(...)` anywhere
in the project):

- `time.sleep`; HTTP with `requests` (module functions and `requests.Session()` methods), `urllib.request`
  and sync `httpx` (`httpx.get`, `httpx.Client()` methods);
- `subprocess.run/call/check_call/check_output/Popen`, `os.system`, `os.popen`;
- file I/O: `open()`, `io.open`, `pathlib.Path(...).read_text/read_bytes/write_text/write_bytes/open`,
  `shutil` copies and removals;
- sync database drivers (`sqlite3`, `psycopg2`, `psycopg`, `pymysql`, `MySQLdb`, `mysql.connector`,
  `oracledb`, `pyodbc` `connect()`), a sync SQLAlchemy `Session` (a parameter annotated `Session`, directly or
  through `Annotated`/`Depends`, or built from a `sessionmaker()`) and its `query/execute/commit/get/...`, and
  `engine.connect()` of a sync engine;
- any of these reached through a project helper: a plain `def` called without `await`, or an `async def`
  awaited (whose body runs on the event loop too), followed two levels deep.

Receivers are bound by what built them (a local `s = requests.Session()`, `with httpx.Client() as c`, a
module-level client, a parameter's annotation), never by their name. Calls handed to a thread are not
reported: `await run_in_threadpool(requests.get, url)`, `await asyncio.to_thread(...)`,
`loop.run_in_executor(...)`, or a `lambda` passed to one of them. Neither are decorated helpers (a decorator
may move the work to a thread or cache it) nor `def` handlers (FastAPI runs those in its threadpool).

## Why is this bad?
An `async def` handler runs on the event loop. A blocking call holds the loop for its whole duration: no other
request of that worker is served, not even a health check, until it returns. One slow upstream or a
`time.sleep(5)` serialises the whole application. FastAPI runs a plain `def` handler in a threadpool exactly so
that blocking code does not do this.

## Example
```python
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/report")
async def report() -> dict[str, str]:
    time.sleep(2)
    return {"status": "done"}
```

## Use instead
```python
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/report")
async def report() -> dict[str, str]:
    await asyncio.sleep(2)
    return {"status": "done"}
```

## Fix
`time.sleep(x)` as a statement becomes `await asyncio.sleep(x)` (adding `import asyncio`). Unsafe: the handler
now yields to other requests while it waits, so state it read before the pause may change. Other calls have no
fix: use an async client (`httpx.AsyncClient`, `AsyncSession`, `anyio`/`aiofiles` for files), move the work
to a thread with `await run_in_threadpool(func, *args)` (`from fastapi.concurrency import run_in_threadpool`),
or make the handler a plain `def`.

## Related
ruff `ASYNC210`-`ASYNC251` report blocking calls lexically inside any `async def`. This rule adds what they
miss: methods of `requests.Session()`/`httpx.Client()` objects, sync database drivers and SQLAlchemy
`Session`s, and blocking code reached through a helper function or in an `async` dependency; and it stays
silent on `async def` functions that FastAPI does not call.

## See also
- https://fastapi.tiangolo.com/async/
- https://fastapi.tiangolo.com/async/#path-operation-functions
- https://www.starlette.io/threadpool/
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ...fixes import fix
from ...model.facts import Assignment, CallSite, FunctionInfo, ModuleFacts, Scope
from ...model.params import params_of, resolve_dependency
from ...model.project import Project
from ...model.walk import children, walk_list
from .._gates import function_of
from ..base import Context, Edit, Finding, Fix, Rule
from ..params._common import GENERATOR_TYPES, builtin_name, module_dependencies, route_handlers, type_name

_HTTP_METHODS = frozenset(("get", "post", "put", "patch", "delete", "head", "options", "request"))
BLOCKING_CALLS = frozenset(
    (
        "time.sleep",
        *(f"requests.{m}" for m in _HTTP_METHODS),
        *(f"requests.api.{m}" for m in _HTTP_METHODS),
        *(f"httpx.{m}" for m in (*_HTTP_METHODS, "stream")),
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "io.open",
        "codecs.open",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.rmtree",
        "shutil.move",
        "sqlite3.connect",
        "psycopg2.connect",
        "psycopg.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "mysql.connector.connect",
        "cx_Oracle.connect",
        "oracledb.connect",
        "pyodbc.connect",
    )
)
# What an object is, from the class or factory that built it (or its annotation).
_KINDS = {
    "requests.Session": "requests",
    "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "httpx.Client": "httpx",
    "sqlalchemy.orm.Session": "session",
    "sqlalchemy.orm.session.Session": "session",
    "sqlmodel.Session": "session",
    "sqlalchemy.create_engine": "engine",
    "sqlalchemy.engine.create_engine": "engine",
    "sqlalchemy.Engine": "engine",
    "sqlalchemy.engine.Engine": "engine",
    "sqlmodel.create_engine": "engine",
    "pathlib.Path": "path",
    "pathlib.PosixPath": "path",
    "pathlib.WindowsPath": "path",
}
_SESSION_FACTORIES = frozenset(("sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"))
_METHODS = {
    "requests": _HTTP_METHODS | {"send"},
    "httpx": _HTTP_METHODS | {"send", "stream"},
    "session": frozenset(
        (
            "query",
            "execute",
            "commit",
            "get",
            "get_one",
            "scalars",
            "scalar",
            "flush",
            "refresh",
            "rollback",
            "merge",
            "exec",
            "connection",
        )
    ),
    "engine": frozenset(("connect", "begin", "raw_connection")),
    "path": frozenset(("read_text", "read_bytes", "write_text", "write_bytes", "open")),
}
_ALL_METHODS = frozenset(m for methods in _METHODS.values() for m in methods)
_KIND_NAMES = {
    "requests": "a `requests` session",
    "httpx": "a sync `httpx.Client`",
    "session": "a sync SQLAlchemy `Session`",
    "engine": "a sync SQLAlchemy engine",
    "path": "a `pathlib.Path`",
}
_PATH_METHODS = frozenset(("resolve", "absolute", "with_name", "with_suffix", "with_stem", "joinpath", "expanduser"))
_MAX_DEPTH = 1  # a helper, and the helpers it calls


@dataclass(frozen=True)
class Blocking:
    what: str  # "`requests.get()`", "`db.query()` on a sync SQLAlchemy `Session`"
    node: ast.Call
    module: ModuleFacts
    sleep: bool = False


class _Analysis:
    """Blocking calls of functions, memoised for one check run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.memo: dict[tuple[int, int], Blocking | None] = {}
        self.locals: dict[int, dict[str, ast.expr | None]] = {}
        self.lambda_calls: dict[int, set[int]] = {}

    def blocking_calls(self, module: ModuleFacts, fn: FunctionInfo) -> Iterator[tuple[CallSite, Blocking, str]]:
        """(call site, the blocking call it is or reaches, how it reaches it) for each call of `fn`'s body."""
        for site in fn.calls:
            found = self.classify(module, fn, site)
            if found is not None:
                yield site, found, ""
                continue
            reached = self.through_helper(module, site, 0)
            if reached is not None:
                yield site, reached[0], reached[1]

    def classify(self, module: ModuleFacts, fn: FunctionInfo, site: CallSite) -> Blocking | None:
        if site.awaited:
            return None
        found = self._classify(module, fn, site)
        if found is None or id(site.node) in self._lambda_calls(fn):
            return None
        return found

    def _classify(self, module: ModuleFacts, fn: FunctionInfo, site: CallSite) -> Blocking | None:
        call = site.node
        callee = site.callee
        if callee in BLOCKING_CALLS:
            return Blocking(f"`{callee}()`", call, module, sleep=callee == "time.sleep")
        if isinstance(call.func, ast.Name) and builtin_name(module, call.func, site.scope) == "open":
            return Blocking("`open()`", call, module)
        if isinstance(call.func, ast.Attribute) and call.func.attr in _ALL_METHODS:
            kind = self.kind(module, fn, site.scope, call.func.value, 0)
            if kind is not None and call.func.attr in _METHODS[kind]:
                receiver = module.source.segment(call.func.value)
                if not isinstance(call.func.value, (ast.Name, ast.Attribute, ast.Call)):
                    receiver = f"({receiver})"
                shown = f"{receiver}.{call.func.attr}()" if len(receiver) <= 40 and "\n" not in receiver else ""
                shown = shown or f"{call.func.attr}()"
                return Blocking(f"`{shown}` on {_KIND_NAMES[kind]}", call, module)
        return None

    def through_helper(self, module: ModuleFacts, site: CallSite, depth: int) -> tuple[Blocking, str] | None:
        """A project function called here (a `def` without `await`, an `async def` with it) that blocks."""
        if depth > _MAX_DEPTH or site.callee is None or site.in_decorator:
            return None
        found = function_of(self.project, site.callee, module)
        if found is None:
            return None
        helper_module, helper = found
        if helper.yields or helper.node.decorator_list or helper.is_async != site.awaited:
            return None
        if not helper.is_async and (site.function is None or id(site.node) in self._lambda_calls(site.function)):
            return None
        key = id(helper), depth
        if key in self.memo:
            inner = self.memo[key]
        else:
            self.memo[key] = None  # cycle guard
            inner = None
            for inner_site in helper.calls:
                inner = self.classify(helper_module, helper, inner_site)
                if inner is None:
                    reached = self.through_helper(helper_module, inner_site, depth + 1)
                    inner = reached[0] if reached is not None else None
                if inner is not None:
                    break
            self.memo[key] = inner
        if inner is None:
            return None
        return inner, helper.name

    # -- what an expression is ------------------------------------------------------------------------
    def kind(
        self, module: ModuleFacts, fn: FunctionInfo | None, scope: Scope, expr: ast.expr, depth: int
    ) -> str | None:
        if depth > 4:
            return None
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
                return "path" if self.kind(module, fn, scope, func.value, depth + 1) == "path" else None
            name = module.resolve(func, scope)
            if name in _KINDS:
                return _KINDS[name]
            symbol = self.project.lookup(name, module)
            if symbol is not None and isinstance(symbol.obj, Assignment):  # `SessionLocal()`
                return "session" if symbol.obj.callee in _SESSION_FACTORIES else None
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return "path" if self.kind(module, fn, scope, expr.left, depth + 1) == "path" else None
        if isinstance(expr, ast.Attribute) and expr.attr == "parent":
            return "path" if self.kind(module, fn, scope, expr.value, depth + 1) == "path" else None
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        if fn is not None and isinstance(expr, ast.Name):
            local = self._locals(fn)
            if expr.id in local:
                value = local[expr.id]
                return self.kind(module, fn, scope, value, depth + 1) if value is not None else None
        qual = module.resolve(expr, scope)
        if qual is None:
            return None
        if fn is not None and qual.startswith(fn.qualname + "."):
            return self._parameter_kind(module, fn, qual[len(fn.qualname) + 1 :])
        symbol = self.project.lookup(qual, module)
        if symbol is not None and isinstance(symbol.obj, Assignment):
            assign = symbol.obj
            if assign.annotation_name in _KINDS:
                return _KINDS[assign.annotation_name]
            return self.kind(symbol.module, None, assign.scope, assign.value, depth + 1)
        return None

    def _parameter_kind(self, module: ModuleFacts, fn: FunctionInfo, name: str) -> str | None:
        for param in params_of(self.project, module, fn):
            if param.name != name:
                continue
            if param.type_expr is not None and param.module is not None and param.scope is not None:
                return _KINDS.get(type_name(param.module, param.type_expr, param.scope) or "")
            target = resolve_dependency(self.project, param)
            if target is None:
                return None
            dep_module, dep = target
            if not isinstance(dep, FunctionInfo):
                return None
            returns: ast.expr | None = dep.node.returns
            if returns is None:
                return None
            if isinstance(returns, ast.Subscript) and type_name(dep_module, returns, dep.scope) in GENERATOR_TYPES:
                inner = returns.slice.elts[0] if isinstance(returns.slice, ast.Tuple) else returns.slice
                returns = inner
            return _KINDS.get(type_name(dep_module, returns, dep.scope) or "")
        return None

    def _locals(self, fn: FunctionInfo) -> dict[str, ast.expr | None]:
        """Names bound in the function's own body to one expression (`x = EXPR`, `with EXPR as x`); None when a
        name is bound several ways."""
        cached = self.locals.get(id(fn))
        if cached is not None:
            return cached
        out: dict[str, ast.expr | None] = {}

        def bind(name: str, value: ast.expr | None) -> None:
            out[name] = value if name not in out else None

        for node in _own_nodes(fn.node):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bind(target.id, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name):
                bind(node.target.id, node.value if not isinstance(node, ast.AugAssign) else None)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        bind(item.optional_vars.id, item.context_expr)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                for name in walk_list(node.target):
                    if isinstance(name, ast.Name):
                        bind(name.id, None)
        self.locals[id(fn)] = out
        return out

    def _lambda_calls(self, fn: FunctionInfo) -> set[int]:
        """Calls inside a `lambda` of the function: they run wherever the lambda is called (a thread)."""
        cached = self.lambda_calls.get(id(fn))
        if cached is not None:
            return cached
        out: set[int] = set()
        for node in _own_nodes(fn.node):
            if isinstance(node, ast.Lambda):
                out.update(id(n) for n in walk_list(node) if isinstance(n, ast.Call))
        self.lambda_calls[id(fn)] = out
        return out


def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function's body, not entering nested functions or classes."""
    stack = list(children(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(children(node))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    handlers = route_handlers(project, module)
    dependencies = module_dependencies(project, module)
    analysis = _Analysis(project)
    for key, fn in {**handlers, **dependencies}.items():
        if not fn.is_async:
            continue
        role = "handler" if key in handlers else "dependency"
        for site, blocking, helper in analysis.blocking_calls(module, fn):
            name = f"{fn.class_info.node.name}.{fn.name}" if fn.class_info is not None else fn.name
            where = f"async {role} `{name}`"
            if not helper:
                advice = (
                    "use `await asyncio.sleep(...)`"
                    if blocking.sleep
                    else "use an async API, `await run_in_threadpool(...)`, or make it a plain `def`"
                )
                yield ctx.finding(
                    site.node,
                    f"Blocking call {blocking.what} in {where} freezes the event loop: {advice}",
                    fix=_sleep_fix(ctx, fn, site) if blocking.sleep else None,
                )
                continue
            line = f"line {blocking.node.lineno}"
            if blocking.module is not module:
                line = f"{os.path.basename(blocking.module.path)}:{blocking.node.lineno}"
            advice = (
                "make the blocking call inside it async"
                if site.awaited
                else f"call it as `await run_in_threadpool({helper}, ...)`"
            )
            yield ctx.finding(
                site.node,
                f"`{helper}()` blocks ({blocking.what} at {line}) in {where}, freezing the event loop: {advice}",
                related=[ctx.related(blocking.module, blocking.node, f"blocking call {blocking.what}")],
            )


def _sleep_fix(ctx: Context, fn: FunctionInfo, site: CallSite) -> Fix | None:
    module = ctx.module
    call = site.node
    if not _is_statement(fn.node, call) or call.keywords or len(call.args) > 1:
        return None
    bound = fn.body_scope.lookup("asyncio")
    if bound not in (None, "asyncio"):
        return None
    imports = None if module.scope.bindings.get("asyncio") == "asyncio" else _import_asyncio(module)
    if module.scope.bindings.get("asyncio") != "asyncio" and imports is None:
        return None
    args = ", ".join(module.source.segment(a) for a in call.args)
    edits = [ctx.edit(call, f"await asyncio.sleep({args})")]
    if imports is not None:
        edits.append(imports)
    return fix("Replace with `await asyncio.sleep(...)`", *edits, unsafe=True)


def _is_statement(fn: ast.AST, call: ast.Call) -> bool:
    return any(isinstance(n, ast.Expr) and n.value is call for n in _own_nodes(fn))


def _import_asyncio(module: ModuleFacts) -> Edit | None:
    """`import asyncio` after the last top-level import (or the docstring, or at the top)."""
    tree = module.source.tree
    if tree is None or "asyncio" in module.scope.bindings:
        return None
    src = module.source
    anchor: ast.stmt | None = None
    for index, stmt in enumerate(tree.body):
        docstring = (
            index == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or docstring:
            anchor = stmt
        else:
            break
    line = f"import asyncio{src.newline}"
    if anchor is None:
        first = tree.body[0].lineno if tree.body else len(src.lines) + 1
        return Edit((first, 0), (first, 0), line)
    end_line = anchor.end_lineno or anchor.lineno
    if end_line < len(src.lines):
        return Edit((end_line + 1, 0), (end_line + 1, 0), line)
    end = src.end(anchor)
    return Edit(end, end, src.newline + line.rstrip("\r\n"))


RULE = Rule(
    code="FPA301",
    name="blocking-call-in-async",
    summary="Blocking call (sleep, sync HTTP, subprocess, file I/O, sync database) in an async handler or dependency",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
    peers=("ASYNC210", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC251"),
)
