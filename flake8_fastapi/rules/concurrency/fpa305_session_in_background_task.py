"""## What it does
Finds a database session from a dependency with `yield` handed to a background task by a route handler:
`background_tasks.add_task(func, db, ...)` (positional or keyword argument) on a `BackgroundTasks` parameter, or
`BackgroundTask(func, db)` built for a response, where `db` is a handler parameter declared with
`Depends(get_db)` (directly, through `Annotated`, or through an `Annotated` alias from another module), `get_db`
is a project generator function, and the parameter's type or `get_db`'s return annotation is a SQLAlchemy or
SQLModel `Session` or an `AsyncSession`.

The rule reports only when the dependency's exit code really runs before the task:

- from FastAPI 0.121 (and when the version is unknown): for `Depends(get_db, scope="function")`, whose exit code
  runs when the handler returns, before the response is sent and before its background tasks run. With the
  default `scope="request"` the exit code runs after the response, background tasks included, and the rule
  stays silent;
- FastAPI 0.106 to 0.117: for every dependency with `yield`, whose exit code ran before the response was sent.

Plain values (ids, strings, models copied out of the session) are fine and are not reported.

## Why is this bad?
Background tasks run after the response has been sent. When the session's dependency has already finished by
then, the task gets a session that was committed and closed: objects loaded in the handler are detached
(touching an expired or lazy attribute raises `DetachedInstanceError`), and whatever the task writes lands in a
new transaction that nothing commits, so it is silently lost when the session is collected. The response says
the work was accepted; the row never appears.

## Example
```python
from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str]


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
Base.metadata.create_all(engine)
app = FastAPI()


def get_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db
        db.commit()


def write_audit(db: Session, event: str) -> None:
    db.add(AuditLog(event=event))


@app.post("/orders")
def create_order(
    background_tasks: BackgroundTasks, db: Annotated[Session, Depends(get_db, scope="function")]
) -> dict[str, str]:
    background_tasks.add_task(write_audit, db, "order created")
    return {"status": "accepted"}
```

## Use instead
```python
from collections.abc import Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str]


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
Base.metadata.create_all(engine)
app = FastAPI()


def get_db() -> Iterator[Session]:
    with Session(engine) as db:
        yield db
        db.commit()


def write_audit(event: str) -> None:
    with Session(engine) as db:
        db.add(AuditLog(event=event))
        db.commit()


@app.post("/orders")
def create_order(
    background_tasks: BackgroundTasks, db: Annotated[Session, Depends(get_db, scope="function")]
) -> dict[str, str]:
    background_tasks.add_task(write_audit, "order created")
    return {"status": "accepted"}
```

## Fix
No fix: the task has to open (and commit) its own session, and receive plain values (ids) instead of the
request's session or its objects.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/background-tasks/
- https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/
- https://fastapi.tiangolo.com/advanced/advanced-dependencies/
- https://www.starlette.io/background/
- https://docs.sqlalchemy.org/en/20/orm/session_basics.html#when-do-i-construct-a-session-when-do-i-commit-it-and-when-do-i-close-it
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import CallSite, FunctionInfo, ModuleFacts
from ...model.params import Param, params_of, resolve_dependency
from ...model.project import Project
from ...model.walk import own_nodes
from ..base import Context, Finding, Rule
from ..params._common import GENERATOR_TYPES, route_handlers, type_name

SESSION_TYPES = frozenset(
    (
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    )
)
BACKGROUND_TASKS = frozenset(("fastapi.BackgroundTasks",))
BACKGROUND_TASK = frozenset(("starlette.background.BackgroundTask", "fastapi.background.BackgroundTask"))


def _mode(version: tuple[int, ...] | None) -> str | None:
    """Which yield dependencies finish before background tasks: "all", "function" (scope="function"), None."""
    if version is None or version >= (0, 121):
        return "function"
    if (0, 106) <= version < (0, 118):
        return "all"
    return None


class _Handler:
    def __init__(self, project: Project, module: ModuleFacts, fn: FunctionInfo) -> None:
        self.project, self.module, self.fn = project, module, fn
        self._params: dict[str, Param] | None = None
        self._stored: set[str] | None = None

    @property
    def params(self) -> dict[str, Param]:
        if self._params is None:
            self._params = {p.name: p for p in params_of(self.project, self.module, self.fn)}
        return self._params

    def parameter(self, expr: ast.expr, site: CallSite) -> Param | None:
        """The handler parameter a bare name denotes, when the body never rebinds it."""
        if not isinstance(expr, ast.Name) or site.scope.lookup(expr.id) != f"{self.fn.qualname}.{expr.id}":
            return None
        if self._stored is None:
            self._stored = {
                n.id for n in own_nodes(self.fn.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
        if expr.id in self._stored:
            return None
        return self.params.get(expr.id)

    def is_background_tasks(self, expr: ast.expr, site: CallSite) -> bool:
        param = self.parameter(expr, site)
        if param is None or param.type_expr is None or param.module is None or param.scope is None:
            return False
        return type_name(param.module, param.type_expr, param.scope) in BACKGROUND_TASKS

    def closing_dependency(self, param: Param, mode: str) -> str | None:
        """The name of the yield dependency providing a session to `param`, when its exit code runs before the
        background tasks."""
        if param.marker not in ("Depends", "Security") or param.marker_call is None:
            return None
        if mode == "function" and not _function_scoped(param.marker_call):
            return None
        target = resolve_dependency(self.project, param)
        if target is None:
            return None
        dep_module, dep = target
        if not isinstance(dep, FunctionInfo) or not dep.yields or dep.node.decorator_list:
            return None
        session = False
        if param.type_expr is not None and param.module is not None and param.scope is not None:
            session = type_name(param.module, param.type_expr, param.scope) in SESSION_TYPES
        returns = dep.node.returns
        if (
            not session
            and isinstance(returns, ast.Subscript)
            and type_name(dep_module, returns, dep.scope) in GENERATOR_TYPES
        ):
            inner = returns.slice.elts[0] if isinstance(returns.slice, ast.Tuple) else returns.slice
            session = type_name(dep_module, inner, dep.scope) in SESSION_TYPES
        return dep.name if session else None


def _function_scoped(call: ast.Call) -> bool:
    return any(
        kw.arg == "scope" and isinstance(kw.value, ast.Constant) and kw.value.value == "function"
        for kw in call.keywords
    )


def _task_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments a task function receives: all but the function itself (positional or `func=`)."""
    args = [a for a in call.args[1:] if not isinstance(a, ast.Starred)]
    return [*args, *(kw.value for kw in call.keywords if kw.arg is not None and kw.arg != "func")]


