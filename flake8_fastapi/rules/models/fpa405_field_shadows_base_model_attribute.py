"""## What it does
Finds a Pydantic model field whose name is taken by `BaseModel` itself (`json`, `dict`, `copy`, `schema`,
`construct`, `validate`, `parse_obj`, `from_orm`, `model_dump`, `model_fields`, ... ; for settings classes also
`settings_customise_sources`), by a method of a project base class, or that falls in a protected namespace of
Pydantic (`model_validate*`, `model_dump*` since Pydantic 2.10), unless the model sets its own
`protected_namespaces`. Models are followed through inheritance and across files; Pydantic v1 models
(`pydantic.v1`) are not checked.

## Why is this bad?
The field replaces the method on every instance: `item.json` is now the field's value, and code (or a library)
that calls `item.json()` or `Model.validate(...)` breaks. Pydantic says so when the class is defined
(`UserWarning: Field name "json" in "Item" shadows an attribute in parent "BaseModel"`), and refuses the names
of its own protected methods outright: a field called `model_dump` or `model_validate_json` makes the class
definition raise `ValueError: Field 'model_dump' conflicts with member ... of protected namespace
'model_dump'`, so the application does not start. Other `model_dump*`/`model_validate*` names warn. Keep the
wire name with an alias: `schema_: str = Field(alias="schema")`.

## Example
```python
from pydantic import BaseModel


class Column(BaseModel):
    name: str
    schema: str
```

## Use instead
```python
from pydantic import BaseModel, ConfigDict, Field


class Column(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str
    schema_: str = Field(alias="schema")
```

Holds with Pydantic v2 (FastAPI 0.100 and later; the namespaces are those of Pydantic 2.10 and later);
silent for projects that target an older FastAPI.

## Fix
No fix: renaming a field changes the model's Python interface (add an alias to keep its wire name).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.pydantic.dev/latest/concepts/alias/
- https://docs.pydantic.dev/latest/api/config/#pydantic.config.ConfigDict.protected_namespaces
- https://docs.pydantic.dev/latest/api/base_model/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import ClassInfo, ModuleFacts
from ...model.project import Symbol
from ...model.pydantic import class_chain, model_kind
from ..base import Context, Finding, Rule

# Public attributes of `pydantic.BaseModel` (Pydantic 2.x, v1 compatibility methods included).
BASE_MODEL_ATTRIBUTES = frozenset(
    ("construct", "copy", "dict", "from_orm", "json", "model_computed_fields", "model_construct", "model_copy",
     "model_dump", "model_dump_json", "model_extra", "model_fields", "model_fields_set", "model_json_schema",
     "model_parametrized_name", "model_post_init", "model_rebuild", "model_validate", "model_validate_json",
     "model_validate_strings", "parse_file", "parse_obj", "parse_raw", "schema", "schema_json",
     "update_forward_refs", "validate")
)  # fmt: skip
SETTINGS_ATTRIBUTES = frozenset(("settings_customise_sources", "settings_cached", "settings_clear_cache"))
# Pydantic >= 2.10; before it, the protected namespace was `model_` as a whole.
PROTECTED_NAMESPACES = ("model_validate", "model_dump")


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not any(cls.fields for cls in module.classes.values()):
        return
    version = ctx.fastapi_version
    if version is not None and version < (0, 100):
        return  # FastAPI before 0.100 runs on Pydantic v1
    for cls in module.classes.values():
        if not cls.fields:
            continue
        symbol = Symbol(module, cls.qualname, cls)
        kind = model_kind(project, symbol)
        if kind is None:
            continue
        chain = class_chain(project, symbol)
        namespaces = _protected_namespaces(chain)
        inherited = _base_methods(chain[1:])
        for name, stmt in cls.fields.items():
            if name.startswith("_") or name == "model_config" or _is_classvar(module, stmt, cls):
                continue
            message = _problem(name, kind, namespaces, inherited, cls.qualname.rsplit(".", 1)[-1])
            if message is not None:
                yield ctx.finding(stmt.target, message)


def _problem(
    name: str, kind: str, namespaces: tuple[str, ...] | None, inherited: dict[str, str], owner: str
) -> str | None:
    protected = next((ns for ns in namespaces or () if name.startswith(ns)), None)
    if name in BASE_MODEL_ATTRIBUTES or (kind == "settings" and name in SETTINGS_ATTRIBUTES):
        base = "BaseSettings" if name in SETTINGS_ATTRIBUTES else "BaseModel"
        if protected is not None:
            return (
                f"Field `{name}` of `{owner}` is `{base}.{name}`, in Pydantic's protected namespace "
                f"`{protected}`: defining the class raises ValueError; rename it (keep the wire name with an alias)"
            )
        return (
            f'Field `{name}` of `{owner}` shadows `{base}.{name}` (Pydantic warns "shadows an attribute in parent"; '
            f"the method is lost on instances): rename it and keep the wire name with an alias"
        )
    if name in inherited:
        return (
            f"Field `{name}` of `{owner}` shadows the method `{inherited[name]}.{name}` of a base class "
            '(Pydantic warns "shadows an attribute in parent"): rename one of them'
        )
    if protected is not None:
        return (
            f"Field `{name}` of `{owner}` is in Pydantic's protected namespace `{protected}` (UserWarning when the "
            "class is defined): rename it or set `protected_namespaces`"
        )
    return None


def _protected_namespaces(chain: list[Symbol]) -> tuple[str, ...] | None:
    """The namespaces in force: the default, or a literal `protected_namespaces` of the class or a base.
    None when one is set but not as literal strings (stay silent on namespaces)."""
    for cls in chain:
        if not isinstance(cls.obj, ClassInfo):
            continue
        found = _config_namespaces(cls.module, cls.obj)
        if found is None or isinstance(found, tuple):
            return found
    return PROTECTED_NAMESPACES


def _config_namespaces(module: ModuleFacts, cls: ClassInfo) -> tuple[str, ...] | bool | None:
    """False: the class does not set `protected_namespaces`."""
    exprs: list[ast.expr] = [kw.value for kw in cls.node.keywords if kw.arg == "protected_namespaces"]
    for stmt in cls.node.body:
        value: ast.expr | None = None
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                value = stmt.value
        if isinstance(value, ast.Call):
            exprs.extend(kw.value for kw in value.keywords if kw.arg == "protected_namespaces")
            if any(kw.arg is None for kw in value.keywords):
                return None
        elif isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if key is None:
                    return None
                if isinstance(key, ast.Constant) and key.value == "protected_namespaces":
                    exprs.append(item)
        elif value is not None:
            return None  # a config built elsewhere: cannot tell
    if not exprs:
        return False
    expr = exprs[-1]
    if isinstance(expr, (ast.Tuple, ast.List)):
        names = [e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return tuple(names) if len(names) == len(expr.elts) else None
    return None


def _base_methods(bases: list[Symbol]) -> dict[str, str]:
    """Methods (and properties) defined by the project base classes: name -> class name."""
    out: dict[str, str] = {}
    for cls in bases:
        if isinstance(cls.obj, ClassInfo):
            for name in cls.obj.methods:
                if not name.startswith("_"):
                    out.setdefault(name, cls.qualname.rsplit(".", 1)[-1])
    return out


def _is_classvar(module: ModuleFacts, stmt: ast.AnnAssign, cls: ClassInfo) -> bool:
    annotation = stmt.annotation
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return module.resolve(target, cls.scope) == "typing.ClassVar"


RULE = Rule(
    code="FPA405",
    name="field-shadows-base-model-attribute",
    summary="Model field that shadows a `BaseModel` attribute or falls in Pydantic's protected namespace",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
