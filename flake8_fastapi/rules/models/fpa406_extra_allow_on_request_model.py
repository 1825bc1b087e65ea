"""## What it does
Finds `extra="allow"` on a request model: `model_config = ConfigDict(extra="allow")`, the dict form
`model_config = {"extra": "allow"}`, the class keyword `class M(BaseModel, extra="allow")`, `Extra.allow`, or a
v1-style `class Config: extra = "allow"`. A request model is a Pydantic model a route handler takes as a
parameter (or one nested in it); the setting is followed through inheritance and across files, and reported
where it is written.

## Why is this bad?
With `extra="allow"` the model keeps every key the client sends, and `model_dump()` hands them on. Code that
writes the dump into a database row or an ORM object (`User(**data.model_dump())`,
`for k, v in data.model_dump().items(): setattr(user, k, v)`) then lets the client set columns the endpoint
never meant to expose, such as `is_admin`, `owner_id` or `balance`: a mass-assignment vulnerability. The
default (`"ignore"`) drops unknown keys; `"forbid"` answers them with a 422.

## Example
```python
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str


@app.patch("/me")
def update_me(data: UserUpdate) -> dict[str, object]:
    return data.model_dump()
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str


@app.patch("/me")
def update_me(data: UserUpdate) -> dict[str, object]:
    return data.model_dump()
```

## Fix
No fix: list the fields the endpoint accepts, and choose between `"ignore"` and `"forbid"`.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.pydantic.dev/latest/api/config/#pydantic.config.ConfigDict.extra
- https://docs.pydantic.dev/latest/concepts/models/#extra-data
- https://fastapi.tiangolo.com/tutorial/body/
- https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import ClassInfo, ModuleFacts
from ...model.pydantic import class_chain
from ..base import Context, Finding, Rule
from .fpa404_optional_field_without_default import request_models

_CONFIG_DICTS = frozenset(("pydantic.ConfigDict", "pydantic.config.ConfigDict", "pydantic_settings.SettingsConfigDict"))
_EXTRA_ALLOW = frozenset(("pydantic.Extra.allow", "pydantic.config.Extra.allow"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not any(extra_allow(module, cls) is not None for cls in module.classes.values()):
        return  # nothing to report here whatever the request models are: the project's table is not needed
    done: set[int] = set()
    for model in request_models(project).values():
        for cls in class_chain(project, model):
            if cls.module is not module or not isinstance(cls.obj, ClassInfo):
                continue
            node = extra_allow(module, cls.obj)
            if node is None or id(node) in done:
                continue
            done.add(id(node))
            name = model.qualname.rsplit(".", 1)[-1]
            yield ctx.finding(
                node,
                f'`extra="allow"` on request model `{name}`: clients can send any extra field and it is kept '
                '(mass assignment); use `extra="ignore"` or `"forbid"`',
            )


def extra_allow(module: ModuleFacts, cls: ClassInfo) -> ast.AST | None:
    """The node that sets `extra="allow"` in the class itself, or None."""
    for kw in cls.node.keywords:
        if kw.arg == "extra" and _is_allow(module, kw.value, cls):
            return kw
    for stmt in cls.node.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and target.id == "model_config" and value is not None:
            found = _in_config(module, value, cls)
            if found is not None:
                return found
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "extra" for t in inner.targets)
                    and _is_allow(module, inner.value, cls)
                ):
                    return inner
    return None


def _in_config(module: ModuleFacts, value: ast.expr, cls: ClassInfo) -> ast.AST | None:
    if isinstance(value, ast.Call) and _is_config_dict(module, value.func, cls):
        for kw in value.keywords:
            if kw.arg == "extra" and _is_allow(module, kw.value, cls):
                return kw
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values):
            if isinstance(key, ast.Constant) and key.value == "extra" and _is_allow(module, item, cls):
                return key
    return None


def _is_config_dict(module: ModuleFacts, func: ast.expr, cls: ClassInfo) -> bool:
    name = module.resolve(func, cls.scope)
    if name is None:
        return isinstance(func, ast.Name) and func.id == "dict"  # the builtin, not rebound
    return name in _CONFIG_DICTS


def _is_allow(module: ModuleFacts, expr: ast.expr, cls: ClassInfo) -> bool:
    if isinstance(expr, ast.Constant):
        return expr.value == "allow"
    return module.resolve(expr, cls.scope) in _EXTRA_ALLOW


RULE = Rule(
    code="FPA406",
    name="extra-allow-on-request-model",
    summary='`extra="allow"` on a request model (mass assignment)',
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
)
