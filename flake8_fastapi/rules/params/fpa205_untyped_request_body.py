"""## What it does
Finds a request body that FastAPI cannot validate:

- a body parameter (no marker, or `Body()`) of a route handler or a dependency typed `dict`, `Dict`,
  `dict[str, Any]`, `Dict[str, Any]`, `Mapping[str, Any]` (optionally `| None`), or `Any` with `Body()`
  (without a marker, `Any` is a query parameter);
- `await request.json()` in a handler or dependency whose result is then checked by hand: a key tested with
  `in`, an `isinstance()` check, a key read (`data["name"]`, `data.get("name")`) in a function that raises, or
  the result handed to a Pydantic model of the project (`Item(**data)`, `Item.model_validate(data)`).

A `dict[str, int]` body (values validated) and `request.json()` passed on untouched (a proxy) are not
reported.

## Why is this bad?
FastAPI validates and documents a body only when it knows its shape. A `dict` body accepts any JSON object:
a missing field or a string where a number belongs reaches the handler and fails there (a 500, or bad data
stored), and OpenAPI shows an empty object, so clients and generated SDKs get no schema. Reading
`request.json()` by hand bypasses the same machinery, and the hand-written checks drift from what the handler
really needs. A Pydantic model gives a 422 with the exact error, the schema and the editor support for free.

## Example
```python
from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.post("/items")
async def create_item(item: dict[str, Any]) -> dict[str, Any]:
    return item
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item
```

## Fix
No fix.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/body/
- https://fastapi.tiangolo.com/advanced/using-request-directly/
- https://docs.pydantic.dev/latest/concepts/models/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import CallSite, FunctionInfo, ModuleFacts, Scope
from ...model.params import Param, params_of
from ...model.project import Project
from ...model.walk import children, pruned
from ..base import Context, Finding, Rule
from ._common import module_dependencies, route_handlers, type_name

_DICT_TYPES = frozenset(("builtins.dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping"))
_ANY_TYPES = frozenset(("typing.Any", "builtins.object"))
_VALIDATE_METHODS = frozenset(("model_validate", "parse_obj", "validate"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    handlers = route_handlers(project, module, ("http",))
    functions = {**handlers, **module_dependencies(project, module)}
    for fn in functions.values():
        for param in params_of(project, module, fn):
            described = _untyped_body(project, module, fn, param)
            if described is not None:
                yield ctx.finding(
                    param.arg,
                    f"Request body `{param.name}` is {described}: FastAPI validates and documents "
                    f"nothing in it; declare a Pydantic model",
                )
    for site in module.method_calls("json"):
        owner = site.function
        if owner is None or id(owner) not in functions or not site.awaited:
            continue
        if not _is_request(module, site):
            continue
        how = _validated_by_hand(project, module, owner, site)
        if how is not None:
            yield ctx.finding(
                site.node,
                f"Request body read with `await {module.source.segment(site.node)}` and {how}: declare a "
                f"Pydantic model parameter so FastAPI validates it (422) and documents it",
            )


def _untyped_body(project: Project, module: ModuleFacts, fn: FunctionInfo, param: Param) -> str | None:
    if param.kind in ("vararg", "kwarg") or param.marker not in (None, "Body"):
        return None
    if param.marker == "Body" and param.annotation is None:
        return "unannotated (`Any`)"
    if param.unresolved_alias or param.type_expr is None or param.module is None or param.scope is None:
        return None
    type_expr = _strip_optional(param.module, param.type_expr, param.scope)
    if type_expr is None:
        return None
    name = type_name(param.module, type_expr, param.scope)
    if name in _ANY_TYPES:
        return f"typed `{param.module.source.segment(type_expr)}`" if param.marker == "Body" else None
    if name not in _DICT_TYPES:
        return None
    text = param.module.source.segment(type_expr)
    if not isinstance(type_expr, ast.Subscript):
        return f"typed `{text}`"
    args = type_expr.slice.elts if isinstance(type_expr.slice, ast.Tuple) else [type_expr.slice]
    if len(args) == 2 and type_name(param.module, args[1], param.scope) in _ANY_TYPES:
        return f"typed `{text}`"
    return None


def _strip_optional(module: ModuleFacts, expr: ast.expr, scope: Scope) -> ast.expr | None:
    """`X | None`, `Optional[X]`, `Union[X, None]` -> X; the type itself otherwise; None for other unions."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        parts = [expr.left, expr.right]
    elif isinstance(expr, ast.Subscript) and module.resolve(expr.value, scope) in ("typing.Optional", "typing.Union"):
        parts = list(expr.slice.elts) if isinstance(expr.slice, ast.Tuple) else [expr.slice]
    else:
        return expr
    rest = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)]
    return rest[0] if len(rest) == 1 else None


def _is_request(module: ModuleFacts, site: CallSite) -> bool:
    """`request.json()` where `request` is a parameter annotated `Request`."""
    if site.receiver is None or site.node.args or site.node.keywords:
        return False
    return module.param_annotations.get(site.receiver) == "fastapi.Request"


def _validated_by_hand(project: Project, module: ModuleFacts, fn: FunctionInfo, site: CallSite) -> str | None:
    """How the JSON value is checked by hand, or None when it is passed on untouched."""
    names: set[str] = set()
    for node in _local_nodes(fn.node):
        if (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and isinstance(node.value, ast.Await)
            and node.value.value is site.node
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    if _handed_to_model(project, module, fn, site.node, names):
        return "validated with a model by hand"
    if not names:
        return None
    raises = False
    keyed = False
    for node in _local_nodes(fn.node):
        if isinstance(node, ast.Raise):
            raises = True
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if any(_is_name(c, names) for c in node.comparators) and _is_str(node.left):
                return "its keys checked by hand"
        elif isinstance(node, ast.Call):
            if _is_isinstance(node) and (_is_name(node.args[0], names) or _keyed(node.args[0], names)):
                return "its types checked by hand"
            if _keyed(node, names):
                keyed = True
        elif _keyed(node, names):
            keyed = True
    if keyed and raises:
        return "its fields read and checked by hand"
    return None


def _handed_to_model(
    project: Project, module: ModuleFacts, fn: FunctionInfo, json_call: ast.Call, names: set[str]
) -> bool:
    for site in fn.calls:
        call = site.node
        values = [*call.args, *(k.value for k in call.keywords)]
        if not any(
            _is_name(v, names) or (isinstance(v, ast.Await) and v.value is json_call)
            for v in (a.value if isinstance(a, ast.Starred) else a for a in values)
        ):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _VALIDATE_METHODS:
            func = func.value
        elif call.args or not any(k.arg is None for k in call.keywords):
            continue  # `Item(**data)` only
        if project.is_subclass(module.resolve(func, site.scope), module, ("pydantic.BaseModel",)):
            symbol = project.lookup(module.resolve(func, site.scope), module)
            if symbol is not None:  # a project model, not the library class itself
                return True
    return False


def _local_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    return iter(pruned(children(fn), (ast.FunctionDef, ast.AsyncFunctionDef)))


def _is_name(node: ast.AST, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_isinstance(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "isinstance" and bool(node.args)


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _keyed(node: ast.AST, names: set[str]) -> bool:
    """`data["k"]` or `data.get("k")`."""
    if isinstance(node, ast.Subscript):
        return _is_name(node.value, names) and _is_str(node.slice)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return _is_name(node.func.value, names) and bool(node.args) and _is_str(node.args[0])
    return False


RULE = Rule(
    code="FPA205",
    name="untyped-request-body",
    summary="Request body taken as `dict`/`Any`, or `await request.json()` validated by hand",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=(),
)
