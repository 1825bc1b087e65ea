"""## What it does
Finds SQL built by string formatting (an f-string with a placeholder, `%`, `+` or `.format(...)`) and passed to
SQLAlchemy's `text()`, to `execute()`/`exec_driver_sql()` of a session, connection or DB-API cursor, or to the
asyncpg-style `fetch`/`fetchrow`/`fetchval`: directly, or through a local variable assigned once in the same
function. Reported when a value is pasted where SQL expects a value (`name = '{name}'`, `LIKE '%{q}%'`,
`IN ({ids})`, `VALUES (...)`), and, for `execute()` and friends, the string reads as SQL (`SELECT ... FROM`,
`INSERT INTO`, `UPDATE ... SET`, `DELETE FROM`), so a shell `execute(f"...")` is not reported. Identifiers
pasted into the statement (`FROM {table}`, `ORDER BY {column}`) cannot be bound as parameters and are left to
review; interpolated literals, module-level string constants, locals bound once to a literal, and numbers
(parameters annotated `int`, `int(x)`, `len(x)`) cannot carry SQL and are ignored.

## Why is this bad?
A value pasted into SQL text is SQL: `' OR 1=1 --` in a query parameter reads every row, and worse. Bound
parameters (`text("... WHERE id = :id")` with `{"id": item_id}`, or the ORM's `select(User).where(...)`)
send values separately from the statement, so no input can change what the statement does.

## Example
```python
from sqlalchemy import text
from sqlalchemy.orm import Session


def find_user(db: Session, name: str) -> object:
    return db.execute(text(f"SELECT * FROM users WHERE name = '{name}'")).first()
```

## Use instead
```python
from sqlalchemy import text
from sqlalchemy.orm import Session


def find_user(db: Session, name: str) -> object:
    return db.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name}).first()
```

## Fix
No fix: the placeholders and the parameters dict are for the author to write.

## Related
ruff `S608` (hard-coded SQL expression, by the string's content wherever it is used) and bandit `B608`. This
rule reports only SQL that reaches an executing call.

## See also
- https://fastapi.tiangolo.com/tutorial/sql-databases/
- https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text
- https://docs.sqlalchemy.org/en/20/tutorial/dbapi_transactions.html#sending-parameters
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model.facts import Assignment, CallSite, FunctionInfo, ModuleFacts
from ..base import Context, Finding, Rule

TEXT = ("sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text")
_EXECUTES = ("execute", "executemany", "exec_driver_sql", "executescript", "fetch", "fetchrow", "fetchval")
_SQL = re.compile(
    r"^\s*(?:select\s.+\sfrom\s|insert\s+into\s|update\s.+\sset\s|delete\s+from\s|with\s.+\sselect\s"
    r"|create\s+table\s|drop\s+table\s|alter\s+table\s)",
    re.IGNORECASE | re.DOTALL,
)
# A value pasted where SQL expects a value (`name = '{name}'`, `LIKE '%{q}%'`, `IN ({ids})`): identifiers
# (`FROM {table}`) cannot be bound as parameters, and are left alone.
_VALUE_SLOT = re.compile(
    r"(?:[=<>]|\blike\b|\bin\b|\bvalues\b|\blimit\b|\boffset\b|\bbetween\b|\band\b|\bthen\b|,)\s*\(?\s*['\"%]*\x00"
    r"|'[^']*\x00[^']*'",
    re.IGNORECASE,
)


MARK = "\x00"  # where a value that is not a constant is pasted into the string
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[sdifrxXeEgGcoa]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")


class _Builder:
    def __init__(self, module: ModuleFacts, fn: FunctionInfo | None) -> None:
        self.module = module
        self.fn = fn

    def constant(self, expr: ast.expr) -> bool:
        """A value that cannot carry input: a literal, or a module-level string constant."""
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.FormattedValue):
            return self.constant(expr.value)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _NUMERIC_CALLS:
            return True  # `int(x)`, `len(x)`: a number cannot carry SQL
        if isinstance(expr, ast.Name) and self.fn is not None and _numeric_parameter(self.fn, expr.id):
            return True
        if isinstance(expr, ast.Name) and self.fn is not None:
            qual = self.module.resolve(expr, self.fn.body_scope)
            assign = self.module.assignments.get(qual or "")
            if assign is None:
                return False
            if assign.scope.kind == "module":
                return isinstance(assign.value, ast.Constant) and isinstance(assign.value.value, (str, int))
            return (
                assign.scope is self.fn.body_scope
                and (_placeholder_join(assign.value) or _literal(assign.value))
                and _assigned_once(self.fn, expr.id)
            )
        return False

    def template(self, expr: ast.expr) -> str | None:
        """The string with every pasted non-constant value replaced by MARK; None when it is not built from
        string literals at all."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value
        if isinstance(expr, ast.JoinedStr):
            return "".join(
                v.value
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                else ("c" if self.constant(v) else MARK)
                for v in expr.values
            )
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            left = self.template(expr.left)
            if left is None:
                return None
            right = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
            fill = "c" if all(self.constant(e) for e in right) else MARK
            return _PERCENT_FIELD.sub(fill, left)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = [self.template(p) for p in _add_operands(expr)]
            if all(p is None for p in parts):
                return None
            return "".join(
                p if p is not None else ("c" if self.constant(e) else MARK) for p, e in zip(parts, _add_operands(expr))
            )
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            base = self.template(expr.func.value)
            if base is None:
                return None
            args = [*expr.args, *(kw.value for kw in expr.keywords)]
            return _FORMAT_FIELD.sub("c" if all(self.constant(a) for a in args) else MARK, base)
        return None


