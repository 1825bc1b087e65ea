"""Walking one function's own body: the rules look inside a handler without `ast.walk`-ing the module.

`walk_list` and `own_list` give the same nodes, in the same order, as `ast.walk` and `own_nodes`, without the
generator machinery of `ast.iter_child_nodes`; `FunctionInfo.walked` / `.own` (facts.py) keep them per function,
so the rules that look into the same handler share one walk.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_AST = ast.AST


def children(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))`, cheaper."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _AST):
            out.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, _AST):
                    out.append(item)
    return out


def walk_list(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))`: `node` and every node below it, breadth first."""
    out: list[ast.AST] = [node]
    append = out.append
    for current in out:  # the list grows while it is read: a breadth-first queue
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, _AST):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
    return out


def own_list(node: ast.AST) -> list[ast.AST]:
    """`list(own_nodes(node))`."""
    out: list[ast.AST] = []
    append = out.append
    stack = children(node)
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        append(item)
        if not isinstance(item, _SCOPES):
            push(children(item))
    return out


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below `node` that runs in its scope: a nested function, class or lambda is yielded itself,
    but its body is not entered."""
    stack = children(node)
    while stack:
        item = stack.pop()
        yield item
        if not isinstance(item, _SCOPES):
            stack.extend(children(item))


def pruned(roots: list[ast.AST], skip: tuple[type[ast.AST], ...]) -> list[ast.AST]:
    """The nodes of `roots` and below, depth first from the last root (a stack), never entering a child of a
    `skip` type (it is not yielded either): what the rules' `stack.extend(c for c in iter_child_nodes(n) if not
    isinstance(c, skip))` loops visit, in the same order."""
    out: list[ast.AST] = []
    append = out.append
    stack = list(roots)
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                if not isinstance(value, skip):
                    push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST) and not isinstance(item, skip):
                        push(item)
    return out


def stores(body: list[ast.stmt], name: str) -> int:
    """How many times `body` assigns `name` (a `Name` in store context), nested functions, classes and lambdas
    aside: 1 means a local bound once."""
    count = 0
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            count += 1
        if not isinstance(node, _SCOPES):
            stack.extend(children(node))
    return count


# Nodes a walk that collects facts has nothing to do with and that hold no other node.
LEAVES: frozenset[type[ast.AST]] = frozenset(
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

# ASDL field types whose values are never a node the extractor visits (strings, numbers, leaves).
_SCALARS = frozenset(
    ("identifier", "string", "int", "constant", "expr_context", "operator", "cmpop", "unaryop", "boolop")
)


def child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """The fields of `kind` that can hold a node, read from its ASDL signature (`Name(identifier id,
    expr_context ctx)` -> none); all its fields when the signature cannot be read."""
    found = re.fullmatch(r"\w+\((.*)\)", (kind.__doc__ or "").strip())
    if found is None:
        return tuple(kind._fields)
    declared = [part.split() for part in found.group(1).split(", ")]
    if any(len(part) != 2 for part in declared) or tuple(part[1] for part in declared) != tuple(kind._fields):
        return tuple(kind._fields)
    return tuple(name for kind_name, name in declared if kind_name.rstrip("*?") not in _SCALARS)


def node_classes() -> list[type[ast.AST]]:
    """Every node class of this Python's `ast`, abstract ones included."""
    found: list[type[ast.AST]] = []
    pending = [ast.AST]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found
