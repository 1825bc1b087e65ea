"""## What it does
Finds `jwt.decode(...)` (PyJWT or python-jose) that does not verify the token: called with
`options={"verify_signature": False}`, without `algorithms=`, or with `"none"` among the algorithms.

## Why is this bad?
A JWT is only as trustworthy as its signature check. With `verify_signature` off, anyone can write a token
saying `{"sub": "admin"}` and the API accepts it. Without an explicit `algorithms=` list the algorithm comes
from the token itself: python-jose then accepts whatever the attacker's header names (algorithm confusion:
an RS256 public key used as an HS256 secret), and PyJWT 2 refuses every token at runtime (`DecodeError: It is
required that you pass in a value for the "algorithms" argument`). The `none` algorithm means "unsigned".
Pin the one algorithm you issue tokens with.

## Example
```python
import jwt

SECRET_KEY = "read-from-the-environment"


def current_user(token: str) -> str:
    payload = jwt.decode(token, SECRET_KEY, options={"verify_signature": False})
    return payload["sub"]
```

## Use instead
```python
import os

import jwt

SECRET_KEY = os.environ["SECRET_KEY"]


def current_user(token: str) -> str:
    payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    return payload["sub"]
```

## Fix
No fix: which algorithm the tokens are signed with is for the author to say.

## Related
No equivalent in ruff or flake8-fastapi; semgrep's `jwt-python-unverified-jwt-decode` and
`jwt-python-none-alg` rules look for the same patterns.

## See also
- https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/
- https://pyjwt.readthedocs.io/en/stable/usage.html
- https://pyjwt.readthedocs.io/en/stable/algorithms.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..base import Context, Finding, Rule

JWT_DECODE = ("jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode")


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((kw for kw in call.keywords if kw.arg == name), None)


def _verify_off(options: ast.expr) -> ast.expr | None:
    """The `False` of `{"verify_signature": False}` in a literal options dict."""
    if not isinstance(options, ast.Dict):
        return None
    for key, value in zip(options.keys, options.values):
        if (
            isinstance(key, ast.Constant)
            and key.value == "verify_signature"
            and isinstance(value, ast.Constant)
            and value.value is False
        ):
            return value
    return None


def _none_algorithm(algorithms: ast.expr) -> ast.expr | None:
    elts = algorithms.elts if isinstance(algorithms, (ast.List, ast.Tuple, ast.Set)) else [algorithms]
    for elt in elts:
        if isinstance(elt, ast.Constant) and isinstance(elt.value, str) and elt.value.lower() == "none":
            return elt
    return None


def check(ctx: Context) -> Iterator[Finding]:
    for site in ctx.module.calls_to(*JWT_DECODE):
        call = site.node
        if any(kw.arg is None for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            continue  # `**options` / `*args`: cannot see everything
        options = _keyword(call, "options")
        anchor: ast.AST | None = options
        options_value = options.value if options is not None else None
        if options_value is None and len(call.args) >= 4:
            anchor = options_value = call.args[3]
        if options_value is not None and anchor is not None:
            off = _verify_off(options_value)
            if off is not None:
                yield ctx.finding(
                    anchor,
                    "`jwt.decode` with `verify_signature` off accepts forged tokens: anyone can sign as anyone",
                )
                continue
        algorithms = _keyword(call, "algorithms")
        value = algorithms.value if algorithms is not None else (call.args[2] if len(call.args) >= 3 else None)
        if value is None:
            yield ctx.finding(
                call.func,
                '`jwt.decode` without `algorithms=`: pin the algorithm you sign with (e.g. `algorithms=["HS256"]`)',
                end_node=call,
            )
            continue
        none = _none_algorithm(value)
        if none is not None:
            yield ctx.finding(none, "`jwt.decode` accepting the `none` algorithm accepts unsigned tokens")


RULE = Rule(
    code="FPA503",
    name="unverified-jwt-decode",
    summary="JWT decoded without verification, without `algorithms=`, or with `none`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="module",
    peers=(),
)
