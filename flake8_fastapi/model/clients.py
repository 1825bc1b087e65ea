"""Test-client calls (`client.get("/api/users/1")`) and the routes a concrete URL reaches.

A receiver is a test client when it is bound to `TestClient(...)`/`httpx.AsyncClient(...)`/`httpx.Client(...)`
(assignment or `with ... as name`), annotated with one of those classes, or a parameter named like a pytest
fixture that returns/yields one (anywhere in the project, e.g. `conftest.py`). Used by the language server (code
lens counts, go to definition, completion) and available to rules (a request to a path that matches no route).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .facts import CallSite, FunctionInfo, ModuleFacts
from .names import canonical
from .paths import path_regex
from .project import Project, Route

CLIENT_CLASSES = frozenset(
    (
        "fastapi.testclient.TestClient",
        "httpx.AsyncClient",
        "httpx.Client",
        "httpx2.AsyncClient",
        "httpx2.Client",
    )
)
REQUEST_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "websocket_connect")
_SCHEME_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*")
# Text before the cursor inside the first string argument of `x.get(` ... (completion while typing).
_TYPING_CALL = re.compile(
    r"(?P<receiver>[A-Za-z_][A-Za-z0-9_.]*)\.(?P<method>" + "|".join(REQUEST_METHODS) + r")\(\s*"
    r"(?:(?P<verb>[\"'][A-Za-z]+[\"'])\s*,\s*)?f?(?P<quote>[\"'])(?P<typed>[^\"']*)$"
)


@dataclass(frozen=True)
class ClientCall:
    """One request made through a test client."""

    module: ModuleFacts
    site: CallSite
    method: str | None  # "GET", ...; None for `.request(...)` with a non-literal verb
    url_node: ast.expr
    url: str | None  # the path (scheme and host dropped, query dropped); f-strings: placeholders as "1"
    app: str | None  # key of the app the client was built on, when known


def _client_callee(project: Project, module: ModuleFacts, node: ast.expr | None, scope: object) -> ast.Call | None:
    if not isinstance(node, ast.Call):
        return None
    name = module.resolve(node.func, scope)  # type: ignore[arg-type]
    if name is not None and canonical(name) in CLIENT_CLASSES:
        return node
    return None


def _app_of(project: Project, module: ModuleFacts, call: ast.Call, scope: object) -> str | None:
    target: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "app":
            target = kw.value
        elif kw.arg == "transport" and isinstance(kw.value, ast.Call):
            inner = kw.value
            target = inner.args[0] if inner.args else next((k.value for k in inner.keywords if k.arg == "app"), None)
    if target is None:
        return None
    obj = project.object_for(module.resolve(target, scope), module)  # type: ignore[arg-type]
    return obj.key if obj is not None and obj.kind == "app" else None


def _with_clients(project: Project, module: ModuleFacts, fn: FunctionInfo) -> dict[str, str | None]:
    """`with TestClient(app) as c:` inside one function body: parameter-like qualname -> app key."""
    out: dict[str, str | None] = {}
    for node in fn.walked:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = _client_callee(project, module, item.context_expr, fn.body_scope)
                if call is not None and isinstance(item.optional_vars, ast.Name):
                    out[f"{fn.qualname}.{item.optional_vars.id}"] = _app_of(project, module, call, fn.body_scope)
    return out


def module_clients(project: Project, module: ModuleFacts) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(qualified names bound to a client -> app key, fixture function names returning a client -> app key)."""
    bound: dict[str, str | None] = {}
    fixtures: dict[str, str | None] = {}
    for assign in module.assignments.values():
        call = _client_callee(project, module, assign.value, assign.scope)
        if call is not None:
            bound[assign.qualname] = _app_of(project, module, call, assign.scope)
    for fn in module.functions.values():
        if not any(c.callee in CLIENT_CLASSES for c in fn.calls):
            continue
        local = _with_clients(project, module, fn)
        bound.update(local)
        produced: list[ast.expr | None] = [r.value for r in fn.returns] + [y.value for y in fn.yields]
        for value in produced:
            if value is None:
                continue
            call = _client_callee(project, module, value, fn.body_scope)
            if call is not None:
                fixtures[fn.name] = _app_of(project, module, call, fn.body_scope)
                continue
            qual = module.resolve(value, fn.body_scope)
            if qual is not None and qual in {**bound, **local}:
                fixtures[fn.name] = {**bound, **local}[qual]
    return bound, fixtures


