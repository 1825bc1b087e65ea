"""## What it does
Finds a route whose `response_model=` is the same type as the handler's return annotation.

## Why is this bad?
Since FastAPI 0.89 the return annotation is the response model: FastAPI validates, filters and documents the
response with it. Repeating it in `response_model=` says the same thing twice, and the two drift apart when
one is edited. Keep `response_model=` only where it differs from the annotation on purpose (returning an ORM
object or a dict that the model filters). Types are compared after resolving names, so
`response_model=List[schemas.Item]` and `-> list[Item]` are the same when they denote the same class.

Holds from FastAPI 0.89; silent for projects that target an older FastAPI, where the annotation is ignored.

## Example
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str


@app.get("/items/", response_model=list[Item])
async def read_items() -> list[Item]:
    return [Item(name="Portal Gun")]
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str


@app.get("/items/")
async def read_items() -> list[Item]:
    return [Item(name="Portal Gun")]
```

## Fix
Removes the `response_model=` argument (and its comma; the whole line, with its trailing comment, when the
argument has a line of its own). Safe: FastAPI then takes the same model from the annotation. No fix when a
comment that belongs to another argument would be removed.

## Related
ruff `FAST001` (whose fix is marked unsafe, and which compares the two spellings as written).

## See also
- https://fastapi.tiangolo.com/tutorial/response-model/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import ModuleFacts, Scope
from ..base import Context, Edit, Finding, Fix, Rule

_TYPING_BUILTINS = {
    "typing.List": "list",
    "typing.Dict": "dict",
    "typing.Set": "set",
    "typing.FrozenSet": "frozenset",
    "typing.Tuple": "tuple",
    "typing.Type": "type",
    "collections.abc.Sequence": "typing.Sequence",
}


def normal_type(expr: ast.expr, module: ModuleFacts, scope: Scope) -> str | None:
    """A spelling-independent form of a type expression; None when a name does not resolve."""
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            try:
                return normal_type(ast.parse(expr.value, mode="eval").body, module, scope)
            except SyntaxError:
                return None
        return repr(expr.value)
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = module.resolve(expr, scope)
        if qual is None:  # bound by nothing in the module: a builtin (the same object on both sides)
            return ast.unparse(expr) if _is_dotted(expr) else None
        return _TYPING_BUILTINS.get(qual, qual)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        left, right = normal_type(expr.left, module, scope), normal_type(expr.right, module, scope)
        if left is None or right is None:
            return None
        return _union([left, right])
    if isinstance(expr, ast.Subscript):
        base = normal_type(expr.value, module, scope)
        items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        args = [normal_type(i, module, scope) for i in items]
        if base is None or any(a is None for a in args):
            return None
        parts = [a for a in args if a is not None]
        if base == "typing.Optional" and len(parts) == 1:
            return _union([parts[0], "None"])
        if base == "typing.Union":
            return _union(parts)
        return f"{base}[{', '.join(parts)}]"
    if isinstance(expr, (ast.List, ast.Tuple)):
        elts = [normal_type(e, module, scope) for e in expr.elts]
        if any(e is None for e in elts):
            return None
        return "[" + ", ".join(e for e in elts if e is not None) + "]"
    return None


def _is_dotted(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _union(parts: list[str]) -> str:
    flat: set[str] = set()
    for part in parts:
        if part.startswith("Union{"):
            flat.update(part[6:-1].split("|"))
        else:
            flat.add(part)
    return "Union{" + "|".join(sorted(flat)) + "}"


def check(ctx: Context) -> Iterator[Finding]:
    version = ctx.fastapi_version
    if version is not None and version < (0, 89):
        return  # the return annotation became the response model in FastAPI 0.89
    module = ctx.module
    for route in ctx.project.routes_of(module):
        handler = route.handler
        if handler is None or route.handler_module is not module or handler.node.returns is None:
            continue
        kw = next((k for k in route.site.call.keywords if k.arg == "response_model"), None)
        if kw is None:
            continue
        declared = normal_type(kw.value, module, route.site.scope)
        annotated = normal_type(handler.node.returns, module, handler.scope)
        if declared is None or declared != annotated or declared == "None":
            continue
        yield ctx.finding(
            kw,
            f"`response_model=` repeats the return annotation of `{route.name}`: remove it",
            fix=_remove_keyword(ctx, route.site.call, kw),
        )


def _remove_keyword(ctx: Context, call: ast.Call, kw: ast.keyword) -> Fix | None:
    src = ctx.module.source
    items: list[ast.expr | ast.keyword] = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    index = next(i for i, item in enumerate(items) if item is kw)
    (first_line, first_col), (last_line, last_col) = src.start(kw), src.end(kw)
    before, after = src.line(first_line)[:first_col], src.line(last_line)[last_col:]
    tail = after.strip().removeprefix(",").strip()
    if len(items) > 1 and not before.strip() and (not tail or tail.startswith("#")) and last_line < len(src.lines):
        # The argument has its own line(s): remove them whole, with the comment that describes it.
        return fix("Remove `response_model=`", Edit((first_line, 0), (last_line + 1, 0), ""))
    if index + 1 < len(items):
        start, end = src.start(kw), src.start(items[index + 1])
    elif index > 0:
        start, end = src.end(items[index - 1]), src.end(kw)
    else:
        # The only argument: remove it together with a trailing comma, up to the closing parenthesis.
        call_end = src.end(call)
        start, end = src.start(kw), (call_end[0], call_end[1] - 1)
    removed = src.text_between(start, end)
    if "#" in removed:
        return None
    if index + 1 >= len(items) and index == 0 and removed.strip().rstrip(",").strip() != src.segment(kw):
        return None
    return fix("Remove `response_model=`", Edit(start, end, ""))


RULE = Rule(
    code="FPA604",
    name="redundant-response-model",
    summary="`response_model=` identical to the return annotation",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=("FAST001",),
    tags=frozenset({"unnecessary"}),
)
