"""## What it does
Finds `Depends(get_db())` and `Security(get_user())`: the dependency is called where it should be passed.
It reports only when the called function is a project function shaped like a dependency: it yields, it is an
`async def`, its return annotation or its `return` statements give a value that cannot be called, or it is
called without arguments and is used as `Depends(f)` elsewhere in the project. Factories that build the
dependency stay silent: `Depends(RateLimiter(times=2))`, `Depends(Checker(...))` (a class instance with
`__call__`), `Depends(make_checker("admin"))` (returns a nested function, a lambda, a `functools.partial` or
something annotated `Callable`), and anything the analysis cannot resolve.

## Why is this bad?
`Depends()` wants a callable, and FastAPI calls it once per request. Called at import time, the function runs
once, outside any request, and FastAPI receives its result: a generator, a coroutine, a session or a string.
FastAPI rejects it when the route is declared (`TypeError: <generator object get_db ...> is not a callable
object`, on every release from 0.95 to 0.165 at least), so the application does not start; a coroutine is
also never awaited. The fix is to drop the call
so FastAPI can call the dependency itself, per request, and run its cleanup.

## Example
```python
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_db() -> Iterator[str]:
    yield "connection"


@app.get("/items")
async def read_items(db: Annotated[str, Depends(get_db())]) -> str:
    return db
```

## Use instead
```python
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_db() -> Iterator[str]:
    yield "connection"


@app.get("/items")
async def read_items(db: Annotated[str, Depends(get_db)]) -> str:
    return db
```

## Fix
Removes the call (`Depends(get_db())` becomes `Depends(get_db)`) when it passes no arguments. Safe: the code as
written cannot work (FastAPI refuses the route at import), and FastAPI now calls the function per request.
No fix when the call passes arguments (those would have to become the dependency's own parameters).

## Related
No equivalent in ruff or flake8-fastapi (the fastapi-lsp language server has a similar `depends-called`
check).

## See also
- https://fastapi.tiangolo.com/tutorial/dependencies/
- https://fastapi.tiangolo.com/advanced/advanced-dependencies/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import FunctionInfo
from ...model.params import dependency_functions
from ..base import Context, Finding, Rule
from ._common import returns_callable


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    known: set[str] | None = None
    for site in module.calls_to("fastapi.Depends", "fastapi.Security"):
        call = site.node
        expr = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
        if not isinstance(expr, ast.Call):
            continue
        found = project.function(module.resolve(expr.func, site.scope), module)
        if found is None:
            continue
        target_module, target = found
        verdict = returns_callable(project, target_module, target)
        if verdict is True:
            continue
        if verdict is None:
            # Not shaped like a dependency by itself: report a zero-argument call of a known dependency only.
            if expr.args or expr.keywords:
                continue
            if known is None:
                known = set(dependency_functions(project))
            if f"{target_module.path}::{target.qualname}" not in known:
                continue
        func_text = module.source.segment(expr.func)
        marker = "Security" if site.callee == "fastapi.Security" else "Depends"
        edit = ctx.edit(expr, func_text) if not expr.args and not expr.keywords else None
        written = module.source.segment(expr)
        if "\n" in written or len(written) > 40:
            written = f"{func_text}(...)"
        yield ctx.finding(
            expr,
            f"`{marker}({written})` calls the dependency {_why(target)} instead of passing it: "
            f"write `{marker}({func_text})` so FastAPI calls it per request",
            fix=fix(f"Pass `{func_text}` instead of calling it", edit),
        )


def _why(fn: FunctionInfo) -> str:
    if fn.yields:
        return "(a generator function)"
    if fn.is_async:
        return "(an `async def`: the coroutine is never awaited)"
    return "once at import"


RULE = Rule(
    code="FPA202",
    name="called-dependency",
    summary="`Depends(f())`: the dependency is called instead of passed",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=(),
)
