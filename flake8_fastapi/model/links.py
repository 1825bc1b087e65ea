"""What the project index links: symbols, apps and routers, includes, mounts and routes."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .facts import Assignment, CallSite, ClassInfo, FunctionInfo, ModuleFacts, RouteSite


@dataclass(frozen=True)
class Symbol:
    """What a qualified name resolves to inside the project."""

    module: ModuleFacts
    qualname: str
    obj: FunctionInfo | ClassInfo | Assignment | ModuleFacts | str  # str: an annotated parameter's type

    @property
    def key(self) -> str:
        return f"{self.module.path}::{self.qualname}"


@dataclass(eq=False)
class Include:
    """`parent.include_router(child, prefix=...)`."""

    module: ModuleFacts
    site: CallSite
    parent: str  # object key
    child: str  # object key
    prefix: str | None  # None: not a literal


@dataclass(eq=False)
class RouterObject:
    key: str
    kind: str  # "app" | "router"
    module: ModuleFacts
    qualname: str
    call: ast.Call | None  # the constructor call, when known
    prefix: str | None = ""  # own prefix; None: not a literal

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Mount:
    """One way a router's routes reach an app: the app, the prefix before the router's own, the includes."""

    app: str
    prefix: str | None
    chain: tuple[Include, ...]


@dataclass(eq=False)
class Route:
    site: RouteSite
    module: ModuleFacts
    router: RouterObject
    path: str | None  # as written in the decorator
    methods: tuple[str, ...]
    kind: str  # "http" | "websocket" | "starlette"
    mounts: list[Mount] = field(default_factory=list)
    handler: FunctionInfo | None = None  # the decorated function, or add_api_route's endpoint if found
    handler_module: ModuleFacts | None = None
    memo: dict[str, object] = field(default_factory=dict)  # tables' caches of what depends on this route only

    @property
    def name(self) -> str:
        if self.handler is not None:
            return self.handler.name
        expr = self.site.handler_expr
        if isinstance(expr, ast.Name):
            return expr.id
        if isinstance(expr, ast.Attribute):
            return expr.attr
        return "<endpoint>"

    @property
    def local_path(self) -> str | None:
        """The path inside its own router: the router's prefix plus the decorator's path."""
        if self.path is None or self.router.prefix is None:
            return None
        return self.router.prefix + self.path

    def full_paths(self) -> list[tuple[str, str | None]]:
        """(app key, full path) for every app the route reaches; path None where a prefix is dynamic."""
        local = self.local_path
        out: list[tuple[str, str | None]] = []
        for mount in self.mounts:
            full = None if mount.prefix is None or local is None else mount.prefix + local
            out.append((mount.app, full))
        return out

    def keyword(self, name: str) -> ast.expr | None:
        for kw in self.site.call.keywords:
            if kw.arg == name:
                return kw.value
        return None
