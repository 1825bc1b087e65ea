"""Routes in the editor: symbols, code lenses, definition, completion, and the route explorer's request."""

from __future__ import annotations

from lsprotocol import types

from .conftest import Session, plain


async def test_document_symbols(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.scanned()
    symbols = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols is not None
    names = [s.name for s in symbols]
    assert names == ["GET /api/users/{user_id}", "GET /api/users/{user_id}/orders/{order_id}"]
    first = symbols[0]
    assert isinstance(first, types.DocumentSymbol)
    assert first.selection_range.start == session.position(uri, '@router.get("/{user_id}"', 1)


async def test_workspace_symbols(session2: Session) -> None:
    session = session2
    session.open("app/main.py")
    await session.scanned()
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="orders"))
    assert found is not None
    assert [s.name for s in found] == ["GET /api/users/{user_id}/orders/{order_id}"]
    (symbol,) = found
    assert isinstance(symbol, types.SymbolInformation)
    assert symbol.location.uri == session.uri("app/users.py")
    everything = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    assert everything is not None
    assert {s.name for s in everything} == {
        "GET /health",
        "GET /api/users/{user_id}",
        "GET /api/users/{user_id}/orders/{order_id}",
    }


async def test_code_lens_counts_test_client_calls(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    await session.scanned()
    lenses = await session.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert lenses is not None
    titles = [lens.command.title for lens in lenses if lens.command is not None]
    # `client.get("/api/users/1")` and the f-string `client.get(f"/api/users/{user_id}")` reach read_user.
    assert titles == [
        "GET /api/users/{user_id} · 2 test calls",
        "GET /api/users/{user_id}/orders/{order_id} · 0 test calls",
    ]
    # The lens command lists the calls (and opens the first where the client can show documents).
    command = lenses[0].command
    assert command is not None and command.command == "fastapi-lint.showTestCalls"
    result = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert [loc["uri"] for loc in plain(result)] == [session.uri("tests/test_users.py")] * 2
    caps = session.client.capabilities
    if caps is not None and caps.window is not None and caps.window.show_document is not None:
        (shown,) = session.client.shown_documents
        assert shown.uri == session.uri("tests/test_users.py")


async def test_definition_from_test_client_call(session2: Session) -> None:
    session = session2
    uri = session.open("tests/test_users.py")
    await session.scanned()
    for needle in ('"/api/users/1"', 'f"/api/users/{user_id}"'):
        found = await session.client.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=session.position(uri, needle, 4)
            )
        )
        assert isinstance(found, list) and len(found) == 1, needle
        (location,) = found
        assert isinstance(location, types.Location)
        assert location.uri == session.uri("app/users.py")
        users = (session.root / "app/users.py").read_text(encoding="utf-8").splitlines()
        line = users[location.range.start.line]
        assert line.startswith("def read_user(")
        assert location.range.start.character == len("def ")


async def test_completion_of_route_paths(session2: Session) -> None:
    session = session2
    text = (session.root / "tests/test_users.py").read_text(encoding="utf-8")
    text += '\n\ndef test_more() -> None:\n    client.get("/api/u'
    uri = session.open("tests/test_users.py", text)
    await session.scanned()
    lines = text.splitlines()
    position = types.Position(line=len(lines) - 1, character=len(lines[-1]))
    completions = await session.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert isinstance(completions, types.CompletionList)
    labels = sorted(item.label for item in completions.items)
    assert labels == ["/api/users/{user_id}", "/api/users/{user_id}/orders/{order_id}"]
    item = completions.items[0]
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.range.start.character == len('    client.get("')
    # Outside a test-client call there is nothing to complete.
    outside = await session.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=4)
        )
    )
    assert outside is None or not getattr(outside, "items", outside)


async def test_routes_request_and_notification(session2: Session) -> None:
    session = session2
    await session.scanned()
    routes = await session.routes()
    by_path = {r["path"]: r for r in routes}
    assert set(by_path) == {"/health", "/api/users/{user_id}", "/api/users/{user_id}/orders/{order_id}"}
    user = by_path["/api/users/{user_id}"]
    assert user["app"] == "app — app/main.py"
    assert user["appKey"].endswith("app/main.py::app.main.app")
    assert user["routers"] == ["router — app/users.py"]
    assert user["methods"] == ["GET"] and user["name"] == "read_user"
    assert user["uri"] == session.uri("app/users.py")
    assert set(user["range"]) == {"start", "end"} and set(user["range"]["start"]) == {"line", "character"}
    assert by_path["/health"]["routers"] == []
    # An edit that adds a route announces a change, and the request sees the new route.
    uri = session.open("app/main.py")
    before = session.routes_changed
    session.change(uri, session.texts[uri] + '\n\n@app.post("/login")\ndef login() -> None:\n    pass\n')
    await session.notification("fastapiLint/routesChanged")
    assert session.routes_changed > before
    assert "/login" in {r["path"] for r in await session.routes()}
