"""## What it does
Finds a `{name:path}` route parameter that flows, in the handler's body, into `FileResponse(...)`, `open(...)`,
`aiofiles.open(...)`, a `Path` method that touches the disk (`(BASE / name).read_bytes()`, `.open()`,
`.unlink()`) or `os.remove`/`shutil.rmtree`, directly or through local variables (`full = BASE_DIR / name`,
`Path(name)`, `os.path.join(BASE, name)`), when the handler never checks where the resolved path lands
(`.resolve()` with `.is_relative_to(...)`, `os.path.commonpath`, `.relative_to(...)`).

## Why is this bad?
The `path` converter matches slashes, and the server decodes `%2F`, so `/files/..%2F..%2Fetc%2Fpasswd` hands
the handler `../../etc/passwd`; joined to a base directory and opened, it serves any file the process can
read: configuration, keys, the database (path traversal). Resolve the joined path and refuse it unless it
stays inside the base directory, or serve the directory with `StaticFiles`, which does that check itself.

## Example
```python
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

app = FastAPI()
BASE_DIR = Path("/srv/files")


@app.get("/files/{file_path:path}")
async def read_file(file_path: str) -> FileResponse:
    return FileResponse(BASE_DIR / file_path)
```

## Use instead
```python
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
BASE_DIR = Path("/srv/files").resolve()


@app.get("/files/{file_path:path}")
async def read_file(file_path: str) -> FileResponse:
    target = (BASE_DIR / file_path).resolve()
    if not target.is_relative_to(BASE_DIR):
        raise HTTPException(status_code=404)
    return FileResponse(target)
```

## Fix
No fix: the base directory to check against is for the author to name.

## Related
No equivalent in ruff or flake8-fastapi (bandit and semgrep have generic path-traversal taint rules).

## See also
- https://fastapi.tiangolo.com/tutorial/path-params/#path-parameters-containing-paths
- https://www.starlette.io/staticfiles/
- https://owasp.org/www-community/attacks/Path_Traversal
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import FunctionInfo, ModuleFacts
from ...model.paths import path_params
from ...model.project import Route
from ...model.walk import children, walk_list
from ..base import Context, Finding, Rule

_SINKS = frozenset(
    (
        "fastapi.responses.FileResponse",
        "starlette.responses.FileResponse",
        "aiofiles.open",
        "anyio.open_file",
        "io.open",
        "builtins.open",
        "os.remove",
        "os.unlink",
        "os.listdir",
        "os.scandir",
        "shutil.rmtree",
        "shutil.copyfile",
    )
)
# `Path` methods that touch the file system (building a path is harmless; opening it is not).
_PATH_METHODS = frozenset(
    ("open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "iterdir", "rmdir", "rename")
)
_CHECKS = frozenset(("is_relative_to", "relative_to", "commonpath", "commonprefix", "secure_filename"))


def _path_parameters(route: Route) -> set[str]:
    names: set[str] = set()
    for path in (route.path or "", route.router.prefix or "", *(m.prefix or "" for m in route.mounts)):
        if ":path}" in path:  # the only way to write the `path` converter: most paths are not parsed at all
            names |= {name for name, conv in path_params(path) if conv == "path"}
    return names


def _own_nodes(fn: FunctionInfo) -> list[ast.AST]:
    """Every node of the function's body in source order, not descending into nested functions."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(fn.node.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        out.append(node)
        stack.extend(reversed(list(children(node))))
    return out


def _mentions(expr: ast.AST, tainted: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in tainted for n in walk_list(expr))


def _callee(module: ModuleFacts, fn: FunctionInfo, call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id == "open" and fn.body_scope.lookup("open") is None:
        return "builtins.open"
    return module.resolve(func, fn.body_scope)


def _sink_kind(module: ModuleFacts, fn: FunctionInfo, call: ast.Call) -> str | None:
    """ "function" for `open(path)`-like sinks, "method" for `path.read_text()`-like ones, else None."""
    if _callee(module, fn, call) in _SINKS:
        return "function"
    if isinstance(call.func, ast.Attribute) and call.func.attr in _PATH_METHODS:
        return "method"
    return None


def _path_arguments(call: ast.Call, kind: str) -> list[ast.expr]:
    """The arguments that name a file: the first (both for a copy), `path=`/`file=`, or a `Path` receiver."""
    if kind == "method" and isinstance(call.func, ast.Attribute):
        return [call.func.value]
    count = 2 if isinstance(call.func, ast.Attribute) and call.func.attr == "copyfile" else 1
    args = [a for a in call.args[:count] if not isinstance(a, ast.Starred)]
    return [*args, *(kw.value for kw in call.keywords if kw.arg in ("path", "file", "src", "dst"))]


def _inside(node: ast.AST, outer: ast.AST) -> bool:
    start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    end = (getattr(node, "end_lineno", 0), getattr(node, "end_col_offset", 0))
    o_start = (getattr(outer, "lineno", 0), getattr(outer, "col_offset", 0))
    o_end = (getattr(outer, "end_lineno", 0), getattr(outer, "end_col_offset", 0))
    return o_start <= start and end <= o_end


def _is_checked(nodes: list[ast.AST]) -> bool:
    for node in nodes:
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in _CHECKS:
                return True
    return False


def _flows(module: ModuleFacts, fn: FunctionInfo, params: set[str]) -> list[tuple[ast.Call, str]]:
    nodes = _own_nodes(fn)
    if _is_checked(nodes):
        return []
    tainted = set(params)
    out: list[tuple[ast.Call, str]] = []
    for node in nodes:
        if out and isinstance(node, ast.Call) and _inside(node, out[-1][0]):
            continue  # `FileResponse(open(...))`: one finding for the outer call
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if _mentions(node.value, tainted):
                tainted |= {t.id for target in targets for t in walk_list(target) if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Call) and (kind := _sink_kind(module, fn, node)) is not None:
            args = _path_arguments(node, kind)
            hit = next((a for a in args if _mentions(a, tainted)), None)
            if hit is not None:
                name = next(n.id for n in walk_list(hit) if isinstance(n, ast.Name) and n.id in tainted)
                out.append((node, name))
    return out


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for route in ctx.project.routes_of(module):
        fn = route.handler
        if fn is None or route.handler_module is not module:
            continue
        params = _path_parameters(route)
        argnames = {a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs)}
        params &= argnames
        if not params:
            continue
        for call, name in _flows(module, fn, params):
            yield ctx.finding(
                call,
                f"`{name}` comes from a `:path` parameter and reaches the file system unchecked (path traversal): "
                "resolve it and check it stays inside the base directory",
            )


RULE = Rule(
    code="FPA508",
    name="path-parameter-file-access",
    summary="`{x:path}` parameter flowing into `FileResponse`/`open` without a containment check",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=(),
)
