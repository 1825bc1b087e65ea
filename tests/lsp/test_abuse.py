"""The server under abuse (issue 6, point 3): binary files, thousands of mixed edits with bounded memory, lifecycle
messages out of order, URIs it cannot map to a file, absurd positions, and shutdown while the scan still runs.

Every test ends by proving the server still answers: symbols for a good file, and fresh diagnostics for two edits
in a row, with no error logged by any handler."""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.client import JsonRPCClient
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client

from .conftest import PROJECT, TIMEOUT, Session, server_env, start_session, write_project
from .profiles import PROFILES

ORDERS_ROUTE = '@router.get("/{user_id}/orders/{order_id}")'
FIXED_HANDLER = "def read_orders(user_id: int, order_id: int)"
BROKEN_HANDLER = "def read_orders(user_id: int)"
# A PNG's first bytes: signature, IHDR chunk (with NULs), and bytes that are not UTF-8.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def random_bytes() -> bytes:
    data = random.Random(6).randbytes(4096)
    assert b"\x00" in data
    return data


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """The usual project, plus binary `.py` files the workspace scan meets."""
    root = write_project(tmp_path / "demo", PROJECT)
    (root / "app" / "blob.py").write_bytes(random_bytes())
    (root / "app" / "image.py").write_bytes(PNG * 64)
    (root / "app" / "nul.py").write_bytes(b"x = 1\x00\ny = 2\n")
    return root


def codes(diags: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


def errors_logged(session: Session) -> list[str]:
    """Errors the server logged or showed (pygls reports a failing notification handler with a `showMessage`),
    but pygls' log of a request it could not read (the client's fault, answered with an error)."""
    return [
        m.message
        for m in [*session.client.log_messages, *session.client.messages]
        if m.type == types.MessageType.Error and "Unable to deserialize message" not in m.message
    ]


def text_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def server_pid(session: Session) -> int:
    server = session.client._server
    assert server is not None
    return server.pid


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def edit(session: Session, uri: str, start: tuple[int, int], end: tuple[int, int], new: str) -> int:
    """An incremental change (positions in the profile's units); the client's copy follows."""
    rng = types.Range(start=types.Position(*start), end=types.Position(*end))
    session.texts[uri] = session.apply(uri, [types.TextEdit(range=rng, new_text=new)])
    session.versions[uri] += 1
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=session.versions[uri]),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=new)],
        )
    )
    return session.versions[uri]


async def still_answers(session: Session) -> None:
    """Symbols for a good file, then fresh diagnostics for two edits (fixed, then broken again), no error logged."""
    uri = session.uri("app/users.py")
    if uri not in session.versions:
        session.open("app/users.py")
    symbols = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=text_id(uri))
    )
    assert symbols is not None
    assert sorted(s.name for s in symbols) == ["GET /api/users/{user_id}", "GET /api/users/{user_id}/orders/{order_id}"]
    text = session.texts[uri]
    broken = text if BROKEN_HANDLER in text else text.replace(FIXED_HANDLER, BROKEN_HANDLER)
    session.change(uri, broken.replace(BROKEN_HANDLER, FIXED_HANDLER))
    assert await session.diagnostics(uri, lambda ds: not ds) == []
    session.change(uri, broken)
    found = await session.diagnostics(uri, lambda ds: codes(ds) == ["FPA101"])
    assert found[0].range.start.line == broken.splitlines().index(ORDERS_ROUTE)
    assert errors_logged(session) == []


# -- binary files ---------------------------------------------------------------------------------------------------


async def test_binary_files_on_disk_and_opened(session2: Session) -> None:
    session = session2
    await session.scanned()
    # The scan meets them: the undecodable ones are logged and skipped, the one with a NUL is a syntax error.
    logged = "\n".join(m.message for m in session.client.log_messages)
    assert "blob.py" in logged and "image.py" in logged
    nul = session.open("app/nul.py", (session.root / "app" / "nul.py").read_bytes().decode("utf-8"))
    assert codes(await session.diagnostics(nul, lambda ds: bool(ds))) == ["E999"]
    # Opened as an editor would show them: undecodable bytes replaced, NULs and control characters kept.
    blob = session.open("app/blob.py", random_bytes().decode("utf-8", errors="replace"))
    image = session.open("app/image.py", (PNG * 64).decode("latin-1"))
    for uri in (blob, image):
        assert codes(await session.diagnostics(uri, lambda ds: bool(ds))) == ["E999"]
        symbols = await session.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=text_id(uri))
        )
        assert not symbols
        for line, character in ((0, 0), (3, 7), (50, 2)):
            position = types.Position(line=line, character=character)
            hover = await session.client.text_document_hover_async(
                types.HoverParams(text_document=text_id(uri), position=position)
            )
            assert hover is None or "E999" in str(hover.contents)  # at most the syntax error under the cursor
            definition = await session.client.text_document_definition_async(
                types.DefinitionParams(text_document=text_id(uri), position=position)
            )
            assert definition is None
            completion = await session.client.text_document_completion_async(
                types.CompletionParams(text_document=text_id(uri), position=position)
            )
            assert completion is None or not completion.items
        actions = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=text_id(uri),
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=9, character=0)),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        assert not actions
        lenses = await session.client.text_document_code_lens_async(types.CodeLensParams(text_document=text_id(uri)))
        assert not lenses
    # An edit inside the binary document, then it is closed: its diagnostics are cleared (push) or gone (pull).
    edit(session, blob, (0, 0), (0, 1), "\x00\x00")
    session.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=text_id(blob)))
    routes = await session.routes()
    assert {r["path"] for r in routes} >= {"/api/users/{user_id}", "/health"}
    await still_answers(session)


