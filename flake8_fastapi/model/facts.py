"""Facts of one module: scopes and bindings, functions, classes, assignments, call sites, route sites.

`extract.py` builds them in one pass over the module's `ast`. Nothing here knows other modules: an imported
name resolves to its dotted import path (`pkg.api.users.router`), and the project index (`project.py`) follows
that across modules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from .names import canonical
from .source import SourceFile
from .walk import own_list, walk_list

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_N = TypeVar("_N", bound=ast.AST)


@dataclass(eq=False)
class Scope:
    """A module, class or function namespace. `qualname` prefixes the names bound in it."""

    qualname: str
    parent: Scope | None
    kind: str  # "module" | "class" | "function"
    bindings: dict[str, str] = field(default_factory=dict)  # local name -> qualified name it denotes
    globals_: set[str] = field(default_factory=set)

    def lookup(self, name: str) -> str | None:
        found = self.bindings.get(name)  # one probe instead of `in` then `[]`: a binding is never None
        if found is not None and name not in self.globals_:
            return found
        scope = self.parent
        while scope is not None:
            # Class bodies do not enclose the functions defined in them (Python's scoping rule).
            if scope.kind != "class":
                found = scope.bindings.get(name)
                if found is not None and name not in scope.globals_:
                    return found
            scope = scope.parent
        return None


@dataclass(eq=False, slots=True)  # slots: one per call in the project, built and read often
class CallSite:
    node: ast.Call
    scope: Scope
    function: FunctionInfo | None  # innermost enclosing function
    callee: str | None = None  # canonical qualified name of `node.func`, when it resolves
    receiver: str | None = None  # for `x.m(...)`: the qualified name of `x`, when it resolves
    attr: str | None = None  # for `x.m(...)`: "m"
    awaited: bool = False
    in_decorator: bool = False


@dataclass(eq=False, slots=True)
class CompareSite:
    """A comparison (`a == b`, `x is None`, ...) with where it appears."""

    node: ast.Compare
    scope: Scope
    function: FunctionInfo | None  # innermost enclosing function


@dataclass(eq=False)
class FunctionInfo:
    qualname: str
    node: FunctionNode
    scope: Scope  # the scope the function is defined in
    body_scope: Scope
    class_info: ClassInfo | None = None
    parent: FunctionInfo | None = None
    calls: list[CallSite] = field(default_factory=list)  # calls in the body, not in nested functions
    awaits: int = 0
    yields: list[ast.Yield | ast.YieldFrom] = field(default_factory=list)
    returns: list[ast.Return] = field(default_factory=list)
    path_params_read: bool = False  # reads `<x>.path_params`

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @cached_property
    def walked(self) -> list[ast.AST]:
        """`list(ast.walk(self.node))`, computed once: the rules that look into this function share it."""
        return walk_list(self.node)

    @cached_property
    def by_type(self) -> dict[type[ast.AST], list[ast.AST]]:
        """The nodes of `walked` by their exact type, each list in `ast.walk` order."""
        index: dict[type[ast.AST], list[ast.AST]] = {}
        for node in self.walked:
            kind = type(node)
            bucket = index.get(kind)
            if bucket is None:
                index[kind] = [node]
            else:
                bucket.append(node)
        return index

    def nodes_of(self, kind: type[_N]) -> list[_N]:
        """Every `kind` node in the function (nested functions included), in `ast.walk` order."""
        return self.by_type.get(kind, [])  # type: ignore[return-value]

    @cached_property
    def own(self) -> list[ast.AST]:
        """`list(own_nodes(self.node))`: the nodes of the body that run in this function's own scope."""
        return own_list(self.node)


@dataclass(eq=False)
class ClassInfo:
    qualname: str
    node: ast.ClassDef
    scope: Scope
    bases: list[str | None] = field(default_factory=list)  # resolved qualified names (None: unresolvable)
    fields: dict[str, ast.AnnAssign] = field(default_factory=dict)
    methods: dict[str, FunctionInfo] = field(default_factory=dict)


@dataclass(eq=False)
class Assignment:
    """`target = value` at module or function level, where `value` is a call, subscript or constant."""

    qualname: str
    target: ast.expr
    value: ast.expr
    annotation: ast.expr | None
    scope: Scope
    callee: str | None = None  # when value is a call: its canonical qualified callee
    annotation_name: str | None = None  # when annotated with a name: its canonical qualified name


