"""## What it does
Finds the `tokenUrl` of an OAuth2 scheme (`OAuth2PasswordBearer(tokenUrl="token")`,
`OAuth2AuthorizationCodeBearer(..., tokenUrl=...)`) that matches no route of the application accepting `POST`
(the token request is a form `POST`). A relative URL is
resolved the way the browser resolves it from the interactive docs page (`/docs`, or the app's `docs_url`):
`"token"` means `/token`. Compared with the full paths of the app's routes (router prefixes included).

Silent when the project has no app, when a prefix, a route path or the docs URL is not a literal, when a
router that cannot be resolved (from a library) or a sub-application is mounted, when the app sets
`root_path`, and for absolute URLs (`https://...`), which point at another server.

## Why is this bad?
The scheme's `tokenUrl` is where the "Authorize" button of `/docs` posts the username and password. When it
names no route (the login route lives under `/auth/token`, or the prefix changed), authorization from the docs
fails with a 404 (or a 405 when only a `GET` route matches), and generated clients are told the wrong URL. The
dependency itself still works, so the mistake goes unnoticed until someone tries the docs.

## Example
```python
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


@app.post("/auth/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    return {"access_token": form.username, "token_type": "bearer"}


@app.get("/me")
async def me(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    return {"token": token}
```

## Use instead
```python
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/token")


@app.post("/auth/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    return {"access_token": form.username, "token_type": "bearer"}


@app.get("/me")
async def me(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    return {"token": token}
```

## Fix
No fix: whether the URL or the route is wrong is for the author to decide.

## Related
No equivalent in ruff or flake8-fastapi; fastapi-lsp reports an "OAuth2 unknown token URL" too.

## See also
- https://fastapi.tiangolo.com/tutorial/security/first-steps/#fastapis-oauth2passwordbearer
- https://fastapi.tiangolo.com/tutorial/security/simple-oauth2/
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from ...model.facts import ModuleFacts
from ...model.paths import path_regex
from ...model.project import Project, RouterObject
from ..base import Context, Finding, Rule

SCHEMES = {
    "fastapi.security.OAuth2PasswordBearer": 0,
    "fastapi.security.oauth2.OAuth2PasswordBearer": 0,
    "fastapi.security.OAuth2AuthorizationCodeBearer": 1,
    "fastapi.security.oauth2.OAuth2AuthorizationCodeBearer": 1,
}


def _keyword(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _app_paths(project: Project, app: RouterObject) -> list[str] | None:
    """Full paths of the app's routes that accept POST (the password flow posts a form); None when any route's
    path or methods are unknown, or the app sets `root_path`."""
    if app.call is None or _keyword(app.call, "root_path") is not None:
        return None
    paths: list[str] = []
    for route in project.routes:
        for app_key, full in route.full_paths():
            if app_key != app.key:
                continue
            if full is None or not route.methods:
                return None
            if "POST" in route.methods:
                paths.append(full)
    return paths


def _opaque_includes(project: Project) -> bool:
    """Something mounted or included that the index cannot see into (cached per project revision)."""
    cached = project.derived.get("fpa506.opaque")
    if isinstance(cached, bool):
        return cached
    project.derived["fpa506.opaque"] = found = _find_opaque(project)
    return found


def _find_opaque(project: Project) -> bool:
    for module in project.modules.values():
        for site in module.method_calls("include_router", "mount", "host"):
            if site.attr != "include_router":
                return True
            node = site.node
            child = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "router"), None)
            if child is None or project.object_for(module.resolve(child, site.scope), module) is None:
                return True
    return False


def _docs_url(app: RouterObject) -> str | None:
    expr = _keyword(app.call, "docs_url")
    if expr is None:
        return "/docs"
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def resolve_token_url(docs_url: str, token_url: str) -> str:
    """The path the browser posts to, from the docs page."""
    path = urlsplit(urljoin(f"http://server{docs_url}", token_url)).path or "/"
    normal = posixpath.normpath(path)
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def _candidate_apps(project: Project, module: ModuleFacts) -> list[RouterObject]:
    """The apps serving the routes of the scheme's module; else every app of the project."""
    keys = {mount.app for route in project.routes_of(module) for mount in route.mounts}
    apps = [a for a in project.apps() if a.key in keys]
    return apps or project.apps()


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    sites = module.calls_to(*SCHEMES)
    if not sites:
        return
    for site in sites:
        call = site.node
        index = SCHEMES[site.callee or ""]
        expr = _keyword(call, "tokenUrl")
        if expr is None and len(call.args) > index:
            expr = call.args[index]
        if not (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
            continue
        token_url = expr.value
        if urlsplit(token_url).scheme or token_url.startswith("//"):
            continue
        apps = _candidate_apps(project, module)
        if not apps or _opaque_includes(project):
            return
        targets: list[str] = []
        matched = False
        for app in apps:
            paths = _app_paths(project, app)
            docs = _docs_url(app)
            if paths is None or docs is None:
                matched = True  # cannot tell: stay silent
                break
            target = resolve_token_url(docs, token_url)
            targets.append(target)
            if any((rx := path_regex(p)) is not None and rx.match(target) for p in paths):
                matched = True
                break
        if matched:
            continue
        where = ", ".join(sorted(set(targets)))
        yield ctx.finding(
            expr,
            f"`tokenUrl={token_url!r}` resolves to `{where}`, which no `POST` route of the app serves: "
            "the docs' Authorize button will get a 404",
        )


RULE = Rule(
    code="FPA506",
    name="token-url-without-route",
    summary="OAuth2 `tokenUrl` that matches no route",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=(),
)
