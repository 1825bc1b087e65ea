"""Walking one function's own body: the rules look inside a handler without `ast.walk`-ing the module."""

from __future__ import annotations

import ast
from collections.abc import Iterator

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below `node` that runs in its scope: a nested function, class or lambda is yielded itself,
    but its body is not entered."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        item = stack.pop()
        yield item
        if not isinstance(item, _SCOPES):
            stack.extend(ast.iter_child_nodes(item))