@dataclass(eq=False)
class RouteSite:
    """`@x.get(...)` above a function, or `x.add_api_route(...)`: a route if `x` is an app or a router."""

    receiver: str | None  # qualified name of `x`
    method: str  # "get", "api_route", "websocket", "add_api_route", ...
    call: ast.Call
    handler: FunctionInfo | None
    handler_expr: ast.expr | None  # add_api_route's endpoint argument
    decorator_index: int  # position in the decorator list; -1 for add_api_route
    scope: Scope


@dataclass(eq=False)
class ModuleFacts:
    module: str
    source: SourceFile
    is_package: bool
    scope: Scope
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    calls: list[CallSite] = field(default_factory=list)
    routes: list[RouteSite] = field(default_factory=list)
    compares: list[CompareSite] = field(default_factory=list)
    imports: dict[str, ast.Import | ast.ImportFrom] = field(default_factory=dict)  # qualname -> statement
    import_nodes: list[tuple[ast.Import | ast.ImportFrom, Scope]] = field(default_factory=list)
    loaded: set[str] = field(default_factory=set)  # qualified names read anywhere (Name and dotted chains)
    param_annotations: dict[str, str] = field(default_factory=dict)  # parameter qualname -> its type
    incomplete: bool = False
    aliases: list[str] = field(default_factory=list)  # other dotted names the module is importable under
    memo: dict[str, object] = field(default_factory=dict)  # rules' caches of what depends on this module only
    path: str = field(init=False, repr=False)  # `source.path`, read constantly: an attribute, not a property

    def __post_init__(self) -> None:
        self.path = self.source.path

    def resolve(self, expr: ast.expr, scope: Scope | None = None) -> str | None:
        """Canonical qualified name of a Name/Attribute chain, or None."""
        return resolve_expr(expr, scope or self.scope)

    def calls_to(self, *qualnames: str) -> list[CallSite]:
        """Call sites whose callee resolves to one of `qualnames` (canonical spelling), in source order."""
        index = self._by_callee
        if len(qualnames) == 1:
            return list(index.get(qualnames[0], ()))
        if not any(q in index for q in qualnames):
            return []
        return sorted((c for q in set(qualnames) for c in index.get(q, ())), key=_call_order)

    def method_calls(self, *attrs: str) -> list[CallSite]:
        """Call sites of the form `x.attr(...)` for any of `attrs`, in source order."""
        index = self._by_attr
        if len(attrs) == 1:
            return list(index.get(attrs[0], ()))
        if not any(a in index for a in attrs):
            return []
        return sorted((c for a in set(attrs) for c in index.get(a, ())), key=_call_order)

    @cached_property
    def _by_callee(self) -> dict[str, list[CallSite]]:
        index: dict[str, list[CallSite]] = {}
        for call in self.calls:
            if call.callee is not None:
                index.setdefault(call.callee, []).append(call)
        return index

    @cached_property
    def _by_attr(self) -> dict[str, list[CallSite]]:
        index: dict[str, list[CallSite]] = {}
        for call in self.calls:
            if call.attr is not None:
                index.setdefault(call.attr, []).append(call)
        return index

    def function_of(self, node: ast.AST) -> FunctionInfo | None:
        for fn in self.functions.values():
            if fn.node is node:
                return fn
        return None

    def imports_module(self, prefix: str) -> bool:
        """Whether any import binds something from `prefix` (a module or package name)."""
        dotted = prefix + "."
        return any(q == prefix or q.startswith(dotted) for q in self.imports)


def _call_order(call: CallSite) -> tuple[int, int]:
    return call.node.lineno, call.node.col_offset


def resolve_expr(
    expr: ast.expr,
    scope: Scope,
    lookups: dict[tuple[int, str], str | None] | None = None,
    spellings: dict[str, str] | None = None,
) -> str | None:
    """The canonical qualified name `expr` (a name or a dotted chain) denotes in `scope`. `lookups` and
    `spellings` remember scope lookups and canonical spellings across calls, once the bindings are complete."""
    parts: list[str] = []
    node = expr
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if lookups is None:
        base = scope.lookup(node.id)
    else:
        key = (id(scope), node.id)
        base = lookups[key] if key in lookups else lookups.setdefault(key, scope.lookup(node.id))
    if base is None:
        return None
    if parts:
        parts.reverse()
        base = base + "." + ".".join(parts)
    if spellings is None:
        return canonical(base)
    found = spellings.get(base)
    if found is None:
        found = spellings[base] = canonical(base)
    return found
