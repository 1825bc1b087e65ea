"""## What it does
Finds Pydantic v1 API in code that runs on Pydantic v2:

- `class Config:` inside a model or settings class, and v1 configuration keys (`orm_mode`, `schema_extra`,
  `allow_population_by_field_name`, `anystr_strip_whitespace`, `allow_mutation`, ...) in `ConfigDict(...)`;
- `@validator` and `@root_validator`;
- the v1 methods `.dict()`, `.json()`, `.copy()`, `parse_obj()`, `parse_raw()`, `parse_file()`, `from_orm()`,
  `construct()`, `validate()`, `update_forward_refs()`, `schema()`, `schema_json()`, but only where the receiver
  is known to be a Pydantic model: a project model class, a parameter annotated with one, `self`/`cls` in its
  methods, or a local assigned once from `Model(...)` / `Model.model_validate(...)`. `response.json()` of an
  HTTP client and `d.copy()` of a dict are never reported.

Modules that import `pydantic.v1` (deliberate v1 code) are skipped.

## Why is this bad?
Pydantic v2 keeps most of the v1 API as deprecated shims that warn on every call and disappear in v3, but the
configuration is worse: v1 keys that were renamed are *ignored* by v2 (with a warning at import). A model
with `class Config: orm_mode = True` no longer reads attributes, so `Model.model_validate(orm_row)` fails and
`from_orm()` raises; `schema_extra` examples vanish from the OpenAPI document. FastAPI has required Pydantic
v2 for new projects since 0.100, and current releases support only v2.

Holds for projects on Pydantic v2: silent when the project targets a FastAPI older than 0.100 (which
required Pydantic v1).

## Example
```python
from pydantic import BaseModel, validator


class User(BaseModel):
    name: str

    class Config:
        orm_mode = True

    @validator("name")
    def strip(cls, value: str) -> str:
        return value.strip()


def payload(user: User) -> dict:
    return user.dict(exclude_unset=True)
```

## Use instead
```python
from pydantic import BaseModel, ConfigDict, field_validator


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str

    @field_validator("name")
    @classmethod
    def strip(cls, value: str) -> str:
        return value.strip()


def payload(user: User) -> dict:
    return user.model_dump(exclude_unset=True)
```

## Fix
Where the rewrite is mechanical:
- method renames: `.dict()` to `.model_dump()`, `.json()` to `.model_dump_json()`, `.copy()` to
  `.model_copy()`, `parse_obj` / `validate` to `model_validate`, `parse_raw` to `model_validate_json`,
  `construct` to `model_construct`, `update_forward_refs` to `model_rebuild`, `schema` to
  `model_json_schema` (only when the arguments carry over; `.json(encoder=...)`, `.copy(include=...)`,
  `parse_file` and `schema_json` have no fix). Safe.
- `from_orm(obj)` becomes `model_validate(obj, from_attributes=True)`: it then works whatever the model's
  configuration says (v2's `from_orm` raises without `from_attributes=True`). Unsafe.
- `class Config` becomes `model_config = ConfigDict(...)` (`SettingsConfigDict` for settings) when every
  entry is a known key with a mechanical v2 form, with the renames `orm_mode` to `from_attributes`,
  `schema_extra` to `json_schema_extra`, `allow_population_by_field_name` to `populate_by_name`,
  `anystr_*` to `str_*`, `validate_all` to `validate_default`, `allow_mutation = False` to `frozen=True`,
  and `Extra.forbid` to `"forbid"`; the import is added. Safe when no key is renamed; unsafe otherwise, since
  it switches on settings that v2 currently ignores. The same renames apply inside `ConfigDict(...)`.
- `@validator("f", pre=True)` becomes `@field_validator("f", mode="before")` with `@classmethod`, only for a
  `(cls, value)` signature without `always`/`each_item`; validators that take `values`, `field` or
  `config`, and every `@root_validator`, have no fix. Safe.

## Related
No equivalent in ruff or flake8-fastapi. Pydantic's own `bump-pydantic` migrates whole code bases once.

## See also
- https://docs.pydantic.dev/latest/migration/
- https://docs.pydantic.dev/latest/api/config/
- https://fastapi.tiangolo.com/how-to/migrate-from-pydantic-v1-to-pydantic-v2/
"""

