"""## What it does
Finds a field of a request model annotated as nullable (`T | None`, `Optional[T]`, `Union[T, None]`, also inside
`Annotated[...]`) that has no default. A request model is a Pydantic model that a route handler takes as a
parameter (the body, a `Query`/`Form` model, a `Depends()` class), or a model nested in one of its fields;
models are followed through inheritance and across files. Models only ever used as responses are not
reported: a required field that may hold `null` is a legitimate response contract.

## Why is this bad?
Pydantic v1 gave `Optional[T]` fields an implicit `None` default. Pydantic v2 does not: `x: int | None` only
says that `null` is an accepted value, the field stays required. A client that leaves the field out gets a
`422 Unprocessable Entity` ("Field required"), and the OpenAPI schema lists it under `required`, which is
rarely what the author of `Optional[...]` meant.

## Example
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class ItemIn(BaseModel):
    name: str
    description: str | None


@app.post("/items")
def create_item(item: ItemIn) -> ItemIn:
    return item
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class ItemIn(BaseModel):
    name: str
    description: str | None = None


@app.post("/items")
def create_item(item: ItemIn) -> ItemIn:
    return item
```

If the field must be sent but may be `null`, say so: `description: str | None = Field(...)`.

Holds with Pydantic v2 (FastAPI 0.100 and later); silent for projects that target an older FastAPI.

## Fix
Adds `= None` after the annotation (or `None` as the default of a `Field(...)` call without one). Unsafe: the
field becomes optional, which changes validation and the OpenAPI schema.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.pydantic.dev/latest/migration/#required-optional-and-nullable-fields
- https://docs.pydantic.dev/latest/concepts/models/#required-fields
- https://fastapi.tiangolo.com/tutorial/body/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import cast

from ...fixes import fix
from ...model.facts import ClassInfo, ModuleFacts, Scope
from ...model.params import params_of
from ...model.project import Project, Symbol
from ...model.pydantic import ModelField, model_fields, model_kind, models_in
from ..base import Context, Edit, Finding, Fix, Rule

_MAX_DEPTH = 4
_FIELD_CALLS = frozenset(("pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field", "sqlmodel.main.Field"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    candidates = _candidates(module)
    if not candidates:
        return  # no field of the module could be reported: the project-wide table is not needed
    version = ctx.fastapi_version
    if version is not None and version < (0, 100):
        return  # FastAPI before 0.100 runs on Pydantic v1
    for field in _request_fields_by_path(project).get(module.path, ()):
        owner = field.owner
        if owner.module is not module:
            continue
        missing = candidates.get((owner.qualname, field.name))
        if missing is None:
            continue
        stmt = field.stmt
        yield ctx.finding(
            stmt.target,
            f"`{field.name}` is nullable but has no default: Pydantic v2 still requires it in the request "
            "(422 when it is left out); add `= None`",
            end_node=stmt,
            fix=_fix(ctx, stmt, missing),
        )


_Candidates = dict[tuple[str, str], ast.Call | bool]


def _candidates(module: ModuleFacts) -> _Candidates:
    """The fields of the module's classes that are nullable and lack a default, by (class qualname, field
    name), with what lacks the default. Depends on the module alone, so it is kept in its memo: a module
    without any is answered without building the project's table of request models."""
    found = module.memo.get("fpa404.candidates")
    if isinstance(found, dict):
        return cast(_Candidates, found)
    out: _Candidates = {}
    for qualname, cls in module.classes.items():
        for name, stmt in cls.fields.items():
            if isinstance(stmt.annotation, (ast.Name, ast.Attribute)):
                continue  # `x: str` is never nullable: only a subscript, a union, `None` or a string can be
            if not _nullable(module, stmt.annotation, cls.scope):
                continue
            missing = _missing_default(module, stmt, cls.scope)
            if missing is not None:
                out[(qualname, name)] = missing
    module.memo["fpa404.candidates"] = out
    return out


def request_fields(project: Project) -> list[ModelField]:
    """Every field of a request model (inherited fields under their declaring class), each once."""
    cached = project.derived.get("fpa404.request_fields")
    if isinstance(cached, list):
        return cached
    seen: set[tuple[str, str]] = set()
    out: list[ModelField] = []
    for model in request_models(project).values():
        for field in model_fields(project, model).values():
            key = (field.owner.key, field.name)
            if key not in seen:
                seen.add(key)
                out.append(field)
    project.derived["fpa404.request_fields"] = out
    return out


def _request_fields_by_path(project: Project) -> dict[str, list[ModelField]]:
    """`request_fields` by the path of the module declaring each, in the same order."""
    cached = project.derived.get("fpa404.request_fields_by_path")
    if isinstance(cached, dict):
        return cached
    out: dict[str, list[ModelField]] = {}
    for field in request_fields(project):
        out.setdefault(field.owner.module.path, []).append(field)
    project.derived["fpa404.request_fields_by_path"] = out
    return out