# -- thousands of edits ---------------------------------------------------------------------------------------------


async def test_2000_mixed_edits_end_with_the_last_versions_diagnostics_and_bounded_memory(session2: Session) -> None:
    session = session2
    published: list[types.PublishDiagnosticsParams] = []
    features = session.client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append(params)
        original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    uri = session.open("app/users.py")
    assert codes(await session.diagnostics(uri, lambda ds: bool(ds))) == ["FPA101"]
    pid = server_pid(session)
    before = rss_kib(pid)
    for i in range(2000):
        step = i % 5
        if step == 0:  # a comment line on top
            edit(session, uri, (0, 0), (0, 0), f"# edit {i}\n")
        elif step == 1:  # a line that breaks the syntax
            edit(session, uri, (1, 0), (1, 0), "def broken(:\n")
        elif step == 2:  # removed again
            edit(session, uri, (1, 0), (2, 0), "")
        elif step == 3:  # the whole text, with the handler fixed or broken
            text = session.texts[uri]
            swapped = (
                text.replace(FIXED_HANDLER, BROKEN_HANDLER)
                if FIXED_HANDLER in text
                else text.replace(BROKEN_HANDLER, FIXED_HANDLER)
            )
            session.change(uri, swapped)
        elif i % 10 == 4:  # a word replaced inside a line: half the time, otherwise the top comment goes
            edit(session, uri, (0, 2), (0, 6), "EDIT")
        else:
            edit(session, uri, (0, 0), (1, 0), "")
    final = session.texts[uri]
    version = session.versions[uri]
    assert BROKEN_HANDLER in final and final.count("# EDIT") == 200
    line = final.splitlines().index(ORDERS_ROUTE)
    if session.profile.pull:
        found = await session.diagnostics(uri, lambda ds: codes(ds) == ["FPA101"] and ds[0].range.start.line == line)
    else:  # wait for the push of the last version, whatever came before it
        found = await session.diagnostics(uri, lambda ds: published[-1].uri == uri and published[-1].version == version)
        assert codes(found) == ["FPA101"] and found[0].range.start.line == line
    assert found[0].range.start.character == ORDERS_ROUTE.index('"')
    if session.profile.pull:
        report = await session.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=text_id(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        assert report.result_id is not None and report.result_id.startswith(f"{version}:")
        assert published == []
    else:
        # Whatever was pushed on the way, the last set is the last version's.
        mine = [p for p in published if p.uri == uri]
        assert mine[-1].version == version and codes(mine[-1].diagnostics) == ["FPA101"]
        assert all(p.version is not None and p.version <= version for p in mine)
    # The server kept its analysis of the text we hold: a route card for the handler on its final line.
    hover = await session.client.text_document_hover_async(
        types.HoverParams(text_document=text_id(uri), position=session.position(uri, "def read_orders(", 6))
    )
    assert hover is not None and "/api/users/{user_id}/orders/{order_id}" in str(hover.contents)
    after = rss_kib(pid)
    print(f"server RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB after 2,000 edits; {len(published)} pushes")
    assert after - before < 100 * 1024, f"RSS grew by {(after - before) / 1024:.1f} MiB"
    await still_answers(session)


# -- lifecycle out of order -----------------------------------------------------------------------------------------


async def test_lifecycle_messages_for_unknown_documents(session2: Session) -> None:
    session = session2
    client = session.client
    await session.scanned()
    main = session.uri("app/main.py")
    ghost = session.uri("app/ghost.py")
    # didClose and didChange of documents never opened (one on disk, one nowhere).
    for uri in (main, ghost):
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=text_id(uri)))
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=7),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(0, 0)),
                        text="# edited\n",
                    ),
                    types.TextDocumentContentChangeWholeDocument(text="x = (\n"),
                ],
            )
        )
    # didSave of URIs the server never heard of, with and without text.
    for uri in (ghost, "file:///nowhere/at/all.py", "untitled:Untitled-1", "http://example.com/app.py"):
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=text_id(uri)))
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=text_id(uri), text="x = 1\n"))
    # The changes to unopened documents changed nothing: main.py is still what is on disk.
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=text_id(main)))
    assert [s.name for s in symbols or []] == ["GET /health"]
    # didOpen twice: the second text wins.
    users = session.open("app/users.py")
    assert codes(await session.diagnostics(users, lambda ds: bool(ds))) == ["FPA101"]
    fixed = session.texts[users].replace(BROKEN_HANDLER, FIXED_HANDLER)
    session.open("app/users.py", fixed)
    assert await session.diagnostics(users, lambda ds: not ds) == []
    # ... and an edit after the second open applies to the second text (the version restarted at 1).
    edit(session, users, (0, 0), (0, 0), "# reopened\n")
    assert await session.diagnostics(users, lambda ds: not ds) == []
    # Closing twice.
    for _ in range(2):
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=text_id(users)))
    del session.versions[users], session.texts[users]
    await still_answers(session)


