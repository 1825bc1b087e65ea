"""## What it does
Finds `FastAPI(debug=True)` (also on subclasses of `FastAPI`) and `uvicorn.run(..., reload=True)` written as
literals in application code. Test code is left alone (`test_*.py`, `*_test.py`, `conftest.py`, files under a
`tests`/`test` directory). `uvicorn.run(..., reload=True)` is reported under `if __name__ == "__main__":` too:
`python main.py` is how many containers start the service. Values read from configuration
(`debug=settings.debug`, `reload=settings.reload`) are not reported.

## Why is this bad?
With `debug=True`, an unhandled exception answers with the full traceback as an HTML page: source lines, file
paths and local values reach whoever sent the request. `reload=True` runs a file watcher that restarts the
server on every change, ignores `workers=`, and belongs to development. Hard-coded, both reach production the
day the module is deployed; read them from the environment or configuration, or use `fastapi dev` (reload on)
and `fastapi run` (reload off).

## Example
```python
import uvicorn
from fastapi import FastAPI

app = FastAPI(debug=True)

if __name__ == "__main__":
    uvicorn.run("main:app", host="0.0.0.0", reload=True)
```

## Use instead
```python
import os

import uvicorn
from fastapi import FastAPI

DEBUG = os.environ.get("APP_DEBUG") == "1"

app = FastAPI(debug=DEBUG)

if __name__ == "__main__":
    uvicorn.run("main:app", host="0.0.0.0", reload=DEBUG)
```

## Fix
No fix: where the setting should come from is a deployment decision.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/reference/fastapi/#fastapi.FastAPI--example
- https://fastapi.tiangolo.com/deployment/manually/
- https://fastapi.tiangolo.com/fastapi-cli/
- https://www.uvicorn.org/settings/#development
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

from ..base import Context, Finding, Rule

_UVICORN_RUN = ("uvicorn.run", "uvicorn.main.run")
_TEST_DIRS = frozenset(("tests", "test"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if _is_test_path(os.path.relpath(module.path, project.root)):
        return
    for site in module.calls:
        if site.callee is None:
            continue
        if site.callee in _UVICORN_RUN:
            kw = _true_keyword(site.node, "reload")
            if kw is not None:
                yield ctx.finding(
                    kw,
                    "`uvicorn.run(reload=True)` hard-coded: a development file watcher in the server's entry point; "
                    "read it from configuration (or use `fastapi dev`)",
                )
        elif any(kw.arg == "debug" for kw in site.node.keywords) and project.class_kind(site.callee, module) == "app":
            kw = _true_keyword(site.node, "debug")
            if kw is not None:
                yield ctx.finding(
                    kw,
                    "`FastAPI(debug=True)` hard-coded: unhandled errors answer with the full traceback; read it "
                    "from configuration",
                )


def _true_keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True:
            return kw
    return None


def _is_test_path(path: str) -> bool:
    """`path` relative to the project root."""
    name = os.path.basename(path)
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    parts = os.path.normpath(os.path.dirname(path)).split(os.sep)
    return any(p in _TEST_DIRS for p in parts)


RULE = Rule(
    code="FPA903",
    name="debug-or-reload-in-app-code",
    summary="`FastAPI(debug=True)` or `uvicorn.run(reload=True)` hard-coded in application code",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
)
