"""## What it does
Finds `app.dependency_overrides[x] = ...` (and `app.dependency_overrides.update({x: ...})`) where `x` is a
project function or class that is no dependency anywhere in the project: never passed to `Depends(...)` or
`Security(...)`, whether in a parameter, an `Annotated` alias, or a decorator, router or app
`dependencies=[...]`. The rule stays silent when `x` cannot be resolved to a project function or class, and
when the project passes to `Depends` something it cannot resolve (a factory's result, a name it cannot follow),
which might be `x` in disguise.

## Why is this bad?
FastAPI consults `dependency_overrides` only when it resolves a `Depends(x)`. A function the routes call
directly (`settings = get_settings()`), or the wrong object (the session class instead of the `get_db`
dependency that yields it), is never looked up there: the override is silently ignored, and the test runs
against the real database or the real settings while looking isolated.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


def get_settings() -> dict[str, str]:
    return {"env": "production"}


@app.get("/env")
def read_env() -> dict[str, str]:
    return get_settings()


app.dependency_overrides[get_settings] = lambda: {"env": "test"}
```

## Use instead
```python
from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_settings() -> dict[str, str]:
    return {"env": "production"}


@app.get("/env")
def read_env(settings: Annotated[dict[str, str], Depends(get_settings)]) -> dict[str, str]:
    return settings


app.dependency_overrides[get_settings] = lambda: {"env": "test"}
```

## Fix
No fix: either the code should take `x` through `Depends`, or the test should override the dependency that is
really used.

## Related
No equivalent in ruff or flake8-fastapi (the fastapi-lsp language server reports `override-unused`).

## See also
- https://fastapi.tiangolo.com/advanced/testing-dependencies/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import Assignment, ClassInfo, FunctionInfo, ModuleFacts, Scope
from ...model.params import resolve_callable
from ...model.project import Project
from ...model.walk import pruned
from ..base import Context, Finding, Rule

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not any(q.endswith(".dependency_overrides") for q in module.loaded):
        return
    known: tuple[set[str], bool, bool] | None = None
    for key_expr, scope in _override_keys(module):
        found = resolve_callable(project, module, key_expr, scope)
        if found is None:
            continue
        if known is None:
            known = _dependencies(project)
        targets, complete, empty = known
        if not complete:
            return
        target_module, obj = found
        if isinstance(obj, ClassInfo) and empty:
            continue
        if f"{target_module.path}::{obj.qualname}" in targets:
            continue
        name = module.source.segment(key_expr)
        what = "class" if isinstance(obj, ClassInfo) else "function"
        yield ctx.finding(
            key_expr,
            f"`{name}` is overridden but no `Depends(...)` in the project uses this {what}: FastAPI never looks "
            f"it up in `dependency_overrides`, so the override has no effect",
        )


def _override_keys(module: ModuleFacts) -> Iterator[tuple[ast.expr, Scope]]:
    """Keys written into `<x>.dependency_overrides`: `[key] = ...` and `.update({key: ...})`."""
    tree = module.source.tree
    if tree is None:
        return
    bodies: list[tuple[list[ast.stmt], Scope]] = [(tree.body, module.scope)]
    bodies.extend((fn.node.body, fn.body_scope) for fn in module.functions.values())
    for body, scope in bodies:
        for stmt in body:
            for node in _walk(stmt):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Subscript) and _is_overrides(module, target.value, scope):
                            yield target.slice, scope
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "update"
                    and _is_overrides(module, node.func.value, scope)
                ):
                    for arg in node.args:
                        if isinstance(arg, ast.Dict):
                            yield from ((k, scope) for k in arg.keys if k is not None)


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one statement, not descending into nested functions or classes (walked on their own)."""
    return iter(pruned([node], _NESTED))


def _is_overrides(module: ModuleFacts, expr: ast.expr, scope: Scope) -> bool:
    if not isinstance(expr, ast.Attribute) or expr.attr != "dependency_overrides":
        return False
    return module.resolve(expr, scope) is not None


def _dependencies(project: Project) -> tuple[set[str], bool, bool]:
    """Keys of every project function or class passed to `Depends`/`Security`; whether every such argument
    was understood (False: something passed to `Depends` might be any project callable); whether some
    `Depends()` takes its class from the annotation."""
    cached = project.derived.get("fpa208.dependencies")
    if isinstance(cached, tuple):
        return cached
    keys: set[str] = set()
    complete = True
    empty = False
    for module in project.modules.values():
        for site in module.calls_to("fastapi.Depends", "fastapi.Security"):
            call = site.node
            expr = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
            if expr is None:
                empty = True  # `Annotated[Cls, Depends()]`: some class, named by the annotation
                continue
            if not _collect(project, module, expr, site.scope, keys):
                complete = False
    result = (keys, complete, empty)
    project.derived["fpa208.dependencies"] = result
    return result


def _collect(
    project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope, keys: set[str], depth: int = 0
) -> bool:
    """Add what `Depends(expr)` calls to `keys`; False when that cannot be told and might be a project callable."""
    if depth > 5:
        return False
    if isinstance(expr, ast.Lambda):
        return True  # a lambda is no module-level project function
    if isinstance(expr, ast.Call):
        found = resolve_callable(project, module, expr.func, scope)
        if found is not None:
            if isinstance(found[1], ClassInfo):
                keys.add(f"{found[0].path}::{found[1].qualname}.__call__")
                return True
            return False  # a project factory: it may return any project function
        return _is_library(project, module, expr.func, scope)
    qual = module.resolve(expr, scope)
    if qual is None:
        return False
    symbol = project.lookup(qual, module)
    if symbol is None:
        return _is_library(project, module, expr, scope)
    if isinstance(symbol.obj, (FunctionInfo, ClassInfo)):
        keys.add(f"{symbol.module.path}::{symbol.obj.qualname}")
        return True
    if isinstance(symbol.obj, Assignment):
        return _collect(project, symbol.module, symbol.obj.value, symbol.obj.scope, keys, depth + 1)
    return False


def _is_library(project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope) -> bool:
    """A name that resolves outside the project (an installed library): it cannot be a project callable."""
    qual = module.resolve(expr, scope)
    if qual is None:
        return False
    parts = qual.split(".")
    return not any(project.find_module(".".join(parts[:i]), module) for i in range(1, len(parts) + 1))


RULE = Rule(
    code="FPA208",
    name="override-of-non-dependency",
    summary="`app.dependency_overrides[x]` where `x` is no dependency anywhere in the project",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
