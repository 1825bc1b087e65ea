"""## What it does
Finds `BaseSettings` imported from `pydantic` (`from pydantic import BaseSettings`, or `pydantic.BaseSettings`
used as a base class).

## Why is this bad?
Pydantic v2 moved settings management into its own distribution, `pydantic-settings`. Under Pydantic v2 the
old import fails when the module is imported (`PydanticImportError: BaseSettings has been moved to the
pydantic-settings package`), so the application does not start. FastAPI has required Pydantic v2 since 0.100
for new projects, and current releases no longer support Pydantic v1 at all. An import inside a module-level
`if`/`try` (a shim that picks the Pydantic version on purpose) is left alone.

Holds for projects on Pydantic v2: silent when the project targets a FastAPI older than 0.100 (which
required Pydantic v1).

## Example
```python
from pydantic import BaseModel, BaseSettings


class Settings(BaseSettings):
    database_url: str = "sqlite://"
```

## Use instead
```python
from pydantic import BaseModel
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "sqlite://"
```

## Fix
Moves `BaseSettings` (keeping any `as` alias) out of the `pydantic` import into
`from pydantic_settings import BaseSettings`, splitting a combined import; for `pydantic.BaseSettings` used as a
base, rewrites it to `BaseSettings` imported from `pydantic_settings`. Safe: the old import cannot work under
Pydantic v2. Add `pydantic-settings` to the project's dependencies. Settings written for v1 may also need
FPA402's fixes (`class Config` becomes `model_config = SettingsConfigDict(...)`).

## Related
No equivalent in ruff or flake8-fastapi (ruff's `FAST` rules do not look at Pydantic imports).

## See also
- https://docs.pydantic.dev/latest/concepts/pydantic_settings/
- https://docs.pydantic.dev/latest/migration/#basesettings-has-moved-to-pydantic-settings
- https://fastapi.tiangolo.com/advanced/settings/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import ModuleFacts
from ...model.walk import children
from ..base import Context, Edit, Finding, Fix, Rule

_OLD_MODULES = ("pydantic", "pydantic.env_settings")
_MESSAGE = "`BaseSettings` moved from `pydantic` to `pydantic_settings` in Pydantic v2 (this import fails there)"


def _guarded_imports(tree: ast.Module | None) -> set[int]:
    """Imports inside a module-level `if` or `try`: code that picks a Pydantic version on purpose."""
    out: set[int] = set()
    stack: list[ast.stmt] = [s for s in (tree.body if tree else []) if isinstance(s, (ast.If, ast.Try))]
    while stack:
        stmt = stack.pop()
        for child in children(stmt):
            if isinstance(child, ast.ImportFrom):
                out.add(id(child))
            elif isinstance(child, (ast.If, ast.Try, ast.ExceptHandler)):
                stack.append(child)  # type: ignore[arg-type]
    return out


def check(ctx: Context) -> Iterator[Finding]:
    version = ctx.fastapi_version
    if version is not None and version < (0, 100):
        return  # FastAPI supports Pydantic v2 from 0.100: before that the project runs Pydantic v1
    module = ctx.module
    guarded = _guarded_imports(module.source.tree)
    for stmt, _scope in module.import_nodes:
        if not isinstance(stmt, ast.ImportFrom) or stmt.level != 0 or stmt.module not in _OLD_MODULES:
            continue
        if id(stmt) in guarded:
            continue  # a compatibility shim (`if PYDANTIC_V2: ... else: ...`, `try/except ImportError`)
        for alias in stmt.names:
            if alias.name == "BaseSettings":
                yield ctx.finding(alias, _MESSAGE, fix=_import_fix(module, stmt, alias))
    for cls in module.classes.values():
        for expr, base in zip(cls.node.bases, cls.bases):
            if base in ("pydantic.BaseSettings", "pydantic.env_settings.BaseSettings") and isinstance(
                expr, ast.Attribute
            ):
                edit = import_edit(module, "pydantic_settings", "BaseSettings")
                bound = module.scope.bindings.get("BaseSettings")
                ok = bound is None or bound == "pydantic_settings.BaseSettings"
                yield ctx.finding(
                    expr,
                    _MESSAGE,
                    fix=fix(
                        "Use `BaseSettings` from `pydantic_settings`",
                        ctx.edit(expr, "BaseSettings"),
                        *([edit] if edit is not None else []),
                    )
                    if ok
                    else None,
                )


def _import_fix(module: ModuleFacts, stmt: ast.ImportFrom, alias: ast.alias) -> Fix | None:
    src = module.source
    name = f"BaseSettings as {alias.asname}" if alias.asname else "BaseSettings"
    if len(stmt.names) == 1:
        # `from pydantic import BaseSettings`: only the module changes.
        line = f"from pydantic_settings import {name}"
        return fix("Import `BaseSettings` from `pydantic_settings`", Edit(src.start(stmt), src.end(stmt), line))
    index = stmt.names.index(alias)
    if index > 0:
        removal = Edit(src.end(stmt.names[index - 1]), src.end(alias), "")
    else:
        removal = Edit(src.start(alias), src.start(stmt.names[1]), "")
    if _has_comment(src.text_between(removal.start, removal.end)):
        return None
    end_line = stmt.end_lineno or stmt.lineno
    indent = src.indent_of(stmt.lineno)
    line = f"{indent}from pydantic_settings import {name}"
    if end_line < len(src.lines):
        insert = Edit((end_line + 1, 0), (end_line + 1, 0), line + src.newline)
    else:
        insert = Edit(src.end(stmt), src.end(stmt), src.newline + line)
    return fix("Import `BaseSettings` from `pydantic_settings`", removal, insert)


def _has_comment(text: str) -> bool:
    return "#" in text


RULE = Rule(
    code="FPA403",
    name="base-settings-from-pydantic",
    summary="`BaseSettings` imported from `pydantic` instead of `pydantic_settings`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="module",
    tags=frozenset({"deprecated"}),
)
