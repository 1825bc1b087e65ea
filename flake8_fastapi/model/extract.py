"""Module facts extracted in a single pass over the `ast` (pyflakes-style scopes, deferred resolution).

The walk records raw items with the scope they appear in; names are resolved once the walk is over, so a
function body may use a module-level name bound further down, as Python allows.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from typing import Any

from .facts import (
    Assignment,
    CallSite,
    ClassInfo,
    CompareSite,
    FunctionInfo,
    FunctionNode,
    ModuleFacts,
    RouteSite,
    Scope,
    resolve_expr,
)
from .names import ROUTE_CALLS, ROUTE_DECORATORS, canonical
from .source import SourceFile
from .walk import LEAVES, child_fields, node_classes


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
    """One recursive pass. Dispatch on node type (`_DISPATCH`: a handler per concrete node class, the leaves
    left out); a node without its own `visit_*` has its children visited in `_fields` order."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.scope = facts.scope
        self.function: FunctionInfo | None = None
        self.class_info: ClassInfo | None = None
        self.deferred_names: list[tuple[ast.Attribute, Scope]] = []
        # Plain names read, once per scope, in first-read order (a dict as an ordered set). Keyed by the scope
        # object itself: `Scope` hashes by identity, which saves an `id()` call per name read.
        self.deferred_simple: dict[tuple[Scope, str], None] = {}
        self.spellings = _SPELLINGS
        self.decorator_depth = 0
        self.await_depth = 0

    # -- traversal -----------------------------------------------------------------------------------
    def visit(self, node: ast.AST | None) -> None:
        handler = _DISPATCH.get(type(node))
        if handler is not None:  # None: a leaf (constant, operator, context) or no node at all
            handler(self, node)

    def visit_children(self, node: ast.AST) -> None:
        _DISPATCH_CHILDREN[type(node)](self, node)

    # -- bindings ------------------------------------------------------------------------------------
    def bind(self, name: str, qualname: str) -> None:
        self.scope.bindings[name] = qualname

    def local_qualname(self, name: str) -> str:
        prefix = self.scope.qualname
        return f"{prefix}.{name}" if prefix else name

    def visit_Import(self, node: ast.Import) -> None:
        facts = self.facts
        facts.import_nodes.append((node, self.scope))
        bindings = self.scope.bindings
        for alias in node.names:
            if alias.asname:
                bindings[alias.asname] = alias.name
                facts.imports[alias.name] = node
            else:
                top = alias.name.split(".", 1)[0]
                bindings[top] = top
                facts.imports[alias.name] = node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        facts = self.facts
        facts.import_nodes.append((node, self.scope))
        level = node.level
        base = (
            (node.module or "") if level == 0 else _module_qualname(facts.module, facts.is_package, level, node.module)
        )
        bindings = self.scope.bindings
        imports = facts.imports
        for alias in node.names:
            name = alias.name
            if name == "*":
                continue
            qual = f"{base}.{name}" if base else name
            bindings[alias.asname or name] = qual
            imports[qual] = node

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals_.update(node.names)

    def visit_FunctionDef(self, node: FunctionNode) -> None:
        qual = self.local_qualname(node.name)
        scope = self.scope
        route_sites: list[RouteSite] = []
        for index, deco in enumerate(node.decorator_list):
            self.decorator_depth += 1
            self.visit(deco)
            self.decorator_depth -= 1
            site = self._route_decorator(deco, index)
            if site is not None:
                route_sites.append(site)
        args = node.args
        for default in args.defaults:
            self.visit(default)
        for kw_default in args.kw_defaults:
            self.visit(kw_default)  # None (a keyword-only parameter without default) is skipped by `visit`
        # This order (vararg after the keyword-only parameters) is the order annotations have always been
        # visited and parameters bound in.
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg is not None:
            params.append(args.vararg)
        if args.kwarg is not None:
            params.append(args.kwarg)
        dispatch = _DISPATCH
        for a in params:
            handler = dispatch.get(type(a.annotation))  # `self.visit(a.annotation)` inlined; None is skipped
            if handler is not None:
                handler(self, a.annotation)
        if node.returns is not None:
            self.visit(node.returns)

        class_info = self.class_info
        body_scope = Scope(qual, scope, "function")
        info = FunctionInfo(qual, node, scope, body_scope, class_info, self.function)
        facts = self.facts
        facts.functions[qual] = info
        if class_info is not None and scope.kind == "class":
            class_info.methods[node.name] = info
        scope.bindings[node.name] = qual
        body_bindings = body_scope.bindings
        param_annotations = facts.param_annotations
        spellings = self.spellings
        for a in params:
            pqual = f"{qual}.{a.arg}"
            body_bindings[a.arg] = pqual
            annotation = a.annotation
            if annotation is None:
                continue
            # Resolved now, with the bindings of the moment (a later rebinding does not change it).
            kind = type(annotation)
            if kind is _NAME:  # `x: Session`: `_annotation_name` inlined for the commonest case
                ann = scope.lookup(annotation.id)  # type: ignore[attr-defined]
                if ann is not None:
                    found = spellings.get(ann)
                    if found is None:
                        found = spellings[ann] = canonical(ann)
                    param_annotations[pqual] = found
            elif kind is not ast.Subscript:  # `Annotated[...]`, `list[X]`: no name (`_annotation_name`)
                ann = _annotation_name(annotation, scope, spellings)
                if ann is not None:
                    param_annotations[pqual] = ann
        for site in route_sites:
            site.handler = info

        saved = self.function
        self.scope, self.function, self.class_info = body_scope, info, None
        for stmt in node.body:
            handler = dispatch.get(type(stmt))
            if handler is not None:
                handler(self, stmt)
        self.scope, self.function, self.class_info = scope, saved, class_info

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qual = self.local_qualname(node.name)
        for deco in node.decorator_list:
            self.visit(deco)
        for base in node.bases:
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        scope = self.scope
        info = ClassInfo(qual, node, scope)
        info.bases = [None] * len(node.bases)
        self.facts.classes[qual] = info
        scope.bindings[node.name] = qual
        class_scope = Scope(qual, scope, "class")
        saved = self.class_info
        self.scope, self.class_info = class_scope, info
        fields = info.fields
        dispatch = _DISPATCH
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                fields[stmt.target.id] = stmt
            handler = dispatch.get(type(stmt))  # `self.visit(stmt)` inlined
            if handler is not None:
                handler(self, stmt)
        self.scope, self.class_info = scope, saved

    def _assign(self, target: ast.expr, value: ast.expr | None, annotation: ast.expr | None) -> None:
        if not isinstance(target, ast.Name):
            return
        scope = self.scope
        name = target.id
        qual = f"{scope.qualname}.{name}" if scope.qualname else name
        scope.bindings[name] = qual
        if value is not None and scope.kind != "class":
            self.facts.assignments[qual] = Assignment(qual, target, value, annotation, scope)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        handler = _DISPATCH.get(type(value))  # `self.visit(value)` inlined
        if handler is not None:
            handler(self, value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                # `visit_Name` does nothing with a name being stored: the call is skipped.
                self._assign(target, node.value, None)
            else:
                self.visit(target)
                if isinstance(target, (ast.Tuple, ast.List)):
                    for elt in target.elts:
                        if isinstance(elt, ast.Name):
                            self._assign(elt, None, None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        dispatch = _DISPATCH  # `self.visit(...)` inlined below; a missing value (None) is skipped
        handler = dispatch.get(type(node.value))
        if handler is not None:
            handler(self, node.value)
        handler = dispatch.get(type(node.annotation))
        if handler is not None:
            handler(self, node.annotation)
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
        if type(node.ctx) is _LOAD:
            self.deferred_simple[self.scope, node.id] = None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "path_params" and self.function is not None:
            self.function.path_params_read = True
        if type(node.ctx) is _LOAD:
            # A dotted chain (`a.b.c`) is resolved whole in `finish`; its inner nodes are not visited, so a
            # `.path_params` inside it (`request.path_params.get("id")`) is looked for here.
            inner = node.value
            while type(inner) is _ATTRIBUTE:
                if inner.attr == "path_params" and self.function is not None:
                    self.function.path_params_read = True
                inner = inner.value
            if type(inner) is _NAME:
                self.deferred_names.append((node, self.scope))
                return
        value = node.value
        handler = _DISPATCH.get(type(value))  # `self.visit(value)` inlined: a call less per attribute
        if handler is not None:
            handler(self, value)

    def visit_Await(self, node: ast.Await) -> None:
        if self.function is not None:
            self.function.awaits += 1
        if isinstance(node.value, ast.Call):
            self.await_depth += 1
            self.visit_Call(node.value, True)  # awaited
            self.await_depth -= 1
        else:
            self.visit(node.value)

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.function is not None:
            self.function.yields.append(node)
        self.visit(node.value)

    visit_YieldFrom = visit_Yield

    def visit_Return(self, node: ast.Return) -> None:
        if self.function is not None:
            self.function.returns.append(node)
        value = node.value
        handler = _DISPATCH.get(type(value))  # `self.visit(value)` inlined
        if handler is not None:
            handler(self, value)

    def visit_Call(self, node: ast.Call, awaited: bool = False) -> None:
        func = node.func
        function = self.function
        attr = func.attr if type(func) is _ATTRIBUTE else None
        # Positional arguments: keywords cost a dataclass `__init__` noticeably more, once per call site.
        site = CallSite(node, self.scope, function, None, None, attr, awaited, self.decorator_depth > 0)
        facts = self.facts
        if attr is not None and attr in ROUTE_CALLS and self.decorator_depth == 0:
            endpoint = node.args[1] if len(node.args) > 1 else _keyword(node, "endpoint")
            facts.routes.append(RouteSite(None, attr, node, None, endpoint, -1, self.scope))
        facts.calls.append(site)
        if function is not None:
            function.calls.append(site)
        # The children in `_fields` order (func, args, keywords); a keyword's only node is its value. A name
        # read is recorded here rather than through `visit_Name`: a call less for the commonest argument.
        dispatch = _DISPATCH
        scope = self.scope
        if type(func) is _NAME:  # `f(...)`: `visit_Name` inlined
            if type(func.ctx) is _LOAD:
                self.deferred_simple[scope, func.id] = None
        elif (
            attr is not None
            and attr != "path_params"
            and type(func.value) is _NAME  # type: ignore[attr-defined]
            and type(func.ctx) is _LOAD  # type: ignore[attr-defined]
        ):
            # `x.m(...)`: what `visit_Attribute` does with a dotted chain read, inlined
            self.deferred_names.append((func, scope))  # type: ignore[arg-type]
        else:
            handler = dispatch.get(type(func))
            if handler is not None:
                handler(self, func)
        for arg in node.args:
            kind = type(arg)
            if kind is _NAME:
                if type(arg.ctx) is _LOAD:  # type: ignore[attr-defined]
                    self.deferred_simple[scope, arg.id] = None  # type: ignore[attr-defined]
            else:
                handler = dispatch.get(kind)
                if handler is not None:
                    handler(self, arg)
        for kw in node.keywords:
            value = kw.value
            kind = type(value)
            if kind is _NAME:
                if type(value.ctx) is _LOAD:  # type: ignore[attr-defined]
                    self.deferred_simple[scope, value.id] = None  # type: ignore[attr-defined]
            else:
                handler = dispatch.get(kind)
                if handler is not None:
                    handler(self, value)

    def visit_Compare(self, node: ast.Compare) -> None:
        self.facts.compares.append(CompareSite(node, self.scope, self.function))
        self.visit(node.left)
        for comparator in node.comparators:
            self.visit(comparator)

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
        # Scope lookups and canonical spellings are remembered: the bindings are complete once the walk is
        # over, and the same names are resolved in the same scopes again and again. The loops below are
        # `resolve_expr` inlined (a call less per name: this runs for every name read in the project).
        lookups: dict[tuple[Scope, str], str | None] = {}  # (scope, name) -> what the name is bound to
        names: dict[tuple[Scope, str], str | None] = {}  # (scope, name) -> canonical(that), or None
        spellings = self.spellings
        dotted = _DOTTED

        def spelled(raw: str) -> str:
            found = spellings.get(raw)
            if found is None:
                found = spellings[raw] = canonical(raw)
            return found

        def spelled_attr(base: str, attr: str) -> str:
            found = dotted[base, attr] = spelled(f"{base}.{attr}")
            return found

        def lookup(key: tuple[Scope, str]) -> str | None:
            if key in lookups:
                return lookups[key]
            base = lookups[key] = key[0].lookup(key[1])
            return base

        def resolve(expr: ast.expr, scope: Scope) -> str | None:
            # `resolve_expr(expr, scope)`, remembering through `lookups`, `names` and `spellings`.
            if type(expr) is _NAME:
                key = (scope, expr.id)
                if key in names:
                    return names[key]
                base = lookup(key)
                found = names[key] = None if base is None else spelled(base)
                return found
            parts: list[str] = []
            node = expr
            while type(node) is _ATTRIBUTE:
                parts.append(node.attr)
                node = node.value
            if type(node) is not _NAME:
                return None
            base = lookup((scope, node.id))
            if base is None:
                return None
            parts.reverse()
            return spelled(base + "." + ".".join(parts))

        for key in self.deferred_simple:
            base = lookups[key] = key[0].lookup(key[1])
            if base is None:
                names[key] = None
            else:
                found = spellings.get(base)
                if found is None:
                    found = spellings[base] = canonical(base)
                names[key] = found
                loaded.add(found)
        for node, scope in self.deferred_names:
            value = node.value
            if type(value) is _NAME:  # `x.y`, the usual chain: no parts list to build
                base = lookup((scope, value.id))
                if base is not None:
                    qual = dotted.get((base, node.attr))
                    loaded.add(spelled_attr(base, node.attr) if qual is None else qual)
            else:
                qual = resolve(node, scope)
                if qual is not None:
                    loaded.add(qual)
        for site in facts.calls:
            func = site.node.func
            kind = type(func)
            if kind is _NAME:
                key = (site.scope, func.id)  # type: ignore[attr-defined]
                # `f(...)`: `f` was read in this scope, so `names` has it (unless the walk stopped short).
                site.callee = names[key] if key in names else resolve(func, site.scope)
            elif kind is _ATTRIBUTE:
                receiver = site.receiver = resolve(func.value, site.scope)  # type: ignore[attr-defined]
                if receiver:
                    attr = func.attr  # type: ignore[attr-defined]
                    qual = dotted.get((receiver, attr))
                    site.callee = spelled_attr(receiver, attr) if qual is None else qual
            # else: `f()()`, `x[0]()`... : no callee (the default)
        for route in facts.routes:
            func = route.call.func
            assert isinstance(func, ast.Attribute)
            route.receiver = resolve(func.value, route.scope)
        for cls in facts.classes.values():
            cls.bases = [resolve(b, cls.scope) for b in cls.node.bases]
        for assign in facts.assignments.values():
            if isinstance(assign.value, ast.Call):
                assign.callee = resolve(assign.value.func, assign.scope)
            if assign.annotation is not None:
                annotation = _annotation_expr(assign.annotation)
                assign.annotation_name = None if annotation is None else resolve(annotation, assign.scope)


def _annotation_expr(annotation: ast.expr) -> ast.expr | None:
    """The expression `_annotation_name` resolves: a string annotation parsed, None for a subscript."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.Subscript):
        return None
    return annotation


def _annotation_name(annotation: ast.expr, scope: Scope, spellings: dict[str, str] | None = None) -> str | None:
    """`APIRouter`, `fastapi.APIRouter`, `"APIRouter"` or `Annotated[APIRouter, ...]` -> the class's name."""
    expr = _annotation_expr(annotation)
    return None if expr is None else resolve_expr(expr, scope, None, spellings)


# raw dotted name -> canonical(raw), shared by every extraction (`canonical` is pure, and the same library
# names come back in every module); cleared in `extract` when it grows past _SPELLINGS_MAX.
_SPELLINGS: dict[str, str] = {}
# (base, attr) -> canonical(f"{base}.{attr}"): a pair of existing strings hashes faster than a new joined
# string (whose hash is computed on every lookup), and the join is skipped when it is known.
_DOTTED: dict[tuple[str, str], str] = {}
_SPELLINGS_MAX = 100_000


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


_LOAD = ast.Load
_NAME = ast.Name
_ATTRIBUTE = ast.Attribute

_Handler = Callable[[_Extractor, Any], None]


def _children_visitor(fields: tuple[str, ...]) -> _Handler:
    """`for child in ast.iter_child_nodes(node): visit(child)` for a node with these `fields`, without the
    generator, the `_fields` loop over fields that never hold a node, or a call per leaf child."""

    def visit_children(self: _Extractor, node: ast.AST) -> None:
        dispatch = _DISPATCH
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    if kind is _NAME:  # `visit_Name` inlined: names are a fifth of all nodes
                        if type(item.ctx) is _LOAD:
                            self.deferred_simple[self.scope, item.id] = None
                    else:
                        handler = dispatch.get(kind)
                        if handler is not None:
                            handler(self, item)
            else:
                kind = type(value)
                if kind is _NAME:
                    if type(value.ctx) is _LOAD:  # type: ignore[union-attr]
                        self.deferred_simple[self.scope, value.id] = None  # type: ignore[union-attr]
                else:
                    handler = dispatch.get(kind)
                    if handler is not None:
                        handler(self, value)

    return visit_children


# Every node class but the leaves -> its children visitor; and -> its `visit_*` method, or else that visitor.
# A type missing from `_DISPATCH` (a leaf, None, a string) is skipped by the walk.
_DISPATCH_CHILDREN: dict[type, _Handler] = {
    kind: _children_visitor(child_fields(kind)) for kind in node_classes() if kind not in LEAVES
}
_DISPATCH: dict[type, _Handler] = {
    kind: getattr(_Extractor, f"visit_{kind.__name__}", children) for kind, children in _DISPATCH_CHILDREN.items()
}


def extract(source: SourceFile, module: str, is_package: bool = False) -> ModuleFacts:
    """Facts of one parsed module. `module` is its dotted name in the project (used for relative imports)."""
    scope = Scope(module, None, "module")
    facts = ModuleFacts(module, source, is_package, scope)
    if source.tree is None:
        return facts
    if len(_SPELLINGS) + len(_DOTTED) > _SPELLINGS_MAX:
        _SPELLINGS.clear()
        _DOTTED.clear()
    extractor = _Extractor(facts)
    limit = sys.getrecursionlimit()
    if limit < 20000:
        sys.setrecursionlimit(20000)
    try:
        dispatch = _DISPATCH
        for stmt in source.tree.body:
            handler = dispatch.get(type(stmt))  # `extractor.visit(stmt)` inlined
            if handler is not None:
                handler(extractor, stmt)
    except RecursionError:  # pathologically nested expressions: keep what was gathered
        facts.incomplete = True
    finally:
        sys.setrecursionlimit(limit)
    extractor.finish()
    return facts
