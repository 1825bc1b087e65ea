"""What linking reads from one module's facts: its interface to importers, its imports, route methods,
literal keyword values."""

from __future__ import annotations

import ast

from .facts import ModuleFacts, RouteSite
from .names import HTTP_METHODS

# A project "uses FastAPI" when one of its modules imports one of these (or a `fastapi_*` package): the rules
# are about FastAPI applications and the libraries they are built from, and stay silent elsewhere.
FASTAPI_ECOSYSTEM = ("fastapi", "starlette", "pydantic", "pydantic_settings", "sqlmodel")


def interface(facts: ModuleFacts) -> tuple[object, ...]:
    """What other modules' link parts can see of a module through `Project.lookup`: its names, what each
    assignment calls or is annotated with, class bases, factories' return annotations, and what its
    module-level names are bound to (re-exports). Positions are left out: edits that move lines keep it.
    Computed once per extraction (kept in the module's memo)."""
    kept = facts.memo.get("project.interface")
    if isinstance(kept, tuple):
        return kept
    segment = facts.source.segment
    interface = (
        tuple((q, None if f.node.returns is None else segment(f.node.returns)) for q, f in facts.functions.items()),
        tuple((q, tuple(c.bases)) for q, c in facts.classes.items()),
        tuple((q, a.callee, a.annotation_name) for q, a in facts.assignments.items()),
        tuple(facts.param_annotations.items()),
        tuple(facts.scope.bindings.items()),
    )
    facts.memo["project.interface"] = interface
    return interface


# FunctionInfo's caches that depend on nothing but the function's own nodes.
_NODE_ONLY_CACHES = ("walked", "by_type", "own")


def reuse_walks(old: ModuleFacts, new: ModuleFacts) -> None:
    """Carry the node-only caches of functions an edit left alone (same `ast` node: see `SourceFile._splice`)."""
    for qualname, fn in new.functions.items():
        before = old.functions.get(qualname)
        if before is not None and before.node is fn.node:
            kept = before.__dict__
            for name in _NODE_ONLY_CACHES:
                if name in kept:
                    fn.__dict__[name] = kept[name]


def imports_fastapi(facts: ModuleFacts) -> bool:
    for name in facts.imports:
        top = name.split(".", 1)[0]
        if top in FASTAPI_ECOSYSTEM or top.startswith("fastapi_"):
            return True
    return False


def imported_names(facts: ModuleFacts) -> set[str]:
    """Every module name an import of `facts` may resolve into (each import path and its parents)."""
    out: set[str] = set()
    for name in facts.imports:  # `from pkg import *` binds no name, so nothing resolves through it
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            out.add(".".join(parts[:i]))
    return out


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def literal_str(expr: ast.expr | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def literal_keyword(call: ast.Call, name: str, default: str) -> str | None:
    """A string keyword's literal value; `default` when absent; None when present but not a literal."""
    expr = keyword_value(call, name)
    if expr is None:
        return default
    return literal_str(expr)


def route_methods(site: RouteSite) -> tuple[tuple[str, ...], str]:
    method = site.method
    if method in HTTP_METHODS:
        return (method.upper(),), "http"
    if method in ("websocket", "add_api_websocket_route", "websocket_route", "add_websocket_route"):
        return ("WEBSOCKET",), "websocket"
    kind = "starlette" if method in ("route", "add_route") else "http"
    expr = keyword_value(site.call, "methods")
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        names = [literal_str(e) for e in expr.elts]
        if all(n is not None for n in names):
            return tuple(sorted({n.upper() for n in names if n is not None})), kind
        return (), kind
    if expr is not None:
        return (), kind
    return ("GET",), kind
