"""## What it does
Finds middleware added to a FastAPI application after its `CORSMiddleware`: a later
`app.add_middleware(...)` or `@app.middleware("http")`, or an entry listed before `Middleware(CORSMiddleware)`
in `FastAPI(middleware=[...])`. It reports the first such middleware once per application.

## Why is this bad?
Starlette wraps the middleware added last outermost (and the first entry of `middleware=[...]` outermost).
A middleware outside CORS sees requests before CORS does and sends its own responses without CORS headers:
an authentication middleware that answers `401`, a rate limiter's `429`, a trusted-host `400`, an HTTPS
redirect, or an error. The browser then hides those answers from the front end behind an opaque CORS error,
and a preflight `OPTIONS` request (which carries no credentials) can be rejected before CORS answers it.
`CORSMiddleware` belongs outermost: add it last.

## Example
```python
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])


@app.middleware("http")
async def require_api_key(request: Request, call_next):
    if "x-api-key" not in request.headers:
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return await call_next(request)
```

## Use instead
```python
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

app = FastAPI()


@app.middleware("http")
async def require_api_key(request: Request, call_next):
    if "x-api-key" not in request.headers:
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return await call_next(request)


app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
```

## Fix
No fix: moving registrations can change what the other middleware see.

## Related
flake8-fastapi `CF008` (which reports again on every later call in the module; this rule reports once per
application and follows the application across files, factories and `middleware=[...]`).

## See also
- https://fastapi.tiangolo.com/tutorial/cors/
- https://fastapi.tiangolo.com/advanced/middleware/
- https://www.starlette.io/middleware/#applying-middleware
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ...model.facts import Scope
from ...model.project import Project, RouterObject
from ..base import Context, Finding, Rule

CORS = "starlette.middleware.cors.CORSMiddleware"
MIDDLEWARE = ("starlette.middleware.Middleware", "fastapi.middleware.Middleware")


@dataclass(frozen=True)
class _Event:
    node: ast.expr
    name: str  # what is added, for the message
    is_cors: bool


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    events: dict[tuple[str, int], list[_Event]] = {}  # (app key, id(scope)) -> registrations in source order
    for site in module.method_calls("add_middleware", "middleware"):
        obj = project.object_for(site.receiver, module)
        if obj is None or obj.kind != "app":
            continue
        if site.attr == "middleware":
            if not site.in_decorator:
                continue
            event = _Event(site.node, "`@app.middleware` function", False)
        else:
            if not site.node.args or isinstance(site.node.args[0], ast.Starred):
                continue
            first = site.node.args[0]
            qual = module.resolve(first, site.scope)
            name = f"`{qual.rsplit('.', 1)[-1]}`" if qual else f"`{module.source.segment(first)}`"
            event = _Event(site.node, name, qual == CORS)
        events.setdefault((obj.key, id(site.scope)), []).append(event)
    reported: set[str] = set()
    # `FastAPI(middleware=[...])` in this module: entries listed before CORS wrap it.
    for obj in _apps_by_path(project).get(module.path, ()):
        if obj.module is not module or obj.kind != "app" or obj.call is None:
            continue
        listed = _listed(ctx, obj.call, obj.module.scope)
        cors_at = next((i for i, (_, is_cors) in enumerate(listed) if is_cors), None)
        if cors_at is not None and cors_at > 0:
            node, _ = listed[0]
            reported.add(obj.key)
            yield ctx.finding(
                node,
                "Middleware listed before `CORSMiddleware` in `middleware=[...]` wraps it: its own responses "
                "carry no CORS headers; list `CORSMiddleware` first",
                related=[ctx.related(module, listed[cors_at][0], "CORSMiddleware listed here")],
            )
        elif cors_at is not None:
            for (key, _), found in events.items():
                if key == obj.key:
                    found.insert(0, _Event(listed[cors_at][0], "`CORSMiddleware`", True))
    for (key, _), found in sorted(events.items(), key=lambda item: _position(item[1][0].node)):
        if key in reported:
            continue
        ordered = sorted(found, key=lambda e: _position(e.node))
        cors = next((e for e in ordered if e.is_cors), None)
        if cors is None:
            continue
        later = next((e for e in ordered if not e.is_cors and _position(e.node) > _position(cors.node)), None)
        if later is None:
            continue
        reported.add(key)
        line = cors.node.lineno
        yield ctx.finding(
            later.node,
            f"{later.name} is added after `CORSMiddleware` (line {line}), so it wraps CORS: the responses it "
            "produces itself carry no CORS headers; add `CORSMiddleware` last",
            related=[ctx.related(module, cors.node, "CORSMiddleware added here")],
        )


def _apps_by_path(project: Project) -> dict[str, list[RouterObject]]:
    """The project's app objects by the path of their module, in `project.objects` order."""
    cached = project.derived.get("fpa902.apps-by-path")
    if isinstance(cached, dict):
        return cached
    out: dict[str, list[RouterObject]] = {}
    for obj in project.objects.values():
        if obj.kind == "app":
            out.setdefault(obj.module.path, []).append(obj)
    project.derived["fpa902.apps-by-path"] = out
    return out


def _listed(ctx: Context, call: ast.Call, scope: Scope) -> list[tuple[ast.expr, bool]]:
    """Entries of `middleware=[...]`: (node, is CORS); empty when it is not a literal list."""
    value = next((kw.value for kw in call.keywords if kw.arg == "middleware"), None)
    if not isinstance(value, (ast.List, ast.Tuple)):
        return []
    out: list[tuple[ast.expr, bool]] = []
    for elt in value.elts:
        is_cors = False
        if isinstance(elt, ast.Call) and ctx.module.resolve(elt.func, scope) in MIDDLEWARE and elt.args:
            is_cors = ctx.module.resolve(elt.args[0], scope) == CORS
        out.append((elt, is_cors))
    return out


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


RULE = Rule(
    code="FPA902",
    name="middleware-after-cors",
    summary="Middleware added after `CORSMiddleware`, so it wraps CORS",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=("CF008",),
)
