"""## What it does
Finds `CORSMiddleware` configured to accept any origin (`allow_origins=["*"]`, or an `allow_origin_regex` that
matches any origin, such as `".*"` or `"https://.*"`) together with `allow_credentials=True`: in
`app.add_middleware(CORSMiddleware, ...)`, in `Middleware(CORSMiddleware, ...)` (as in
`FastAPI(middleware=[...])`) and in `CORSMiddleware(app, ...)`. Literal values held in module constants are
followed.

## Why is this bad?
The browser standard forbids `Access-Control-Allow-Origin: *` on credentialed requests, so a wildcard alone
only exposes what is public anyway. With `allow_credentials=True`, Starlette does not send `*`: it reflects
the request's `Origin` back and adds `Access-Control-Allow-Credentials: true`. Any web site a logged-in user
visits can then call the API with the user's cookies or HTTP authentication and read the answers (their
profile, their tokens): the same-origin policy is switched off for the API. An origin regex that matches
every origin does the same. List the front ends that need credentials explicitly.

## Example
```python
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
```

## Use instead
```python
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
```

## Fix
No fix: only the project knows which origins are its own.

## Related
No equivalent in ruff or flake8-fastapi. Semgrep's FastAPI rule flags `"*"` in `allow_origins` whatever
`allow_credentials` says, which reports the harmless public-API case and says nothing of the regex form.

## See also
- https://fastapi.tiangolo.com/tutorial/cors/
- https://www.starlette.io/middleware/#corsmiddleware
- https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#credentialed_requests_and_wildcards
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model.facts import Assignment, CallSite, ModuleFacts, Scope
from ..base import Context, Finding, Rule

CORS = "starlette.middleware.cors.CORSMiddleware"
MIDDLEWARE = ("starlette.middleware.Middleware", "fastapi.middleware.Middleware")
# Origins of no relation to any project: a regex that accepts them accepts every origin.
_FOREIGN_ORIGINS = ("https://attacker.invalid", "http://evil.example:8080")


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for site in module.method_calls("add_middleware"):
        obj = ctx.project.object_for(site.receiver, module)
        if obj is None or obj.kind != "app" or not site.node.args:
            continue
        if module.resolve(site.node.args[0], site.scope) == CORS:
            yield from _judge(ctx, site)
    for site in module.calls_to(*MIDDLEWARE):
        if site.node.args and module.resolve(site.node.args[0], site.scope) == CORS:
            yield from _judge(ctx, site)
    for site in module.calls_to(CORS):
        yield from _judge(ctx, site)


def _judge(ctx: Context, site: CallSite) -> Iterator[Finding]:
    call = site.node
    keywords = {kw.arg: kw for kw in call.keywords if kw.arg is not None}
    if any(kw.arg is None for kw in call.keywords):  # `**options`: cannot see everything
        return
    credentials = keywords.get("allow_credentials")
    if credentials is None or _constant(ctx, credentials.value, site.scope) is not True:
        return
    origins = keywords.get("allow_origins")
    if origins is not None:
        values = _string_list(ctx, origins.value, site.scope)
        if values is not None and "*" in values:
            yield ctx.finding(
                origins,
                "CORS allows any origin (`*`) with `allow_credentials=True`: Starlette reflects every Origin, "
                "so any web site can make credentialed requests and read the responses",
            )
            return
    regex = keywords.get("allow_origin_regex")
    if regex is not None:
        pattern = _constant(ctx, regex.value, site.scope)
        if isinstance(pattern, str) and _matches_any_origin(pattern):
            yield ctx.finding(
                regex,
                f"CORS `allow_origin_regex={pattern!r}` matches any origin and `allow_credentials=True`: any web "
                "site can make credentialed requests and read the responses",
            )


def _matches_any_origin(pattern: str) -> bool:
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return all(compiled.fullmatch(origin) for origin in _FOREIGN_ORIGINS)


def _follow(ctx: Context, expr: ast.expr, scope: Scope, depth: int = 0) -> tuple[ast.expr, ModuleFacts, Scope]:
    """A name bound to a module constant (here or imported) -> its value expression."""
    module = ctx.module
    if isinstance(expr, (ast.Name, ast.Attribute)) and depth < 5:
        symbol = ctx.project.lookup(module.resolve(expr, scope), module)
        if symbol is not None and isinstance(symbol.obj, Assignment) and symbol.obj.scope.kind == "module":
            return symbol.obj.value, symbol.module, symbol.obj.scope
    return expr, module, scope


def _constant(ctx: Context, expr: ast.expr, scope: Scope) -> object:
    value, _, _ = _follow(ctx, expr, scope)
    if isinstance(value, ast.Constant):
        return value.value
    return None


def _string_list(ctx: Context, expr: ast.expr, scope: Scope) -> list[str] | None:
    value, _, _ = _follow(ctx, expr, scope)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]  # Starlette tests `"*" in allow_origins`: a bare "*" string counts too
    if not isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return None
    return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]


RULE = Rule(
    code="FPA501",
    name="cors-wildcard-with-credentials",
    summary="CORS accepting any origin together with `allow_credentials=True`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
