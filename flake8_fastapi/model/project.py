"""The project index: the facts of every module, names resolved across modules, and the router tree.

Routers are bound by import, never by bare name: `router` in `pkg/users.py` and `router` in `pkg/items.py`
are different objects with different keys. The tree is walked once per app from its include edges, so the
work is linear in the number of include edges (plus the routes it reports).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TypeVar, cast

from .extract import extract
from .facts import Assignment, ClassInfo, FunctionInfo, ModuleFacts
from .layout import module_names
from .link_inputs import (
    imported_names,
    imports_fastapi,
    interface,
    keyword_value,
    literal_keyword,
    literal_str,
    reuse_walks,
    route_methods,
)
from .link_tables import IncludesTable, ObjectsTable, RoutesTable
from .links import Include, Mount, Route, RouterObject, Symbol
from .names import APIROUTER, FASTAPI, canonical
from .reextract import extract_recorded, reextract
from .source import SourceFile

# Link parts that hold only names of other modules' objects (keys), never the objects themselves.
_NAME_ONLY_PARTS = frozenset({"objects", "includes"})
_LOG_SIZE = 64  # updates remembered by `changed_since`
T = TypeVar("T")
__all__ = ["Include", "Mount", "Project", "Route", "RouterObject", "Symbol"]  # the links are imported from here


class Project:
    """All modules of a workspace and the tables linked from them.

    Linking is incremental. The per-module parts of the link (a module's apps and routers, its includes, its
    routes) are kept per module and survive an edit of another module unless the edited module is reachable
    from it by imports: only through an import can one module's names resolve into another's. The global
    tables (`objects`, `includes`, `routes`, `mounts` and the rules' tables in `derived`) are reassembled after
    every update; adding or removing a module relinks everything (name resolution may change anywhere)."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.modules: dict[str, ModuleFacts] = {}  # absolute path -> facts
        self._by_name: dict[str, list[ModuleFacts]] = {}
        self._importers: dict[str, set[str]] = {}  # module name -> paths of the modules importing it
        self._parts: dict[str, dict[str, object]] = {}  # path -> per-module link parts (see `_part`)
        self._fastapi_modules: set[str] = set()  # paths of the modules importing from FASTAPI_ECOSYSTEM
        self._packages: dict[str, tuple[str, ...]] = {}  # directory -> its package path (see module_names)
        self._mounts_memo: tuple[object, list[Include], dict[str, list[Mount]]] | None = None
        self.revision = 0  # bumped on every update: lets front ends cache what they derive
        self.derived: dict[str, object] = {}  # caches of helpers outside this class, cleared on every update
        self._lookups: dict[str, dict[str, Symbol | None]] = {}  # importer's path -> name -> `lookup`
        # (revision, paths whose parts that update dropped; None: everything) for the last updates, and the
        # tables kept across updates (see `incremental`).
        self._log: list[tuple[int, frozenset[str] | None]] = []
        self._incremental: dict[str, tuple[int, object]] = {}

    # -- building ------------------------------------------------------------------------------------
    def add_source(self, path: str, text: str, tree: ast.Module | None = None, editing: bool = False) -> ModuleFacts:
        """Extract (or re-extract) one module's facts and relink the project. `editing`: the module is being
        edited (the server's open documents): its facts are extracted so that the next edit re-extracts only
        the statement it replaces (`reextract`)."""
        path = os.path.abspath(path)
        if path not in self.modules and os.path.basename(path) == "__init__.py":
            self._packages.clear()  # a new package: directories below it have new names
        name, is_package, aliases = module_names(path, self.root, self._packages)
        source = SourceFile.parse(path, text, tree)
        old = self.modules.get(path)
        facts = None
        if editing and old is not None and (old.module, old.is_package) == (name, is_package):
            facts = reextract(old, source)
        if facts is None:
            facts = extract_recorded(source, name, is_package) if editing else extract(source, name, is_package)
            if old is not None:
                reuse_walks(old, facts)  # `reextract` keeps the unchanged functions themselves, caches and all
        facts.aliases = aliases
        self._unregister(path)
        self.modules[path] = facts  # in place: the order of modules never depends on the edit history
        for n in (name, *aliases):
            self._by_name.setdefault(n, []).append(facts)
        for n in imported_names(facts):
            self._importers.setdefault(n, set()).add(path)
        if imports_fastapi(facts):
            self._fastapi_modules.add(path)
        if old is None:
            self.invalidate()
        elif interface(old) == interface(facts):
            # What importers resolve into this module is unchanged: they keep their apps, routers and includes
            # (names only); their other parts, which may hold this module's objects, are rebuilt.
            self._relink({path}, shallow=self.importers_of(path))
        else:
            self._relink({path, *self.importers_of(path)})
        return facts

    def remove(self, path: str) -> None:
        self._packages.clear()
        self._remove(os.path.abspath(path))
        self.invalidate()

    def _remove(self, path: str) -> None:
        self._unregister(path)
        self.modules.pop(path, None)

    def _unregister(self, path: str) -> None:
        old = self.modules.get(path)
        if old is None:
            return
        for n in (old.module, *old.aliases):
            entries = self._by_name.get(n, [])
            if old in entries:
                entries.remove(old)
        for n in imported_names(old):
            self._importers.get(n, set()).discard(path)
        self._fastapi_modules.discard(path)

    @property
    def uses_fastapi(self) -> bool:
        """Whether any module imports FastAPI, Starlette, Pydantic, SQLModel or a `fastapi_*` package."""
        return bool(self._fastapi_modules)

    def importers_of(self, path: str) -> set[str]:
        """Paths of the modules that import the module at `path`, directly or through other modules."""
        out: set[str] = set()
        todo = [os.path.abspath(path)]
        while todo:
            facts = self.modules.get(todo.pop())
            if facts is None:
                continue
            for n in (facts.module, *facts.aliases):
                for importer in self._importers.get(n, ()):
                    if importer not in out:
                        out.add(importer)
                        todo.append(importer)
        return out

    def invalidate(self) -> None:
        """Drop everything linked: the next use relinks the whole project."""
        self._parts.clear()
        self._mounts_memo = None
        self._relink(set())
        self._log[-1] = (self.revision, None)

    def _relink(self, stale: set[str], shallow: Iterable[str] = ()) -> None:
        """Drop the per-module parts of `stale` modules, all but the name-only parts (apps and routers,
        includes) of `shallow` modules, and every global table."""
        for path in stale:
            self._parts.pop(path, None)
        for path in shallow:
            parts = self._parts.get(path)
            if parts:
                self._parts[path] = {k: v for k, v in parts.items() if k in _NAME_ONLY_PARTS}
        self.revision += 1
        self._log.append((self.revision, frozenset((*stale, *shallow))))
        del self._log[:-_LOG_SIZE]
        self.derived.clear()
        self._lookups.clear()
        for attr in ("objects", "includes", "routes", "mounts", "_class_kinds"):
            self.__dict__.pop(attr, None)

    def changed_since(self, revision: int) -> frozenset[str] | None:
        """The paths of the modules whose parts the updates after `revision` dropped: the modules edited and
        the importers that resolve names into them. None when it is not known (a module was added or removed,
        or `revision` is too old): then anything may have changed."""
        if revision == self.revision:
            return frozenset()
        if not self._log or self._log[0][0] > revision + 1:
            return None
        out: set[str] = set()
        for rev, paths in self._log:
            if rev > revision:
                if paths is None:
                    return None
                out.update(paths)
        return frozenset(out)

    def incremental(
        self,
        key: str,
        build: Callable[[Project], T],
        update: Callable[[Project, T, frozenset[str]], T],
    ) -> T:
        """A project-wide table kept across updates: `build(project)` makes it; after updates,
        `update(project, table, changed)` brings it up to date, `changed` being `changed_since` the revision it
        was made at (each module's share of it recomputed for those paths, as `module_part` would). Falls back
        to `build` when the changes are not known. The table must hold no state it cannot update that way."""
        kept = self._incremental.get(key)
        if kept is not None and kept[0] == self.revision:
            return cast(T, kept[1])
        changed = self.changed_since(kept[0]) if kept is not None else None
        table = build(self) if kept is None or changed is None else update(self, cast(T, kept[1]), changed)
        self._incremental[key] = (self.revision, table)
        return table

    def module_part(self, facts: ModuleFacts, key: str, compute: Callable[[ModuleFacts], T]) -> T:
        """One module's share of a project-wide table, kept until the module, or a module it imports, changes.

        For tables that are a union over modules (`{... for module in project.modules.values()}`): rebuilding
        the union from kept parts after an edit costs a merge, not a pass over every module. `compute` may
        look names up across the project (through the module's imports, as `Project.lookup` does)."""
        kept = self._part(facts, key)
        if kept is not None:
            return cast(T, kept)
        value = compute(facts)
        self._keep(facts, key, value)
        return value

    def _part(self, facts: ModuleFacts, kind: str) -> object | None:
        """A per-module link part, when it is still valid for these very facts."""
        if self.modules.get(facts.path) is not facts:
            return None
        return self._parts.get(facts.path, {}).get(kind)

    def _keep(self, facts: ModuleFacts, kind: str, value: object) -> None:
        if self.modules.get(facts.path) is facts:
            self._parts.setdefault(facts.path, {})[kind] = value

    def module(self, path: str) -> ModuleFacts | None:
        return self.modules.get(os.path.abspath(path))

    # -- name resolution -----------------------------------------------------------------------------
    def find_module(self, name: str, importer: ModuleFacts | None = None) -> ModuleFacts | None:
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        if len(candidates) == 1 or importer is None:
            return candidates[0]
        # Many apps in one tree (docs examples): prefer the module nearest to the importer.
        here = os.path.dirname(importer.path)
        return max(candidates, key=lambda m: len(os.path.commonpath([here, os.path.dirname(m.path)])))

    def lookup(self, qualname: str | None, importer: ModuleFacts, _depth: int = 0) -> Symbol | None:
        """Resolve a qualified name as seen from `importer`, following imports and re-exports."""
        if qualname is None or _depth > 20:
            return None
        if _depth == 0 and self.modules.get(importer.path) is importer:
            # Rules resolve the same names from the same modules again and again; the answers hold until the
            # next update (`_relink` clears them).
            memo = self._lookups.get(importer.path)
            if memo is None:
                memo = self._lookups[importer.path] = {}
            elif qualname in memo:
                return memo[qualname]
            found = memo[qualname] = self._lookup(qualname, importer, 0)
            return found
        return self._lookup(qualname, importer, _depth)

    def _lookup(self, qualname: str, importer: ModuleFacts, _depth: int) -> Symbol | None:
        local = _local_symbol(importer, qualname)
        if local is not None:
            return local
        parts = qualname.split(".")
        for i in range(len(parts), 0, -1):
            module = self.find_module(".".join(parts[:i]), importer)
            if module is None:
                continue
            rest = parts[i:]
            if not rest:
                return Symbol(module, module.module, module)
            inner = f"{module.module}.{rest[0]}"
            symbol = _local_symbol(module, inner)
            if symbol is not None:
                if len(rest) == 1:
                    return symbol
                if isinstance(symbol.obj, ModuleFacts):
                    return self.lookup(".".join([symbol.obj.module, *rest[1:]]), symbol.obj, _depth + 1)
                return None
            target = module.scope.bindings.get(rest[0])
            if target is not None and target != inner:  # re-exported by import
                return self.lookup(".".join([target, *rest[1:]]), module, _depth + 1)
            return None
        return None

    # -- classes -------------------------------------------------------------------------------------
    def class_bases(self, symbol: Symbol, _seen: set[str] | None = None) -> Iterator[str]:
        """Every base of a project class, transitively, as canonical names (project classes included)."""
        seen = _seen if _seen is not None else set()
        if symbol.key in seen or not isinstance(symbol.obj, ClassInfo):
            return
        seen.add(symbol.key)
        for base in symbol.obj.bases:
            if base is None:
                continue
            yield base
            found = self.lookup(base, symbol.module)
            if found is not None and isinstance(found.obj, ClassInfo):
                yield found.qualname
                yield from self.class_bases(found, seen)

    def is_subclass(self, qualname: str | None, module: ModuleFacts, bases: Iterable[str]) -> bool:
        """Whether `qualname` (as seen from `module`) is one of `bases` or a project class deriving from one."""
        if qualname is None:
            return False
        wanted = set(bases)
        if canonical(qualname) in wanted:
            return True
        symbol = self.lookup(qualname, module)
        if symbol is None or not isinstance(symbol.obj, ClassInfo):
            return False
        return any(canonical(b) in wanted for b in self.class_bases(symbol))

    @cached_property
    def _class_kinds(self) -> dict[str, str | None]:
        return {}

    def class_kind(self, qualname: str | None, module: ModuleFacts) -> str | None:
        """ "app" for FastAPI (and subclasses), "router" for APIRouter (and subclasses), else None."""
        if qualname is None:
            return None
        qualname = canonical(qualname)
        if qualname == FASTAPI:
            return "app"
        if qualname == APIROUTER:
            return "router"
        key = f"{module.path}::{qualname}"
        cache = self._class_kinds
        if key not in cache:
            cache[key] = None  # cycle guard
            symbol = self.lookup(qualname, module)
            kind = None
            if symbol is not None and isinstance(symbol.obj, ClassInfo):
                for base in self.class_bases(symbol):
                    if canonical(base) == FASTAPI:
                        kind = "app"
                        break
                    if canonical(base) == APIROUTER:
                        kind = "router"
                        break
            cache[key] = kind
        return cache[key]

    # -- apps and routers ----------------------------------------------------------------------------
    def object_for(self, qualname: str | None, module: ModuleFacts) -> RouterObject | None:
        """The app or router a name denotes, if it denotes one."""
        symbol = self.lookup(qualname, module)
        if symbol is None:
            return None
        return self.objects.get(symbol.key)

    @cached_property
    def objects(self) -> dict[str, RouterObject]:
        """Every app and router of the project, keyed by `path::qualname`, in module order."""
        return self.incremental("project.objects", ObjectsTable.build, ObjectsTable.update).merged

    def _objects_of(self, facts: ModuleFacts) -> dict[str, RouterObject]:
        kept = self._part(facts, "objects")
        if kept is not None:
            return cast(dict[str, RouterObject], kept)
        out: dict[str, RouterObject] = {}
        for assign in facts.assignments.values():
            kind, call = self._object_kind(assign, facts)
            if kind is None:
                continue
            key = f"{facts.path}::{assign.qualname}"
            prefix: str | None = ""
            if call is not None and kind == "router":
                prefix = literal_keyword(call, "prefix", "")
            out[key] = RouterObject(key, kind, facts, assign.qualname, call, prefix)
        for pqual, ann in facts.param_annotations.items():
            kind = self.class_kind(ann, facts)
            if kind is not None:
                # A router handed in as a parameter: its own prefix is unknown to us.
                key = f"{facts.path}::{pqual}"
                out[key] = RouterObject(key, kind, facts, pqual, None, None if kind == "router" else "")
        self._keep(facts, "objects", out)
        return out

    def _object_kind(self, assign: Assignment, facts: ModuleFacts) -> tuple[str | None, ast.Call | None]:
        value = assign.value
        call = value if isinstance(value, ast.Call) else None
        if assign.annotation_name is not None:
            kind = self.class_kind(assign.annotation_name, facts)
            if kind is not None:
                return kind, call
        if call is None or assign.callee is None:
            return None, None
        kind = self.class_kind(assign.callee, facts)
        if kind is not None:
            return kind, call
        # `app = create_app()`: a factory annotated `-> FastAPI`.
        symbol = self.lookup(assign.callee, facts)
        if symbol is not None and isinstance(symbol.obj, FunctionInfo) and symbol.obj.node.returns is not None:
            returns = symbol.module.resolve(symbol.obj.node.returns, symbol.obj.scope)
            return self.class_kind(returns, symbol.module), None
        return None, None

    @cached_property
    def includes(self) -> list[Include]:
        """Every `include_router` of the project, in module order."""
        return self.incremental("project.includes", IncludesTable.build, IncludesTable.update).merged

    def _includes_of(self, facts: ModuleFacts) -> list[Include]:
        kept = self._part(facts, "includes")
        if kept is not None:
            return cast(list[Include], kept)
        out: list[Include] = []
        for site in facts.method_calls("include_router"):
            if site.receiver is None:
                continue
            parent = self.object_for(site.receiver, facts)
            child_expr = site.node.args[0] if site.node.args else keyword_value(site.node, "router")
            if parent is None or child_expr is None:
                continue
            child = self.object_for(facts.resolve(child_expr, site.scope), facts)
            if child is None:
                continue
            prefix = literal_keyword(site.node, "prefix", "")
            out.append(Include(facts, site, parent.key, child.key, prefix))
        self._keep(facts, "includes", out)
        return out

    @cached_property
    def mounts(self) -> dict[str, list[Mount]]:
        """For every router and app: the ways it reaches an app (apps reach themselves with prefix "").

        Kept from the last link when no app or router changed its key, kind or prefix and every include is the
        very same object (an edit inside a handler): the Mount objects then stay the same too, and tables built
        from them (the per-app route tables) can be kept per route."""
        objects = self.objects
        includes = self.includes
        shape = (tuple((k, o.kind, o.prefix) for k, o in objects.items()), tuple(map(id, includes)))
        kept = self._mounts_memo
        if kept is not None and kept[0] == shape:
            return kept[2]
        out = self._walk_mounts(objects, includes)
        self._mounts_memo = (shape, includes, out)  # holds the includes: their ids stay unique
        return out

    def _walk_mounts(self, objects: dict[str, RouterObject], includes: list[Include]) -> dict[str, list[Mount]]:
        children: dict[str, list[Include]] = {}
        for inc in includes:
            children.setdefault(inc.parent, []).append(inc)
        out: dict[str, list[Mount]] = {}

        def walk(key: str, app: str, prefix: str | None, chain: tuple[Include, ...], stack: set[str]) -> None:
            out.setdefault(key, []).append(Mount(app, prefix, chain))
            obj = objects[key]
            for inc in children.get(key, ()):
                if inc.child in stack or inc.child not in objects:
                    continue
                if prefix is None or obj.prefix is None or inc.prefix is None:
                    child_prefix = None
                else:
                    child_prefix = prefix + obj.prefix + inc.prefix
                stack.add(inc.child)
                walk(inc.child, app, child_prefix, (*chain, inc), stack)
                stack.discard(inc.child)

        for key, obj in objects.items():
            if obj.kind == "app":
                walk(key, key, "", (), {key})
        return out

    @cached_property
    def routes(self) -> list[Route]:
        """Every route of the project: a fresh list after every update (callers may key caches on it)."""
        return list(self.incremental("project.routes", RoutesTable.build, RoutesTable.update).merged)

    def routes_of(self, facts: ModuleFacts) -> list[Route]:
        """The routes a module registers, each with the mounts it reaches apps through."""
        kept = self._part(facts, "routes")
        routes = cast(list[Route], kept) if kept is not None else self._link_routes(facts)
        if kept is None:
            self._keep(facts, "routes", routes)
        mounts = self.mounts
        if kept is None or self._part(facts, "routes.mounts") is not mounts:
            # Kept routes already hold their mounts while the mounts are the very same table (most edits).
            for route in routes:
                route.mounts = list(mounts.get(route.router.key, ()))
            self._keep(facts, "routes.mounts", mounts)
        return list(routes)

    def _link_routes(self, facts: ModuleFacts) -> list[Route]:
        routes: list[Route] = []
        for site in facts.routes:
            router = self.object_for(site.receiver, facts)
            if router is None:
                continue
            path_expr = site.call.args[0] if site.call.args else keyword_value(site.call, "path")
            path = literal_str(path_expr)
            methods, kind = route_methods(site)
            route = Route(site, facts, router, path, methods, kind)
            route.handler, route.handler_module = site.handler, facts
            if site.handler is None and site.handler_expr is not None:
                found = self.function(facts.resolve(site.handler_expr, site.scope), facts)
                if found is not None:
                    route.handler_module, route.handler = found
            routes.append(route)
        return routes

    def apps(self) -> list[RouterObject]:
        return [o for o in self.objects.values() if o.kind == "app"]

    # -- functions and dependencies ------------------------------------------------------------------
    def function(self, qualname: str | None, module: ModuleFacts) -> tuple[ModuleFacts, FunctionInfo] | None:
        symbol = self.lookup(qualname, module)
        if symbol is not None and isinstance(symbol.obj, FunctionInfo):
            return symbol.module, symbol.obj
        return None


def _local_symbol(facts: ModuleFacts, qualname: str) -> Symbol | None:
    obj: FunctionInfo | ClassInfo | Assignment | str | None = (
        facts.functions.get(qualname)
        or facts.classes.get(qualname)
        or facts.assignments.get(qualname)
        or facts.param_annotations.get(qualname)
    )
    if obj is None:
        return None
    return Symbol(facts, qualname, obj)
