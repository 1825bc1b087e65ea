"""## What it does
Finds a secret compared with `==` or `!=`: an operand named like a token, API key, secret, signature, digest
or HMAC (`x_token != settings.api_token`, `signature == expected_signature`, `request.headers["X-API-Key"] ==
KEY`). The name's last word decides (`token`, `api_key`, `client_secret`, `webhook_signature`), so
`token_type` or `secret_name` are not secrets, and neither are flags about one (`is_token`,
`verify_signature`). Comparisons with `None`, a boolean, a number, or a short or spaced string (`""`,
`"Bearer"`) are presence checks or parsing, and comparisons inside `__eq__` compare objects; a comparison
passed to a call (`.where(User.api_key == key)`, `.filter(...)`) is an SQL expression the database evaluates;
none of these is reported. Only modules that deal with requests or signatures (importing `fastapi`,
`starlette`, `jwt`, `hmac`, `hashlib`, `secrets`, ...) are checked, so a parser's `token == "("` stays silent.

## Why is this bad?
`==` on strings stops at the first differing character, so the time a failed comparison takes tells an
attacker how many leading characters they guessed right; repeated over many requests, that recovers the secret
one character at a time. `secrets.compare_digest` takes the same time whatever the inputs, which is what
FastAPI's HTTP Basic tutorial uses.

## Example
```python
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
API_TOKEN = "loaded-from-the-environment"


@app.get("/admin")
async def admin(x_token: Annotated[str, Header()]) -> dict[str, bool]:
    if x_token != API_TOKEN:
        raise HTTPException(status_code=401)
    return {"ok": True}
```

## Use instead
```python
import secrets
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
API_TOKEN = "loaded-from-the-environment"


@app.get("/admin")
async def admin(x_token: Annotated[str, Header()]) -> dict[str, bool]:
    if not secrets.compare_digest(x_token.encode(), API_TOKEN.encode()):
        raise HTTPException(status_code=401)
    return {"ok": True}
```

## Fix
Rewrites `a == b` to `secrets.compare_digest(a, b)` and `a != b` to `not secrets.compare_digest(a, b)`
(importing `secrets` when needed). Unsafe: `compare_digest` raises `TypeError` where `==` quietly answers
`False`: when one side is `None` (a missing header), when one is `str` and the other `bytes`, and for `str`
holding non-ASCII characters. Encode both sides (`.encode()`) or check for `None` first, as in the example.

## Related
No equivalent in ruff or flake8-fastapi (bandit has none either); semgrep's
`python.lang.security.audit.timing-attack` covers some of it.

## See also
- https://fastapi.tiangolo.com/advanced/security/http-basic-auth/#timing-attacks
- https://docs.python.org/3/library/secrets.html#secrets.compare_digest
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import CompareSite, ModuleFacts
from ...model.walk import children, walk_list
from ..base import Context, Edit, Finding, Rule
from .fpa504_weak_password_hash import expr_name, in_equality_method, single_equality, words

_SECRET_LAST = frozenset(("token", "secret", "signature", "digest", "hmac", "apikey", "passcode"))
# `is_token`, `verify_signature`, `use_secret`: flags about a secret, not the secret.
_FLAG_PREFIXES = frozenset(
    ("is", "has", "use", "uses", "verify", "should", "require", "requires", "check", "enable", "enabled", "allow")
)
# Modules where a secret comparison means authentication: web code, or code that signs and hashes.
_CONTEXT_MODULES = ("fastapi", "starlette", "jwt", "jose", "hmac", "hashlib", "secrets", "itsdangerous", "authlib")
_KEY_OWNERS = frozenset(("api", "secret", "signing", "private", "access", "session", "webhook", "hmac"))
_COMPARE_DIGEST = ("secrets.compare_digest", "hmac.compare_digest")


def is_secret_name(name: str | None) -> bool:
    if not name:
        return False
    parts = words(name)
    if not parts:
        return False
    if parts[0] in _FLAG_PREFIXES:
        return False
    last = parts[-1]
    if last in _SECRET_LAST:
        return True
    return last == "key" and len(parts) > 1 and parts[-2] in _KEY_OWNERS


def _is_not_secret_value(expr: ast.expr) -> bool:
    """`None`, a boolean, a number, or a short or spaced string (`""`, `"("`, `"Bearer"`, `"not set"`): a
    presence check or a parser's token, not a secret."""
    if isinstance(expr, ast.Constant):
        value = expr.value
        if isinstance(value, (str, bytes)):
            return len(value) < 8 or any(c.isspace() for c in str(value))
        return True
    return False


