"""Facts of one module, extracted in a single pass over its `ast` (pyflakes-style scopes, deferred resolution).

The walk records raw items with the scope they appear in; names are resolved once the walk is over, so a
function body may use a module-level name bound further down, as Python allows. Nothing here knows other
modules: an imported name resolves to its dotted import path (`pkg.api.users.router`), and the project index
(`project.py`) follows that across modules.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from .names import ROUTE_CALLS, ROUTE_DECORATORS, canonical
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
        scope: Scope | None = self
        first = True
        while scope is not None:
            # Class bodies do not enclose the functions defined in them (Python's scoping rule).
            if (first or scope.kind != "class") and name in scope.bindings and name not in scope.globals_:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return None


@dataclass(eq=False)
class CallSite:
    node: ast.Call
    scope: Scope
    function: FunctionInfo | None  # innermost enclosing function
    callee: str | None = None  # canonical qualified name of `node.func`, when it resolves
    receiver: str | None = None  # for `x.m(...)`: the qualified name of `x`, when it resolves
    attr: str | None = None  # for `x.m(...)`: "m"
    awaited: bool = False
    in_decorator: bool = False


@dataclass(eq=False)
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

    @property
    def path(self) -> str:
        return self.source.path

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


def _module_qualname(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute module name of a relative import."""
    if level == 0:
        return target or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