async def test_uris_outside_the_workspace_and_not_files(session2: Session, tmp_path: Path) -> None:
    session = session2
    client = session.client
    outside = tmp_path / "elsewhere" / "svc.py"
    outside.parent.mkdir()
    outside.write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/items/{item_id}")\ndef item() -> None: ...\n',
        encoding="utf-8",
    )
    odd = [
        outside.as_uri(),
        "untitled:Untitled-1",
        "http://example.com/app/users.py",
        "vscode-notebook-cell:/work/nb.ipynb#W0sZmlsZQ%3D%3D",
        "file:///",
        "file:///nonexistent/dir/x.py",
    ]
    position = types.Position(line=5, character=10)
    for uri in odd:
        # Never opened: every request answers, with nothing.
        assert (
            await client.text_document_hover_async(types.HoverParams(text_document=text_id(uri), position=position))
            is None
        )
        await client.text_document_definition_async(
            types.DefinitionParams(text_document=text_id(uri), position=position)
        )
        await client.text_document_completion_async(
            types.CompletionParams(text_document=text_id(uri), position=position)
        )
        assert not await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=text_id(uri))
        )
        assert not await client.text_document_code_lens_async(types.CodeLensParams(text_document=text_id(uri)))
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=text_id(uri),
                range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        assert not actions
        if session.profile.pull:
            assert await session.pull(uri) == []
    # Opened (an unsaved buffer, a remote file, a file outside the root): each gets its own diagnostics.
    text = outside.read_text(encoding="utf-8")
    for uri in (outside.as_uri(), "untitled:Untitled-1", "http://example.com/app/svc.py"):
        session.versions[uri] = 1
        session.texts[uri] = text
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        found = await session.diagnostics(uri, lambda ds: bool(ds))
        assert codes(found) == ["FPA101"] and found[0].range.start.line == 5
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=text_id(uri), position=session.position(uri, "def item", 5))
        )
        assert hover is not None and "/items/{item_id}" in str(hover.contents)
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=text_id(uri)))
    await still_answers(session)


# -- positions ------------------------------------------------------------------------------------------------------

HUGE = 2**31 - 1