def _in_call_argument(ctx: Context, site: CompareSite) -> bool:
    """`select(User).where(User.api_key == key)`, `query.filter(...)`: an SQL expression built by the ORM (the
    database compares), or any comparison handed to a function rather than evaluated by `==` here."""
    calls = site.function.calls if site.function is not None else [c for c in ctx.module.calls if c.function is None]
    node = site.node
    pos = (node.lineno, node.col_offset)
    end = (node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
    for call in calls:
        for arg in (*call.node.args, *(kw.value for kw in call.node.keywords)):
            a_start = (arg.lineno, arg.col_offset)
            a_end = (arg.end_lineno or arg.lineno, arg.end_col_offset or arg.col_offset)
            if a_start <= pos and end <= a_end:
                return True
    return False


def _digest_call(ctx: Context, site: CompareSite) -> tuple[str, tuple[Edit | None, ...]] | None:
    """How to spell `compare_digest` at this place, and the import edit it needs."""
    module: ModuleFacts = ctx.module
    scope = site.scope
    secrets_bound = scope.lookup("secrets")
    if secrets_bound == "secrets":
        return "secrets.compare_digest", ()
    bound = scope.lookup("compare_digest")
    if bound in _COMPARE_DIGEST:
        return "compare_digest", ()
    if bound is None and module.scope.bindings.get("compare_digest") is None:
        return "compare_digest", (import_edit(module, "secrets", "compare_digest"),)
    return None


def _parent(root: ast.AST, target: ast.AST) -> ast.AST | None:
    for node in walk_list(root):
        for child in children(node):
            if child is target:
                return node
    return None


def _needs_parens(ctx: Context, site: CompareSite) -> bool:
    """`not f(a, b)` replacing `a != b` needs parentheses inside a tighter operator."""
    src = ctx.module.source
    (line, col), end = src.start(site.node), src.end(site.node)
    if src.line(line)[:col].rstrip().endswith("(") and src.line(end[0])[end[1] :].lstrip().startswith(")"):
        return False  # already parenthesised
    root: ast.AST | None = site.function.node if site.function is not None else ctx.module.source.tree
    parent = _parent(root, site.node) if root is not None else None
    return isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Attribute, ast.Subscript, ast.Call)) and not (
        isinstance(parent, ast.Call) and site.node is not parent.func
    )


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    src = module.source
    if not module.compares or not any(module.imports_module(m) for m in _CONTEXT_MODULES):
        return
    for site in module.compares:
        pair = single_equality(site.node)
        if pair is None or in_equality_method(site):
            continue
        left, right = pair
        names = [n for n in (expr_name(left), expr_name(right)) if is_secret_name(n)]
        if not names or _is_not_secret_value(left) or _is_not_secret_value(right):
            continue
        if _in_call_argument(ctx, site):
            continue
        negated = isinstance(site.node.ops[0], ast.NotEq)
        spelling = _digest_call(ctx, site)
        the_fix = None
        if spelling is not None and "\n" not in src.segment(site.node):
            func, imports = spelling
            text = f"{func}({src.segment(left)}, {src.segment(right)})"
            if negated:
                text = f"not {text}"
                if _needs_parens(ctx, site):
                    text = f"({text})"
            the_fix = fix("Compare with `compare_digest`", ctx.edit(site.node, text), *imports, unsafe=True)
        yield ctx.finding(
            site.node,
            f"`{names[0]}` compared with `{'!=' if negated else '=='}` leaks its value through timing: "
            "use `secrets.compare_digest`",
            fix=the_fix,
        )


RULE = Rule(
    code="FPA505",
    name="secret-compared-with-eq",
    summary="Secret or token compared with `==` instead of `secrets.compare_digest`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="module",
    peers=(),
)
