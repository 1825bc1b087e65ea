"""The route table every front end shows: one entry per (route, app it reaches)."""

from __future__ import annotations

from dataclasses import dataclass

from .model.project import Include, Project, Route


@dataclass(frozen=True)
class RouteEntry:
    methods: tuple[str, ...]
    path: str | None  # full path; None when a prefix is dynamic
    name: str
    file: str
    line: int
    app: str | None  # the app's key (`path::qualname`); None for a router no app includes
    route: Route
    chain: tuple[Include, ...] = ()

    @property
    def label(self) -> str:
        return f"{'|'.join(self.methods) or '*'} {self.path or '<dynamic>'}"


def route_table(project: Project) -> list[RouteEntry]:
    entries: list[RouteEntry] = []
    for route in project.routes:
        handler_line = route.site.call.lineno
        if route.mounts:
            for mount in route.mounts:
                local = route.local_path
                path = None if mount.prefix is None or local is None else mount.prefix + local
                entries.append(
                    RouteEntry(
                        route.methods,
                        path,
                        route.name,
                        route.module.path,
                        handler_line,
                        mount.app,
                        route,
                        mount.chain,
                    )
                )
        else:
            entries.append(
                RouteEntry(route.methods, route.local_path, route.name, route.module.path, handler_line, None, route)
            )
    entries.sort(key=lambda e: (e.app or "~", e.path or "", e.methods, e.file, e.line))
    return entries
