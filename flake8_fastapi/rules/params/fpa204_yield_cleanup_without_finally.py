"""## What it does
Finds a dependency with `yield` whose cleanup (a call after the `yield` that closes, releases, removes or resets
something: `db.close()`, `await client.aclose()`, `lock.release()`, `os.remove(tmp)`, ...) is not in a
`finally` block. It checks functions used in `Depends(...)`/`Security(...)` anywhere in the project, and
undecorated generator functions shaped like one (a single `yield` statement followed by cleanup, in a module
that imports FastAPI). Silent when the `yield` sits inside a `with` block (the context manager cleans up, and
statements after the `yield` there are usually meant for success only, like `session.commit()`), inside a
`try` that has a `finally` or an `except` that does not re-raise, or in a loop.

Functions decorated with `@contextmanager`, `@asynccontextmanager` or `@pytest.fixture` are not checked.
That includes lifespans: Starlette leaves the lifespan context normally at shutdown, so the code after its
`yield` runs without a `finally` (the FastAPI documentation's own lifespan example has none); only a
cancelled server skips it.

## Why is this bad?
FastAPI runs the code after `yield` when the response is done. When the endpoint (or a later dependency)
raises, FastAPI throws the exception into the dependency at the `yield`: the statements after it never run,
so the session is never closed and the connection never returns to the pool. A few failing requests exhaust
the pool and the application hangs. Both an `HTTPException` and an unhandled error skip it: checked on FastAPI
0.95, 0.105 and 0.165 (the witness test runs the installed release), across the 0.106 change that moved the
exit code of `yield` dependencies before the response is sent.

## Example
```python
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    yield db
    db.close()


@app.get("/items")
def read_items(db: Session = Depends(get_db)) -> None: ...
```

## Use instead
```python
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()
app = FastAPI()


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.get("/items")
def read_items(db: Session = Depends(get_db)) -> None: ...
```

## Fix
Wraps the `yield` and the statements after it in `try:` / `finally:`; when the `yield` already sits in a
`try` whose handlers re-raise and the cleanup follows that `try`, moves the cleanup into a new `finally:` of
that `try`. Unsafe: the cleanup now also runs when
the request fails, which is the point but changes behaviour (a `commit()` among the moved statements would now
run after an error: review it). Offered only when the cleanup sits in one block (beside the `yield` or right after
its `try`), holds no `return`, and no multi-line string would be re-indented.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/
- https://docs.python.org/3/library/contextlib.html#contextlib.contextmanager
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...model.facts import FunctionInfo, ModuleFacts
from ...model.walk import pruned
from ..base import Context, Edit, Finding, Fix, Rule
from ._common import CONTEXT_MANAGER_DECORATORS, decorator_names, module_dependencies

_CLEANUP_WORDS = frozenset(
    (
        "close",
        "aclose",
        "closeall",
        "dispose",
        "release",
        "shutdown",
        "disconnect",
        "cleanup",
        "teardown",
        "stop",
        "terminate",
        "kill",
        "unlink",
        "remove",
        "rmtree",
        "unlock",
        "rollback",
        "reset",
        "clear",
        "delete",
        "cancel",
        "destroy",
        "putconn",
        "exit",
        "aexit",
        "logout",
        "restore",
    )
)
_WORD = re.compile(r"[a-z]+")
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_YIELDS = (ast.Yield, ast.YieldFrom)
_TRY: tuple[type[ast.stmt], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))

Frame = tuple[list[ast.stmt], int, ast.stmt | None, str]  # (block, index in it, owner statement, owner field)


@dataclass
class _Unprotected:
    yield_stmt: ast.stmt
    cleanup: list[ast.stmt]
    same_block: bool  # every cleanup statement follows the yield in the yield's own block
    after_try: ast.stmt | None = None  # or: the yield is in this `try` (no else/finally), the cleanup right after it


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    dependencies = module_dependencies(ctx.project, module)
    imports_fastapi = module.imports_module("fastapi")
    for fn in module.functions.values():
        if not fn.yields:
            continue
        is_dependency = id(fn) in dependencies
        decorators = decorator_names(module, fn)
        if any(d in CONTEXT_MANAGER_DECORATORS for d in decorators):
            continue
        if not is_dependency and (decorators or not imports_fastapi or fn.scope.kind != "module"):
            continue
        found = _unprotected(fn)
        if found is None or (not is_dependency and len(fn.yields) != 1):
            continue
        for item in found:
            kind = "dependency" if is_dependency else "generator (shaped like a dependency)"
            yield ctx.finding(
                item.yield_stmt,
                f"Cleanup after `yield` in {kind} `{fn.name}` is skipped when the endpoint raises: "
                f"put the `yield` in `try:` and the cleanup in `finally:`",
                fix=_fix(module, item),
            )


def _unprotected(fn: FunctionInfo) -> list[_Unprotected] | None:
    """Each statement-level `yield` whose cleanup is unprotected; None when the shape is not understood."""
    sites: list[tuple[ast.stmt, list[Frame]]] = []
    _collect(fn.node.body, [], None, "body", sites)
    if len(sites) != len(fn.yields):
        return None  # a yield inside an expression: not a dependency's shape
    out: list[_Unprotected] = []
    for stmt, frames in sites:
        cleanup: list[ast.stmt] = []
        levels: list[int] = []  # depths that hold cleanup
        protected = False
        for depth, (block, index, owner, field) in enumerate(reversed(frames)):
            after = block[index + 1 :]
            if after:
                levels.append(depth)
            cleanup.extend(after)
            if owner is None:
                break
            if isinstance(owner, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
                protected = True
                break
            if isinstance(owner, _TRY):
                finalbody: list[ast.stmt] = getattr(owner, "finalbody", [])
                handlers: list[ast.ExceptHandler] = getattr(owner, "handlers", [])
                if finalbody or field not in ("body", "orelse"):
                    protected = True
                    break
                if field == "body" and not all(_reraises(h) for h in handlers):
                    protected = True
                    break
        if protected or not any(_is_cleanup(s) for s in cleanup):
            continue
        item = _Unprotected(stmt, cleanup, levels == [0])
        owner = frames[-1][2]
        if levels == [1] and isinstance(owner, _TRY) and frames[-1][3] == "body" and not getattr(owner, "orelse", None):
            item.after_try = owner
        out.append(item)
    return out


def _collect(
    block: list[ast.stmt],
    frames: list[Frame],
    owner: ast.stmt | None,
    field: str,
    out: list[tuple[ast.stmt, list[Frame]]],
) -> None:
    for index, stmt in enumerate(block):
        here = [*frames, (block, index, owner, field)]
        value = getattr(stmt, "value", None) if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, _YIELDS):
            out.append((stmt, here))
            continue
        if isinstance(stmt, _NESTED):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                _collect(inner, here, stmt, name, out)
        for handler in getattr(stmt, "handlers", ()):
            _collect(handler.body, here, stmt, "handler", out)
        for case in getattr(stmt, "cases", ()):
            _collect(case.body, here, stmt, "case", out)


def _reraises(handler: ast.ExceptHandler) -> bool:
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


def _walk_local(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk` that does not enter nested functions, classes or lambdas."""
    return iter(pruned([node], _NESTED))


