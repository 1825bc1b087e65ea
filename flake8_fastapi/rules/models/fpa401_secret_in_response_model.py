"""## What it does
Finds a route whose response model (`response_model=`, else the return annotation, including `list[Model]`,
`Model | None` and models nested in fields) has a field that holds a secret: a password or its hash
(`password`, `hashed_password`, `password_hash`, `*_password`), a secret or private key (`secret`,
`secret_key`, `private_key`, `*_secret`), or a credential issued to someone (`token`, `access_token`,
`refresh_token`, `api_key`, `client_secret`, `reset_token`, ...). Models are followed through inheritance and
across files. The finding is reported on the route and on the field's declaration.

Fields that cannot leak are not reported: `SecretStr`/`SecretBytes` fields, `Field(exclude=True)`, fields
with a `@field_serializer`, models with a `@model_serializer`, fields removed by `response_model_exclude=`,
and fields that are not strings (`has_password: bool`). Issued credentials are expected in the response of
the endpoint that issues them: they are not reported for `POST` routes, for routes whose path speaks of
tokens, login, auth or sessions, for handlers taking an `OAuth2PasswordRequestForm`, or for a token response
model (one with a `token_type` field, like FastAPI's tutorial `Token`).

## Why is this bad?
FastAPI serialises every field of the response model. Answering with the model that describes the stored
row (`UserInDB`) sends each client the password hash (which can be cracked offline) or another user's
secret. The tutorial's pattern is an input model, a stored model and a separate output model without
secrets (`UserIn`, `UserInDB`, `UserOut`).

## Example
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class UserInDB(BaseModel):
    username: str
    hashed_password: str


@app.get("/users/{username}", response_model=UserInDB)
def read_user(username: str):
    return {"username": username, "hashed_password": "x"}
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class UserOut(BaseModel):
    username: str


class UserInDB(UserOut):
    hashed_password: str


@app.get("/users/{username}", response_model=UserOut)
def read_user(username: str):
    return {"username": username, "hashed_password": "x"}
```

## Fix
No fix: choose (or write) the output model that the endpoint should answer with.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/extra-models/
- https://fastapi.tiangolo.com/tutorial/response-model/
- https://docs.pydantic.dev/latest/api/types/#pydantic.types.SecretStr
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from ...model.facts import ClassInfo, ModuleFacts, Scope
from ...model.params import params_of
from ...model.project import Project, Route, Symbol
from ...model.pydantic import ModelField, class_chain, model_fields, models_in
from ..base import Context, Finding, Rule

_STORED = frozenset(
    ("password", "passwd", "hashed_password", "password_hash", "pwd_hash", "secret", "secret_key",
     "private_key", "otp_secret", "totp_secret", "mfa_secret", "signing_key", "encryption_key")
)  # fmt: skip
_ISSUED = frozenset(
    ("token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "client_secret", "api_token",
     "auth_token", "session_token", "reset_token", "password_reset_token", "verification_token",
     "confirmation_token", "activation_token", "invite_token", "invitation_token", "magic_link_token",
     "remember_token", "bearer_token", "jwt_token", "oauth_token", "personal_access_token", "api_secret")
)  # fmt: skip
_ISSUING_PATH_WORDS = ("token", "login", "auth", "session", "signin", "sign-in", "sign_in", "refresh", "oauth")
_LOGIN_FORMS = frozenset(
    ("fastapi.security.OAuth2PasswordRequestForm", "fastapi.security.OAuth2PasswordRequestFormStrict")
)
_STRINGS = frozenset(("str", "bytes"))
_MAX_DEPTH = 3


def secret_kind(name: str) -> str | None:
    """ "stored" (never meant to leave the server), "issued" (handed out once), or None."""
    lowered = name.lower()
    if lowered in _ISSUED or lowered.endswith("_api_key"):
        return "issued"
    if (
        lowered in _STORED
        or lowered.endswith(("_password", "_password_hash", "_secret", "_secret_key", "_private_key"))
        or lowered.startswith("hashed_")
    ):
        return "stored"
    return None


@dataclass(frozen=True)
class Exposure:
    path: str  # "hashed_password", or "owner.hashed_password" for a nested model
    field: ModelField
    model: Symbol  # the response model the route names


def _has_secret_fields(module: ModuleFacts) -> bool:
    """Whether a class of the module declares a field named like a secret."""
    found = module.memo.get("fpa401.secret-fields")
    if found is None:
        found = any(secret_kind(name) for cls in module.classes.values() for name in cls.fields)
        module.memo["fpa401.secret-fields"] = found
    return bool(found)


def _project_has_secret_fields(project: Project) -> bool:
    """Whether any class of the project declares a field named like a secret: every exposure is one."""
    found = project.derived.get("fpa401.secret-fields")
    if found is None:
        found = any(_has_secret_fields(facts) for facts in project.modules.values())
        project.derived["fpa401.secret-fields"] = found
    return bool(found)


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not _project_has_secret_fields(project):
        return
    for route in project.routes_of(module):
        found = _route_exposures_cached(project, route)
        if not found:
            continue
        anchor = _declared(route)
        if anchor is None:
            continue
        node = anchor[0]
        names = ", ".join(f"`{e.path}`" for e in found)
        models = sorted({e.model.qualname.rsplit(".", 1)[-1] for e in found})
        yield ctx.finding(
            node,
            f"The response of `{route.name}` exposes secret field{'s' if len(found) > 1 else ''} {names} "
            f"(response model `{'`, `'.join(models)}`): use an output model without it",
            related=[
                ctx.related(e.field.owner.module, e.field.stmt.target, f"`{e.path}` declared here") for e in found
            ],
        )
    if _has_secret_fields(module):
        for uses in _project_exposures(project).values():
            field, route = uses[0]
            if field.owner.module is not module:
                continue
            count = len({id(r) for _, r in uses})
            others = f" and {count - 1} other route{'s' if count > 2 else ''}" if count > 1 else ""
            where = os.path.basename(route.module.path)
            yield ctx.finding(
                field.stmt.target,
                f"Secret field `{field.name}` is sent to clients by the response of `{route.name}` ({where}:"
                f"{route.site.call.lineno}){others}",
                related=[ctx.related(r.module, r.site.call, f"`{r.name}` answers with it") for _, r in uses],
            )


def _declared(route: Route) -> tuple[ast.expr, Scope] | None:
    """The expression FastAPI takes the response model from, with the scope to resolve it in."""
    declared = route.keyword("response_model")
    if declared is not None:
        if isinstance(declared, ast.Constant) and declared.value is None:
            return None
        return declared, route.site.scope
    handler = route.handler
    if handler is None or handler.node.returns is None or route.handler_module is not route.module:
        return None
    return handler.node.returns, handler.scope


def route_exposures(project: Project, route: Route) -> list[Exposure]:
    if route.kind != "http" or route.keyword("response_model_include") is not None:
        return []
    declared = _declared(route)
    if declared is None:
        return []
    excluded = _excluded(route)
    if excluded is None:
        return []
    issuing = _is_issuing(project, route)
    out: list[Exposure] = []
    for model in models_in(project, route.module, declared[0], declared[1]):
        for exposure in _secrets_of(project, model, model, "", issuing, 0, set()):
            if exposure.path.split(".", 1)[0] not in excluded:
                out.append(exposure)
    return out


def _excluded(route: Route) -> set[str] | None:
    expr = route.keyword("response_model_exclude")
    if expr is None:
        return set()
    if isinstance(expr, (ast.Set, ast.List, ast.Tuple)):
        names = {e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        return names if len(names) == len(expr.elts) else None
    return None  # a dict or a name: cannot tell, stay silent


def _is_issuing(project: Project, route: Route) -> bool:
    if "POST" in route.methods:
        return True
    paths = [route.local_path or route.path or "", *(full or "" for _, full in route.full_paths())]
    if any(word in path.lower() for path in paths for word in _ISSUING_PATH_WORDS):
        return True
    handler = route.handler
    if handler is None or route.handler_module is None:
        return False
    for param in params_of(project, route.handler_module, handler):
        if isinstance(param.type_expr, (ast.Name, ast.Attribute)):
            where = param.module or route.handler_module
            if where.resolve(param.type_expr, param.scope or handler.scope) in _LOGIN_FORMS:
                return True
    return False


def _secrets_of(
    project: Project, model: Symbol, top: Symbol, prefix: str, issuing: bool, depth: int, seen: set[str]
) -> Iterator[Exposure]:
    if model.key in seen or depth > _MAX_DEPTH or _has_model_serializer(project, model):
        return
    seen = seen | {model.key}
    fields = model_fields(project, model)
    serialized = _serialized_fields(project, model)
    token_response = "token_type" in fields
    for name, field in fields.items():
        if name in serialized or _excluded_field(field):
            continue
        kind = secret_kind(name)
        if kind is not None and _is_string(field) and not (kind == "issued" and (issuing or token_response)):
            yield Exposure(prefix + name, field, top)
            continue
        owner_scope = _scope_of(field.owner)
        for nested in models_in(project, field.owner.module, field.stmt.annotation, owner_scope):
            yield from _secrets_of(project, nested, top, f"{prefix}{name}.", issuing, depth + 1, seen)


def _has_model_serializer(project: Project, model: Symbol) -> bool:
    for cls in class_chain(project, model):
        for method in cls.obj.methods.values() if isinstance(cls.obj, ClassInfo) else ():
            for deco in method.node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if cls.module.resolve(target, method.scope) in ("pydantic.model_serializer",):
                    return True
    return False


def _serialized_fields(project: Project, model: Symbol) -> set[str]:
    """Fields with a `@field_serializer` (the project decides what leaves)."""
    out: set[str] = set()
    for cls in class_chain(project, model):
        for method in cls.obj.methods.values() if isinstance(cls.obj, ClassInfo) else ():
            for deco in method.node.decorator_list:
                if isinstance(deco, ast.Call) and cls.module.resolve(deco.func, method.scope) in (
                    "pydantic.field_serializer",
                    "pydantic.functional_serializers.field_serializer",
                ):
                    out.update(a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return out


def _excluded_field(field: ModelField) -> bool:
    stmt = field.stmt
    calls = [stmt.value] if isinstance(stmt.value, ast.Call) else []
    if isinstance(stmt.annotation, ast.Subscript) and isinstance(stmt.annotation.slice, ast.Tuple):
        calls.extend(e for e in stmt.annotation.slice.elts[1:] if isinstance(e, ast.Call))
    for call in calls:
        for kw in call.keywords:
            if kw.arg == "exclude" and not (isinstance(kw.value, ast.Constant) and kw.value.value in (False, None)):
                return True
    return False


def _scope_of(symbol: Symbol) -> Scope:
    return symbol.obj.scope if isinstance(symbol.obj, ClassInfo) else symbol.module.scope


def _is_string(field: ModelField) -> bool:
    return _stringish(field.owner.module, field.stmt.annotation, _scope_of(field.owner))


def _stringish(module: ModuleFacts, expr: ast.expr, scope: Scope) -> bool:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            return _stringish(module, ast.parse(expr.value, mode="eval").body, scope)
        except SyntaxError:
            return False
    if isinstance(expr, ast.Name) and expr.id in _STRINGS:
        return module.resolve(expr, scope) is None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        parts = [expr.left, expr.right]
        return any(_stringish(module, p, scope) for p in parts)
    if isinstance(expr, ast.Subscript):
        base = module.resolve(expr.value, scope)
        items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if base in ("typing.Optional", "typing.Union"):
            return any(_stringish(module, i, scope) for i in items)
        if base == "typing.Annotated":
            return bool(items) and _stringish(module, items[0], scope)
        return False
    if isinstance(expr, ast.Call):
        return module.resolve(expr.func, scope) in ("pydantic.constr", "pydantic.types.constr")
    return False


@dataclass
class _Tables:
    routes: list[Route]  # `project.routes` when these were computed: the tables hold until it changes
    by_route: dict[int, tuple[Route, list[Exposure]]]
    by_field: dict[str, list[tuple[ModelField, Route]]] | None = None


_CACHE: WeakKeyDictionary[Project, _Tables] = WeakKeyDictionary()


def _tables(project: Project) -> _Tables:
    routes = project.routes
    cached = _CACHE.get(project)
    if cached is None or cached.routes is not routes:
        cached = _CACHE[project] = _Tables(routes, {})
    return cached


def _route_exposures_cached(project: Project, route: Route) -> list[Exposure]:
    by_route = _tables(project).by_route
    kept = by_route.get(id(route))
    if kept is not None and kept[0] is route:
        return kept[1]
    found = route_exposures(project, route)
    by_route[id(route)] = (route, found)
    return found


def _project_exposures(project: Project) -> dict[str, list[tuple[ModelField, Route]]]:
    """Every exposed secret field of the project (keyed by declaring class and name) with the routes."""
    tables = _tables(project)
    if tables.by_field is not None:
        return tables.by_field
    out: dict[str, list[tuple[ModelField, Route]]] = {}
    for route in tables.routes:
        for exposure in _route_exposures_cached(project, route):
            key = f"{exposure.field.owner.key}::{exposure.field.name}"
            out.setdefault(key, []).append((exposure.field, route))
    tables.by_field = out
    return out


RULE = Rule(
    code="FPA401",
    name="secret-in-response-model",
    summary="Response model exposes a password, secret or credential field",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
