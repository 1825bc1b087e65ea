"""Routes in the editor: document/workspace symbols, code lenses, definition from a test-client call to its
handler, completion of route paths in test-client calls, and the `fastapiLint/routes` request."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from flake8_fastapi.insight import client_index, object_label, relpath, routes_in
from flake8_fastapi.model.clients import client_calls, module_clients, project_fixtures, routes_for, typing_client_call
from flake8_fastapi.model.facts import ModuleFacts
from flake8_fastapi.model.project import Route
from flake8_fastapi.route_table import route_table

from . import convert

if TYPE_CHECKING:
    from .server import FastApiLanguageServer


SHOW_TEST_CALLS = "fastapi-lint.showTestCalls"


def _plain(value: Any) -> Any:
    """Command arguments arrive as namedtuples: back to JSON-like dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def route_label(route: Route, path: str | None) -> str:
    return f"{'|'.join(route.methods) or '*'} {path or route.local_path or '<dynamic>'}"


class Navigation:
    def __init__(self, server: FastApiLanguageServer) -> None:
        self.server = server

    # -- ranges --------------------------------------------------------------------------------------
    def _node_range(self, module: ModuleFacts, node: ast.AST) -> types.Range:
        src = module.source
        return convert.range_of(src, src.start(node), src.end(node), self.server.encoding)

    def _handler_ranges(self, route: Route) -> tuple[ModuleFacts, types.Range, types.Range]:
        """(module, whole handler incl. decorators, the decorator or `add_api_route` call)."""
        selection = self._node_range(route.module, route.site.call)
        if route.handler is not None and route.handler_module is route.module:
            node = route.handler.node
            start = node.decorator_list[0] if node.decorator_list else node
            src = route.module.source
            whole = convert.range_of(src, src.start(start), src.end(node), self.server.encoding)
            return route.module, whole, selection
        return route.module, selection, selection

    def _full_path(self, route: Route) -> str | None:
        paths = [p for _, p in route.full_paths() if p is not None]
        return paths[0] if paths else route.local_path

    # -- symbols -------------------------------------------------------------------------------------
    def document_symbols(self, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        state = self.server.state
        if not state.options.enabled("symbols"):
            return []
        facts = self.server.fresh(self.server.path_of(params.text_document.uri))
        if facts is None:
            return []
        out: list[types.DocumentSymbol] = []
        for route in routes_in(state.project, facts):
            _, whole, selection = self._handler_ranges(route)
            out.append(
                types.DocumentSymbol(
                    name=route_label(route, self._full_path(route)),
                    detail=route.name,
                    kind=types.SymbolKind.Method,
                    range=whole,
                    selection_range=selection,
                )
            )
        return out

    def workspace_symbols(self, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
        state = self.server.state
        if not state.options.enabled("symbols"):
            return []
        query = params.query.lower()
        out: list[types.SymbolInformation] = []
        for entry in route_table(state.project):
            label = f"{'|'.join(entry.methods) or '*'} {entry.path or entry.route.local_path or '<dynamic>'}"
            if query and query not in label.lower() and query not in entry.name.lower():
                continue
            module, _, selection = self._handler_ranges(entry.route)
            app = state.project.objects.get(entry.app) if entry.app else None
            out.append(
                types.SymbolInformation(
                    name=label,
                    kind=types.SymbolKind.Method,
                    location=types.Location(uri=self.server.uri_of(module.path), range=selection),
                    container_name=object_label(state.project, app) if app else entry.name,
                )
            )
        return out

    # -- code lens -----------------------------------------------------------------------------------
    def code_lenses(self, params: types.CodeLensParams) -> list[types.CodeLens]:
        state = self.server.state
        if not state.options.enabled("codeLens"):
            return []
        facts = self.server.fresh(self.server.path_of(params.text_document.uri))
        if facts is None:
            return []
        index = client_index(state.project)
        out: list[types.CodeLens] = []
        for route in routes_in(state.project, facts):
            _, _, selection = self._handler_ranges(route)
            calls = index.calls_to(route)
            tests = len(calls)
            paths = sorted({p or "<dynamic>" for _, p in route.full_paths()}) or [route.local_path or "<dynamic>"]
            title = f"{'|'.join(route.methods) or '*'} {', '.join(paths)} · {tests} test call{'s' * (tests != 1)}"
            locations = [
                types.Location(uri=self.server.uri_of(c.module.path), range=self._node_range(c.module, c.site.node))
                for c in calls
            ]
            command = types.Command(
                title=title,
                command=SHOW_TEST_CALLS,
                arguments=[self.server.uri_of(facts.path), selection.start, locations],
            )
            out.append(types.CodeLens(range=selection, command=command))
        return out

    def show_test_calls(self, *args: Any) -> list[Any]:
        """The lens command (`uri, position, locations`): answers the locations and, when the client can show
        documents, opens the first call. Clients with a references view (VS Code's `editor.action.showReferences`)
        can run the command themselves with the same arguments."""
        raw = _plain(args[2]) if len(args) > 2 else []
        converter = self.server.protocol._converter
        locations = [converter.structure(loc, types.Location) for loc in raw] if isinstance(raw, list) else []
        caps = self.server.client_capabilities.window
        if locations and caps is not None and caps.show_document is not None and caps.show_document.support:
            first = locations[0]
            self.server.window_show_document(
                types.ShowDocumentParams(uri=first.uri, take_focus=True, selection=first.range)
            )
        return locations

    # -- definition ----------------------------------------------------------------------------------
    def definition(self, params: types.DefinitionParams) -> list[types.Location] | None:
        state = self.server.state
        if not state.options.enabled("definition"):
            return None
        facts = self.server.fresh(self.server.path_of(params.text_document.uri))
        if facts is None:
            return None
        line, col = convert.from_lsp(facts.source, params.position, self.server.encoding)
        for call in client_calls(state.project, facts):
            node = call.url_node
            if not (facts.source.start(node) <= (line, col) <= facts.source.end(node)) or call.url is None:
                continue
            out = []
            for route in routes_for(state.project, call.url, call.method, call.app):
                module = route.handler_module or route.module
                node_at: ast.AST = route.handler.node if route.handler is not None else route.site.call
                src = module.source
                start = src.start(node_at)
                if route.handler is not None:
                    text = src.line(start[0])
                    idx = text.find(route.handler.name, text.find("def ") + 4)
                    start = (start[0], max(idx, 0))
                    end = (start[0], start[1] + len(route.handler.name))
                else:
                    end = src.end(node_at)
                rng = convert.range_of(src, start, end, self.server.encoding)
                out.append(types.Location(uri=self.server.uri_of(module.path), range=rng))
            return out or None
        return None

    # -- completion ----------------------------------------------------------------------------------
    def completion(self, params: types.CompletionParams) -> types.CompletionList | None:
        server = self.server
        state = server.state
        if not state.options.enabled("completion"):
            return None
        path = server.path_of(params.text_document.uri)
        doc = state.doc(path)
        if doc is None:
            return None
        lines = doc.text.splitlines(keepends=True)
        if params.position.line >= len(lines):
            return None
        text = lines[params.position.line]
        col = convert.code_points(text, params.position.character, server.encoding)
        typing = typing_client_call(text[:col])
        if typing is None:
            return None
        receiver, method, typed = typing
        facts = state.project.module(path)
        if not self._is_client(facts, receiver):
            return None
        wanted = None if method in ("request", "websocket_connect") else method.upper()
        if method == "websocket_connect":
            wanted = "WEBSOCKET"
        seen: dict[str, types.CompletionItem] = {}
        start = types.Position(
            line=params.position.line, character=convert.units(text, col - len(typed), server.encoding)
        )
        replace = types.Range(start=start, end=params.position)
        for entry in route_table(state.project):
            if entry.path is None or (wanted is not None and entry.methods and wanted not in entry.methods):
                continue
            if not entry.path.startswith(typed) and typed not in entry.path:
                continue
            if entry.path in seen:
                continue
            seen[entry.path] = types.CompletionItem(
                label=entry.path,
                kind=types.CompletionItemKind.Value,
                detail=f"{'|'.join(entry.methods)} → {entry.name} ({relpath(entry.file, state.root)}:{entry.line})",
                text_edit=types.TextEdit(range=replace, new_text=entry.path),
                filter_text=entry.path,
            )
        return types.CompletionList(is_incomplete=False, items=list(seen.values()))

    def _is_client(self, facts: ModuleFacts | None, receiver: str) -> bool:
        name = receiver.rsplit(".", 1)[-1]
        if name in project_fixtures(self.server.state.project):
            return True
        if facts is None:
            return name in ("client", "ac", "async_client", "test_client")
        bound, fixtures = module_clients(self.server.state.project, facts)
        if name in fixtures or any(q.rsplit(".", 1)[-1] == name for q in bound):
            return True
        annotations = facts.param_annotations
        return any(q.rsplit(".", 1)[-1] == name for q, ann in annotations.items() if ann.endswith("Client"))

    # -- the route explorer's request ----------------------------------------------------------------
    def routes(self, params: Any = None) -> dict[str, Any]:
        state = self.server.state
        project = state.project
        out: list[dict[str, Any]] = []
        for entry in route_table(project):
            app = project.objects.get(entry.app) if entry.app else None
            routers = []
            for inc in entry.chain:
                child = project.objects.get(inc.child)
                if child is not None:
                    routers.append(object_label(project, child))
            module, _, selection = self._handler_ranges(entry.route)
            out.append(
                {
                    "app": object_label(project, app) if app else None,
                    "appKey": entry.app,
                    "routers": routers,
                    "methods": list(entry.methods),
                    "path": entry.path,
                    "name": entry.name,
                    "uri": self.server.uri_of(module.path),
                    "range": {
                        "start": {"line": selection.start.line, "character": selection.start.character},
                        "end": {"line": selection.end.line, "character": selection.end.character},
                    },
                }
            )
        return {"routes": out}