async def test_positions_out_of_bounds(session2: Session) -> None:
    session = session2
    client = session.client
    users = session.open("app/users.py")
    tests = session.open("tests/test_users.py")
    assert codes(await session.diagnostics(users, lambda ds: bool(ds))) == ["FPA101"]
    lines = session.texts[users].splitlines()
    music = session.position(users, "𝄞")  # a surrogate pair in UTF-16: +1 lands inside it
    positions = [
        types.Position(line=0, character=10_000),
        types.Position(line=len(lines), character=0),
        types.Position(line=len(lines) + 5, character=3),
        types.Position(line=10**6, character=10**6),
        types.Position(line=HUGE, character=HUGE),
        types.Position(line=music.line, character=music.character + 1),
        types.Position(line=music.line, character=HUGE),
    ]
    for uri in (users, tests):
        for position in positions:
            hover = await client.text_document_hover_async(
                types.HoverParams(text_document=text_id(uri), position=position)
            )
            if position.line >= len(session.texts[uri].splitlines()):
                assert hover is None
            definition = await client.text_document_definition_async(
                types.DefinitionParams(text_document=text_id(uri), position=position)
            )
            assert definition is None
            completion = await client.text_document_completion_async(
                types.CompletionParams(text_document=text_id(uri), position=position)
            )
            assert completion is None or completion.items == []
        for start, end in [(positions[0], positions[4]), (positions[4], positions[0]), (positions[3], positions[3])]:
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=text_id(uri),
                    range=types.Range(start=start, end=end),
                    context=types.CodeActionContext(diagnostics=[]),
                )
            )
            assert actions is not None
            if uri == users and start.line <= end.line and start.line == 0:  # the whole file: FPA101's fix is offered
                assert any("(FPA101)" in a.title for a in actions if isinstance(a, types.CodeAction))
    # Negative numbers: lsprotocol refuses to build them, a careless client sends them anyway. An error or nothing.
    for line, character in ((-1, 0), (0, -1), (-(2**40), 2**40)):
        pos = types.Position(line=0, character=0)
        object.__setattr__(pos, "line", line)
        object.__setattr__(pos, "character", character)
        requests = [
            client.text_document_hover_async(types.HoverParams(text_document=text_id(users), position=pos)),
            client.text_document_definition_async(types.DefinitionParams(text_document=text_id(tests), position=pos)),
            client.text_document_completion_async(types.CompletionParams(text_document=text_id(tests), position=pos)),
            client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=text_id(users),
                    range=types.Range(start=pos, end=pos),
                    context=types.CodeActionContext(diagnostics=[]),
                )
            ),
        ]
        for request in requests:
            # Answered (pygls used to drop the request, leaving the client waiting forever): with an error here.
            with pytest.raises(JsonRpcException, match="Invalid Params: invalid value @ params"):
                await asyncio.wait_for(request, TIMEOUT)
        # The same in a notification: dropped, without an error shown to the user.
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=users, version=session.versions[users] + 1),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text="x")
                ],
            )
        )
    # A change whose range lies past the end of the document, then one with its range reversed.
    version = session.versions[users] = session.versions[users] + 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=users, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=HUGE, character=0), end=types.Position(HUGE, 9)),
                    text="\n# tail\n",
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=3, character=5), end=types.Position(1, 0)),
                    text="",
                ),
            ],
        )
    )
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=text_id(users)))
    assert isinstance(symbols, list)
    # The client resends the whole text, as clients do when they lose track.
    session.change(users, session.texts[users])
    await still_answers(session)


# -- shutdown during the scan ---------------------------------------------------------------------------------------

MODULE = """
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/m{i}")


def dep_{i}() -> int:
    return {i}


@router.get("/items/{{item_id}}")
def read_{i}(item_id: int, value: int = Depends(dep_{i})) -> dict[str, int]:
    return {{"item": item_id, "value": value}}


@router.post("/items")
def create_{i}(payload: dict[str, int]) -> dict[str, int]:
    return payload
"""


async def test_shutdown_while_the_workspace_scan_runs(tmp_path: Path) -> None:
    root = write_project(tmp_path / "big", PROJECT)
    generated = root / "gen"
    generated.mkdir()
    (generated / "__init__.py").write_text("", encoding="utf-8")
    for i in range(1500):
        (generated / f"m{i:04d}.py").write_text(MODULE.format(i=i), encoding="utf-8")
    client: LanguageClient = make_test_lsp_client()
    # pygls' own start: the server's stderr stays ours to read (pytest-lsp would forward it).
    await JsonRPCClient.start_io(client, sys.executable, "-m", "fastapi_lsp", env=server_env(), cwd=str(root))
    server = client._server
    assert server is not None and server.stderr is not None
    stderr = asyncio.ensure_future(server.stderr.read())
    try:
        await start_session(client, PROFILES["vscode"], root)

        def scan_state() -> tuple[bool, bool]:
            values = [v for values in client.progress_reports.values() for v in values]
            return (
                any(isinstance(v, types.WorkDoneProgressBegin) for v in values),
                any(isinstance(v, types.WorkDoneProgressEnd) for v in values),
            )

        while not scan_state()[0]:
            await asyncio.wait_for(client.wait_for_notification(types.PROGRESS), TIMEOUT)
        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        assert not scan_state()[1], "the scan ended before shutdown: make the generated workspace larger"
        client.exit(None)
        returncode = await asyncio.wait_for(server.wait(), TIMEOUT)
        err = (await asyncio.wait_for(stderr, TIMEOUT)).decode("utf-8", errors="replace")
        assert returncode == 0, err
        assert "Traceback" not in err and "Error" not in err, err
        assert [m.message for m in client.log_messages if m.type == types.MessageType.Error] == []
        assert not scan_state()[1]
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        stderr.cancel()
        await client.stop()
