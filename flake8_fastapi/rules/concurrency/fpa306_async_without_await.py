"""## What it does
Finds an `async def` route handler or dependency (a function named in `Depends(...)` anywhere in the project)
whose own body never awaits: no `await`, no `async for`, no `async with`, no async comprehension. An `async`
generator dependency (`yield` without any `await`) counts too.

Stubs (a body of only a docstring, `...`, `pass` or `raise NotImplementedError`) are skipped, and so are
functions that use the event loop without awaiting (any `asyncio`/`anyio` call, such as
`asyncio.create_task()` or `asyncio.get_running_loop()`, which need the loop's thread) or set a `ContextVar`
(or call `.set()` on something the rule cannot see: a dependency run in a thread sets it in a copy), functions with a
decorator other than the route decorator (a wrapper may await them), and websocket handlers.

## Why is this bad?
FastAPI calls an `async def` handler or dependency directly on the event loop, and a plain `def` in its
threadpool. A coroutine that never awaits gains nothing from being async: it never lets another request run,
and any slow synchronous work it does (parsing, hashing, a blocking library call) holds every other request
of the worker. Declared as a plain `def`, the same code runs in a worker thread and the loop stays free.
Trivial bodies are cheaper on the loop than a thread hop, which is why this rule is opt-in.

## Example
```python
import hashlib

from fastapi import FastAPI

app = FastAPI()


@app.post("/digest")
async def digest(data: str) -> str:
    return hashlib.scrypt(data.encode(), salt=b"s", n=2**14, r=8, p=1).hex()
```

## Use instead
```python
import hashlib

from fastapi import FastAPI

app = FastAPI()


@app.post("/digest")
def digest(data: str) -> str:
    return hashlib.scrypt(data.encode(), salt=b"s", n=2**14, r=8, p=1).hex()
```

## Fix
Removes `async` from the definition. Unsafe: code that calls the function itself with `await` (a test, another
helper) breaks, thread-local and event-loop assumptions of the body change, and it now runs concurrently with
other requests in threads. No fix is offered when the function is awaited in its own module or annotated as
returning an async generator/iterator.

## Related
ruff `RUF029` (unused async) reports any `async def` without `await`; this rule looks only at the functions
FastAPI calls and says how FastAPI would run the plain `def`.

## See also
- https://fastapi.tiangolo.com/async/#path-operation-functions
- https://fastapi.tiangolo.com/async/#dependencies
- https://www.starlette.io/threadpool/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import Assignment, FunctionInfo, ModuleFacts
from ...model.names import ROUTE_DECORATORS
from ...model.project import Project
from ...model.walk import children
from ..base import Context, Edit, Finding, Fix, Rule
from ..params._common import GENERATOR_TYPES, module_dependencies, route_handlers, type_name

_LOOP_LIBRARIES = ("asyncio", "anyio", "trio", "sniffio")
_CONTEXT_VARS = frozenset(("contextvars.ContextVar",))
_ASYNC_RETURN_TYPES = frozenset(t for t in GENERATOR_TYPES if ".Async" in t) | frozenset(
    ("typing.Awaitable", "typing.Coroutine", "collections.abc.Awaitable", "collections.abc.Coroutine")
)


def _awaits(fn: FunctionInfo) -> bool:
    """Whether the function's own body awaits in any form (not counting nested functions)."""
    if fn.awaits:
        return True
    stack: list[ast.AST] = list(fn.node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(children(node))
    return False


def _is_stub(fn: FunctionInfo) -> bool:
    for index, stmt in enumerate(fn.node.body):
        if isinstance(stmt, ast.Pass):
            continue
        value = stmt.value.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) else None
        if value is Ellipsis or (index == 0 and isinstance(value, str)):
            continue
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                continue
        return False
    return True


def _needs_the_loop_context(project: Project, module: ModuleFacts, fn: FunctionInfo) -> bool:
    """The body calls into the event loop (`asyncio`/`anyio`/...), or sets a `ContextVar`: a plain `def`
    runs in a worker thread with a copy of the context, so neither would work the same."""
    for site in fn.calls:
        name = site.callee or ""
        if name.split(".", 1)[0] in _LOOP_LIBRARIES:
            return True
        if site.attr in ("set", "reset") and site.receiver is not None:
            symbol = project.lookup(site.receiver, module)
            built_by = symbol.obj.callee if symbol is not None and isinstance(symbol.obj, Assignment) else None
            if built_by is None or built_by in _CONTEXT_VARS:
                return True
    return False


def _other_decorators(module: ModuleFacts, fn: FunctionInfo) -> bool:
    """A decorator that is not one of the module's route decorators for this function."""
    route_indices = {site.decorator_index for site in module.routes if site.handler is fn}
    for index, deco in enumerate(fn.node.decorator_list):
        if index in route_indices:
            continue
        if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr in ROUTE_DECORATORS:
            continue  # a route decorator of a receiver the project does not see as an app: still not a wrapper
        return True
    return False


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    handlers = route_handlers(project, module)
    http_handlers = route_handlers(project, module, ("http",))
    dependencies = module_dependencies(project, module)
    for key, fn in {**handlers, **dependencies}.items():
        if not fn.is_async or (key in handlers and key not in http_handlers):
            continue
        if _awaits(fn) or _is_stub(fn) or _needs_the_loop_context(project, module, fn) or _other_decorators(module, fn):
            continue
        role = "handler" if key in handlers else "dependency"
        generator = " (an async generator)" if fn.yields else ""
        yield ctx.finding(
            _async_keyword_node(module, fn),
            f"`async def {fn.name}`{generator} never awaits: FastAPI runs this {role} on the event loop; as a plain "
            "`def` it would run in the threadpool",
            fix=_fix(ctx, fn),
        )


def _async_keyword_node(module: ModuleFacts, fn: FunctionInfo) -> ast.AST:
    """The span of `async def name` (the finding's range), as a located stand-in node."""
    node = fn.node
    line = module.source.line(node.lineno).encode("utf-8")
    name = node.name.encode("utf-8")
    found = line.find(name, node.col_offset + len("async def"))
    stand_in = ast.Pass()
    stand_in.lineno, stand_in.col_offset = node.lineno, node.col_offset
    stand_in.end_lineno = node.lineno
    stand_in.end_col_offset = found + len(name) if found >= 0 else node.col_offset + len("async")
    return stand_in


def _fix(ctx: Context, fn: FunctionInfo) -> Fix | None:
    module = ctx.module
    node = fn.node
    returns = node.returns
    if returns is not None and type_name(module, returns, fn.scope) in _ASYNC_RETURN_TYPES:
        return None
    for site in module.calls:
        if site.awaited and site.callee == fn.qualname:
            return None
    src = module.source
    line = src.line(node.lineno)
    start = src.start(node)
    if not line[start[1] :].startswith("async def"):
        return None
    after = start[1] + len("async")
    width = len(line[after:]) - len(line[after:].lstrip(" \t"))
    return Fix("Remove `async`", (Edit(start, (start[0], after + width), ""),), "unsafe")


RULE = Rule(
    code="FPA306",
    name="async-without-await",
    summary="`async def` handler or dependency that never awaits (a plain `def` would run in the threadpool)",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix="unsafe",
    scope="project",
    peers=("RUF029",),
)