def project_fixtures(project: Project) -> dict[str, str | None]:
    """Fixture names (any module) that produce a test client -> app key."""
    cached = project.derived.get("client_fixtures")
    if isinstance(cached, dict):
        return cached
    out: dict[str, str | None] = {}
    for module in project.modules.values():
        if any(module.imports_module(m) for m in ("fastapi", "httpx", "httpx2", "starlette")):
            out.update(module_clients(project, module)[1])
    project.derived["client_fixtures"] = out
    return out


def request_path(url: str) -> str:
    """`http://testserver/api/x?y=1#z` -> `/api/x`."""
    url = _SCHEME_HOST.sub("", url)
    url = url.split("#", 1)[0].split("?", 1)[0]
    return url or "/"


def _url_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return request_path(node.value)
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("1")
        return request_path("".join(parts))
    return None


def client_calls(project: Project, module: ModuleFacts) -> list[ClientCall]:
    """Every request made through a test client in `module`, in source order."""
    bound, _ = module_clients(project, module)
    fixtures = project_fixtures(project)
    out: list[ClientCall] = []
    for site in module.method_calls(*REQUEST_METHODS):
        receiver = site.receiver
        if receiver is None or (not site.node.args and not site.node.keywords):
            continue
        app: str | None
        if receiver in bound:
            app = bound[receiver]
        elif (
            receiver.rsplit(".", 1)[-1] in fixtures
            and site.function is not None
            and receiver.startswith(site.function.qualname + ".")
        ):
            app = fixtures[receiver.rsplit(".", 1)[-1]]  # a fixture's parameter, annotated or not
        elif canonical(module.param_annotations.get(receiver, "")) in CLIENT_CLASSES:
            app = None
        else:
            continue
        args = list(site.node.args)
        method: str | None = (site.attr or "").upper()
        if site.attr == "request":
            verb = args.pop(0) if args else None
            method = verb.value.upper() if isinstance(verb, ast.Constant) and isinstance(verb.value, str) else None
        elif site.attr == "websocket_connect":
            method = "WEBSOCKET"
        url_node = args[0] if args else next((k.value for k in site.node.keywords if k.arg == "url"), None)
        if url_node is None:
            continue
        out.append(ClientCall(module, site, method, url_node, _url_of(url_node), app))
    return out


def route_matches(route_path: str, url: str) -> bool:
    regex = path_regex(route_path)
    return regex is not None and regex.match(url) is not None


def routes_for(project: Project, url: str, method: str | None = None, app: str | None = None) -> list[Route]:
    """Routes whose full path (in `app`, or in any app when unknown) matches `url` (and `method`)."""
    out: list[Route] = []
    for route in project.routes:
        if (
            method is not None
            and route.methods
            and method not in route.methods
            and not (method == "HEAD" and "GET" in route.methods)
        ):
            continue
        paths: list[tuple[str | None, str | None]] = list(route.full_paths()) or [(None, route.local_path)]
        for app_key, full in paths:
            if app is not None and app_key is not None and app_key != app:
                continue
            if full is not None and route_matches(full, url):
                out.append(route)
                break
    return out


def typing_client_call(line_prefix: str) -> tuple[str, str, str] | None:
    """For the text of a line up to the cursor, inside the URL string of `x.get("...`: (receiver, method, typed)."""
    match = _TYPING_CALL.search(line_prefix)
    if match is None:
        return None
    return match.group("receiver"), match.group("method"), match.group("typed")
