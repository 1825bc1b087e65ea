"""## What it does
Finds `echo=True` (or `echo="debug"`) written as a literal in `create_engine(...)` or
`create_async_engine(...)` from `sqlalchemy`, `sqlalchemy.ext.asyncio` or `sqlmodel`.

## Why is this bad?
`echo=True` makes the engine log every SQL statement, and with it the bound parameters (`"debug"` adds every
result row), through the `sqlalchemy.engine` logger at INFO level, with a handler of its own added to
stdout. Left on in production it floods the logs, slows every query down, and writes user data (emails,
password hashes, tokens passed as parameters) into log storage. Hard-coded, it cannot be switched off per
environment: read it from settings instead.

## Example
```python
from sqlalchemy import create_engine

engine = create_engine("sqlite://", echo=True)
```

## Use instead
```python
import os

from sqlalchemy import create_engine

engine = create_engine("sqlite://", echo=os.environ.get("SQL_ECHO") == "1")
```

## Fix
No fix: choose where the flag comes from (settings, an environment variable) or delete it.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.echo
- https://docs.sqlalchemy.org/en/20/core/engines.html#configuring-logging
- https://fastapi.tiangolo.com/tutorial/sql-databases/
- https://sqlmodel.tiangolo.com/tutorial/create-db-and-table/#engine-echo
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..base import Context, Finding, Rule

ENGINE_FACTORIES = frozenset(
    (
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.engine.create.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
        "sqlmodel.create_engine",
        "sqlmodel.ext.asyncio.create_async_engine",
    )
)


def check(ctx: Context) -> Iterator[Finding]:
    for site in ctx.module.calls_to(*ENGINE_FACTORIES):
        for kw in site.node.keywords:
            if kw.arg != "echo" or not isinstance(kw.value, ast.Constant):
                continue
            if kw.value.value is True or kw.value.value == "debug":
                name = site.callee.rsplit(".", 1)[-1] if site.callee else "create_engine"
                yield ctx.finding(
                    kw,
                    f"`echo={kw.value.value!r}` hard-coded in `{name}()` logs every SQL statement and its parameters; "
                    "read it from settings",
                )


RULE = Rule(
    code="FPA703",
    name="engine-echo-enabled",
    summary="`echo=True` hard-coded on a SQLAlchemy/SQLModel engine",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="module",
)
