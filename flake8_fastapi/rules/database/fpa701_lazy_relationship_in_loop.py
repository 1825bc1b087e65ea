"""## What it does
Finds, in a route handler, a loop (`for`, or a list/set/dict comprehension or generator expression) over the
entities of one SQLAlchemy query whose body reads a lazy-loaded relationship of each entity, while the query
does not eager-load it. The iterated query is one of:

- `db.query(Model)....all()` (or the query itself);
- `db.scalars(select(Model)...)`, `(await db.scalars(...)).all()`;
- `db.execute(select(Model)...).scalars()`, `(await db.execute(...)).scalars().all()`;

written in place or through local variables assigned once (`stmt = select(Model)`, `rows = ...`). `Model` must
be a project ORM class (in any module) declaring the attribute as `relationship(...)` (annotated
`Mapped[...] = relationship(...)` or a plain assignment, on the class or a project base class) with the default
lazy loading: a relationship declared with any other `lazy=` (`"selectin"`, `"joined"`, `"subquery"`,
`"immediate"`, `"raise"`, `"dynamic"`, ...) is not reported. Neither is a query whose `.options(...)` holds
`selectinload`/`joinedload`/`subqueryload`/`immediateload(Model.attr)`, nor one with any other loader option the
rule cannot read. When the model, the relationship or the query cannot be resolved, the rule stays silent.

## Why is this bad?
A lazy relationship is loaded the first time it is read, with one `SELECT` per object: a page of 100 rows costs
101 queries (the "N+1" problem), and the response time grows with the page size and the database latency.
Under an `AsyncSession` it is worse: lazy loading cannot run implicit I/O, and the first read raises
`sqlalchemy.exc.MissingGreenlet`. `selectinload(Model.attr)` loads the relationship for all rows in one more
query.

## Example
```python
from fastapi import FastAPI
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="books")


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
app = FastAPI()


@app.get("/authors")
def list_authors() -> dict[str, list[str]]:
    with Session(engine) as db:
        authors = db.scalars(select(Author).order_by(Author.id)).all()
        return {author.name: [book.title for book in author.books] for author in authors}
```

## Use instead
```python
from fastapi import FastAPI
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="books")


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
app = FastAPI()


@app.get("/authors")
def list_authors() -> dict[str, list[str]]:
    with Session(engine) as db:
        authors = db.scalars(select(Author).options(selectinload(Author.books)).order_by(Author.id)).all()
        return {author.name: [book.title for book in author.books] for author in authors}
```

## Fix
No fix: whether `selectinload` or `joinedload` fits (or a `lazy=` default on the relationship) depends on the
data.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html
- https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#preventing-implicit-io-when-using-asyncsession
- https://docs.sqlalchemy.org/en/20/errors.html#error-xd2s
- https://fastapi.tiangolo.com/tutorial/sql-databases/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ...model.facts import ClassInfo, FunctionInfo, ModuleFacts
from ...model.project import Project
from ...model.walk import own_nodes
from .._gates import has_any
from ..base import Context, Finding, Rule
from ..params._common import route_handlers

RELATIONSHIPS = frozenset(("sqlalchemy.orm.relationship", "sqlalchemy.orm.relationships.relationship"))
EAGER_LOADERS = frozenset(
    f"sqlalchemy.orm.{name}" for name in ("selectinload", "joinedload", "subqueryload", "immediateload")
)
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
_LOOPS = (ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_LAZY_DEFAULTS = ("select", True)
_MAX_DEPTH = 4


@dataclass(frozen=True)
class _Query:
    model: ClassInfo
    model_module: ModuleFacts
    loaded: frozenset[str]  # relationships named in eager loader options
    awaited: bool


class _Handler:
    def __init__(self, project: Project, module: ModuleFacts, fn: FunctionInfo) -> None:
        self.project, self.module, self.fn = project, module, fn
        self.stores: dict[str, int] = {}
        self.values: dict[str, ast.expr] = {}
        for node in fn.own:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.stores[node.id] = self.stores.get(node.id, 0) + 1
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if len(targets) == 1 and isinstance(targets[0], ast.Name):
                    self.values[targets[0].id] = node.value

    def local(self, expr: ast.expr) -> ast.expr | None:
        """The value of a local name assigned exactly once in the handler's own body."""
        if not isinstance(expr, ast.Name) or self.stores.get(expr.id, 0) != 1:
            return None
        if self.fn.body_scope.lookup(expr.id) != f"{self.fn.qualname}.{expr.id}":
            return None
        return self.values.get(expr.id)

    def query(self, expr: ast.expr, depth: int = 0) -> _Query | None:
        """The single-entity query whose entities iterating `expr` gives, or None."""
        awaited = False
        scalars = False
        node: ast.expr = expr
        while depth <= _MAX_DEPTH:
            if isinstance(node, ast.Await):
                awaited = True
                node = node.value
                continue
            value = self.local(node)
            if value is not None:
                node, depth = value, depth + 1
                continue
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                return None
            func: ast.Attribute = node.func
            attr = func.attr
            if attr in ("all", "unique", "scalars") and not node.args and not node.keywords:
                scalars = scalars or attr == "scalars"
                node = func.value
                continue
            if attr in ("scalars", "execute") and len(node.args) >= 1 and isinstance(func.value, ast.Name):
                if attr == "execute" and not scalars:
                    return None  # rows, not entities
                found = self.statement(node.args[0], depth + 1)
                return None if found is None else _Query(found.model, found.model_module, found.loaded, awaited)
            found = self.chain(node, "query", depth)
            return None if found is None else _Query(found.model, found.model_module, found.loaded, awaited)
        return None

    def statement(self, expr: ast.expr, depth: int) -> _Query | None:
        value = self.local(expr)
        if value is not None:
            return self.statement(value, depth + 1) if depth <= _MAX_DEPTH else None
        return self.chain(expr, "select", depth)

    def chain(self, expr: ast.expr, root: str, depth: int) -> _Query | None:
        """`select(Model).x(...).y(...)` (root "select") or `db.query(Model).x(...)` (root "query")."""
        options: list[ast.expr] = []
        node: ast.expr = expr
        while isinstance(node, ast.Call):
            func = node.func
            scope = self.fn.body_scope
            if root == "select" and self.module.resolve(func, scope) in SELECTS:
                return self._query_of(node, options)
            if not isinstance(func, ast.Attribute):
                return None
            if root == "query" and func.attr == "query" and isinstance(func.value, ast.Name):
                return self._query_of(node, options)
            if func.attr == "options":
                if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                    return None
                options.extend(node.args)
            node = func.value
        if root == "select" and isinstance(node, ast.Name) and depth <= _MAX_DEPTH:
            value = self.local(node)
            if value is not None:
                inner = self.chain(value, root, depth + 1)
                if inner is None:
                    return None
                extra = self._loaded(inner.model, options)
                if extra is None:
                    return None
                return _Query(inner.model, inner.model_module, inner.loaded | extra, False)
        return None

    def _query_of(self, call: ast.Call, options: list[ast.expr]) -> _Query | None:
        if len(call.args) != 1 or call.keywords:
            return None
        symbol = self.project.lookup(self.module.resolve(call.args[0], self.fn.body_scope), self.module)
        if symbol is None or not isinstance(symbol.obj, ClassInfo):
            return None
        loaded = self._loaded(symbol.obj, options)
        if loaded is None:
            return None
        return _Query(symbol.obj, symbol.module, loaded, False)

    def _loaded(self, model: ClassInfo, options: list[ast.expr]) -> frozenset[str] | None:
        """Relationships of `model` eager-loaded by the options; None when an option is not understood."""
        out: set[str] = set()
        for option in options:
            if not isinstance(option, ast.Call) or self.module.resolve(option.func, self.fn.body_scope) not in (
                EAGER_LOADERS
            ):
                return None
            target = option.args[0] if len(option.args) == 1 and not option.keywords else None
            if not isinstance(target, ast.Attribute):
                return None
            owner = self.project.lookup(self.module.resolve(target.value, self.fn.body_scope), self.module)
            if owner is None or not isinstance(owner.obj, ClassInfo):
                return None
            out.add(target.attr)
        return frozenset(out)