class _Extractor:
    """One recursive pass. Dispatch on node type; everything else descends through `iter_child_nodes`."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.scope = facts.scope
        self.function: FunctionInfo | None = None
        self.class_info: ClassInfo | None = None
        self.deferred_names: list[tuple[ast.Name | ast.Attribute, Scope]] = []
        self.deferred_simple: dict[tuple[int, str], Scope] = {}  # plain names read, once per scope
        self.decorator_depth = 0
        self.await_depth = 0

    # -- traversal -----------------------------------------------------------------------------------
    def visit(self, node: ast.AST) -> None:
        method = _DISPATCH.get(type(node))
        if method is not None:
            method(self, node)
            return
        self.visit_children(node)

    def visit_children(self, node: ast.AST) -> None:
        # `for child in ast.iter_child_nodes(node): self.visit(child)`, without the generators, and without
        # visiting the leaves that hold nothing (contexts, operators, constants).
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST) and type(item) not in _LEAVES:
                        self.visit(item)
            elif isinstance(value, _AST) and type(value) not in _LEAVES:
                self.visit(value)

    # -- bindings ------------------------------------------------------------------------------------
    def bind(self, name: str, qualname: str) -> None:
        self.scope.bindings[name] = qualname

    def local_qualname(self, name: str) -> str:
        return f"{self.scope.qualname}.{name}" if self.scope.qualname else name

    def visit_Import(self, node: ast.Import) -> None:
        self.facts.import_nodes.append((node, self.scope))
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, alias.name)
                self.facts.imports[alias.name] = node
            else:
                top = alias.name.split(".", 1)[0]
                self.bind(top, top)
                self.facts.imports[alias.name] = node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.facts.import_nodes.append((node, self.scope))
        base = _module_qualname(self.facts.module, self.facts.is_package, node.level, node.module)
        for alias in node.names:
            if alias.name == "*":
                continue
            qual = f"{base}.{alias.name}" if base else alias.name
            self.bind(alias.asname or alias.name, qual)
            self.facts.imports[qual] = node

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals_.update(node.names)

    def visit_FunctionDef(self, node: FunctionNode) -> None:
        qual = self.local_qualname(node.name)
        route_sites: list[RouteSite] = []
        for index, deco in enumerate(node.decorator_list):
            self.decorator_depth += 1
            self.visit(deco)
            self.decorator_depth -= 1
            site = self._route_decorator(deco, index)
            if site is not None:
                route_sites.append(site)
        args = node.args
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self.visit(default)
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if a is not None and a.annotation is not None:
                self.visit(a.annotation)
        if node.returns is not None:
            self.visit(node.returns)

        body_scope = Scope(qual, self.scope, "function")
        info = FunctionInfo(qual, node, self.scope, body_scope, self.class_info, self.function)
        self.facts.functions[qual] = info
        if self.class_info is not None and self.scope.kind == "class":
            self.class_info.methods[node.name] = info
        self.bind(node.name, qual)
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if a is not None:
                pqual = f"{qual}.{a.arg}"
                body_scope.bindings[a.arg] = pqual
                if a.annotation is not None:
                    ann = _annotation_name(a.annotation, self.scope)
                    if ann is not None:
                        self.facts.param_annotations[pqual] = ann
        for site in route_sites:
            site.handler = info

        saved = self.scope, self.function, self.class_info
        self.scope, self.function, self.class_info = body_scope, info, None
        for stmt in node.body:
            self.visit(stmt)
        self.scope, self.function, self.class_info = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit_children(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qual = self.local_qualname(node.name)
        for deco in node.decorator_list:
            self.visit(deco)
        for base in node.bases:
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        info = ClassInfo(qual, node, self.scope)
        info.bases = [None] * len(node.bases)
        self.facts.classes[qual] = info
        self.bind(node.name, qual)
        class_scope = Scope(qual, self.scope, "class")
        saved = self.scope, self.class_info
        self.scope, self.class_info = class_scope, info
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                info.fields[stmt.target.id] = stmt
            self.visit(stmt)
        self.scope, self.class_info = saved

    def _assign(self, target: ast.expr, value: ast.expr | None, annotation: ast.expr | None) -> None:
        if not isinstance(target, ast.Name):
            return
        qual = self.local_qualname(target.id)
        self.bind(target.id, qual)
        if value is not None and self.scope.kind != "class":
            self.facts.assignments[qual] = Assignment(qual, target, value, annotation, self.scope)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)
            if isinstance(target, ast.Name):
                self._assign(target, node.value, None)
            elif isinstance(target, (ast.Tuple, ast.List)):
                for elt in target.elts:
                    if isinstance(elt, ast.Name):
                        self._assign(elt, None, None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)
        self._assign(node.target, node.value, node.annotation)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._assign(node.target, node.value, None)

    def _bind_targets(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, self.local_qualname(target.id))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_targets(elt)
        elif isinstance(target, ast.Starred):
            self._bind_targets(target.value)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._bind_targets(node.target)
        self.visit_children(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_targets(item.optional_vars)
        self.visit_children(node)

    visit_AsyncWith = visit_With

    # -- expressions ---------------------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            scope = self.scope
            self.deferred_simple[id(scope), node.id] = scope

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "path_params" and self.function is not None:
            self.function.path_params_read = True
        if isinstance(node.ctx, ast.Load) and _is_dotted(node):
            self.deferred_names.append((node, self.scope))
            return
        self.visit(node.value)

    def visit_Await(self, node: ast.Await) -> None:
        if self.function is not None:
            self.function.awaits += 1
        if isinstance(node.value, ast.Call):
            self.await_depth += 1
            self.visit_Call(node.value, awaited=True)
            self.await_depth -= 1
        else:
            self.visit(node.value)

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.function is not None:
            self.function.yields.append(node)
        self.visit_children(node)

    visit_YieldFrom = visit_Yield

    def visit_Return(self, node: ast.Return) -> None:
        if self.function is not None:
            self.function.returns.append(node)
        self.visit_children(node)

    def visit_Call(self, node: ast.Call, awaited: bool = False) -> None:
        site = CallSite(node, self.scope, self.function, awaited=awaited, in_decorator=self.decorator_depth > 0)
        func = node.func
        if isinstance(func, ast.Attribute):
            site.attr = func.attr
            if func.attr in ROUTE_CALLS and self.decorator_depth == 0:
                endpoint = node.args[1] if len(node.args) > 1 else _keyword(node, "endpoint")
                self.facts.routes.append(RouteSite(None, func.attr, node, None, endpoint, -1, self.scope))
        self.facts.calls.append(site)
        if self.function is not None:
            self.function.calls.append(site)
        self.visit_children(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self.facts.compares.append(CompareSite(node, self.scope, self.function))
        self.visit_children(node)

    def _route_decorator(self, deco: ast.expr, index: int) -> RouteSite | None:
        if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr in ROUTE_DECORATORS:
            site = RouteSite(None, deco.func.attr, deco, None, None, index, self.scope)
            self.facts.routes.append(site)
            return site
        return None

    # -- finishing -----------------------------------------------------------------------------------
    def finish(self) -> None:
        facts = self.facts
        loaded = facts.loaded
        # `resolve_expr` with the scope lookups and canonical spellings remembered: the bindings are complete
        # once the walk is over, and the same names are resolved in the same scopes again and again.
        lookups: dict[tuple[int, str], str | None] = {}
        spellings: dict[str, str] = {}

        def resolve(expr: ast.expr, scope: Scope) -> str | None:
            return resolve_expr(expr, scope, lookups, spellings)

        def spelled(raw: str) -> str:
            found = spellings.get(raw)
            if found is None:
                found = spellings[raw] = canonical(raw)
            return found

        for (_, name), scope in self.deferred_simple.items():
            base = scope.lookup(name)
            if base is not None:
                loaded.add(spelled(base))
        for node, scope in self.deferred_names:
            qual = resolve(node, scope)
            if qual is not None:
                loaded.add(qual)
        for site in facts.calls:
            func = site.node.func
            if isinstance(func, ast.Attribute):
                site.receiver = resolve(func.value, site.scope)
                site.callee = spelled(f"{site.receiver}.{func.attr}") if site.receiver else None
            else:
                site.callee = resolve(func, site.scope)
        for route in facts.routes:
            func = route.call.func
            assert isinstance(func, ast.Attribute)
            route.receiver = resolve_expr(func.value, route.scope)
        for cls in facts.classes.values():
            cls.bases = [resolve_expr(b, cls.scope) for b in cls.node.bases]
        for assign in facts.assignments.values():
            if isinstance(assign.value, ast.Call):
                assign.callee = resolve_expr(assign.value.func, assign.scope)
            if assign.annotation is not None:
                assign.annotation_name = _annotation_name(assign.annotation, assign.scope)


def _annotation_name(annotation: ast.expr, scope: Scope) -> str | None:
    """`APIRouter`, `fastapi.APIRouter`, `"APIRouter"` or `Annotated[APIRouter, ...]` -> the class's name."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.Subscript):
        return None
    return resolve_expr(annotation, scope)


def _is_dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


_AST = ast.AST
# Nodes the extractor has nothing to do with and that hold no other node.
_LEAVES: frozenset[type[ast.AST]] = frozenset(
    (
        ast.Constant,
        ast.Pass,
        ast.Break,
        ast.Continue,
        *(
            kind
            for base in (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
            for kind in base.__subclasses__()
        ),
    )
)

_DISPATCH = {
    getattr(ast, name[6:]): func
    for name, func in vars(_Extractor).items()
    if name.startswith("visit_") and hasattr(ast, name[6:])
}


def extract(source: SourceFile, module: str, is_package: bool = False) -> ModuleFacts:
    """Facts of one parsed module. `module` is its dotted name in the project (used for relative imports)."""
    scope = Scope(module, None, "module")
    facts = ModuleFacts(module, source, is_package, scope)
    if source.tree is None:
        return facts
    extractor = _Extractor(facts)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        for stmt in source.tree.body:
            extractor.visit(stmt)
    except RecursionError:  # pathologically nested expressions: keep what was gathered
        facts.incomplete = True
    finally:
        sys.setrecursionlimit(limit)
    extractor.finish()
    return facts
