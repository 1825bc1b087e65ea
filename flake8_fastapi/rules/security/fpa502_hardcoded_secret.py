"""## What it does
Finds a secret written into the source where it signs tokens or sessions:

- a string literal that reaches the key of `jwt.encode`/`jwt.decode` (PyJWT, python-jose), the `secret_key=`
  of Starlette's `SessionMiddleware`, an itsdangerous serializer or a fastapi-users `JWTStrategy(secret=...)`,
  directly or through a variable (in the same function, the module, or imported from another module);
- the default of a secret-named field (`secret_key`, `jwt_secret`, `session_secret`, `signing_key`, ...) of a
  `BaseSettings` class: the value used whenever the environment does not set it.

Values read from the environment (`os.environ[...]`, `os.getenv(...)`, settings without a default), empty
strings and public keys or certificates (an RS256 verifying key is meant to be public) are not reported.
Test files are checked like any code; a fixed key in a test is harmless, so silence the rule there with
`"tests/**" = ["FPA502"]` under `[tool.fastapi-lint.per-file-ignores]` rather than with `# noqa` in the
application.

## Why is this bad?
Whoever knows the signing key can mint tokens and session cookies for any user. A key in the source is
known to everyone with access to the repository, its history, its forks, the built image, and every
deployment that forgot to override it. Read it from the environment (pydantic-settings, without a default)
and generate it with `openssl rand -hex 32`.

## Example
```python
import jwt

SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"


def create_token(user_id: str) -> str:
    return jwt.encode({"sub": user_id}, SECRET_KEY, algorithm="HS256")
```

## Use instead
```python
import os

import jwt

SECRET_KEY = os.environ["SECRET_KEY"]


def create_token(user_id: str) -> str:
    return jwt.encode({"sub": user_id}, SECRET_KEY, algorithm="HS256")
```

## Fix
No fix: the secret has to move to the deployment's environment (and, once committed, be rotated).

## Related
ruff `S105`/`S106` (hard-coded password by variable or argument name, wherever it is used); semgrep's
`jwt-python-hardcoded-secret` (a literal inside `jwt.encode` only). This rule follows the value to where it
signs and knows settings classes.

## See also
- https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/#handle-jwt-tokens
- https://fastapi.tiangolo.com/advanced/settings/
- https://www.starlette.io/middleware/#sessionmiddleware
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ...model.facts import Assignment, CallSite, ClassInfo, ModuleFacts, Scope
from ...model.project import Project
from ..base import Context, Finding, Related, Rule
from .fpa504_weak_password_hash import words

# callee -> (positional index of the key, keyword name)
_SINKS: dict[str, tuple[int, str]] = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jwt.api_jwt.encode": (1, "key"),
    "jwt.api_jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    "starlette.middleware.sessions.SessionMiddleware": (1, "secret_key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Signer": (0, "secret_key"),
    "fastapi_users.authentication.JWTStrategy": (0, "secret"),
}
_SESSION = "starlette.middleware.sessions.SessionMiddleware"
_MIDDLEWARE = ("starlette.middleware.Middleware", "fastapi.middleware.Middleware")
_SETTINGS_BASES = ("pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings")
_KEY_OWNERS = frozenset(("secret", "jwt", "signing", "session", "encryption", "private", "token", "cookie", "auth"))

Literal_ = tuple[ModuleFacts, ast.Constant]


def _key_arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


_PUBLIC = ("-----BEGIN PUBLIC KEY", "-----BEGIN RSA PUBLIC KEY", "-----BEGIN CERTIFICATE", "ssh-rsa ", "ssh-ed25519 ")


def _is_secret_literal(expr: ast.expr) -> bool:
    """A non-empty string that could be a key: not a public key or certificate (verifying keys are public)."""
    if not isinstance(expr, ast.Constant) or not isinstance(expr.value, (str, bytes)):
        return False
    text = expr.value.decode("latin-1") if isinstance(expr.value, bytes) else expr.value
    return bool(text.strip()) and not text.lstrip().startswith(_PUBLIC)


def _literal(ctx: Context, module: ModuleFacts, expr: ast.expr, scope: Scope, depth: int = 0) -> Literal_ | None:
    """The string literal an expression denotes: itself, or a name bound once to one (followed across modules)."""
    if _is_secret_literal(expr):
        assert isinstance(expr, ast.Constant)
        return module, expr
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode":
        return _literal(ctx, module, expr.func.value, scope, depth + 1) if depth < 5 else None  # "..." .encode()
    if not isinstance(expr, (ast.Name, ast.Attribute)) or depth >= 5:
        return None
    symbol = ctx.project.lookup(module.resolve(expr, scope), module)
    if symbol is None or not isinstance(symbol.obj, Assignment):
        return None
    return _literal(ctx, symbol.module, symbol.obj.value, symbol.obj.scope, depth + 1)


def _sink_keys(module: ModuleFacts) -> Iterator[tuple[CallSite, ast.expr, str]]:
    """(call, key expression, what it signs) for every signing call of the module."""
    for site in module.calls_to(*_SINKS):
        index, keyword = _SINKS[site.callee or ""]
        key = _key_arg(site.node, index, keyword)
        if key is not None:
            yield site, key, (site.callee or "").rsplit(".", 1)[-1]
    for site in [*module.method_calls("add_middleware"), *module.calls_to(*_MIDDLEWARE)]:
        call = site.node
        if call.args and module.resolve(call.args[0], site.scope) == _SESSION:
            key = next((kw.value for kw in call.keywords if kw.arg == "secret_key"), None)
            if key is not None:
                yield site, key, "SessionMiddleware"


_Share = list[tuple[ModuleFacts, ast.Constant, Related | None, str]]
_Literals = dict[int, tuple[ModuleFacts, ast.Constant, list[Related], str]]


class _Table:
    """The literals per module whose signing calls reach them (each module's share), and their union."""

    def __init__(self) -> None:
        self.shares: dict[str, tuple[ModuleFacts, _Share]] = {}
        self.merged: _Literals = {}


def hardcoded_sink_literals(ctx: Context) -> _Literals:
    """Every literal of the project that reaches a signing key, keyed by node id.

    Kept across updates (`Project.incremental`): a module's share (what its own signing calls reach) follows
    names only through the modules it imports, so it holds until that module or one of those changes, which
    puts it among the changed paths; only those shares are recomputed, then merged again in module order."""
    project = ctx.project

    def build(_project: Project) -> _Table:
        table = _Table()
        table.shares = {path: (module, _share(ctx, module)) for path, module in project.modules.items()}
        table.merged = _merge(table.shares.values())
        return table

    def update(_project: Project, table: _Table, changed: frozenset[str]) -> _Table:
        if len(table.shares) != len(project.modules):  # (adding or removing a module rebuilds anyway)
            return build(project)
        touched = False
        for path in changed:
            module = project.modules.get(path)
            if module is None:
                return build(project)
            share = _share(ctx, module)
            # An edit that adds or removes no literal leaves the union as it was (its entries are of other
            # modules, which did not change).
            touched = touched or bool(share) or bool(table.shares[path][1])
            table.shares[path] = (module, share)  # in place: the union keeps the order of the modules
        if touched:
            table.merged = _merge(table.shares.values())
        return table

    return project.incremental("fpa502.literals", build, update).merged


def _share(ctx: Context, module: ModuleFacts) -> _Share:
    """(literal's module, literal, where it is used unless it is the key itself, what it signs) per sink."""
    out: _Share = []
    for site, key, what in _sink_keys(module):
        found = _literal(ctx, module, key, site.scope)
        if found is None:
            continue
        lit_module, node = found
        used = None
        if lit_module is not module or node is not key:
            used = ctx.related(module, site.node, f"used by `{what}` here")
        out.append((lit_module, node, used, what))
    return out


def _merge(shares: Iterable[tuple[ModuleFacts, _Share]]) -> _Literals:
    out: _Literals = {}
    for _module, share in shares:
        for lit_module, node, used, what in share:
            entry = out.setdefault(id(node), (lit_module, node, [], what))
            if used is not None:
                entry[2].append(used)
    return out


def is_secret_field(name: str) -> bool:
    parts = words(name)
    if parts and parts[-1] == "secret":
        return True
    return len(parts) > 1 and parts[-1] == "key" and parts[-2] in _KEY_OWNERS


def _field_default(stmt: ast.AnnAssign) -> ast.expr | None:
    value = stmt.value
    if isinstance(value, ast.Call):
        if value.args:
            return value.args[0]  # Field("...") / SecretStr("...")
        return next((kw.value for kw in value.keywords if kw.arg == "default"), None)
    return value


def _settings_fields(ctx: Context) -> Iterator[tuple[str, ast.Constant]]:
    module = ctx.module
    for cls in module.classes.values():
        if not cls.fields or not _is_settings(ctx, cls):
            continue
        for name, stmt in cls.fields.items():
            default = _field_default(stmt)
            if default is not None and is_secret_field(name) and _is_secret_literal(default):
                assert isinstance(default, ast.Constant)
                yield f"{cls.node.name}.{name}", default


def _is_settings(ctx: Context, cls: ClassInfo) -> bool:
    return any(ctx.project.is_subclass(base, ctx.module, _SETTINGS_BASES) for base in cls.bases if base)


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    reported: set[int] = set()
    for field, node in _settings_fields(ctx):
        reported.add(id(node))
        yield ctx.finding(
            node,
            f"Hard-coded default for the secret `{field}`: it signs with this value whenever the environment "
            "does not set it; drop the default",
        )
    for lit_module, node, related, what in hardcoded_sink_literals(ctx).values():
        if lit_module is not module or id(node) in reported:
            continue
        yield ctx.finding(
            node,
            f"Hard-coded secret used as the `{what}` key: anyone with the source can sign tokens; "
            "read it from the environment",
            related=related,
        )


RULE = Rule(
    code="FPA502",
    name="hardcoded-secret",
    summary="Hard-coded secret used for JWT/sessions (a literal key, or a settings default)",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    peers=("S105", "S106"),
)
