"""Hover: a rule's page on its diagnostic or on a code in `# noqa: ...`; a route card on a route's decorator or
handler name; a dependency's place in the graph on `Depends(x)`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from flake8_fastapi.checker import NOQA
from flake8_fastapi.insight import (
    DependencyInfo,
    Place,
    RouteCard,
    dependency_info,
    depends_at,
    object_label,
    relpath,
    route_at,
    route_card,
)
from flake8_fastapi.model.project import Project, Route

from . import convert
from .docs import rule_markdown

if TYPE_CHECKING:
    from .server import FastApiLanguageServer

_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def hover(server: FastApiLanguageServer, params: types.HoverParams) -> types.Hover | None:
    state = server.state
    if not state.options.enabled("hover"):
        return None
    path = server.path_of(params.text_document.uri)
    doc = state.doc(path)
    facts = server.fresh(path)
    source = doc.source if doc is not None and doc.source is not None else (facts.source if facts else None)
    if source is None:
        return None
    line, col = convert.from_lsp(source, params.position, server.encoding)
    sections: list[str] = []
    hover_range: types.Range | None = None

    # A rule code inside a noqa comment (`noqa: FPA101, FPA102`).
    text = source.line(line)
    match = NOQA.search(text) if "#" in text else None
    if match is not None and match.group("codes") and match.start("codes") <= col <= match.end("codes"):
        for code_match in _CODE.finditer(text, match.start("codes"), match.end("codes")):
            if code_match.start() <= col <= code_match.end():
                page = rule_markdown(code_match.group().upper())
                if page is not None:
                    sections.append(page)
                    hover_range = convert.range_of(
                        source, (line, code_match.start()), (line, code_match.end()), server.encoding
                    )

    # The findings under the cursor.
    if doc is not None and not sections:
        for finding in doc.findings:
            if finding.start <= (line, col) <= finding.end:
                page = rule_markdown(finding.code)
                sections.append(f"**{finding.code}**: {finding.message}" + (f"\n\n{page}" if page else ""))
                hover_range = hover_range or convert.range_of(source, finding.start, finding.end, server.encoding)

    if facts is not None and facts.source.text == source.text:
        route = route_at(state.project, facts, line, col)
        if route is not None:
            sections.append(render_route_card(state.project, route_card(state.project, route)))
        else:
            target = depends_at(state.project, facts, line, col)
            if target is not None:
                sections.append(render_dependency(state.project, dependency_info(state.project, *target)))
    if not sections:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)),
        range=hover_range,
    )


def _where(project: Project, place: Place) -> str:
    return f"`{relpath(place.path, project.root)}:{place.line}`"


def render_route_card(project: Project, card: RouteCard) -> str:
    methods = "|".join(card.methods) or "*"
    lines = [f"### {methods} {card.mountings[0].full_path or '<dynamic path>'}", ""]
    lines.append(f"Handler `{card.name}` at {_where(project, card.handler)}")
    if card.summary:
        lines += ["", f"_{card.summary}_"]
    lines += ["", "**Reached as**"]
    for mounting in card.mountings:
        app = mounting.app.name if mounting.app else "no app includes this router"
        lines.append(f"- `{methods} {mounting.full_path or '<dynamic>'}` in {app}")
        for place in mounting.chain:
            lines.append(f"  - `include_router` {place.name} at {_where(project, place)}")
    details = [
        ("Status code", card.status_code),
        ("Response model", card.response_model),
        ("Tags", ", ".join(card.tags) if card.tags else None),
    ]
    lines.append("")
    for label, value in details:
        if value:
            lines.append(f"- {label}: `{value}`")
    if card.dependencies:
        lines += ["", "**Dependencies**"]
        for dep in card.dependencies:
            indent = "  " * (dep.depth - 1)
            lines.append(f"{indent}- `{dep.place.name}` ({dep.via}) at {_where(project, dep.place)}")
    return "\n".join(lines)


def render_dependency(project: Project, info: DependencyInfo) -> str:
    kind = "class" if info.is_class else "function"
    lines = [f"### Dependency `{info.place.name}`", "", f"Defined ({kind}) at {_where(project, info.place)}"]
    if info.depends_on:
        lines += ["", "**Depends on**"]
        for dep in info.depends_on:
            indent = "  " * (dep.depth - 1)
            lines.append(f"{indent}- `{dep.place.name}` ({dep.via}) at {_where(project, dep.place)}")
    lines += ["", f"**Used by {len(info.used_by)} route(s)**"]
    for route in info.used_by[:30]:
        lines.append(f"- {_route_label(project, route)}")
    if len(info.used_by) > 30:
        lines.append(f"- ... and {len(info.used_by) - 30} more")
    return "\n".join(lines)


def _route_label(project: Project, route: Route) -> str:
    paths = [p for _, p in route.full_paths()] or [route.local_path]
    methods = "|".join(route.methods) or "*"
    where = f"{relpath(route.module.path, project.root)}:{route.site.call.lineno}"
    app = project.objects.get(route.mounts[0].app) if route.mounts else None
    suffix = f" in {object_label(project, app)}" if app is not None else ""
    return f"`{methods} {paths[0] or '<dynamic>'}` (`{route.name}`, `{where}`){suffix}"
