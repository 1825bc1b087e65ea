"""Helpers shared by the parameter, dependency and async rules (FPA201, FPA202, FPA204, FPA205, FPA301):
which functions FastAPI calls (handlers, dependencies), builtin names, and what a function returns."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...model.facts import ClassInfo, FunctionInfo, ModuleFacts, Scope
from ...model.params import dependency_functions_in
from ...model.project import Project, Route

CALLABLE_TYPES = frozenset(
    (
        "typing.Callable",
        "collections.abc.Callable",
        "typing.Any",
        "builtins.object",
        "typing.Awaitable",
        "typing.Coroutine",
        "functools.partial",
    )
)
GENERATOR_TYPES = frozenset(
    (
        "typing.Generator",
        "typing.Iterator",
        "typing.Iterable",
        "typing.AsyncGenerator",
        "typing.AsyncIterator",
        "typing.AsyncIterable",
        "collections.abc.Generator",
        "collections.abc.Iterator",
        "collections.abc.Iterable",
        "collections.abc.AsyncGenerator",
        "collections.abc.AsyncIterator",
        "collections.abc.AsyncIterable",
    )
)
BUILTIN_VALUES = frozenset(("str", "int", "float", "bool", "bytes", "dict", "list", "set", "tuple", "frozenset"))
# Library classes whose instances are not callable (what a dependency typically hands over).
NON_CALLABLE_CLASSES = frozenset(
    (
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlmodel.Session",
        "httpx.Client",
        "httpx.AsyncClient",
        "requests.Session",
        "fastapi.Request",
        "typing.Dict",
        "typing.List",
        "typing.Optional",
    )
)
MODEL_BASES = frozenset(("pydantic.BaseModel", "pydantic_settings.BaseSettings", "builtins.object"))
CONTEXT_MANAGER_DECORATORS = frozenset(
    (
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "pytest.fixture",
        "pytest_asyncio.fixture",
    )
)


def route_handlers(project: Project, module: ModuleFacts, kinds: tuple[str, ...] = ()) -> dict[int, FunctionInfo]:
    """Handlers living in `module` of every route of the project (registered here or elsewhere), by id; only
    routes of the given kinds ("http", "websocket", "starlette") when `kinds` is given."""
    memo = project.derived.get("params.route_handlers")
    if not isinstance(memo, dict):
        memo = project.derived["params.route_handlers"] = {}
    index = memo.get(module.path)
    if index is None:
        index = {}
        for route in handler_routes(project, module.path):
            assert route.handler is not None
            index.setdefault(id(route.handler), (route.handler, set()))[1].add(route.kind)
        memo[module.path] = index
    return {key: fn for key, (fn, found) in index.items() if not kinds or found & set(kinds)}


def handler_routes(project: Project, path: str) -> list[Route]:
    """The routes of the project (in `project.routes` order) whose handler lives in the module at `path`. Each
    route's `mounts` are those of the current link."""
    return _HandlerRoutes.of(project).by_handler.get(path, [])


@dataclass(eq=False)
class _HandlerRoutes:
    """Routes grouped by the module of their handler, kept across updates: a keystroke relinks one module's
    routes (and its importers'), and regrouping every route of the project after each would cost more than the
    rules reading the table. Each module's share (its routes, by handler module) is recomputed for the changed
    paths, and only the groups they touch are regrouped, in module order. A handler registered in another
    module is imported by it, so that module is among the changed paths when the handler's module is. Kept
    only while `project.mounts` is the very same table: the routes of unchanged modules then still hold their
    mounts; otherwise every module's routes are relinked."""

    mounts: object
    order: dict[str, int]  # module path -> its position in the project
    shares: dict[str, dict[str, list[Route]]]  # route module path -> handler module path -> its routes there
    sources: dict[str, list[str]]  # handler module path -> route modules with a share in it, in module order
    by_handler: dict[str, list[Route]]

    @staticmethod
    def of(project: Project) -> _HandlerRoutes:
        return project.incremental("params.handler_routes", _HandlerRoutes.build, _HandlerRoutes.update)

    @staticmethod
    def build(project: Project) -> _HandlerRoutes:
        mounts = project.mounts
        shares = {path: _handler_share(project, facts) for path, facts in project.modules.items()}
        sources: dict[str, list[str]] = {}
        by_handler: dict[str, list[Route]] = {}
        for path, share in shares.items():
            for target, routes in share.items():
                sources.setdefault(target, []).append(path)
                by_handler.setdefault(target, []).extend(routes)
        order = {path: i for i, path in enumerate(project.modules)}
        return _HandlerRoutes(mounts, order, shares, sources, by_handler)

    @staticmethod
    def update(project: Project, table: _HandlerRoutes, changed: frozenset[str]) -> _HandlerRoutes:
        if project.mounts is not table.mounts:
            return _HandlerRoutes.build(project)
        shares = dict(table.shares)
        sources = dict(table.sources)
        touched: set[str] = set()
        for path in changed:
            facts = project.modules.get(path)
            old = shares.get(path)
            if facts is None or old is None:
                return _HandlerRoutes.build(project)
            new = shares[path] = _handler_share(project, facts)
            for target in old.keys() - new.keys():
                sources[target] = [p for p in sources[target] if p != path]
            for target in new.keys() - old.keys():
                sources[target] = sorted([*sources.get(target, ()), path], key=table.order.__getitem__)
            touched.update(old, new)
        by_handler = dict(table.by_handler)
        for target in touched:
            by_handler[target] = [route for path in sources.get(target, ()) for route in shares[path].get(target, ())]
            if not by_handler[target]:
                del by_handler[target]
                sources.pop(target, None)
        return _HandlerRoutes(table.mounts, table.order, shares, sources, by_handler)


