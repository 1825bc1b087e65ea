"""## What it does
Finds imports of `jose` (the `python-jose` distribution) and `passlib`.

## Why is this bad?
Both were the libraries FastAPI's security tutorial used for years, and both have been left behind: python-jose
went years without a release while carrying JWT vulnerabilities (algorithm confusion, JWE decompression
bombs), and passlib is unmaintained and breaks with current `bcrypt` releases (the `__about__` error at start-up,
the 72-byte truncation). FastAPI's documentation now uses PyJWT for tokens and pwdlib (Argon2 or bcrypt) for
password hashing. This is an advisory rule, off by default.

## Example
```python
from jose import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
```

## Use instead
```python
import jwt
from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()
```

## Fix
No fix: the APIs differ (`jwt.decode` raises `jwt.InvalidTokenError` instead of `JWTError`;
`PasswordHash.recommended()` hashes with Argon2, and existing bcrypt hashes need
`PasswordHash((Argon2Hasher(), BcryptHasher()))` to keep verifying).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/
- https://pyjwt.readthedocs.io/
- https://frankie567.github.io/pwdlib/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..base import Context, Finding, Rule

_LIBRARIES = {
    "jose": "`python-jose` is unmaintained: use PyJWT (`import jwt`)",
    "passlib": "`passlib` is unmaintained: use pwdlib (`from pwdlib import PasswordHash`)",
}


def check(ctx: Context) -> Iterator[Finding]:
    for stmt, _scope in ctx.module.import_nodes:
        if isinstance(stmt, ast.ImportFrom):
            if stmt.level or stmt.module is None:
                continue
            top = stmt.module.split(".", 1)[0]
            if top in _LIBRARIES:
                yield ctx.finding(stmt, _LIBRARIES[top])
            continue
        for alias in stmt.names:
            top = alias.name.split(".", 1)[0]
            if top in _LIBRARIES:
                yield ctx.finding(alias, _LIBRARIES[top])


RULE = Rule(
    code="FPA509",
    name="unmaintained-auth-library",
    summary="`python-jose` or `passlib` imported: FastAPI's docs moved to PyJWT and pwdlib",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="module",
    peers=(),
)
