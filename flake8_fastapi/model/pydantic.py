"""Pydantic models and settings classes of a project, through inheritance across files, and their fields.

A class is a model when one of its bases, followed through the project's classes, is `pydantic.BaseModel`,
a `pydantic_settings.BaseSettings` (or the Pydantic v1 `pydantic.BaseSettings`), or SQLModel's `SQLModel`.
Classes built on `pydantic.v1` are v1 models and are not reported as v2 models. Nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from .facts import ClassInfo, ModuleFacts, Scope
from .names import canonical
from .project import Project, Symbol

MODEL_BASES = frozenset(
    (
        "pydantic.BaseModel",
        "pydantic.RootModel",
        "pydantic.root_model.RootModel",
        "sqlmodel.SQLModel",
        "sqlmodel.main.SQLModel",
    )
)
SETTINGS_BASES = frozenset(
    (
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",  # Pydantic v1 (FPA403)
        "pydantic.env_settings.BaseSettings",
    )
)
V1_BASES = frozenset(("pydantic.v1.BaseModel", "pydantic.v1.BaseSettings"))
ALL_BASES = MODEL_BASES | SETTINGS_BASES


def _canon(name: str) -> str:
    name = canonical(name)
    if name.startswith("pydantic.v1.") and name.count(".") > 2:  # pydantic.v1.main.BaseModel
        return "pydantic.v1." + name.rsplit(".", 1)[1]
    return name


@dataclass(frozen=True)
class ModelField:
    name: str
    stmt: ast.AnnAssign
    owner: Symbol  # the class that declares it


def model_kind(project: Project, symbol: Symbol) -> str | None:
    """ "settings", "model" or None for a project class (None also for Pydantic v1 classes). Rules ask it
    for the same classes again and again: the answer is kept in `project.derived` (bases may be anywhere)."""
    if not isinstance(symbol.obj, ClassInfo):
        return None
    memo = project.derived.get("pydantic.model_kind")
    if not isinstance(memo, dict):
        memo = project.derived["pydantic.model_kind"] = {}
    kept = memo.get(symbol.key)
    if kept is not None and kept[0] is symbol.obj and kept[1] is symbol.module:
        return cast(str | None, kept[2])
    kind = _model_kind(project, symbol)
    memo[symbol.key] = (symbol.obj, symbol.module, kind)
    return kind


def _model_kind(project: Project, symbol: Symbol) -> str | None:
    bases = {_canon(b) for b in project.class_bases(symbol)}
    if bases & V1_BASES:
        return None
    if bases & SETTINGS_BASES:
        return "settings"
    if bases & MODEL_BASES:
        return "model"
    return None


def model_symbol(project: Project, qualname: str | None, module: ModuleFacts) -> Symbol | None:
    """The project class a name denotes, when it is a Pydantic model or settings class."""
    if qualname is None:
        return None
    symbol = project.lookup(qualname, module)
    if symbol is None or model_kind(project, symbol) is None:
        return None
    return symbol


def model_symbol_of(project: Project, expr: ast.expr, module: ModuleFacts, scope: Scope) -> Symbol | None:
    """`expr` (a Name/Attribute, or a string holding one) as a project model class."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return None
    if not isinstance(expr, (ast.Name, ast.Attribute)):
        return None
    return model_symbol(project, module.resolve(expr, scope), module)


def _mro(project: Project, symbol: Symbol, seen: set[str]) -> Iterator[Symbol]:
    """The class and its project bases, most derived first (depth first, as close to the MRO as needed)."""
    if symbol.key in seen or not isinstance(symbol.obj, ClassInfo):
        return
    seen.add(symbol.key)
    yield symbol
    for base in symbol.obj.bases:
        if base is None:
            continue
        found = project.lookup(base, symbol.module)
        if found is not None and isinstance(found.obj, ClassInfo):
            yield from _mro(project, found, seen)


def class_chain(project: Project, symbol: Symbol) -> list[Symbol]:
    return list(_mro(project, symbol, set()))


def model_fields(project: Project, symbol: Symbol) -> dict[str, ModelField]:
    """Fields of a model, inherited ones included; a subclass's declaration wins."""
    out: dict[str, ModelField] = {}
    for cls in class_chain(project, symbol):
        assert isinstance(cls.obj, ClassInfo)
        for name, stmt in cls.obj.fields.items():
            if name in out or name.startswith("_"):
                continue
            if _is_classvar(cls.module, stmt.annotation, cls.obj):
                continue
            out[name] = ModelField(name, stmt, cls)
    return out


def _is_classvar(module: ModuleFacts, annotation: ast.expr, cls: ClassInfo) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return module.resolve(target, cls.scope) == "typing.ClassVar"


def imports_pydantic_v1(module: ModuleFacts) -> bool:
    return module.imports_module("pydantic.v1")


def models_in(
    project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope, *, origins: bool = False
) -> Iterator[Symbol]:
    """Model classes named anywhere in a type expression (`list[A]`, `A | None`, `dict[str, A]`, `"A"`);
    with `origins`, also the subscripted class itself (`Page[A]` gives `Page` and `A`)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return
    if isinstance(expr, ast.Subscript):
        if origins:
            yield from models_in(project, module, expr.value, scope, origins=origins)
        yield from models_in(project, module, expr.slice, scope, origins=origins)
    elif isinstance(expr, ast.BinOp):
        yield from models_in(project, module, expr.left, scope, origins=origins)
        yield from models_in(project, module, expr.right, scope, origins=origins)
    elif isinstance(expr, (ast.Tuple, ast.List)):
        for elt in expr.elts:
            yield from models_in(project, module, elt, scope, origins=origins)
    elif isinstance(expr, (ast.Name, ast.Attribute)):
        symbol = model_symbol_of(project, expr, module, scope)
        if symbol is not None:
            yield symbol