def _handler_share(project: Project, facts: ModuleFacts) -> dict[str, list[Route]]:
    share: dict[str, list[Route]] = {}
    for route in project.routes_of(facts):
        if route.handler is not None and route.handler_module is not None:
            share.setdefault(route.handler_module.path, []).append(route)
    return share


def module_dependencies(project: Project, module: ModuleFacts) -> dict[int, FunctionInfo]:
    """Functions of `module` that the project uses as dependencies, by id."""
    return dependency_functions_in(project, module.path)


def builtin_name(module: ModuleFacts, expr: ast.expr, scope: Scope) -> str | None:
    """`open`, `dict`, ... when `expr` is a bare name Python finds among its builtins (nothing rebinds it)."""
    if isinstance(expr, ast.Name):
        if scope.lookup(expr.id) is None:
            return expr.id
        return None
    if isinstance(expr, ast.Attribute) and module.resolve(expr, scope) == f"builtins.{expr.attr}":
        return expr.attr
    return None


def type_name(module: ModuleFacts, expr: ast.expr, scope: Scope) -> str | None:
    """The qualified name of a type expression's head: `builtins.dict`, `typing.Dict`, `pkg.models.User`."""
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    builtin = builtin_name(module, expr, scope)
    if builtin is not None:
        return f"builtins.{builtin}"
    return module.resolve(expr, scope)


def decorator_names(module: ModuleFacts, fn: FunctionInfo) -> list[str | None]:
    """Resolved names of a function's decorators (`@pytest.fixture(...)` gives `pytest.fixture`)."""
    out: list[str | None] = []
    for deco in fn.node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        out.append(module.resolve(target, fn.scope))
    return out


def class_is_callable(project: Project, module: ModuleFacts, cls: ClassInfo, _depth: int = 0) -> bool | None:
    """Whether instances of a project class are callable: True (`__call__` defined), False (every base is a
    project class or a known plain base, none defines it), None (cannot tell)."""
    if "__call__" in cls.methods:
        return True
    if _depth > 10:
        return None
    verdict: bool | None = False
    for base_expr, base in zip(cls.node.bases, cls.bases):
        if base is None:
            builtin = builtin_name(module, base_expr, cls.scope)
            if builtin in ("object", *BUILTIN_VALUES, "Exception"):
                continue
            return None
        if base in MODEL_BASES:
            continue
        symbol = project.lookup(base, module)
        if symbol is None or not isinstance(symbol.obj, ClassInfo):
            return None
        inner = class_is_callable(project, symbol.module, symbol.obj, _depth + 1)
        if inner is True:
            return True
        if inner is None:
            verdict = None
    return verdict


def value_is_callable(project: Project, module: ModuleFacts, annotation: ast.expr, scope: Scope) -> bool | None:
    """Whether a value of the annotated type is callable: True, False, or None (cannot tell)."""
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return False
        return None  # string annotations: not followed
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):  # `X | None`
        left = value_is_callable(project, module, annotation.left, scope)
        right = value_is_callable(project, module, annotation.right, scope)
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    name = type_name(module, annotation, scope)
    if name is None:
        return None
    if name in CALLABLE_TYPES:
        return True
    if name in GENERATOR_TYPES or name in NON_CALLABLE_CLASSES:
        return False
    if name.startswith("builtins."):
        return False if name[9:] in BUILTIN_VALUES else None
    symbol = project.lookup(name, module)
    if symbol is not None and isinstance(symbol.obj, ClassInfo):
        return class_is_callable(project, symbol.module, symbol.obj)
    return None


_PLAIN_VALUES = (
    ast.Dict,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.JoinedStr,
    ast.ListComp,
    ast.DictComp,
    ast.SetComp,
    ast.Compare,
)


def returns_callable(project: Project, module: ModuleFacts, fn: FunctionInfo) -> bool | None:
    """Whether calling `fn` gives something callable: True, False (a generator, a coroutine, a value that
    cannot be called), or None (cannot tell)."""
    if fn.yields:
        return False  # a generator object
    if fn.is_async:
        return False  # a coroutine object
    if fn.node.returns is not None:
        verdict = value_is_callable(project, module, fn.node.returns, fn.scope)
        if verdict is not None:
            return verdict
    values = [r.value for r in fn.returns if r.value is not None]
    if not values:
        return None
    verdicts = [_expr_is_callable(project, module, fn, v) for v in values]
    if any(v is True for v in verdicts):
        return True
    if all(v is False for v in verdicts):
        return False
    return None


def _expr_is_callable(project: Project, module: ModuleFacts, fn: FunctionInfo, value: ast.expr) -> bool | None:
    if isinstance(value, ast.Lambda):
        return True
    if isinstance(value, ast.Name) and f"{fn.qualname}.{value.id}" in module.functions:
        return True  # a nested function: a factory
    if isinstance(value, ast.Constant):
        return False
    if isinstance(value, _PLAIN_VALUES):
        return False
    if isinstance(value, ast.Call):
        name = module.resolve(value.func, fn.body_scope)
        if name == "functools.partial":
            return True
        symbol = project.lookup(name, module)
        if symbol is not None and isinstance(symbol.obj, ClassInfo):
            return class_is_callable(project, symbol.module, symbol.obj)
    return None