def lazy_relationships(project: Project, module: ModuleFacts, cls: ClassInfo, depth: int = 0) -> dict[str, bool]:
    """Relationship attributes declared on a project ORM class (and its project bases): name -> lazy by
    default."""
    cache = project.derived.setdefault("fpa701.relationships", {})
    assert isinstance(cache, dict)
    key = f"{module.path}::{cls.qualname}"
    if key in cache:
        found: dict[str, bool] = cache[key]
        return found
    out: dict[str, bool] = {}
    cache[key] = out  # cycle guard
    if depth < 5:
        for base in cls.bases:
            symbol = project.lookup(base, module)
            if symbol is not None and isinstance(symbol.obj, ClassInfo):
                out.update(lazy_relationships(project, symbol.module, symbol.obj, depth + 1))
    for stmt in cls.node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, value = stmt.target.id, stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
        else:
            continue
        if isinstance(value, ast.Call) and module.resolve(value.func, cls.scope) in RELATIONSHIPS:
            out[name] = _is_lazy(value)
        else:
            out.pop(name, None)
    return out


def _may_declare_relationships(project: Project) -> bool:
    """Whether a class of the project declares a relationship (as `lazy_relationships` reads them): without
    one, no read is of a lazy relationship."""
    found = project.derived.get("fpa701.relationships-declared")
    if found is None:
        found = any(_declares_relationships(facts) for facts in project.modules.values())
        project.derived["fpa701.relationships-declared"] = found
    return bool(found)


