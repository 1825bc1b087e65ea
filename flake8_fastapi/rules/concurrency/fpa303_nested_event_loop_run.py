"""## What it does
Finds `asyncio.run(...)` and `loop.run_until_complete(...)` called in the body of an `async def` (any
coroutine function: a route handler, a dependency, a helper), where `loop` is an event loop the function gets
from `asyncio.get_event_loop()`, `asyncio.get_running_loop()` or `asyncio.new_event_loop()` (directly, through
a local variable, or a module-level one). Calls inside a `lambda` or a nested `def` are not reported: they run
wherever that callable is called (often a worker thread). Nothing is reported in a project that imports
`nest_asyncio`, which patches asyncio to allow nested runs.

## Why is this bad?
An `async def` body always runs inside a running event loop. `asyncio.run()` refuses to start a second loop in
that thread and raises `RuntimeError: asyncio.run() cannot be called from a running event loop`;
`run_until_complete()` raises `RuntimeError: This event loop is already running` (or `Cannot run the event
loop while another loop is running` for a fresh loop). The request fails with a 500, and the coroutine passed
in is never awaited. Inside a coroutine, `await` the coroutine instead.

## Example
```python
import asyncio

from fastapi import FastAPI

app = FastAPI()


async def fetch_total() -> int:
    return 42


@app.get("/total")
async def total() -> int:
    return asyncio.run(fetch_total())
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


async def fetch_total() -> int:
    return 42


@app.get("/total")
async def total() -> int:
    return await fetch_total()
```

## Fix
No fix: awaiting the coroutine is the usual answer, but the call may sit in code that is not itself async.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.python.org/3/library/asyncio-runner.html#asyncio.run
- https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_until_complete
- https://fastapi.tiangolo.com/async/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import CallSite, FunctionInfo, ModuleFacts
from ...model.project import Project
from ...model.walk import children, stores, walk_list
from ..base import Context, Finding, Rule

RUNNERS = frozenset(("asyncio.run", "asyncio.runners.run"))
LOOP_FACTORIES = frozenset(
    (
        "asyncio.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.new_event_loop",
        "asyncio.events.get_event_loop",
        "asyncio.events.get_running_loop",
        "asyncio.events.new_event_loop",
    )
)


def lambda_calls(fn: FunctionInfo) -> set[int]:
    """Ids of the calls written inside a `lambda` of the function's own body (they run where it is called)."""
    out: set[int] = set()
    stack: list[ast.AST] = list(children(fn.node))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            out.update(id(n) for n in walk_list(node) if isinstance(n, ast.Call))
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(children(node))
    return out


def is_event_loop(module: ModuleFacts, fn: FunctionInfo, expr: ast.expr, site: CallSite) -> bool:
    """Whether `expr` is an asyncio event loop: a loop factory call, or a name bound only to one (in the function,
    or at module level when the function does not rebind it)."""
    if isinstance(expr, ast.Call):
        return module.resolve(expr.func, site.scope) in LOOP_FACTORIES
    if not isinstance(expr, ast.Name):
        return False
    qual = site.scope.lookup(expr.id)
    if qual is None:
        return False
    assign = module.assignments.get(qual)
    if assign is None or not isinstance(assign.value, ast.Call) or assign.callee not in LOOP_FACTORIES:
        return False
    if qual.startswith(fn.qualname + "."):
        return stores(fn.node.body, expr.id) == 1
    return assign.scope is module.scope


def _patched_loops(project: Project) -> bool:
    """Whether the project imports `nest_asyncio`, which makes nested `run()` calls work."""
    cached = project.derived.get("fpa303.nest_asyncio")
    if isinstance(cached, bool):
        return cached
    found = any(m.imports_module("nest_asyncio") for m in project.modules.values())
    project.derived["fpa303.nest_asyncio"] = found
    return found


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for fn in module.functions.values():
        if not fn.is_async:
            continue
        in_lambdas: set[int] | None = None
        for site in fn.calls:
            if site.in_decorator:
                continue
            call = site.node
            if site.callee in RUNNERS:
                what = "`asyncio.run()`"
            elif (
                site.attr == "run_until_complete"
                and isinstance(call.func, ast.Attribute)
                and is_event_loop(module, fn, call.func.value, site)
            ):
                what = "`run_until_complete()`"
            else:
                continue
            if in_lambdas is None:
                in_lambdas = lambda_calls(fn)
            if id(call) in in_lambdas:
                continue
            # Asked only once there is a call to report: the answer is a pass over every module.
            if _patched_loops(ctx.project):
                return
            yield ctx.finding(
                call,
                f"{what} inside `async def {fn.name}` raises RuntimeError: the event loop is already running; "
                "`await` the coroutine instead",
            )


RULE = Rule(
    code="FPA303",
    name="nested-event-loop-run",
    summary="`asyncio.run()` or `run_until_complete()` inside an `async def`, where a loop is already running",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
