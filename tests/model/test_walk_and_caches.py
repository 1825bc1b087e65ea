"""The shared walks and caches the rules use instead of walking the trees again give the same answers.

`walk_list` / `own_list` / `children` must yield exactly the nodes, in exactly the order, of `ast.walk`,
`own_nodes` and `ast.iter_child_nodes` (rules depend on the order: the last assignment wins); the per-function
index (`FunctionInfo.walked`, `.by_type`, `.own`) must agree with them; and `params_of`, now kept per project
link, must follow an edit of another module.
"""

from __future__ import annotations

import ast
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import flake8_fastapi
from flake8_fastapi.model.extract import extract
from flake8_fastapi.model.params import params_of
from flake8_fastapi.model.project import Project
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.model.walk import children, own_list, own_nodes, pruned, walk_list

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

TRICKY = """
import asyncio
from typing import Annotated

@decorator(lambda x: x + 1)
async def handler(a: int = 1, *args: str, b: "B" = f(), **kw: int) -> list[int]:
    global counter
    x = y = [i for i in range(3) if i]
    z: int = (w := 2)
    async with session() as s, other():
        async for item in s.stream():
            match item:
                case {"k": [1, *rest]} | None:
                    pass
                case Point(x=0) as p if p:
                    break
    try:
        del x[0], y
    except ValueError as e:
        raise
    finally:
        print(f"{a!r:>{b}}", *args, **kw)

    class Inner(Base, metaclass=Meta):
        field: int = 0

        def method(self) -> None:
            nonlocal z
            return lambda: (yield)

    def nested():
        yield from {k: v for k, v in kw.items()}

    return [await asyncio.sleep(0), not a, -a, a if a else b, a < b <= 3, a and b or x]
"""


def reference_own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The original `own_nodes`, on `ast.iter_child_nodes`."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        item = stack.pop()
        yield item
        if not isinstance(item, _SCOPES):
            stack.extend(ast.iter_child_nodes(item))


def sample_trees() -> list[ast.Module]:
    package = Path(flake8_fastapi.__file__).parent
    trees = [ast.parse(TRICKY)]
    for path in sorted(package.rglob("*.py"))[:40]:
        trees.append(ast.parse(path.read_text(encoding="utf-8")))
    return trees


def reference_pruned(roots: list[ast.AST], skip: tuple[type[ast.AST], ...]) -> Iterator[ast.AST]:
    """The rules' original stack walks that never enter a `skip` child."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, skip))


def same_nodes(a: list[ast.AST], b: list[ast.AST]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def test_walks_match_the_ast_module_node_for_node() -> None:
    for tree in sample_trees():
        assert same_nodes(walk_list(tree), list(ast.walk(tree)))
        for node in ast.walk(tree):
            assert same_nodes(children(node), list(ast.iter_child_nodes(node)))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                expected = list(reference_own_nodes(node))
                assert same_nodes(own_list(node), expected)
                assert same_nodes(list(own_nodes(node)), expected)
                for skip in (_SCOPES, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    roots = list(getattr(node, "body", []))
                    assert same_nodes(pruned(roots, skip), list(reference_pruned(roots, skip)))
                    assert same_nodes(pruned([node], skip), list(reference_pruned([node], skip)))


def test_function_index_agrees_with_the_walks() -> None:
    facts = extract(SourceFile.parse("m.py", TRICKY), "m")
    assert {"m.handler", "m.handler.Inner.method", "m.handler.nested"} <= set(facts.functions)
    for fn in facts.functions.values():
        walked = list(ast.walk(fn.node))
        assert same_nodes(fn.walked, walked)
        assert same_nodes(fn.own, list(reference_own_nodes(fn.node)))
        for kind in (ast.Name, ast.Call, ast.Assign, ast.Global, ast.Nonlocal, ast.arg, ast.Lambda):
            assert same_nodes(list(fn.nodes_of(kind)), [n for n in walked if type(n) is kind])
        assert sum(len(nodes) for nodes in fn.by_type.values()) == len(walked)
    handler = facts.functions["m.handler"]
    assert [n.names for n in handler.nodes_of(ast.Global)] == [["counter"]]
    assert len(handler.nodes_of(ast.Nonlocal)) == 1  # the nested method's, since `walked` enters nested scopes


def write(root: Path, rel: str, text: str) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return os.fspath(path)


def test_params_of_follows_an_alias_edited_in_another_module(tmp_path: Path) -> None:
    deps = write(
        tmp_path,
        "app/deps.py",
        """
        from typing import Annotated
        from fastapi import Depends
        def get_user() -> str: ...
        CurrentUser = Annotated[str, Depends(get_user)]
        """,
    )
    api = write(
        tmp_path,
        "app/api.py",
        """
        from fastapi import FastAPI
        from app.deps import CurrentUser
        app = FastAPI()
        @app.get("/me")
        def me(user: CurrentUser) -> str: ...
        """,
    )
    write(tmp_path, "app/__init__.py", "")
    project = Project(os.fspath(tmp_path))
    for path in (os.fspath(tmp_path / "app/__init__.py"), deps, api):
        project.add_source(path, Path(path).read_text())
    module = project.module(api)
    assert module is not None
    handler = module.functions["app.api.me"]
    first = params_of(project, module, handler)
    assert [(p.name, p.marker) for p in first] == [("user", "Depends")]
    again = params_of(project, module, handler)
    assert again == first and again is not first  # the kept answer, in a list the caller may change

    project.add_source(deps, "def get_user() -> str: ...\nCurrentUser = str\n")
    module = project.module(api)
    assert module is not None
    handler = module.functions["app.api.me"]
    assert [(p.name, p.marker) for p in params_of(project, module, handler)] == [("user", None)]
