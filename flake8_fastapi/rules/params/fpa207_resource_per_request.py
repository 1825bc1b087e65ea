"""## What it does
Finds a route handler that builds a long-lived resource on every request: a SQLAlchemy engine
(`create_engine`, `create_async_engine`), a session factory (`sessionmaker()`, `async_sessionmaker()`), a
session from a project session factory (`SessionLocal()` where `SessionLocal = sessionmaker(...)`), an httpx
client (`httpx.AsyncClient()`, `httpx.Client()`), a Redis client
(`redis.Redis(...)`, `redis.asyncio.Redis(...)`, `from_url(...)`), or a driver connection (`psycopg2.connect`,
`psycopg.connect`, `asyncpg.connect`, `sqlite3.connect`, `pymysql.connect`). A client or a session used as
`with`/`async with` item is closed in time and left alone. Only route handlers are checked: dependencies and
`lifespan` functions are where these belong.

## Why is this bad?
An engine or a client owns a connection pool. Built inside the handler, every request opens new connections
(and TLS handshakes), nothing is reused, and whatever is not closed leaks until the database or the server runs
out of connections. A session built by hand is not closed when the handler raises. Create engines, pools and
clients once (at module level or in `lifespan`) and hand per-request objects (a session) to handlers with a
`yield` dependency, which also closes them, and which tests can override.

## Example
```python
import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/weather")
async def weather() -> dict[str, str]:
    client = httpx.AsyncClient()
    response = await client.get("https://example.com/weather")
    return response.json()
```

## Use instead
```python
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient() as client:
        app.state.http = client
        yield


app = FastAPI(lifespan=lifespan)


def get_http(request: Request) -> httpx.AsyncClient:
    return request.app.state.http


@app.get("/weather")
async def weather(client: Annotated[httpx.AsyncClient, Depends(get_http)]) -> dict[str, str]:
    response = await client.get("https://example.com/weather")
    return response.json()
```

## Fix
No fix: where the resource should live (module level, `lifespan`, a dependency) is a design decision.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/sql-databases/
- https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/
- https://fastapi.tiangolo.com/advanced/events/
- https://www.python-httpx.org/advanced/clients/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import Assignment, CallSite, FunctionInfo, ModuleFacts
from ...model.project import Project
from ..base import Context, Finding, Rule
from ._common import module_dependencies, route_handlers

_ENGINES = {
    "sqlalchemy.create_engine": "a database engine (a connection pool)",
    "sqlalchemy.engine.create_engine": "a database engine (a connection pool)",
    "sqlalchemy.ext.asyncio.create_async_engine": "a database engine (a connection pool)",
    "sqlmodel.create_engine": "a database engine (a connection pool)",
    "sqlalchemy.orm.sessionmaker": "a session factory",
    "sqlalchemy.orm.session.sessionmaker": "a session factory",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "a session factory",
    "redis.Redis": "a Redis client (a connection pool)",
    "redis.StrictRedis": "a Redis client (a connection pool)",
    "redis.client.Redis": "a Redis client (a connection pool)",
    "redis.from_url": "a Redis client (a connection pool)",
    "redis.Redis.from_url": "a Redis client (a connection pool)",
    "redis.asyncio.Redis": "a Redis client (a connection pool)",
    "redis.asyncio.client.Redis": "a Redis client (a connection pool)",
    "redis.asyncio.from_url": "a Redis client (a connection pool)",
    "redis.asyncio.Redis.from_url": "a Redis client (a connection pool)",
    "psycopg2.connect": "a database connection",
    "psycopg.connect": "a database connection",
    "psycopg.AsyncConnection.connect": "a database connection",
    "asyncpg.connect": "a database connection",
    "asyncpg.create_pool": "a connection pool",
    "sqlite3.connect": "a database connection",
    "pymysql.connect": "a database connection",
}
_CLIENTS = frozenset(("httpx.AsyncClient", "httpx.Client"))
_SESSION_FACTORIES = frozenset(
    ("sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker", "sqlalchemy.ext.asyncio.async_sessionmaker")
)


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    handlers = route_handlers(project, module, ("http", "websocket"))
    if not handlers:
        return
    dependencies = module_dependencies(project, module)
    for key, fn in handlers.items():
        if key in dependencies:
            continue
        managed: set[int] | None = None
        for site in fn.calls:
            found = _resource(ctx, site)
            if found is None:
                continue
            what, closed_by_with = found
            if closed_by_with:
                if managed is None:
                    managed = _with_items(fn)
                if id(site.node) in managed:
                    continue
            name = ctx.module.source.segment(site.node.func)
            yield ctx.finding(
                site.node,
                f"Handler `{fn.name}` builds {what} on every request with `{name}(...)`: create it once "
                f"(module level or `lifespan`) and hand it to the handler with a dependency",
            )


def _resource(ctx: Context, site: CallSite) -> tuple[str, bool] | None:
    """What the call builds, and whether a `with` around it makes it fine (it is then closed in time)."""
    callee = site.callee
    if callee is None:
        return None
    if callee in _ENGINES:
        return _ENGINES[callee], False
    if callee in _CLIENTS:
        return "an HTTP client (a connection pool)", True
    if not _has_session_factories(ctx.project):
        return None
    symbol = ctx.project.lookup(callee, ctx.module)
    if symbol is not None and isinstance(symbol.obj, Assignment) and symbol.obj.scope.kind == "module":
        factory = symbol.obj.callee
        if factory in _SESSION_FACTORIES:
            return "a session by hand (not closed when the handler raises)", True
    return None


def _has_session_factories(project: Project) -> bool:
    """Whether some module-level assignment of the project builds a session factory (`sessionmaker(...)`)."""
    found = project.derived.get("fpa207.session-factories")
    if found is None:
        found = any(_module_has_session_factory(facts) for facts in project.modules.values())
        project.derived["fpa207.session-factories"] = found
    return bool(found)


def _module_has_session_factory(module: ModuleFacts) -> bool:
    found = module.memo.get("fpa207.session-factory")
    if found is None:
        found = any(
            assign.callee in _SESSION_FACTORIES and assign.scope.kind == "module"
            for assign in module.assignments.values()
        )
        module.memo["fpa207.session-factory"] = found
    return bool(found)


def _with_items(fn: FunctionInfo) -> set[int]:
    """Calls used directly as `with`/`async with` items in the handler's body."""
    out: set[int] = set()
    for node in fn.walked:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.context_expr, ast.Call):
                    out.add(id(item.context_expr))
    return out


RULE = Rule(
    code="FPA207",
    name="resource-per-request",
    summary="Engine, session factory, HTTP/Redis client or driver connection built inside a route handler",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
