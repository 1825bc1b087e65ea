"""Parameters of handlers and dependencies: markers (`Depends`, `Query`, ...) whether written as defaults or
inside `Annotated` (directly or through an alias, possibly imported), and the dependencies they name."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from .facts import Assignment, CallSite, ClassInfo, FunctionInfo, ModuleFacts, Scope
from .names import marker_name
from .project import Project, Route


@dataclass(eq=False)
class Param:
    name: str
    arg: ast.arg
    kind: str  # "positional" | "keyword" | "vararg" | "kwarg"
    annotation: ast.expr | None
    default: ast.expr | None
    marker: str | None = None  # "Depends", "Query", ...
    marker_call: ast.Call | None = None
    marker_in_default: bool = False
    alias: str | None = None  # the name FastAPI reads it under (`alias=`, `validation_alias=`)
    type_expr: ast.expr | None = None  # the type without Annotated
    unresolved_alias: bool = False  # annotation is a name we cannot see through
    module: ModuleFacts | None = None  # where marker_call / type_expr live
    scope: Scope | None = None

    @property
    def dependency(self) -> ast.expr | None:
        """The callable `Depends(x)` / `Security(x)` names; for a bare `Depends()`, the annotated type."""
        if self.marker not in ("Depends", "Security") or self.marker_call is None:
            return None
        call = self.marker_call
        if call.args:
            return call.args[0]
        for kw in call.keywords:
            if kw.arg == "dependency":
                return kw.value
        return self.type_expr


def _annotated_parts(
    project: Project, module: ModuleFacts, annotation: ast.expr, scope: Scope, depth: int = 0
) -> tuple[ast.expr | None, list[ast.expr], ModuleFacts, Scope, bool]:
    """(type, metadata, module, scope, unresolved) of an annotation, seeing through `Annotated` aliases."""
    if isinstance(annotation, ast.Subscript):
        base = module.resolve(annotation.value, scope)
        if base == "typing.Annotated":
            elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            return (elts[0] if elts else None), list(elts[1:]), module, scope, False
        return annotation, [], module, scope, False
    if isinstance(annotation, (ast.Name, ast.Attribute)) and depth < 5:
        qual = module.resolve(annotation, scope)
        if qual is None:
            return annotation, [], module, scope, False
        symbol = project.lookup(qual, module)
        if symbol is not None and isinstance(symbol.obj, Assignment):
            value = symbol.obj.value
            if isinstance(value, ast.Subscript):
                return _annotated_parts(project, symbol.module, value, symbol.obj.scope, depth + 1)
            return annotation, [], module, scope, False
        if symbol is None and not _is_library_name(qual):
            return annotation, [], module, scope, True
    return annotation, [], module, scope, False


def _is_library_name(qual: str) -> bool:
    top = qual.split(".", 1)[0]
    return (
        top
        in {
            "builtins",
            "typing",
            "typing_extensions",
            "fastapi",
            "starlette",
            "pydantic",
            "datetime",
            "uuid",
            "decimal",
            "enum",
            "collections",
            "sqlalchemy",
            "sqlmodel",
        }
        or "." not in qual
    )


def params_of(project: Project, module: ModuleFacts, fn: FunctionInfo) -> list[Param]:
    """The parameters of `fn` (defined in `module`), computed once per project link: the result depends on
    other modules (aliases), so it is kept in `project.derived`, which every update clears."""
    memo = project.derived.get("params.params_of")
    if not isinstance(memo, dict):
        memo = project.derived["params.params_of"] = {}
    key = (id(fn), id(module))
    kept = memo.get(key)
    if kept is not None and kept[0] is fn and kept[1] is module:
        return list(kept[2])
    out = _params_of(project, module, fn)
    memo[key] = (fn, module, out)
    return list(out)


def _params_of(project: Project, module: ModuleFacts, fn: FunctionInfo) -> list[Param]:
    args = fn.node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out: list[Param] = []
    entries: list[tuple[ast.arg, str, ast.expr | None]] = [
        *((a, "positional", d) for a, d in zip(positional, defaults)),
        *((a, "keyword", d) for a, d in zip(args.kwonlyargs, args.kw_defaults)),
    ]
    if args.vararg is not None:
        entries.append((args.vararg, "vararg", None))
    if args.kwarg is not None:
        entries.append((args.kwarg, "kwarg", None))
    for arg, kind, default in entries:
        param = Param(arg.arg, arg, kind, arg.annotation, default, module=module, scope=fn.scope)
        param.type_expr = arg.annotation
        if arg.annotation is not None:
            type_expr, metadata, where, scope, unresolved = _annotated_parts(project, module, arg.annotation, fn.scope)
            param.type_expr, param.unresolved_alias = type_expr, unresolved
            for meta in metadata:
                if isinstance(meta, ast.Call):
                    name = marker_name(where.resolve(meta.func, scope))
                    if name is not None:
                        param.marker, param.marker_call, param.module, param.scope = name, meta, where, scope
        if isinstance(default, ast.Call):
            name = marker_name(module.resolve(default.func, fn.scope))
            if name is not None:
                param.marker, param.marker_call, param.marker_in_default = name, default, True
                param.module, param.scope = module, fn.scope
        if param.marker_call is not None:
            for kw in param.marker_call.keywords:
                value = kw.value
                if kw.arg in ("alias", "validation_alias") and isinstance(value, ast.Constant):
                    param.alias = value.value if isinstance(value.value, str) else param.alias
        out.append(param)
    return out


Callable_ = tuple[ModuleFacts, FunctionInfo | ClassInfo]


def resolve_dependency(project: Project, param: Param) -> Callable_ | None:
    """The function or class a `Depends(...)` parameter names, when it is in the project."""
    expr = param.dependency
    if expr is None or param.module is None or param.scope is None:
        return None
    return resolve_callable(project, param.module, expr, param.scope)


def resolve_callable(project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope) -> Callable_ | None:
    symbol = project.lookup(module.resolve(expr, scope), module)
    if symbol is None:
        return None
    if isinstance(symbol.obj, (FunctionInfo, ClassInfo)):
        return symbol.module, symbol.obj
    return None


def decorator_dependencies(call: ast.Call) -> list[ast.expr]:
    """The `Depends(...)` calls inside `dependencies=[...]` of a route decorator or router constructor."""
    for kw in call.keywords:
        if kw.arg == "dependencies" and isinstance(kw.value, (ast.List, ast.Tuple)):
            return list(kw.value.elts)
    return []


def callable_params(project: Project, target: Callable_) -> list[Param] | None:
    """Parameters FastAPI reads for a dependency: a function's own, a class's `__init__` (or fields)."""
    module, obj = target
    if isinstance(obj, FunctionInfo):
        return params_of(project, module, obj)
    init = obj.methods.get("__init__")
    if init is not None:
        return params_of(project, module, init)[1:]
    if obj.fields:
        return [
            Param(
                name,
                ast.arg(arg=name),
                "keyword",
                stmt.annotation,
                stmt.value,
                module=module,
                scope=obj.scope,
            )
            for name, stmt in obj.fields.items()
        ]
    return None


def route_dependencies(project: Project, route: Route) -> list[tuple[ModuleFacts, Scope, ast.expr]]:
    """`Depends(...)` calls that apply to a route besides its parameters: the decorator's
    `dependencies=[...]`, its router's, those of every `include_router` on the way, and the app's."""
    out: list[tuple[ModuleFacts, Scope, ast.expr]] = [
        (route.module, route.site.scope, d) for d in decorator_dependencies(route.site.call)
    ]
    if route.router.call is not None:
        out.extend(
            (route.router.module, route.router.module.scope, d) for d in decorator_dependencies(route.router.call)
        )
    seen: set[int] = set()
    for mount in route.mounts:
        for inc in mount.chain:
            if id(inc) not in seen:
                seen.add(id(inc))
                out.extend((inc.module, inc.site.scope, d) for d in decorator_dependencies(inc.site.node))
        app = project.objects.get(mount.app)
        if app is not None and app.call is not None and id(app) not in seen:
            seen.add(id(app))
            out.extend((app.module, app.module.scope, d) for d in decorator_dependencies(app.call))
    return out


def depends_target(
    project: Project, module: ModuleFacts, scope: Scope, expr: ast.expr
) -> tuple[bool, Callable_ | None]:
    """For an expression that should be `Depends(x)`: (is a Depends call, what x resolves to)."""
    if not isinstance(expr, ast.Call) or marker_name(module.resolve(expr.func, scope)) not in (
        "Depends",
        "Security",
    ):
        return False, None
    target = expr.args[0] if expr.args else None
    if target is None:
        return True, None
    return True, resolve_callable(project, module, target, scope)


DependencyFunctions = dict[str, tuple[ModuleFacts, FunctionInfo]]


def dependency_functions(project: Project) -> DependencyFunctions:
    """Every project function FastAPI calls as a dependency, keyed `path::qualname`: the functions named in
    `Depends(...)`/`Security(...)` anywhere (parameters, `Annotated` aliases, `dependencies=[...]`), and the
    `__call__` of a project class whose instance is passed (`Depends(Checker("admin"))`, or a name bound to
    such an instance). Kept across updates (see `_DependencyTable`)."""
    return _dependency_table(project).merged


def dependency_functions_in(project: Project, path: str) -> dict[int, FunctionInfo]:
    """The functions of the module at `path` that the project uses as dependencies, by id."""
    return _dependency_table(project).by_path.get(path, {})


def _dependency_table(project: Project) -> _DependencyTable:
    return project.incremental("params.dependency_functions", _DependencyTable.build, _DependencyTable.update)


@dataclass(eq=False)
class _DependencyTable:
    """`dependency_functions` kept across updates, so that a keystroke does not merge every module's share.

    Each module's share (what it names) is recomputed only for the changed paths. A module naming a function
    of another imports it, so every share naming a changed module's function is recomputed too. While the
    changed shares name the same keys in the same order, the merged order and each key's providers are the
    same: only their values (new facts) are replaced; otherwise the merge is redone from the kept shares."""

    shares: dict[str, DependencyFunctions]  # path -> what that module names, in module order
    merged: DependencyFunctions  # every share merged in module order (as `dict.update` does)
    providers: dict[str, list[str]]  # key -> paths of the modules naming it, in module order
    keys_by_path: dict[str, list[str]]  # the dependency functions' path -> their keys, in merged order
    by_path: dict[str, dict[int, FunctionInfo]]  # the dependency functions' path -> id -> function

    @staticmethod
    def build(project: Project) -> _DependencyTable:
        shares = {path: _named_in(project, facts) for path, facts in project.modules.items()}
        return _DependencyTable._merge(shares)

    @staticmethod
    def _merge(shares: dict[str, DependencyFunctions]) -> _DependencyTable:
        merged: DependencyFunctions = {}
        providers: dict[str, list[str]] = {}
        for path, share in shares.items():
            merged.update(share)
            for key in share:
                providers.setdefault(key, []).append(path)
        keys_by_path: dict[str, list[str]] = {}
        by_path: dict[str, dict[int, FunctionInfo]] = {}
        for key, (mod, fn) in merged.items():
            keys_by_path.setdefault(mod.path, []).append(key)
            by_path.setdefault(mod.path, {})[id(fn)] = fn
        return _DependencyTable(shares, merged, providers, keys_by_path, by_path)

    @staticmethod
    def update(project: Project, table: _DependencyTable, changed: frozenset[str]) -> _DependencyTable:
        shares = dict(table.shares)
        same_keys = True
        for path in changed:
            facts = project.modules.get(path)
            old = shares.get(path)
            if facts is None or old is None:
                return _DependencyTable.build(project)
            new = shares[path] = _named_in(project, facts)
            same_keys = same_keys and list(new) == list(old)
        if not same_keys:
            return _DependencyTable._merge(shares)
        merged = dict(table.merged)
        targets: set[str] = set()
        for path in changed:
            for key in shares[path]:
                merged[key] = shares[table.providers[key][-1]][key]
                targets.add(merged[key][0].path)
        by_path = dict(table.by_path)
        for target in targets:
            by_path[target] = {id(merged[key][1]): merged[key][1] for key in table.keys_by_path[target]}
        return _DependencyTable(shares, merged, table.providers, table.keys_by_path, by_path)


def _named_in(project: Project, module: ModuleFacts) -> DependencyFunctions:
    """The dependency functions one module names (kept with its link parts, see `Project.module_part`)."""
    out: DependencyFunctions = {}
    for site, expr in depends_calls(module):
        found = _dependency_function(project, module, expr, site.scope)
        if found is not None:
            out[f"{found[0].path}::{found[1].qualname}"] = found
    return out


def _dependency_function(
    project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope
) -> tuple[ModuleFacts, FunctionInfo] | None:
    if isinstance(expr, ast.Call):  # an instance: FastAPI calls its `__call__`
        target = resolve_callable(project, module, expr.func, scope)
        if target is not None and isinstance(target[1], ClassInfo):
            method = target[1].methods.get("__call__")
            return (target[0], method) if method is not None else None
        return None
    symbol = project.lookup(module.resolve(expr, scope), module)
    if symbol is None:
        return None
    if isinstance(symbol.obj, FunctionInfo):
        return symbol.module, symbol.obj
    if isinstance(symbol.obj, Assignment) and isinstance(symbol.obj.value, ast.Call):
        return _dependency_function(project, symbol.module, symbol.obj.value, symbol.obj.scope)
    return None


def depends_calls(module: ModuleFacts) -> Iterator[tuple[CallSite, ast.expr]]:
    """Every `Depends(x)` / `Security(x)` call of a module that names its dependency, with `x` (found once per
    module: it depends on nothing else)."""
    kept = module.memo.get("params.depends_calls")
    if isinstance(kept, list):
        return iter(cast(list[tuple[CallSite, ast.expr]], kept))
    found: list[tuple[CallSite, ast.expr]] = []
    for site in module.calls_to("fastapi.Depends", "fastapi.Security"):
        call = site.node
        expr = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
        if expr is not None:
            found.append((site, expr))
    module.memo["params.depends_calls"] = found
    return iter(found)