_NUMERIC_CALLS = frozenset(("int", "float", "len", "bool", "round", "abs"))
_NUMERIC_TYPES = frozenset(("int", "float", "bool"))


def _numeric_parameter(fn: FunctionInfo, name: str) -> bool:
    """A parameter annotated `int`/`float`/`bool` (or `Annotated[int, ...]`), never rebound: FastAPI has
    validated it, so it cannot carry SQL."""
    args = fn.node.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg != name or arg.annotation is None:
            continue
        ann = arg.annotation
        if isinstance(ann, ast.Subscript) and isinstance(ann.value, (ast.Name, ast.Attribute)):
            head = ann.value.id if isinstance(ann.value, ast.Name) else ann.value.attr
            if head == "Annotated":
                ann = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return isinstance(ann, ast.Name) and ann.id in _NUMERIC_TYPES and _assigned_once(fn, name)
    return False


def _literal(expr: ast.expr) -> bool:
    """A string or number literal: a local bound once to one cannot carry input."""
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (str, int, float))


def _placeholder_join(expr: ast.expr) -> bool:
    """`", ".join("?" for _ in ids)` / `",".join(["%s"] * n)`: bind markers, not values."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "join"
        and isinstance(expr.func.value, ast.Constant)
        and len(expr.args) == 1
    ):
        return False
    arg = expr.args[0]
    if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
        return isinstance(arg.elt, ast.Constant)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult) and isinstance(arg.left, ast.List):
        return all(isinstance(e, ast.Constant) for e in arg.left.elts)
    return False


def _add_operands(expr: ast.expr) -> list[ast.expr]:
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [*_add_operands(expr.left), *_add_operands(expr.right)]
    return [expr]


def _assigned_once(fn: FunctionInfo, name: str) -> bool:
    """Whether `name` is bound exactly once in the function's own body."""
    count = 0
    stack: list[ast.AST] = list(fn.node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
            count += 1
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            count += 1
            stack.append(node.value)
            continue
        stack.extend(ast.iter_child_nodes(node))
    params = fn.node.args
    if any(a.arg == name for a in (*params.posonlyargs, *params.args, *params.kwonlyargs)):
        count += 1
    return count == 1


def _sql_value(module: ModuleFacts, site: CallSite, expr: ast.expr) -> tuple[ast.expr, str | None] | None:
    """The expression the SQL argument stands for (following a local assigned once), and the variable name."""
    if isinstance(expr, ast.Name) and site.function is not None:
        qual = module.resolve(expr, site.function.body_scope)
        assign: Assignment | None = module.assignments.get(qual or "")
        if assign is None or assign.scope is not site.function.body_scope:
            return None
        if not _assigned_once(site.function, expr.id):
            return None
        return assign.value, expr.id
    return expr, None


def _first_arg(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    sinks: list[tuple[CallSite, ast.expr, bool, str]] = []
    for site in module.calls_to(*TEXT):
        arg = _first_arg(site.node, "text")
        if arg is not None:
            sinks.append((site, arg, False, "text()"))
    for site in module.method_calls(*_EXECUTES):
        arg = _first_arg(site.node, "statement")
        if arg is not None and site.callee not in TEXT:
            sinks.append((site, arg, True, f".{site.attr}()"))
    for site, arg, needs_sql, what in sorted(sinks, key=lambda s: (s[1].lineno, s[1].col_offset)):
        found = _sql_value(module, site, arg)
        if found is None:
            continue
        value, variable = found
        if isinstance(value, ast.Constant):
            continue
        template = _Builder(module, site.function).template(value)
        if template is None or MARK not in template or not _VALUE_SLOT.search(template):
            continue
        if needs_sql and not _SQL.search(template):
            continue
        through = f" (through `{variable}`)" if variable else ""
        yield ctx.finding(
            arg,
            f"SQL built by string formatting passed to `{what}`{through}: bind the values as parameters",
        )


RULE = Rule(
    code="FPA507",
    name="sql-built-from-strings",
    summary="SQL built with f-string/`%`/`+`/`.format` passed to `text()`/`execute()`",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="module",
    peers=("S608",),
)