def request_models(project: Project) -> dict[str, Symbol]:
    """Every project model that a route handler takes, nested models included, by key (`path::qualname`)."""
    cached = project.derived.get("fpa404.request_models")
    if isinstance(cached, dict):
        return cached
    out: dict[str, Symbol] = {}
    for route in project.routes:
        if route.kind != "http" or route.handler is None or route.handler_module is None:
            continue
        for param in params_of(project, route.handler_module, route.handler):
            if param.marker in ("Header", "Cookie", "Path", "File"):
                continue
            where = param.module or route.handler_module
            scope = param.scope or route.handler.scope
            expr = param.type_expr
            if param.marker in ("Depends", "Security"):
                expr = param.dependency
            if expr is None:
                continue
            for model in request_models_in(project, where, expr, scope):
                _add(project, model, out, 0)
    project.derived["fpa404.request_models"] = out
    return out


def _add(project: Project, model: Symbol, out: dict[str, Symbol], depth: int) -> None:
    if model.key in out or depth > _MAX_DEPTH:
        return
    out[model.key] = model
    for field in model_fields(project, model).values():
        owner = field.owner
        assert isinstance(owner.obj, ClassInfo)
        for nested in request_models_in(project, owner.module, field.stmt.annotation, owner.obj.scope):
            _add(project, nested, out, depth + 1)


def request_models_in(project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope) -> Iterator[Symbol]:
    """Pydantic model classes (not settings) named in a type expression, generic origins included."""
    for symbol in models_in(project, module, expr, scope, origins=True):
        if model_kind(project, symbol) == "model":
            yield symbol


def _unwrap_annotated(module: ModuleFacts, expr: ast.expr, scope: Scope) -> tuple[ast.expr, list[ast.expr]]:
    if isinstance(expr, ast.Subscript) and module.resolve(expr.value, scope) == "typing.Annotated":
        elts = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if elts:
            return elts[0], list(elts[1:])
    return expr, []


def _nullable(module: ModuleFacts, expr: ast.expr, scope: Scope) -> bool:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return False
    expr, _ = _unwrap_annotated(module, expr, scope)
    if isinstance(expr, ast.Constant) and expr.value is None:
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return _nullable(module, expr.left, scope) or _nullable(module, expr.right, scope)
    if isinstance(expr, ast.Subscript):
        base = module.resolve(expr.value, scope)
        if base == "typing.Optional":
            return True
        if base == "typing.Union":
            items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            return any(_nullable(module, item, scope) for item in items)
    return False


def _field_call(module: ModuleFacts, expr: ast.expr | None, scope: Scope) -> ast.Call | None:
    if isinstance(expr, ast.Call) and module.resolve(expr.func, scope) in _FIELD_CALLS:
        return expr
    return None


def _has_default(call: ast.Call) -> bool | None:
    """True: the `Field(...)` call sets a default; False: it does not; None: it says required (`...`) or
    cannot be told (`**kwargs`)."""
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and first.value is Ellipsis:
            return None
        return True
    for kw in call.keywords:
        if kw.arg is None:
            return None
        if kw.arg in ("default", "default_factory"):
            if isinstance(kw.value, ast.Constant) and kw.value.value is Ellipsis:
                return None
            return True
    return False


def _missing_default(module: ModuleFacts, stmt: ast.AnnAssign, scope: Scope) -> ast.Call | bool | None:
    """What lacks the default: True for a bare annotation, the `Field(...)` call that sets none; None when the
    field has a default or is required on purpose."""
    _, metadata = _unwrap_annotated(module, stmt.annotation, scope)
    for meta in metadata:
        call = _field_call(module, meta, scope)
        if call is not None and _has_default(call) is not False:
            return None
    if stmt.value is None:
        return True
    call = _field_call(module, stmt.value, scope)
    if call is not None and _has_default(call) is False:
        return call
    return None


def _fix(ctx: Context, stmt: ast.AnnAssign, missing: ast.Call | bool) -> Fix | None:
    src = ctx.module.source
    if isinstance(missing, ast.Call):
        end = src.end(missing.func)
        if src.line(end[0])[end[1] : end[1] + 1] != "(":
            return None
        at = (end[0], end[1] + 1)
        text = "None, " if missing.keywords else "None"
        return fix("Give the field a `None` default", Edit(at, at, text), unsafe=True)
    end = src.end(stmt)
    return fix("Give the field a `None` default", Edit(end, end, " = None"), unsafe=True)


RULE = Rule(
    code="FPA404",
    name="optional-field-without-default",
    summary="Nullable request-model field without a default: still required in Pydantic v2",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
)