from __future__ import annotations

import ast
import dataclasses
import io
import textwrap
import tokenize
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import ClassInfo, FunctionInfo
from ...model.project import Symbol
from ...model.pydantic import imports_pydantic_v1, model_kind
from ..base import Context, Edit, Finding, Fix, Rule
from ._pydantic_v1 import (
    CONFIG_DICTS,
    METHODS,
    RENAMED_KEYS,
    SAME_KEYS,
    SETTINGS_KEYS,
    accepts,
    defines,
    receiver_model,
)

_EXTRA = ("pydantic.Extra", "pydantic.config.Extra")


def check(ctx: Context) -> Iterator[Finding]:
    version = ctx.fastapi_version
    if version is not None and version < (0, 100):
        return  # FastAPI supports Pydantic v2 from 0.100: before that the project runs Pydantic v1
    if imports_pydantic_v1(ctx.module):
        return
    yield from _config_classes(ctx)
    yield from _validators(ctx)
    yield from _config_dict_keys(ctx)
    yield from _methods(ctx)


# -- class Config ------------------------------------------------------------------------------------------
def _config_classes(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for cls in module.classes.values():
        configs = [stmt for stmt in cls.node.body if isinstance(stmt, ast.ClassDef) and stmt.name == "Config"]
        if not configs:
            continue  # checked first: it is cheaper than following the bases
        kind = model_kind(ctx.project, Symbol(module, cls.qualname, cls))
        if kind is None:
            continue
        for stmt in configs:
            ctor = "SettingsConfigDict" if kind == "settings" else "ConfigDict"
            renamed = sorted(_assigned_key(s) or "" for s in stmt.body if (_assigned_key(s) or "") in RENAMED_KEYS)
            ignored = f"; v2 ignores {', '.join(f'`{k}`' for k in renamed)}" if renamed else ""
            finding = ctx.finding(
                stmt,
                f"Pydantic v1 `class Config`: use `model_config = {ctor}(...)`{ignored}",
                fix=_config_fix(ctx, cls, stmt, kind),
            )
            line = module.source.line(stmt.lineno)
            name_at = line.find("Config", finding.start[1])
            end = (stmt.lineno, name_at + len("Config")) if name_at >= 0 else finding.end
            yield dataclasses.replace(finding, end=end)


def _assigned_key(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id
    return None


def _config_fix(ctx: Context, cls: ClassInfo, config: ast.ClassDef, kind: str) -> Fix | None:
    module, src = ctx.module, ctx.module.source
    if config.bases or config.keywords or config.decorator_list:
        return None
    comment = _header_comment(src.segment(config))
    if comment is None:
        return None
    if any(_assigned_key(s) == "model_config" for s in cls.node.body) or "model_config" in cls.fields:
        return None
    items: list[str] = []
    renamed = False
    for stmt in config.body:
        if isinstance(stmt, ast.Pass):
            continue
        key = _assigned_key(stmt)
        value = getattr(stmt, "value", None)
        if key is None or not isinstance(value, ast.expr):
            return None
        converted = _convert(ctx, cls, key, value, kind)
        if converted is None:
            return None
        items.append(converted[0])
        renamed = renamed or converted[1]
    package, ctor = ("pydantic_settings", "SettingsConfigDict") if kind == "settings" else ("pydantic", "ConfigDict")
    bound = module.scope.bindings.get(ctor)
    if bound is not None and bound not in (f"{package}.{ctor}", f"{package}.config.{ctor}"):
        return None
    indent = " " * config.col_offset if src.line(config.lineno)[: config.col_offset].isspace() else None
    if indent is None:
        return None
    one_line = f"model_config = {ctor}({', '.join(items)})"
    if "\n" in one_line or len(indent) + len(one_line) > 100:
        body = "".join(f"{indent}    {item},{src.newline}" for item in items)
        text = f"model_config = {ctor}({src.newline}{body}{indent})"
    else:
        text = one_line
    if comment:
        first, newline, rest = text.partition(src.newline)
        text = f"{first}  {comment}{newline}{rest}"
    edit = import_edit(module, package, ctor)
    return fix(
        f"Replace `class Config` with `model_config = {ctor}(...)`",
        ctx.edit(config, text),
        *([edit] if edit is not None else []),
        unsafe=renamed,
    )


def _header_comment(block: str) -> str | None:
    """The comment on the `class Config:` line ("" if none); None when other comments would be lost."""
    if "#" not in block:
        return ""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent("    " + block)).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    comments = [t for t in tokens if t.type == tokenize.COMMENT]
    if len(comments) == 1 and comments[0].start[0] == 1:
        return comments[0].string
    return None if comments else ""


def _convert(ctx: Context, cls: ClassInfo, key: str, value: ast.expr, kind: str) -> tuple[str, bool] | None:
    """`key=value` for ConfigDict and whether the key was renamed; None when not mechanical."""
    text = ctx.module.source.segment(value)
    if key in RENAMED_KEYS:
        return f"{RENAMED_KEYS[key]}={text}", True
    if key == "allow_mutation":
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return f"frozen={not value.value}", True
        return None
    if key == "extra" and isinstance(value, ast.Attribute):
        owner = ctx.module.resolve(value.value, cls.scope)
        if owner in _EXTRA:
            return f'extra="{value.attr}"', False
        return None
    if key in SAME_KEYS or (kind == "settings" and key in SETTINGS_KEYS):
        return f"{key}={text}", False
    return None


# -- validators --------------------------------------------------------------------------------------------
def _validators(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for cls in module.classes.values():
        for fn in cls.methods.values():
            for deco in fn.node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = module.resolve(target, fn.scope)
                if name == "pydantic.validator":
                    yield ctx.finding(
                        deco,
                        "Pydantic v1 `@validator`: use `@field_validator` (with `@classmethod`)",
                        fix=_validator_fix(ctx, fn, deco),
                    )
                elif name == "pydantic.root_validator":
                    yield ctx.finding(
                        deco, "Pydantic v1 `@root_validator`: use `@model_validator(mode=...)` (no automatic fix)"
                    )


def _validator_fix(ctx: Context, fn: FunctionInfo, deco: ast.expr) -> Fix | None:
    module, src = ctx.module, ctx.module.source
    if not isinstance(deco, ast.Call) or not deco.args:
        return None
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in deco.args):
        return None
    args = fn.node.args
    params = [*args.posonlyargs, *args.args]
    if len(params) != 2 or args.vararg or args.kwarg or args.kwonlyargs or args.defaults:
        return None
    parts = [src.segment(a) for a in deco.args]
    for kw in deco.keywords:
        literal = kw.value.value if isinstance(kw.value, ast.Constant) else ...
        if kw.arg == "pre" and isinstance(literal, bool):
            if literal:
                parts.append('mode="before"')
        elif kw.arg == "allow_reuse" and isinstance(literal, bool):
            continue
        elif kw.arg == "check_fields":
            parts.append(src.segment(kw))
        else:
            return None  # always=, each_item=, whole=: not mechanical
    bound = module.scope.bindings.get("field_validator")
    if bound is not None and bound != "pydantic.field_validator":
        return None
    edits: list[Edit | None] = [ctx.edit(deco, f"field_validator({', '.join(parts)})")]
    has_classmethod = any(
        isinstance(d, ast.Name) and d.id == "classmethod" and module.resolve(d, fn.scope) is None
        for d in fn.node.decorator_list
    )
    if not has_classmethod:
        # On a line of its own below the decorator, so a comment after the decorator stays with it.
        below = (deco.end_lineno or deco.lineno) + 1
        if below > len(src.lines):
            return None
        edits.append(Edit((below, 0), (below, 0), f"{src.indent_of(deco.lineno)}@classmethod{src.newline}"))
    if bound is None:
        edits.append(_field_validator_import(ctx))
    return fix("Use `@field_validator`", *edits)


def _field_validator_import(ctx: Context) -> Edit | None:
    """Rename the `validator` import when this is its last use, else add `field_validator`."""
    module = ctx.module
    tree = module.source.tree
    if len(module.calls_to("pydantic.validator")) == 1 and tree is not None:
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "pydantic" and stmt.level == 0:
                for alias in stmt.names:
                    if alias.name == "validator" and alias.asname is None:
                        return ctx.edit(alias, "field_validator")
    return import_edit(module, "pydantic", "field_validator")


# -- ConfigDict(...) with v1 keys --------------------------------------------------------------------------
def _config_dict_keys(ctx: Context) -> Iterator[Finding]:
    src = ctx.module.source
    for site in ctx.module.calls_to(*CONFIG_DICTS):
        present = {kw.arg for kw in site.node.keywords}
        for kw in site.node.keywords:
            if kw.arg in RENAMED_KEYS:
                new = RENAMED_KEYS[kw.arg]
                start = src.start(kw)
                edit = Edit(start, (start[0], start[1] + len(kw.arg)), new)
                yield ctx.finding(
                    kw,
                    f"Pydantic v1 config key `{kw.arg}` is ignored by v2: it is `{new}`",
                    fix=fix(f"Rename to `{new}`", edit, unsafe=True) if new not in present else None,
                )
            elif kw.arg == "allow_mutation":
                value = kw.value.value if isinstance(kw.value, ast.Constant) else None
                ok = isinstance(value, bool) and "frozen" not in present
                yield ctx.finding(
                    kw,
                    "Pydantic v1 config key `allow_mutation` is ignored by v2: use `frozen`",
                    fix=fix("Use `frozen`", ctx.edit(kw, f"frozen={not value}"), unsafe=True) if ok else None,
                )


# -- v1 methods --------------------------------------------------------------------------------------------
def _methods(ctx: Context) -> Iterator[Finding]:
    module, project, src = ctx.module, ctx.project, ctx.module.source
    for site in module.method_calls(*METHODS):
        assert site.attr is not None
        spec = METHODS[site.attr]
        found = receiver_model(project, module, site)
        if found is None:
            continue
        model, kind = found
        if (spec.kind == "instance" and kind != "instance") or defines(project, model, site.attr):
            continue
        func = site.node.func
        end = src.end(func)
        start = (end[0], end[1] - len(site.attr))
        edits: list[Edit | None] = []
        unsafe = False
        if accepts(spec, site.node):
            assert spec.new is not None
            edits.append(Edit(start, end, spec.new))
            if site.attr == "from_orm":
                arg_end = src.end(site.node.args[0])
                edits.append(Edit(arg_end, arg_end, ", from_attributes=True"))
                unsafe = True
        if spec.new is None:
            advice = "see the migration guide"
        elif site.attr == "from_orm":
            advice = "use `model_validate(obj, from_attributes=True)`"
        else:
            advice = f"use `.{spec.new}()`"
        finding = ctx.finding(
            func,
            f"Pydantic v1 `.{site.attr}()` on `{model.qualname.rsplit('.', 1)[-1]}`: {advice}",
            fix=fix(f"Use `.{spec.new}()`", *edits, unsafe=unsafe) if edits else None,
        )
        yield dataclasses.replace(finding, start=start, end=end)


RULE = Rule(
    code="FPA402",
    name="pydantic-v1-api",
    summary="Pydantic v1 API (`class Config`, `@validator`, `.dict()`, `parse_obj`, ...) under Pydantic v2",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    tags=frozenset({"deprecated"}),
)
