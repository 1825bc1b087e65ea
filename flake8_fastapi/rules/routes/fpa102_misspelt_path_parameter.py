"""## What it does
Finds a handler parameter whose name is one slip away from a path parameter that nothing binds: the path says
`{item_id}` and the handler takes `itemid`, `item_Id`, `itemId` or `itme_id`.

## Why is this bad?
FastAPI binds path parameters by exact name. The misspelt parameter silently becomes a required *query*
parameter, so every request answers 422 (`itemid` missing from the query string), while the real path value
goes nowhere. FPA101 reports the unbound path parameter on the path; this rule points at the parameter that
was meant to receive it and suggests its name.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(itemid: int) -> dict[str, int]:
    return {"id": itemid}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
```

## Fix
Renames the parameter and every use of it in the handler's body. Safe when every use is certain; unsafe when
the body calls `locals()`, `vars()`, `eval()` or `exec()`. No fix when the new name is already used in the
handler or a nested function rebinds the old one. Code that calls the handler directly with the old keyword
(`read_item(itemid=1)` in a test) must be updated by hand.

## Related
No equivalent in ruff or flake8-fastapi (ruff `FAST003` and FPA101 report the unbound path parameter only).

## See also
- https://fastapi.tiangolo.com/tutorial/path-params/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import FunctionInfo
from ...model.params import Param
from ...model.walk import walk_list
from ..base import Context, Edit, Finding, Fix, Rule
from ._binding import near_misses, unbound_parameters

_DYNAMIC = frozenset(("locals", "vars", "eval", "exec"))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        if route.handler is None or route.handler_module is not ctx.module or route.path is None:
            continue
        unbound = unbound_parameters(ctx.project, route)
        if not unbound:
            continue
        for name, param in near_misses(ctx.project, route, unbound).items():
            origin = unbound[name][1]
            where = f"`{route.path}`" if origin == "path" else f"the prefix `{origin}`"
            yield ctx.finding(
                param.arg,
                f"Parameter `{param.name}` looks like a misspelling of path parameter `{name}` (in {where}); "
                f"as written {_as_written(param)}",
                fix=_rename(ctx, route.handler, param.arg, name),
            )


def _as_written(param: Param) -> str:
    if param.marker == "Path":
        return f"FastAPI expects a path parameter `{param.name}` that the path does not have (422)"
    if param.default is not None:
        return "it is an optional query parameter"
    return "it is a required query parameter (422 without it)"


def _rename(ctx: Context, fn: FunctionInfo, arg: ast.arg, new: str) -> Fix | None:
    old = arg.arg
    uses: list[ast.Name] = []
    unsafe = False
    for stmt in fn.node.body:
        for node in walk_list(stmt):
            if isinstance(node, ast.Name):
                if node.id == new:
                    return None
                if node.id == old:
                    uses.append(node)
            elif _conflicts(node, old, new):
                return None
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC:
                unsafe = True
    if any(_binds_in_nested_scope(fn.node, old)):
        return None
    for other in (*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs):
        if other.arg == new:
            return None
    src = ctx.module.source
    start = src.start(arg)
    edits = [Edit(start, (start[0], start[1] + len(old)), new)]
    edits.extend(ctx.edit(use, new) for use in uses)
    return fix(f"Rename `{old}` to `{new}`", *edits, unsafe=unsafe)


def _conflicts(node: ast.AST, old: str, new: str) -> bool:
    """A nested parameter, `global`/`nonlocal` or nested definition that shadows or collides with the names."""
    if isinstance(node, ast.arg):
        return node.arg in (old, new)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return old in node.names or new in node.names
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name in (old, new)
    return False


def _binds_in_nested_scope(fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> Iterator[bool]:
    """Stores of `name` inside nested functions, lambdas, classes or comprehensions (their own variable)."""
    for stmt in fn.body:
        for node in walk_list(stmt):
            if isinstance(node, (*_SCOPES, *_COMPREHENSIONS)):
                for inner in walk_list(node):
                    if isinstance(inner, ast.Name) and inner.id == name and not isinstance(inner.ctx, ast.Load):
                        yield True
                        return


RULE = Rule(
    code="FPA102",
    name="misspelt-path-parameter",
    summary="Handler parameter that looks like a misspelt path parameter",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
)
