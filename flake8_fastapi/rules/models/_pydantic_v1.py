"""Pydantic v1 -> v2 knowledge for FPA402: configuration keys, methods and the receivers that are models."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

from ...model.facts import CallSite, ClassInfo, FunctionInfo, ModuleFacts
from ...model.project import Project, Symbol
from ...model.pydantic import ALL_BASES, class_chain, model_kind, model_symbol, model_symbol_of

# v1 `Config` attribute -> v2 `ConfigDict` key (only the mechanical renames).
RENAMED_KEYS = {
    "allow_population_by_field_name": "populate_by_name",
    "anystr_lower": "str_to_lower",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_upper": "str_to_upper",
    "keep_untouched": "ignored_types",
    "max_anystr_length": "str_max_length",
    "min_anystr_length": "str_min_length",
    "orm_mode": "from_attributes",
    "schema_extra": "json_schema_extra",
    "validate_all": "validate_default",
}
# Keys spelt the same in both versions.
SAME_KEYS = frozenset(
    ("title", "extra", "frozen", "use_enum_values", "validate_assignment", "arbitrary_types_allowed",
     "allow_inf_nan", "alias_generator", "json_encoders")
)  # fmt: skip
SETTINGS_KEYS = frozenset(
    ("env_prefix", "env_file", "env_file_encoding", "env_nested_delimiter", "case_sensitive", "secrets_dir")
)
# v1 keys with no mechanical v2 equivalent.
REMOVED_KEYS = frozenset(
    ("fields", "error_msg_templates", "getter_dict", "json_loads", "json_dumps", "underscore_attrs_are_private",
     "copy_on_model_validation", "smart_union", "post_init_call")
)  # fmt: skip
CONFIG_DICTS = {
    "pydantic.ConfigDict": "model",
    "pydantic.config.ConfigDict": "model",
    "pydantic_settings.SettingsConfigDict": "settings",
    "pydantic_settings.main.SettingsConfigDict": "settings",
}


@dataclass(frozen=True)
class MethodSpec:
    new: str | None  # the v2 name; None: no mechanical rewrite
    kind: Literal["instance", "class"]
    keywords: frozenset[str] | None = frozenset()  # keywords the rewrite accepts (None: any)
    positional: int = 0  # exact number of positional arguments the rewrite accepts


_DUMP = frozenset(("include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none"))
METHODS = {
    "dict": MethodSpec("model_dump", "instance", _DUMP),
    "json": MethodSpec("model_dump_json", "instance", _DUMP | {"indent"}),
    "copy": MethodSpec("model_copy", "instance", frozenset(("update", "deep"))),
    "parse_obj": MethodSpec("model_validate", "class", frozenset(), 1),
    "parse_raw": MethodSpec("model_validate_json", "class", frozenset(), 1),
    "parse_file": MethodSpec(None, "class"),
    "from_orm": MethodSpec("model_validate", "class", frozenset(), 1),
    "update_forward_refs": MethodSpec("model_rebuild", "class"),
    "schema": MethodSpec("model_json_schema", "class", frozenset(("by_alias", "ref_template"))),
    "schema_json": MethodSpec(None, "class"),
    "construct": MethodSpec("model_construct", "class", None),
    "validate": MethodSpec("model_validate", "class", frozenset(), 1),
}
_CONSTRUCTORS = frozenset(
    ("model_validate", "model_validate_json", "model_validate_strings", "model_construct", "parse_obj", "parse_raw",
     "from_orm", "construct", "validate")
)  # fmt: skip


def accepts(spec: MethodSpec, call: ast.Call) -> bool:
    """Whether the call's arguments carry over unchanged to the v2 method."""
    if spec.new is None:
        return False
    if any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return spec.keywords is None and not call.args
    if spec.keywords is not None and (len(call.args) != spec.positional):
        return False
    return spec.keywords is None or all(kw.arg in spec.keywords for kw in call.keywords)


