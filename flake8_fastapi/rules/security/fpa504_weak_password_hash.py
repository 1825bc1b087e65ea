"""## What it does
Finds passwords hashed with a fast general-purpose hash (`hashlib.md5(password...)`, `sha1`, `sha256`,
`sha512`, `blake2b`, `hashlib.new("md5", ...)`, or `h.update(password...)` on such a hasher), where the hashed
expression names a password; and passwords compared in plain text (`user.password == form.password`).

A comparison of two password fields of the same object (`self.password != self.password_confirm`), or of a
password with its confirmation or with the old one (`new_password == old_password`) is input validation and is
not reported.

## Why is this bad?
MD5 and the SHA family are designed to be fast: a GPU tries billions of guesses per second against a leaked
table of unsalted SHA-256 hashes. Passwords need a slow, salted, memory-hard hash (Argon2, bcrypt, scrypt),
which is what pwdlib provides and what FastAPI's security tutorial uses. A password compared in plain text
means it is stored in plain text: one database leak exposes every user's password (and, through reuse, their
other accounts).

## Example
```python
import hashlib


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()
```

## Use instead
```python
from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return password_hash.hash(password)
```

## Fix
No fix: moving to a password hash changes the stored format, so existing hashes need a migration (verify with
the old scheme once, re-hash on login).

## Related
ruff `S324` (insecure hash function: flags `md5`/`sha1` wherever they are used, but not SHA-256 applied to a
password) and bandit `B303`/`B324`; neither looks for plain-text password comparisons.

## See also
- https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/#password-hashing
- https://frankie567.github.io/pwdlib/
- https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model.facts import CompareSite, ModuleFacts
from ...model.walk import walk_list
from ..base import Context, Finding, Rule

FAST_HASHES = frozenset(
    f"hashlib.{name}"
    for name in (
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
    )
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_PASSWORD = frozenset(("password", "passwd", "pwd", "passphrase", "pw"))
_HASHED = frozenset(("hash", "hashed", "hashes", "digest", "encrypted", "crypted", "token", "reset", "salt"))
_CONFIRMATION = frozenset(
    ("confirm", "confirmation", "confirmed", "repeat", "repeated", "retype", "again", "verify", "check", "2")
)


def words(name: str) -> list[str]:
    """`hashed_password` -> [hashed, password]; `apiKey` -> [api, key]; `X-API-Key` -> [x, api, key]."""
    return [w.lower() for w in _WORD.findall(name)]


def expr_name(expr: ast.expr) -> str | None:
    """The name an operand is known by: `x`, `obj.x`, `d["x"]`, `headers.get("x")`."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return None
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and expr.args
        and isinstance(expr.args[0], ast.Constant)
        and isinstance(expr.args[0].value, str)
    ):
        return expr.args[0].value
    return None


def is_password_name(name: str | None) -> bool:
    if not name:
        return False
    parts = set(words(name))
    return bool(parts & _PASSWORD) and not parts & _HASHED


def single_equality(node: ast.Compare) -> tuple[ast.expr, ast.expr] | None:
    """(left, right) of `a == b` / `a != b`; None for anything else (chains, `is`, `in`)."""
    if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return node.left, node.comparators[0]
    return None


def in_equality_method(site: CompareSite) -> bool:
    """Inside `__eq__`/`__ne__`: two objects compared field by field, not a credential check."""
    fn = site.function
    return fn is not None and fn.name in ("__eq__", "__ne__", "__hash__")


def same_root(a: ast.expr, b: ast.expr) -> bool:
    """`obj.x` and `obj.y` (or `d["x"]` and `d["y"]`): two fields of one object."""
    if isinstance(a, (ast.Attribute, ast.Subscript)) and isinstance(b, (ast.Attribute, ast.Subscript)):
        return ast.dump(a.value) == ast.dump(b.value)
    return False


def _mentions_password(expr: ast.expr) -> bool:
    for node in walk_list(expr):
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and is_password_name(expr_name(node)):
            return True
    return False


def _hashed_data(call: ast.Call) -> ast.expr | None:
    """The data argument of `hashlib.<algo>(data)` / `hashlib.new(name, data)` / `h.update(data)`."""
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    return args[0] if args else _keyword_data(call)


def _keyword_data(call: ast.Call) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg in ("data", "string")), None)


def _is_fast_new(call: ast.Call) -> bool:
    if not call.args:
        return False
    name = call.args[0]
    return (
        isinstance(name, ast.Constant)
        and isinstance(name.value, str)
        and f"hashlib.{name.value.lower()}" in (FAST_HASHES)
    )


def _weak_hash_findings(ctx: Context, module: ModuleFacts) -> Iterator[Finding]:
    for site in module.calls_to(*FAST_HASHES, "hashlib.new"):
        call = site.node
        if site.callee == "hashlib.new":
            if not _is_fast_new(call):
                continue
            data = call.args[1] if len(call.args) > 1 else _keyword_data(call)
        else:
            data = _hashed_data(call)
        if data is not None and _mentions_password(data):
            yield ctx.finding(call, _HASH_MESSAGE)
    for site in module.method_calls("update"):
        assign = module.assignments.get(site.receiver or "")
        if assign is None or not isinstance(assign.value, ast.Call):
            continue
        fast = assign.callee in FAST_HASHES or (assign.callee == "hashlib.new" and _is_fast_new(assign.value))
        data = _hashed_data(site.node)
        if fast and data is not None and _mentions_password(data):
            yield ctx.finding(site.node, _HASH_MESSAGE)


_HASH_MESSAGE = "Password hashed with a fast hash: use a password hash (pwdlib's Argon2 or bcrypt)"


def _is_validation_pair(left: ast.expr, right: ast.expr, a: str, b: str) -> bool:
    wa, wb = set(words(a)), set(words(b))
    if (wa | wb) & _CONFIRMATION or same_root(left, right):
        return True
    return ("new" in wa and wb & {"old", "current"} != set()) or ("new" in wb and wa & {"old", "current"} != set())


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    yield from _weak_hash_findings(ctx, module)
    for site in module.compares:
        pair = single_equality(site.node)
        if pair is None or in_equality_method(site):
            continue
        left, right = pair
        a, b = expr_name(left), expr_name(right)
        if not (is_password_name(a) and is_password_name(b)) or a is None or b is None:
            continue
        if _is_validation_pair(left, right, a, b):
            continue
        yield ctx.finding(
            site.node,
            "Password compared in plain text: store only a password hash and check it with "
            "`password_hash.verify(...)` (pwdlib)",
        )


RULE = Rule(
    code="FPA504",
    name="weak-password-hash",
    summary="Password hashed with md5/sha1/sha256 or compared in plain text",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="module",
    peers=("S324",),
)
