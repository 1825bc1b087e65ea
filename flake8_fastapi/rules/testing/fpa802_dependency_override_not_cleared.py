"""## What it does
Finds `app.dependency_overrides[dep] = override` (or `app.dependency_overrides.update({...})`) in test code - any
function of a test module (`test_*.py`, `*_test.py`, `conftest.py`), a function named `test_*`, a pytest fixture or
a method of a `Test*` class - when nothing clears the override again: no `dependency_overrides.clear()`, `= {}`,
`del ...[dep]` or `.pop(dep)` in the same function (after its `yield`, in a `finally`, or simply later), in a
helper it calls, in a fixture or `teardown`/`tearDown` method of the same module or class, or in a `conftest.py`
above it. Overrides set at module level, and `monkeypatch.setitem(app.dependency_overrides, ...)` (undone by
pytest), are not reported.

## Why is this bad?
`dependency_overrides` is a plain dictionary on the application object, which lives for the whole test
session. An override that is never removed stays in force for every test that runs afterwards, in every module
that imports the same `app`: later tests silently talk to the fake database or the fake user, pass or fail
depending on test order, and `pytest -p randomly` or running one file alone gives different results.

## Example
```python
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


def get_user() -> str:
    return "real"


@app.get("/me")
def me(user: str = Depends(get_user)) -> str:
    return user


def test_me_as_admin() -> None:
    app.dependency_overrides[get_user] = lambda: "admin"
    assert TestClient(app).get("/me").json() == "admin"
```

## Use instead
```python
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


def get_user() -> str:
    return "real"


@app.get("/me")
def me(user: str = Depends(get_user)) -> str:
    return user


@pytest.fixture
def as_admin():
    app.dependency_overrides[get_user] = lambda: "admin"
    yield
    app.dependency_overrides.clear()


def test_me_as_admin(as_admin: None) -> None:
    assert TestClient(app).get("/me").json() == "admin"
```

## Fix
No fix: where the override should end (a fixture's teardown, a `finally`) is the test author's choice.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/advanced/testing-dependencies/
- https://docs.pytest.org/en/stable/how-to/fixtures.html#yield-fixtures-recommended
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...model.facts import FunctionInfo, ModuleFacts
from ...model.walk import children
from ..base import Context, Finding, Rule

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_CLEARING_METHODS = frozenset(("clear", "pop", "popitem"))
_TEARDOWNS = frozenset(
    ("teardown", "tearDown", "teardown_method", "teardown_class", "tearDownClass", "asyncTearDown",
     "teardown_function", "teardown_module")
)  # fmt: skip
_FIXTURES = frozenset(("pytest.fixture", "pytest_asyncio.fixture"))


@dataclass
class _Body:
    sets: list[ast.AST] = field(default_factory=list)
    clears: bool = False
    called: set[str] = field(default_factory=set)  # qualified names of functions it calls


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    if not any(q.endswith(".dependency_overrides") or ".dependency_overrides." in q for q in module.loaded):
        return
    test_module = is_test_module(module.path)
    bodies = {qual: _scan(module, fn) for qual, fn in module.functions.items()}
    if not any(b.sets for b in bodies.values()):
        return
    module_clears = any(
        bodies[qual].clears and (_is_fixture(module, fn) or fn.name in _TEARDOWNS)
        for qual, fn in module.functions.items()
    )
    if module_clears or _conftest_clears(ctx, module):
        return
    for qual, fn in module.functions.items():
        body = bodies[qual]
        if not body.sets or not (test_module or is_test_function(module, fn)):
            continue
        if body.clears or any(bodies[c].clears for c in body.called if c in bodies):
            continue
        if any(qual in other.called and other.clears for other in bodies.values()):
            continue  # a helper whose caller clears
        if fn.class_info is not None and any(
            bodies[m.qualname].clears for m in fn.class_info.methods.values() if m.qualname in bodies
        ):
            continue  # the class's teardown (or another method it uses) clears
        for node in body.sets:
            yield ctx.finding(
                node,
                f"`dependency_overrides` set in `{fn.name}` and never cleared: the override leaks into every "
                "later test; clear it after the `yield` of a fixture or in a `finally`",
            )


def is_test_module(path: str) -> bool:
    name = os.path.basename(path)
    return name == "conftest.py" or (name.startswith("test_") and name.endswith(".py")) or name.endswith("_test.py")


def is_test_function(module: ModuleFacts, fn: FunctionInfo) -> bool:
    """A test, a fixture, or a method of a test class (`setUp` included)."""
    if fn.name.startswith("test") or _is_fixture(module, fn):
        return True
    cls = fn.class_info
    return cls is not None and cls.node.name.startswith("Test")


def _is_fixture(module: ModuleFacts, fn: FunctionInfo) -> bool:
    for deco in fn.node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if module.resolve(target, fn.scope) in _FIXTURES:
            return True
    return False


def _overrides(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "dependency_overrides"


def _scan(module: ModuleFacts, fn: FunctionInfo) -> _Body:
    """Where one function body sets and clears overrides (nested functions are scanned on their own)."""
    body = _Body()
    for call in fn.calls:
        if call.callee is not None:
            body.called.add(call.callee)
    stack: list[ast.AST] = list(fn.node.body)
    while stack:
        node = stack.pop()
        stack.extend(child for child in children(node) if not isinstance(child, _NESTED))
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _overrides(target.value):
                    if _outlives(module, fn, target.value):
                        body.sets.append(target)
                elif _overrides(target):
                    body.clears = True  # `= {}`, or restored from a saved copy
        elif isinstance(node, ast.Delete):
            if any(isinstance(t, ast.Subscript) and _overrides(t.value) for t in node.targets):
                body.clears = True
        elif isinstance(node, ast.Attribute) and _overrides(node.value):
            if node.attr in _CLEARING_METHODS:
                body.clears = True  # called, or handed to `addCleanup`/`request.addfinalizer`
            elif node.attr == "update" and _in_call(fn, node) and _outlives(module, fn, node.value):
                body.sets.append(node)
    return body


def _outlives(module: ModuleFacts, fn: FunctionInfo, overrides: ast.expr) -> bool:
    """Whether the application behind `<x>.dependency_overrides` is a module-level (or imported) object that
    outlives the test. An app built in the test (or in an enclosing function), or received as a parameter
    (a fixture whose scope we do not know), is not."""
    root = overrides
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    qual = fn.body_scope.lookup(root.id)
    if qual is None:
        return False
    owner = qual.rpartition(".")[0]
    return owner not in module.functions and owner not in module.classes


def _in_call(fn: FunctionInfo, attr: ast.Attribute) -> bool:
    return any(call.node.func is attr for call in fn.calls)


def _conftest_clears(ctx: Context, module: ModuleFacts) -> bool:
    """Whether a `conftest.py` of the project, in this directory or above, clears overrides anywhere."""
    here = os.path.dirname(module.path)
    for other in ctx.project.modules.values():
        if other is module or os.path.basename(other.path) != "conftest.py":
            continue
        directory = os.path.dirname(other.path)
        if os.path.commonpath([directory, here]) != directory:
            continue
        if not any(".dependency_overrides" in q for q in other.loaded):
            continue
        if any(_scan(other, fn).clears for fn in other.functions.values()):
            return True
    return False


RULE = Rule(
    code="FPA802",
    name="dependency-override-not-cleared",
    summary="`app.dependency_overrides[...]` set in a test and never cleared",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