def defines(project: Project, model: Symbol, name: str) -> bool:
    """The model (or a base) may define `name` itself: a project class declares a field or method of that
    name, or a base outside the project and outside Pydantic (a library mixin) could."""
    for cls in class_chain(project, model):
        info = cls.obj
        if not isinstance(info, ClassInfo):
            continue
        if name in info.methods or name in info.fields:
            return True
        for base in info.bases:
            if base is None or base in ALL_BASES or base.split(".", 1)[0] in _PLAIN_MODULES:
                continue
            found = project.lookup(base, cls.module)
            if found is None or not isinstance(found.obj, ClassInfo):
                return True
    return False


_PLAIN_MODULES = frozenset(("typing", "typing_extensions", "abc", "enum", "builtins", "collections"))


def receiver_model(project: Project, module: ModuleFacts, site: CallSite) -> tuple[Symbol, str] | None:
    """(model class, "instance" | "class") when the receiver of `x.m(...)` is known to be a Pydantic model."""
    func = site.node.func
    assert isinstance(func, ast.Attribute)
    qual = site.receiver
    if qual is None:
        return None
    model = model_symbol(project, qual, module)
    if model is not None:
        return model, "class"
    if not isinstance(func.value, ast.Name):
        return None
    owner_name, _, name = qual.rpartition(".")
    owner = module.functions.get(owner_name)
    if owner is None or _stores(owner).get(name, 0) != 1:
        return None  # not a local of a function, or bound more than once
    return _local_model(project, module, owner, name, qual)


def _local_model(
    project: Project, module: ModuleFacts, fn: FunctionInfo, name: str, qual: str
) -> tuple[Symbol, str] | None:
    args = fn.node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    for index, param in enumerate(params):
        if param.arg != name:
            continue
        if param.annotation is not None:
            annotation = param.annotation
            if isinstance(annotation, ast.Subscript) and module.resolve(annotation.value, fn.scope) in (
                "typing.Annotated",
            ):
                elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
                annotation = elts[0]
            model = model_symbol_of(project, annotation, module, fn.scope)
            return (model, "instance") if model is not None else None
        if index == 0 and fn.class_info is not None:
            return _self_or_cls(project, module, fn)
        return None
    assign = module.assignments.get(qual)
    if assign is None:
        return None
    if assign.annotation is not None:
        model = model_symbol_of(project, assign.annotation, module, assign.scope)
        if model is not None:
            return model, "instance"
    value = assign.value
    if isinstance(value, ast.Call):
        model = model_symbol_of(project, value.func, module, assign.scope)
        if model is not None:
            return model, "instance"
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in _CONSTRUCTORS:
            model = model_symbol_of(project, func.value, module, assign.scope)
            if model is not None:
                return model, "instance"
    return None


def _self_or_cls(project: Project, module: ModuleFacts, fn: FunctionInfo) -> tuple[Symbol, str] | None:
    """The first parameter of a method of a model class: `self` (an instance) or `cls` (the class)."""
    cls = fn.class_info
    assert cls is not None
    symbol = Symbol(module, cls.qualname, cls)
    if model_kind(project, symbol) is None:
        return None
    kind = "instance"
    for deco in fn.node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = module.resolve(target, fn.scope)
        if name is None and isinstance(target, ast.Name):
            name = "builtins." + target.id
        if name in _CLASS_DECORATORS:
            kind = "class"
        elif name not in ("builtins.property", "functools.cached_property"):
            return None  # staticmethod, or a decorator we do not know
    return symbol, kind


_CLASS_DECORATORS = frozenset(
    ("builtins.classmethod", "pydantic.validator", "pydantic.root_validator", "pydantic.field_validator",
     "pydantic.model_validator")
)  # fmt: skip
_STORE_CACHE: WeakKeyDictionary[FunctionInfo, dict[str, int]] = WeakKeyDictionary()


def _stores(fn: FunctionInfo) -> dict[str, int]:
    """How many times each name is bound in the function (parameters, assignments, loops, imports...)."""
    cached = _STORE_CACHE.get(fn)
    if cached is not None:
        return cached
    counts: dict[str, int] = {}
    for node in fn.walked:
        name: str | None = None
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            name = node.id
        elif isinstance(node, ast.arg):
            name = node.arg
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for n in node.names:
                counts[n] = counts.get(n, 0) + 2
        elif isinstance(node, ast.alias):
            name = (node.asname or node.name).split(".", 1)[0]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fn.node:
            name = node.name
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    _STORE_CACHE[fn] = counts
    return counts