def check(ctx: Context) -> Iterator[Finding]:
    mode = _mode(ctx.fastapi_version)
    if mode is None:
        return
    module, project = ctx.module, ctx.project
    for fn in route_handlers(project, module, ("http",)).values():
        handler: _Handler | None = None
        for site in fn.calls:
            call = site.node
            if site.in_decorator:
                continue
            is_add_task = site.attr == "add_task" and isinstance(call.func, ast.Attribute)
            if not is_add_task and site.callee not in BACKGROUND_TASK:
                continue
            if handler is None:
                handler = _Handler(project, module, fn)
            if is_add_task:
                assert isinstance(call.func, ast.Attribute)
                if not handler.is_background_tasks(call.func.value, site):
                    continue
            for arg in _task_arguments(call):
                param = handler.parameter(arg, site)
                if param is None:
                    continue
                dependency = handler.closing_dependency(param, mode)
                if dependency is None:
                    continue
                when = (
                    'its `scope="function"` exit code runs when the handler returns, before the task'
                    if mode == "function"
                    else "FastAPI 0.106-0.117 run its exit code before the response is sent and before the task"
                )
                yield ctx.finding(
                    arg,
                    f"Session `{param.name}` from yield dependency `{dependency}` is handed to a background task, "
                    f"but {when}: the task gets a closed session and its writes are never "
                    "committed; open a new session in the task and pass it plain values",
                )


RULE = Rule(
    code="FPA305",
    name="session-in-background-task",
    summary="Request-scoped database session from a yield dependency handed to a background task",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
