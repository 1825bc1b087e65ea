"""## What it does
Finds pagination with `.offset(...)` or `.limit(...)` on a SQLAlchemy/SQLModel query that has no
`.order_by(...)` anywhere in its chain. The chain is one expression of method calls rooted at `select(...)`
(`sqlalchemy`, `sqlmodel`), or at `db.query(...)` on a parameter annotated as a SQLAlchemy/SQLModel `Session`
(directly or through `Annotated`), or at a local variable assigned once from such a chain in the same function.

The query must be run where it is built: the chain is passed straight to `execute()`/`scalars()`/`scalar()`/
`exec()`, kept in a local variable used only that way, or ends in a result call (`.all()`, `.first()`, ...).
The rule stays silent when it cannot see the whole query: a chain rooted anywhere else, or a statement returned
or handed to other code, which may order it. `.limit(1)` alone is not pagination and is not reported.

## Why is this bad?
SQL guarantees no row order without `ORDER BY`. PostgreSQL, MySQL and SQLite return rows in whatever order the
plan produces, which changes with updates, vacuuming, parallel scans or a new index, so `OFFSET 20 LIMIT 10`
can repeat rows already shown on page 2 and skip others for good. The bug is invisible in tests on a small,
freshly inserted table.

## Example
```python
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


engine = create_engine("sqlite://")
app = FastAPI()


def get_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db


@app.get("/items")
def list_items(start: str = "", page: int = 0, db: Session = Depends(get_db)) -> list[str]:
    stmt = select(Item.name).where(Item.name >= start).offset(page * 2).limit(2)
    return list(db.scalars(stmt))
```

## Use instead
```python
from collections.abc import Iterator

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


engine = create_engine("sqlite://")
app = FastAPI()


def get_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db


@app.get("/items")
def list_items(start: str = "", page: int = 0, db: Session = Depends(get_db)) -> list[str]:
    stmt = select(Item.name).where(Item.name >= start).order_by(Item.id).offset(page * 2).limit(2)
    return list(db.scalars(stmt))
```

## Fix
No fix: only you know which column gives a stable order (a unique one, or ending with the primary key).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.sqlalchemy.org/en/20/core/selectable.html#sqlalchemy.sql.expression.Select.offset
- https://docs.sqlalchemy.org/en/20/orm/queryguide/select.html#order-by
- https://sqlmodel.tiangolo.com/tutorial/limit-and-offset/
- https://fastapi.tiangolo.com/tutorial/sql-databases/#read-heroes
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import FunctionInfo, ModuleFacts, Scope
from ...model.params import params_of
from ...model.project import Project
from ...model.walk import own_nodes
from ..base import Context, Finding, Rule
from ..params._common import type_name

SELECTS = frozenset(
    (
        "sqlalchemy.select",
        "sqlalchemy.sql.select",
        "sqlalchemy.sql.expression.select",
        "sqlalchemy.future.select",
        "sqlmodel.select",
        "sqlmodel.sql.expression.select",
    )
)
SESSIONS = frozenset(
    (
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.scoped_session",
        "sqlmodel.Session",
    )
)
EXECUTORS = frozenset(("execute", "exec", "scalars", "scalar", "scalar_one", "stream", "stream_scalars"))
RESULTS = frozenset(("all", "first", "one", "one_or_none", "scalar", "scalars", "unique", "count"))
_MAX_DEPTH = 3


def _chain(expr: ast.expr) -> tuple[list[ast.Call], ast.expr]:
    """Method calls of a chain, outermost first, and the expression it is rooted at."""
    calls: list[ast.Call] = []
    node = expr
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls, node


class _Chains:
    def __init__(self, project: Project, module: ModuleFacts, fn: FunctionInfo) -> None:
        self.project, self.module, self.fn = project, module, fn
        self.parents: dict[int, ast.Call] = {}
        for site in fn.calls:
            func = site.node.func
            if isinstance(func, ast.Attribute):
                self.parents[id(func.value)] = site.node
        self._stores: dict[str, int] | None = None

    def top(self, call: ast.Call) -> ast.Call:
        while id(call) in self.parents:
            call = self.parents[id(call)]
        return call

    def methods(self, expr: ast.expr, scope: Scope, depth: int = 0) -> list[str] | None:
        """Method names of a query chain (with those of the chain a local variable root was built by), or None
        when the chain is not rooted at a query we can see."""
        calls, root = _chain(expr)
        names = [c.func.attr for c in calls if isinstance(c.func, ast.Attribute)]
        if isinstance(root, ast.Call) and self.module.resolve(root.func, scope) in SELECTS:
            return names
        if names and names[-1] == "query" and isinstance(root, ast.Name) and self._is_session(root.id):
            return names
        if isinstance(root, ast.Name) and depth < _MAX_DEPTH:
            assign = self.module.assignments.get(f"{self.fn.qualname}.{root.id}")
            if assign is None or scope.lookup(root.id) != assign.qualname or self.stores(root.id) != 1:
                return None
            inner = self.methods(assign.value, scope, depth + 1)
            return None if inner is None else names + inner
        return None

    def _is_session(self, name: str) -> bool:
        for param in params_of(self.project, self.module, self.fn):
            if param.name == name and param.type_expr is not None and param.module is not None:
                scope = param.scope or self.fn.scope
                return type_name(param.module, param.type_expr, scope) in SESSIONS
        return False

    def stores(self, name: str) -> int:
        if self._stores is None:
            counts: dict[str, int] = {}
            for node in own_nodes(self.fn.node):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    counts[node.id] = counts.get(node.id, 0) + 1
            self._stores = counts
        return self._stores.get(name, 0)

    def only_executed(self, name: str) -> bool:
        """Every read of local `name` is a direct argument of `x.execute(...)`/`.scalars(...)`/..."""
        executed: set[int] = set()
        for site in self.fn.calls:
            if site.attr in EXECUTORS:
                executed.update(id(a) for a in site.node.args)
        for node in own_nodes(self.fn.node):
            is_read = isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
            if is_read and id(node) not in executed:
                return False
        return True


def _is_pagination(call: ast.Call) -> bool:
    assert isinstance(call.func, ast.Attribute)
    if call.func.attr == "offset":
        return True
    arg = call.args[0] if call.args else None
    return not (isinstance(arg, ast.Constant) and arg.value == 1)


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    analyses: dict[int, _Chains] = {}
    done: set[int] = set()
    for site in module.method_calls("offset", "limit"):
        fn = site.function
        if fn is None or site.in_decorator or not _is_pagination(site.node):
            continue
        chains = analyses.get(id(fn))
        if chains is None:
            chains = analyses[id(fn)] = _Chains(project, module, fn)
        top = chains.top(site.node)
        if id(top) in done:
            continue
        done.add(id(top))
        names = chains.methods(top, site.scope)
        if names is None or "order_by" in names:
            continue
        if not _run_here(chains, fn, top):
            continue
        calls, _ = _chain(top)
        first = next(
            c for c in reversed(calls) if isinstance(c.func, ast.Attribute) and c.func.attr in {"offset", "limit"}
        )
        assert isinstance(first.func, ast.Attribute)
        yield ctx.finding(
            first,
            f"`.{first.func.attr}()` pagination without `.order_by()`: without an order the database may return "
            "rows in any order, so pages can repeat or skip rows",
        )


def _run_here(chains: _Chains, fn: FunctionInfo, top: ast.Call) -> bool:
    """The query is executed where it is built: it ends in a result call, is passed straight to an executor, or
    is assigned to a local name that is only ever passed to executors."""
    if isinstance(top.func, ast.Attribute) and top.func.attr in RESULTS:
        return True
    for site in fn.calls:
        if site.attr in EXECUTORS and any(a is top for a in site.node.args):
            return True
    target = _assigned_name(fn, top)
    return bool(target) and target is not None and chains.only_executed(target)


def _assigned_name(fn: FunctionInfo, value: ast.expr) -> str | None:
    """The local name `value` is assigned to (`stmt = <chain>`), if it is the whole right-hand side."""
    for node in own_nodes(fn.node):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                return targets[0].id
            return ""
    return None


RULE = Rule(
    code="FPA702",
    name="pagination-without-order-by",
    summary="`offset()`/`limit()` pagination on a SQLAlchemy query without `order_by()`",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
)
