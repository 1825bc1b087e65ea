"""## What it does
Finds `loop.run_in_executor(None, func, *args)` in an `async def`, where `loop` is
`asyncio.get_event_loop()` or `asyncio.get_running_loop()` (called in place, or bound to a local variable of
the same function): the long way of writing `await asyncio.to_thread(func, *args)` (Python 3.9+). A call that
already carries the context (`ctx.run` or `functools.partial(ctx.run, ...)` with `ctx = contextvars.copy_context()`,
as `to_thread` itself is written) is not reported.

## Why is this bad?
`asyncio.to_thread` does the same work on the same default executor, but also copies the caller's
`contextvars` into the thread, so request-scoped context (a request id read by logging, a tracing span, a
tenant set by a middleware) is visible to `func`. `run_in_executor` runs `func` without that context: it sees
every context variable at its default, silently. `get_event_loop()` is also deprecated outside a running loop,
and spelling out the loop adds nothing inside a coroutine.

## Example
```python
import asyncio

from fastapi import FastAPI

app = FastAPI()


def render(name: str) -> str:
    return f"report for {name}"


@app.get("/report/{name}")
async def report(name: str) -> str:
    loop = asyncio.get_event_loop()
    return await loop.run_in_executor(None, render, name)
```

## Use instead
```python
import asyncio

from fastapi import FastAPI

app = FastAPI()


def render(name: str) -> str:
    return f"report for {name}"


@app.get("/report/{name}")
async def report(name: str) -> str:
    return await asyncio.to_thread(render, name)
```

## Fix
`await loop.run_in_executor(None, func, a, b)` becomes `await asyncio.to_thread(func, a, b)` (adding
`import asyncio` when nothing binds the name), only where the call is awaited in place with positional
arguments. Unsafe: `func` now runs with a copy of the caller's context variables instead of none, which is
usually the intent but changes what it observes. A `loop = ...` line left unused is not removed.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread
- https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor
- https://docs.python.org/3/library/contextvars.html
- https://fastapi.tiangolo.com/async/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import CallSite, FunctionInfo, ModuleFacts
from ...model.walk import stores
from ..base import Context, Edit, Finding, Fix, Rule

LOOP_GETTERS = frozenset(
    (
        "asyncio.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.events.get_event_loop",
        "asyncio.events.get_running_loop",
    )
)


def _running_loop(module: ModuleFacts, fn: FunctionInfo, expr: ast.expr, site: CallSite) -> bool:
    """`asyncio.get_event_loop()` in place, or a local of `fn` bound once, to such a call."""
    if isinstance(expr, ast.Call):
        return not expr.args and not expr.keywords and module.resolve(expr.func, site.scope) in LOOP_GETTERS
    if not isinstance(expr, ast.Name):
        return False
    qual = site.scope.lookup(expr.id)
    if qual is None or qual != f"{fn.qualname}.{expr.id}":
        return False
    assign = module.assignments.get(qual)
    if assign is None or not isinstance(assign.value, ast.Call) or assign.callee not in LOOP_GETTERS:
        return False
    return stores(fn.node.body, expr.id) == 1


def _local_value(module: ModuleFacts, fn: FunctionInfo, expr: ast.expr, site: CallSite) -> ast.expr:
    """The value of a local of `fn` bound once (`ctx = copy_context()`), else `expr` itself."""
    if not isinstance(expr, ast.Name) or site.scope.lookup(expr.id) != f"{fn.qualname}.{expr.id}":
        return expr
    assign = module.assignments.get(f"{fn.qualname}.{expr.id}")
    return assign.value if assign is not None and stores(fn.node.body, expr.id) == 1 else expr


def _carries_context(module: ModuleFacts, fn: FunctionInfo, expr: ast.expr, site: CallSite) -> bool:
    """`ctx.run` or `functools.partial(ctx.run, ...)` with `ctx = contextvars.copy_context()`: the context
    variables already reach the thread (how `asyncio.to_thread` itself is written)."""
    expr = _local_value(module, fn, expr, site)
    if isinstance(expr, ast.Call) and expr.args and module.resolve(expr.func, site.scope) == "functools.partial":
        expr = expr.args[0]
    if not (isinstance(expr, ast.Attribute) and expr.attr == "run"):
        return False
    context = _local_value(module, fn, expr.value, site)
    return isinstance(context, ast.Call) and module.resolve(context.func, site.scope) == "contextvars.copy_context"


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for site in module.method_calls("run_in_executor"):
        fn = site.function
        call = site.node
        if fn is None or not fn.is_async or site.in_decorator or not isinstance(call.func, ast.Attribute):
            continue
        if not call.args or not (isinstance(call.args[0], ast.Constant) and call.args[0].value is None):
            continue
        if not _running_loop(module, fn, call.func.value, site):
            continue
        if len(call.args) > 1 and _carries_context(module, fn, call.args[1], site):
            continue
        yield ctx.finding(
            call,
            f"`run_in_executor(None, ...)` in `async def {fn.name}`: use `await asyncio.to_thread(...)`, which also "
            "carries the request's context variables into the thread",
            fix=_fix(ctx, fn, site),
        )


def _fix(ctx: Context, fn: FunctionInfo, site: CallSite) -> Fix | None:
    call = site.node
    if not site.awaited or call.keywords or len(call.args) < 2 or isinstance(call.args[1], ast.Starred):
        return None
    module = ctx.module
    src = module.source
    start, first = src.start(call), src.start(call.args[1])
    if "#" in src.text[src.offset(start) : src.offset(first)]:
        return None  # a comment between the receiver and the function would be lost
    imports: Edit | None = None
    if site.scope.lookup("asyncio") == "asyncio":
        head = "asyncio.to_thread"
    elif site.scope.lookup("to_thread") in (None, "asyncio.to_thread"):
        head = "to_thread"
        if module.scope.bindings.get("to_thread") != "asyncio.to_thread":
            if fn.body_scope.lookup("to_thread") is not None:
                return None
            imports = import_edit(module, "asyncio", "to_thread")
            if imports is None:
                return None
    else:
        return None
    edits = [Edit(start, first, f"{head}(")]
    if imports is not None:
        edits.append(imports)
    return fix("Replace with `await asyncio.to_thread(...)`", *edits, unsafe=True)


RULE = Rule(
    code="FPA304",
    name="run-in-executor-default",
    summary="`loop.run_in_executor(None, ...)` in a coroutine instead of `await asyncio.to_thread(...)`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="module",
)