def _is_cleanup(stmt: ast.stmt) -> bool:
    for node in _walk_local(stmt):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if any(word in _CLEANUP_WORDS for word in _WORD.findall(name.lower())):
                return True
    return False


def _multiline_string(node: ast.AST) -> bool:
    if not isinstance(node, (ast.Constant, ast.JoinedStr)) or (node.end_lineno or node.lineno) <= node.lineno:
        return False
    return isinstance(node, ast.JoinedStr) or isinstance(node.value, (str, bytes))


def _fix(module: ModuleFacts, item: _Unprotected) -> Fix | None:
    if not item.cleanup or not (item.same_block or item.after_try is not None):
        return None
    src = module.source
    first, last = item.after_try or item.yield_stmt, item.cleanup[-1]
    statements = [first, *item.cleanup]
    for stmt in item.cleanup:
        if any(isinstance(n, (ast.Return, ast.Break, ast.Continue, *_YIELDS)) for n in _walk_local(stmt)):
            return None  # a `return` in `finally` would swallow the exception
    for stmt in statements:
        for node in _walk_local(stmt):
            if _multiline_string(node):
                return None  # re-indenting would change the string
    # Every statement starts its own line and the last one ends its line (a comment may follow).
    previous_end = 0
    for stmt in statements:
        indent = src.indent_of(stmt.lineno)
        if stmt.lineno <= previous_end or src.start(stmt)[1] != len(indent):
            return None
        previous_end = stmt.end_lineno or stmt.lineno
    end_line = last.end_lineno or last.lineno
    tail = src.line(end_line).rstrip("\r\n")[src.end(last)[1] :].strip()
    if tail and not tail.startswith("#"):
        return None
    indent = src.indent_of(first.lineno)
    unit = "\t" if indent.startswith("\t") else "    "
    newline = src.newline
    yield_end = first.end_lineno or first.lineno

    def shifted(start: int, stop: int) -> list[str]:
        out = []
        for lineno in range(start, stop + 1):
            text = src.line(lineno).rstrip("\r\n")
            out.append(unit + text if text.strip() else "")
        return out

    end_col = len(src.line(end_line).rstrip("\r\n"))
    if item.after_try is not None:
        # Give the `try` a `finally:` holding the statements that follow it.
        try_end = item.after_try.end_lineno or item.after_try.lineno
        text = newline.join(["", indent + "finally:", *shifted(try_end + 1, end_line)])
        start = (try_end, len(src.line(try_end).rstrip("\r\n")))
        edit = Edit(start, (end_line, end_col), text)
        return Fix("Move the cleanup after the `try` into its `finally`", (edit,), "unsafe")
    lines = [
        indent + "try:",
        *shifted(first.lineno, yield_end),
        indent + "finally:",
        *shifted(yield_end + 1, end_line),
    ]
    edit = Edit((first.lineno, 0), (end_line, end_col), newline.join(lines))
    return Fix("Move the cleanup after `yield` into `finally`", (edit,), "unsafe")


RULE = Rule(
    code="FPA204",
    name="yield-cleanup-without-finally",
    summary="Dependency with `yield` whose cleanup is not in `finally` (skipped when the endpoint raises)",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
    peers=(),
)
