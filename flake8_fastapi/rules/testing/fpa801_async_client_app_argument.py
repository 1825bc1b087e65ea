"""## What it does
Finds `httpx.AsyncClient(app=app)` (and `httpx.Client(app=app)`), also from `httpx2`, the fork that Starlette's
`TestClient` now prefers.

## Why is this bad?
The `app=` shortcut was deprecated in httpx 0.27 and removed in 0.28: the client constructor now raises
`TypeError: AsyncClient.__init__() got an unexpected keyword argument 'app'`, so every test using the fixture
errors before it sends a request. `httpx2` has no `app=` either. An ASGI application is called through an
explicit transport: `AsyncClient(transport=ASGITransport(app=app), base_url="http://test")`.

## Example
```python
from httpx import AsyncClient

from myapp.main import app


async def test_root() -> None:
    async with AsyncClient(app=app, base_url="http://test") as client:
        response = await client.get("/")
    assert response.status_code == 200
```

## Use instead
```python
from httpx import ASGITransport, AsyncClient

from myapp.main import app


async def test_root() -> None:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/")
    assert response.status_code == 200
```

## Fix
For `AsyncClient`, replaces `app=app` with `transport=ASGITransport(app=app)` and imports `ASGITransport` from
the same package as the client (`httpx` or `httpx2`; `httpx.ASGITransport` when the client is spelt
`httpx.AsyncClient`). Safe: it is exactly what the removed shortcut did. No fix when a `transport=` is also
given, or for the synchronous `Client` (use FastAPI's `TestClient` for an ASGI app, or `WSGITransport` for a WSGI
one).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/advanced/async-tests/
- https://www.python-httpx.org/advanced/transports/#asgi-transport
- https://github.com/encode/httpx/blob/master/CHANGELOG.md#0280-28th-november-2024
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import CallSite
from ..base import Context, Finding, Fix, Rule

_PACKAGES = ("httpx", "httpx2")
_CLIENTS = tuple(f"{p}.{c}" for p in _PACKAGES for c in ("AsyncClient", "Client"))


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for site in module.calls_to(*_CLIENTS):
        assert site.callee is not None
        package, _, client = site.callee.rpartition(".")
        app_kw = next((kw for kw in site.node.keywords if kw.arg == "app"), None)
        if app_kw is None:
            continue
        offer: Fix | None = None
        if client == "AsyncClient" and not any(kw.arg in ("transport", None) for kw in site.node.keywords):
            offer = _fix(ctx, site, app_kw, package)
        hint = (
            "`transport=ASGITransport(app=...)`"
            if client == "AsyncClient"
            else "FastAPI's `TestClient` (or `transport=WSGITransport(app=...)` for a WSGI app)"
        )
        yield ctx.finding(app_kw, f"`{client}(app=...)` was removed in httpx 0.28 (TypeError); use {hint}", fix=offer)


def _fix(ctx: Context, site: CallSite, app_kw: ast.keyword, package: str) -> Fix | None:
    module = ctx.module
    call = site.node
    value = module.source.segment(app_kw.value)
    func = call.func
    if isinstance(func, ast.Attribute):
        # `httpx.AsyncClient(...)`: reuse the same spelling of the package.
        prefix = module.source.segment(func.value)
        return fix(
            "Pass the app through `ASGITransport`",
            ctx.edit(app_kw, f"transport={prefix}.ASGITransport(app={value})"),
        )
    qual = f"{package}.ASGITransport"
    for bound in (module.scope.bindings.get("ASGITransport"), site.scope.lookup("ASGITransport")):
        if bound is not None and bound != qual:
            return None
    edit = import_edit(module, package, "ASGITransport")
    return fix(
        "Pass the app through `ASGITransport`",
        ctx.edit(app_kw, f"transport=ASGITransport(app={value})"),
        *([edit] if edit is not None else []),
    )


RULE = Rule(
    code="FPA801",
    name="async-client-app-argument",
    summary="`AsyncClient(app=...)`, removed in httpx 0.28",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="module",
)
