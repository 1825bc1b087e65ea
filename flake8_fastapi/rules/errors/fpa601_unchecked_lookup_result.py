"""## What it does
Finds a route handler that returns the result of a database lookup that yields `None` when nothing matches
(`session.get(Model, id)`, `query(...).first()`, `result.scalars().first()`, `.one_or_none()`,
`.scalar_one_or_none()`), directly or through a variable, without checking it for `None` first. It stays
silent when the declared response (`response_model=` or the return annotation) allows `None`, and when the
variable is used in any other way (a test, a call, an attribute) before it is returned.

## Why is this bad?
A missing row is not an error to FastAPI. Without a response model, the handler answers `200 OK` with the body
`null`, and clients treat a missing user as a found one. With a response model that does not allow `None`,
the response fails validation and the client gets a `500 Internal Server Error`. Either way the client never
sees the `404 Not Found` that the situation calls for.

## Example
```python
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from .db import User, get_db

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int, db: Annotated[Session, Depends(get_db)]):
    return db.get(User, user_id)
```

## Use instead
```python
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from .db import User, get_db

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int, db: Annotated[Session, Depends(get_db)]):
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user
```

## Fix
No fix: the right status and message are the project's choice.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/handling-errors/
- https://fastapi.tiangolo.com/tutorial/sql-databases/
- https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session.get
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ...model.facts import ClassInfo, FunctionInfo, ModuleFacts, Scope
from ...model.params import params_of
from ...model.project import Project, Route
from ...model.pydantic import model_symbol_of
from ..base import Context, Finding, Rule

SESSION_TYPES = frozenset(
    (
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    )
)
_MAYBE_NONE = frozenset(("one_or_none", "scalar_one_or_none"))
_QUERY_STEPS = frozenset(
    ("query", "filter", "filter_by", "where", "scalars", "execute", "exec", "order_by", "options", "join")
)
_ALLOWS_NONE = frozenset(("typing.Any", "typing.Optional", "builtins.object"))
_PLAIN_TYPES = frozenset(("dict", "list", "str", "int", "float", "bool"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    candidates: set[int] | None = None
    gated = False
    for route in project.routes_of(module):
        handler = route.handler
        if handler is None or route.handler_module is not module or route.kind != "http" or not handler.returns:
            continue
        if not gated:
            candidates, gated = _looking_up(module), True
        if candidates is not None and id(handler) not in candidates:
            continue
        outcome = _outcome(project, module, route, handler)
        if outcome is None:
            continue
        for node, what in _unchecked_lookups(project, module, handler):
            yield ctx.finding(
                node,
                f"`{route.name}` returns {what} without a `None` check: when nothing matches, the client gets "
                f"{outcome} instead of a 404; raise `HTTPException(status_code=404)` when it is None",
            )


def _outcome(project: Project, module: ModuleFacts, route: Route, handler: FunctionInfo) -> str | None:
    """What a `None` return becomes; None when the declared response allows it (or we cannot tell)."""
    declared = route.keyword("response_model")
    scope = route.site.scope
    if isinstance(declared, ast.Constant) and declared.value is None:
        return "`200 OK` with `null`"
    if declared is None:
        declared, scope = handler.node.returns, handler.scope
        if declared is None:
            return "`200 OK` with `null`"
    if _allows_none(module, declared, scope):
        return None
    target = declared.value if isinstance(declared, ast.Subscript) else declared
    if model_symbol_of(project, target, module, scope) is not None:
        return "a 500 (response validation error)"
    if isinstance(target, ast.Name) and target.id in _PLAIN_TYPES and module.resolve(target, scope) is None:
        return "a 500 (response validation error)"
    return None


def _allows_none(module: ModuleFacts, expr: ast.expr, scope: Scope) -> bool:
    if isinstance(expr, ast.Constant):
        if expr.value is None:
            return True
        if isinstance(expr.value, str):
            try:
                return _allows_none(module, ast.parse(expr.value, mode="eval").body, scope)
            except SyntaxError:
                return True
        return False
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return _allows_none(module, expr.left, scope) or _allows_none(module, expr.right, scope)
    if isinstance(expr, ast.Subscript):
        base = module.resolve(expr.value, scope)
        items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if base == "typing.Optional":
            return True
        if base == "typing.Union":
            return any(_allows_none(module, i, scope) for i in items)
        if base == "typing.Annotated":
            return bool(items) and _allows_none(module, items[0], scope)
        return False
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = module.resolve(expr, scope)
        if qual is None and isinstance(expr, ast.Name):
            qual = "builtins." + expr.id
        return qual in _ALLOWS_NONE
    return True  # anything we do not understand: assume it may allow None


def _unchecked_lookups(project: Project, module: ModuleFacts, fn: FunctionInfo) -> Iterator[tuple[ast.expr, str]]:
    if not any(
        isinstance(ret.value, ast.Name) or _lookup_call(ret.value) for ret in fn.returns if ret.value is not None
    ):
        return  # told before walking the function for its assignments and names
    assigned: dict[str, ast.expr] = {}
    if ast.AnnAssign in fn.by_type:  # the last binding in walk order wins: keep Assign and AnnAssign interleaved
        statements: list[ast.AST] = [n for n in fn.walked if isinstance(n, (ast.Assign, ast.AnnAssign))]
    else:
        statements = list(fn.nodes_of(ast.Assign))
    for stmt in statements:
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                assigned[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            assigned[stmt.target.id] = stmt.value
    returned_names: dict[str, int] = {}
    for ret in fn.returns:
        value = ret.value
        if value is None:
            continue
        what = _lookup(project, module, fn, value, assigned)
        if what is not None:
            yield value, what
        elif isinstance(value, ast.Name):
            returned_names[value.id] = returned_names.get(value.id, 0) + 1
    # A returned name counts when it holds a lookup, is bound once and is used only where it is returned.
    found: dict[str, tuple[ast.expr, str]] = {}
    for name in returned_names:
        value = assigned.get(name)
        what = None if value is None else _lookup(project, module, fn, value, assigned)
        if value is not None and what is not None:
            found[name] = value, what
    if not found:
        return
    loads, stores = _uses(fn, found.keys())
    for name, (value, what) in found.items():
        if stores[name] != 1 or loads[name] != returned_names[name]:
            continue  # bound more than once, or used besides being returned (a check, a call, an attribute)
        yield value, f"`{name}` ({what})"


def _uses(fn: FunctionInfo, names: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """How many times each of `names` is read, and bound (`global`/`nonlocal` count twice), in the function."""
    loads = dict.fromkeys(names, 0)
    stores = dict.fromkeys(loads, 0)
    for node in fn.nodes_of(ast.Name):
        if node.id in loads:
            if isinstance(node.ctx, ast.Load):
                loads[node.id] += 1
            else:
                stores[node.id] += 1
    declared: list[ast.Global | ast.Nonlocal] = [*fn.nodes_of(ast.Global), *fn.nodes_of(ast.Nonlocal)]
    for decl in declared:
        for name in decl.names:
            if name in stores:
                stores[name] += 2
    for arg in fn.nodes_of(ast.arg):
        if arg.arg in stores:
            stores[arg.arg] += 1
    return loads, stores


_LOOKUP_ATTRS = (*_MAYBE_NONE, "first", "get")


def _looking_up(module: ModuleFacts) -> set[int] | None:
    """Ids of the functions that call `x.get(...)`, `x.first()`, `x.one_or_none()` ... in their body or in a
    function nested in it: every lookup `_lookup` recognises is such a call. None: not known (take them all)."""
    if module.incomplete:
        return None
    out: set[int] = set()
    for attr in _LOOKUP_ATTRS:
        for call in module.method_calls(attr):
            inner = call.function
            while inner is not None and id(inner) not in out:
                out.add(id(inner))
                inner = inner.parent
    return out


def _lookup_call(expr: ast.expr) -> bool:
    """Whether `expr` has the shape of every lookup `_lookup` recognises: `[await] x.get/first/...(...)`."""
    if isinstance(expr, ast.Await):
        expr = expr.value
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in _LOOKUP_ATTRS


def _lookup(
    project: Project, module: ModuleFacts, fn: FunctionInfo, expr: ast.expr, assigned: dict[str, ast.expr]
) -> str | None:
    """A description of `expr` when it is a lookup that yields None on no match."""
    if isinstance(expr, ast.Await):
        expr = expr.value
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
        return None
    attr, receiver = expr.func.attr, expr.func.value
    if attr in _MAYBE_NONE:
        return f"`.{attr}()`"
    if attr == "first" and not expr.args and _is_query(receiver, assigned):
        return "`.first()`"
    if (
        attr == "get"
        and len(expr.args) >= 2
        and not expr.keywords
        and (_is_session(project, module, fn, receiver) or _is_table_class(project, module, fn, expr.args[0]))
    ):
        return "`.get()`"
    return None


def _is_query(expr: ast.expr, assigned: dict[str, ast.expr], depth: int = 0) -> bool:
    """A SQLAlchemy query / result chain: `db.query(...)...`, `(await db.execute(...)).scalars()`."""
    while True:
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            if expr.func.attr in _QUERY_STEPS:
                return True
            expr = expr.func.value
            continue
        if isinstance(expr, ast.Name) and expr.id in assigned and depth < 3:
            return _is_query(assigned[expr.id], assigned, depth + 1)
        return False


def _is_session(project: Project, module: ModuleFacts, fn: FunctionInfo, expr: ast.expr) -> bool:
    if not isinstance(expr, ast.Name):
        return False
    for param in params_of(project, module, fn):
        if param.name == expr.id and param.type_expr is not None:
            where = param.module or module
            type_expr = param.type_expr
            if isinstance(type_expr, (ast.Name, ast.Attribute)):
                return where.resolve(type_expr, param.scope or fn.scope) in SESSION_TYPES
    return False


def _is_table_class(project: Project, module: ModuleFacts, fn: FunctionInfo, expr: ast.expr) -> bool:
    """A project class mapped to a table (it or a base declares `__tablename__`, or `table=True`)."""
    if not isinstance(expr, (ast.Name, ast.Attribute)):
        return False
    symbol = project.lookup(module.resolve(expr, fn.body_scope), module)
    if symbol is None or not isinstance(symbol.obj, ClassInfo):
        return False
    seen: set[str] = set()
    stack = [symbol]
    while stack:
        current = stack.pop()
        if current.key in seen or not isinstance(current.obj, ClassInfo):
            continue
        seen.add(current.key)
        node = current.obj.node
        if any(kw.arg == "table" for kw in node.keywords) or any(
            isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in s.targets)
            for s in node.body
        ):
            return True
        for base in current.obj.bases:
            found = project.lookup(base, current.module) if base else None
            if found is not None:
                stack.append(found)
    return False


RULE = Rule(
    code="FPA601",
    name="unchecked-lookup-result",
    summary="Handler returns a database lookup that may be None without checking it",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