def _declares_relationships(module: ModuleFacts) -> bool:
    found = module.memo.get("fpa701.relationships")
    if found is None:
        found = False
        for cls in module.classes.values():
            for stmt in cls.node.body:
                value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
                if isinstance(value, ast.Call) and module.resolve(value.func, cls.scope) in RELATIONSHIPS:
                    found = True
                    break
            if found:
                break
        module.memo["fpa701.relationships"] = found
    return bool(found)


def _is_lazy(call: ast.Call) -> bool:
    for kw in call.keywords:
        if kw.arg is None:
            return False  # **kwargs: cannot tell
        if kw.arg == "lazy":
            return isinstance(kw.value, ast.Constant) and kw.value.value in _LAZY_DEFAULTS
    return True


def _loops(fn: FunctionInfo) -> Iterator[tuple[str, ast.expr, list[ast.AST], ast.AST]]:
    """(loop variable, iterable, body parts, loop node) of the loops of a function body with a plain name as
    their variable."""
    if not has_any(fn, _LOOPS):
        return
    for node in fn.own:
        if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
            yield node.target.id, node.iter, [*node.body], node
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            if len(node.generators) != 1 or not isinstance(node.generators[0].target, ast.Name):
                continue
            gen = node.generators[0]
            assert isinstance(gen.target, ast.Name)
            parts: list[ast.AST] = [*gen.ifs]
            parts.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])
            yield gen.target.id, gen.iter, parts, node


def _reads(name: str, parts: list[ast.AST]) -> Iterator[ast.Attribute]:
    """`name.attr` reads in the loop body, in source order; nothing when the body rebinds `name`."""
    found: list[ast.Attribute] = []
    for part in parts:
        nodes = [part, *own_nodes(part)]
        for node in nodes:
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
                return
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id == name
            ):
                found.append(node)
    yield from sorted(found, key=lambda n: (n.lineno, n.col_offset))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not _may_declare_relationships(project):
        return  # no relationship() anywhere: no lazy relationship to read
    for fn in route_handlers(project, module, ("http",)).values():
        handler: _Handler | None = None
        for name, iterable, parts, _loop in _loops(fn):
            if handler is None:
                handler = _Handler(project, module, fn)
            query = handler.query(iterable)
            if query is None:
                continue
            relationships = lazy_relationships(project, query.model_module, query.model)
            reported: set[str] = set()
            for read in _reads(name, parts):
                attr = read.attr
                if attr in reported or not relationships.get(attr) or attr in query.loaded:
                    continue
                reported.add(attr)
                model = query.model.node.name
                effect = (
                    "under an `AsyncSession` the lazy load raises `MissingGreenlet`"
                    if query.awaited
                    else "one more `SELECT` per row (N+1 queries)"
                )
                yield ctx.finding(
                    read,
                    f"Lazy relationship `{model}.{attr}` read for each row of a query that does not load it: "
                    f"{effect}; add `.options(selectinload({model}.{attr}))` to the query",
                )


RULE = Rule(
    code="FPA701",
    name="lazy-relationship-in-loop",
    summary="Lazy SQLAlchemy relationship read in a loop over query results without eager loading (N+1)",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
