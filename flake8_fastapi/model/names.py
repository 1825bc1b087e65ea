"""Qualified names of the library objects the rules recognise, and their canonical spellings.

FastAPI and friends re-export the same object under several module paths (`fastapi.routing.APIRouter` is
`fastapi.APIRouter`); the extractor maps each resolved name to one canonical spelling so rules compare strings.
"""

from __future__ import annotations

FASTAPI = "fastapi.FastAPI"
APIROUTER = "fastapi.APIRouter"
STARLETTE_APP = "starlette.applications.Starlette"

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
ROUTE_DECORATORS = frozenset((*HTTP_METHODS, "api_route", "websocket", "route", "websocket_route"))
ROUTE_CALLS = frozenset(("add_api_route", "add_api_websocket_route", "add_route", "add_websocket_route"))

PARAM_MARKERS = ("Depends", "Security", "Query", "Path", "Body", "Header", "Cookie", "Form", "File")
DEPENDENCY_MARKERS = frozenset(("Depends", "Security"))

_MODULE_ALIASES = {
    "fastapi.applications": "fastapi",
    "fastapi.routing": "fastapi",
    "fastapi.param_functions": "fastapi",
    "fastapi.params": "fastapi",
    "fastapi.exceptions": "fastapi",
    "fastapi.background": "fastapi",
    "fastapi.requests": "fastapi",
    "fastapi.responses": "fastapi.responses",
    "fastapi.testclient": "fastapi.testclient",
    "typing_extensions": "typing",
    "pydantic.main": "pydantic",
    "pydantic.v1": "pydantic.v1",
    "pydantic.functional_validators": "pydantic",
    "pydantic.class_validators": "pydantic",
    "starlette.routing": "starlette.routing",
    "starlette.middleware.cors": "starlette.middleware.cors",
    "fastapi.middleware.cors": "starlette.middleware.cors",
    "starlette.testclient": "fastapi.testclient",
    "starlette.exceptions": "starlette.exceptions",
}

# Names whose canonical form is not "same name, aliased module".
_NAME_ALIASES = {
    "fastapi.param_functions.Depends": "fastapi.Depends",
    "fastapi.params.Depends": "fastapi.Depends",
    "fastapi.params.Security": "fastapi.Security",
    "fastapi.exceptions.HTTPException": "fastapi.HTTPException",
    "starlette.requests.Request": "fastapi.Request",
    "fastapi.requests.Request": "fastapi.Request",
    "starlette.background.BackgroundTasks": "fastapi.BackgroundTasks",
    "fastapi.background.BackgroundTasks": "fastapi.BackgroundTasks",
}


def canonical(qualname: str) -> str:
    """Map a resolved dotted name to the spelling rules compare against."""
    alias = _NAME_ALIASES.get(qualname)
    if alias is not None:
        return alias
    module, _, name = qualname.rpartition(".")
    if module in _MODULE_ALIASES:
        return f"{_MODULE_ALIASES[module]}.{name}"
    return qualname


def marker_name(qualname: str | None) -> str | None:
    """`fastapi.Query` -> `Query`; None for anything that is not a FastAPI parameter marker."""
    if qualname is None:
        return None
    module, _, name = canonical(qualname).rpartition(".")
    if module == "fastapi" and name in PARAM_MARKERS:
        return name
    return None
