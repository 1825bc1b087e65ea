"""## What it does
Finds a route declared with `status_code=204` (No Content) or `304` (Not Modified) that has a response body:
a `response_model`, a return annotation with a body (`-> dict[str, bool]`, `-> Item`, `-> Any`), or a
`return` of a literal value (`return {"deleted": True}`).

## Why is this bad?
These statuses cannot carry a body. Since FastAPI 0.79 the body is dropped silently: the client receives an
empty 204 whatever the handler returned (before 0.79 the body was sent, which broke the HTTP response).
A declared body is refused outright: FastAPI raises `AssertionError: Status code 204 must not have a response
body` when the route is registered, so the app does not start; return annotations count as the response model
from FastAPI 0.89 (for older targets only `response_model=` is checked). Verified on FastAPI 0.78, 0.88, 0.89,
0.115 and 0.165.

Unlike flake8-fastapi `CF011` (obsolete), this rule does not ask for `response_class=Response`: FastAPI has
sent an empty body for 204 by itself since 0.79, and `-> None` is all a 204 route needs.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int):
    return {"deleted": item_id}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int) -> None:
    return None
```

## Fix
No fix: whether the body should go (keep 204) or the status should change (200 with the body) is the
developer's call.

## Related
flake8-fastapi `CF011` is obsolete (it asks for `response_class=Response` on every 204 route). No equivalent in
ruff.

## See also
- https://fastapi.tiangolo.com/advanced/response-change-status-code/
- https://fastapi.tiangolo.com/tutorial/response-status-code/
- https://www.rfc-editor.org/rfc/rfc9110#name-204-no-content
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import ModuleFacts, Scope
from ...model.project import Project, Route
from ...model.walk import walk_list
from ..base import Context, Finding, Rule

_NO_BODY = {204: "HTTP_204_NO_CONTENT", 304: "HTTP_304_NOT_MODIFIED"}
_STATUS_MODULES = ("fastapi.status", "starlette.status")
_RESPONSE_MODULES = ("fastapi.responses.", "starlette.responses.")
_RESPONSES = frozenset(("fastapi.Response", "starlette.responses.Response", "fastapi.responses.Response"))
_BODY_BUILTINS = frozenset(("dict", "list", "set", "tuple", "str", "int", "float", "bool", "bytes", "object"))
_BODY_VALUES = (
    ast.Dict,
    ast.List,
    ast.Set,
    ast.Tuple,
    ast.ListComp,
    ast.DictComp,
    ast.SetComp,
    ast.GeneratorExp,
    ast.JoinedStr,
)


def check(ctx: Context) -> Iterator[Finding]:
    version = ctx.fastapi_version
    annotations_count = version is None or version >= (0, 89)
    for route in ctx.project.routes_of(ctx.module):
        if route.kind != "http":
            continue
        status_expr = route.keyword("status_code")
        code = _status(ctx.module, route, status_expr)
        if code is None or status_expr is None:
            continue
        declared = _declared_body(ctx.project, route, annotations_count)
        if declared is not None:
            yield ctx.finding(
                declared,
                f"Status {code} cannot have a body, but the route declares one: FastAPI refuses it at startup "
                f"(`AssertionError: Status code {code} must not have a response body`)",
            )
            continue
        handler = route.handler
        if handler is None or route.handler_module is not ctx.module:
            continue
        for ret in handler.returns:
            if _is_body(ret.value):  # the handler's own returns, not those of nested functions
                yield ctx.finding(
                    ret,
                    f"`{route.name}` answers status {code}, which has no body: FastAPI drops this return value "
                    f"and the client receives nothing",
                )


def _status(module: ModuleFacts, route: Route, expr: ast.expr | None) -> int | None:
    if isinstance(expr, ast.Constant) and type(expr.value) is int and expr.value in _NO_BODY:
        return int(expr.value)
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = module.resolve(expr, route.site.scope)
        if qual is not None:
            owner, _, name = qual.rpartition(".")
            for code, constant in _NO_BODY.items():
                if name == constant and owner in _STATUS_MODULES:
                    return code
    return None


def _declared_body(project: Project, route: Route, annotations_count: bool) -> ast.expr | None:
    """The `response_model=` or return annotation that gives the route a body, if any."""
    model = route.keyword("response_model")
    if model is not None:
        if isinstance(model, ast.Constant) and model.value is None:
            return None  # explicitly no model: the annotation does not count either
        return model if _has_body(project, route.module, route.site.scope, model) else None
    handler, module = route.handler, route.handler_module
    if not annotations_count or handler is None or module is None or handler.node.returns is None:
        return None
    returns = handler.node.returns
    return returns if _has_body(project, module, handler.scope, returns) else None


def _has_body(project: Project, module: ModuleFacts, scope: Scope, expr: ast.expr) -> bool:
    """Whether FastAPI makes a response model of this type. Unknown names: no (stay silent)."""
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            try:
                expr = ast.parse(expr.value, mode="eval").body
            except SyntaxError:
                return False
            return _has_body(project, module, scope, expr)
        return False  # None
    names = [n for n in walk_list(expr) if isinstance(n, (ast.Name, ast.Attribute))]
    if any(_is_response(project, module, scope, n) for n in names):
        return False
    if isinstance(expr, (ast.Subscript, ast.BinOp)):
        return True  # dict[str, int], list[Item], Item | None, Optional[Item]
    if not isinstance(expr, (ast.Name, ast.Attribute)):
        return False
    qual = module.resolve(expr, scope)
    if qual is None:
        return isinstance(expr, ast.Name) and expr.id in _BODY_BUILTINS
    if qual in ("typing.Any", "typing.Optional", "typing.Union"):
        return True
    if qual.startswith(("builtins.", "typing.", "pydantic.", "datetime.", "uuid.", "decimal.")):
        return True
    symbol = project.lookup(qual, module)
    return symbol is not None  # a project class (a model): a body; anything else unknown


def _is_response(project: Project, module: ModuleFacts, scope: Scope, expr: ast.expr) -> bool:
    if not isinstance(expr, (ast.Name, ast.Attribute)):
        return False
    qual = module.resolve(expr, scope)
    if qual is None:
        return False
    if qual in _RESPONSES or qual.startswith(_RESPONSE_MODULES):
        return True
    return project.is_subclass(qual, module, _RESPONSES)


def _is_body(value: ast.expr | None) -> bool:
    if value is None:
        return False
    if isinstance(value, ast.Constant):
        return value.value is not None and value.value is not Ellipsis
    return isinstance(value, _BODY_VALUES)


RULE = Rule(
    code="FPA110",
    name="no-content-with-body",
    summary="`status_code=204`/`304` route that returns or declares a body",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=("CF011",),
)
