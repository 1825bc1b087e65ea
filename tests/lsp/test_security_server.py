"""The language server, started as users start it (`fastapi-lint server`, or `python -m fastapi_lsp` from the
project's directory, as an editor does): it never imports or runs the project's code while it scans, checks,
hovers, lists symbols and offers fixes; configuration errors in `[tool.fastapi-lint]`, at start-up or on reload,
are shown to the user (window/showMessage) and the server keeps serving with the defaults. The CLI and flake8
sides are in tests/test_security.py."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, make_test_lsp_client

from ..project_helpers import UNBOUND, make_project
from ..test_security import assert_nothing_ran, hostile_project
from .conftest import PROFILES, TIMEOUT, Session, server_env, start_session

SERVER = [str(Path(sys.executable).parent / "fastapi-lint"), "server"]


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[LanguageClient]:
    lsp = make_test_lsp_client()
    # From a directory that is not the project's: the server must not depend on it either way.
    await lsp.start_io(*SERVER, env=server_env(), cwd=tmp_path)
    try:
        yield lsp
    finally:
        await lsp.stop()


async def shown(client: LanguageClient, matches: Callable[[str], bool]) -> types.ShowMessageParams:
    """The first window/showMessage (so far or still to come) whose text matches."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        for message in client.messages:
            if matches(message.message):
                return message
        remaining = deadline - loop.time()
        assert remaining > 0, f"no matching window/showMessage; got {[m.message for m in client.messages]}"
        try:
            await asyncio.wait_for(client.wait_for_notification(types.WINDOW_SHOW_MESSAGE), remaining)
        except asyncio.TimeoutError:
            continue


@pytest.mark.parametrize("launch", ["fastapi-lint server", "python -m fastapi_lsp"])
async def test_server_never_runs_the_project(tmp_path: Path, launch: str) -> None:
    """`python -m` puts the current directory (here the project, holding an `argparse.py` and a `pygls.py`)
    first on sys.path: the server must not import from it."""
    markers = tmp_path / "markers"
    root = hostile_project(tmp_path / "project", markers)
    client = make_test_lsp_client()
    if launch == "python -m fastapi_lsp":
        await client.start_io(sys.executable, "-m", "fastapi_lsp", env=server_env(), cwd=root)
    else:
        await client.start_io(*SERVER, env=server_env(), cwd=tmp_path)
    try:
        await _exercise(client, root)
    finally:
        await client.stop()
    assert_nothing_ran(markers)


async def _exercise(client: LanguageClient, root: Path) -> None:
    session = await start_session(client, PROFILES["vscode"], root)
    uri = session.open("app/main.py")
    await session.diagnostics(uri, lambda ds: "FPA101" in codes(list(ds)))
    await session.scanned()
    for rel in ("app/users.py", "setup.py", "conftest.py", "tests/test_main.py", "app/__main__.py"):
        session.open(rel)
    document = types.TextDocumentIdentifier(uri=uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=document, position=session.position(uri, "read_item"))
    )
    assert hover is not None
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
    assert symbols and any("/items/{item_id}" in s.name for s in symbols)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="users"))
    assert found
    diags = await session.pull(uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document,
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions
    await client.shutdown_session()


def _containing(needle: str) -> Callable[[str], bool]:
    return lambda text: needle in text


def _reload(session: Session, text: str) -> None:
    """Rewrite pyproject.toml and tell the server (VS Code registers a watcher; others are polled)."""
    (session.root / "pyproject.toml").write_text(text, encoding="utf-8")
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=session.uri("pyproject.toml"), type=types.FileChangeType.Changed)]
        )
    )


async def test_configuration_errors_are_shown_at_start_and_on_reload(client: LanguageClient, tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND}, config="target-fastapi = 0.100\n")
    session = await start_session(client, PROFILES["vscode"], root)
    message = await shown(client, lambda text: "target-fastapi" in text)
    assert message.type == types.MessageType.Error and "not a version: 0.1" in message.message
    uri = session.open("a.py")
    assert "FPA101" in codes(await session.diagnostics(uri, lambda ds: bool(ds)))  # the defaults apply
    await session.scanned()

    errors = {
        "colour": "[tool.fastapi-lint]\ncolour = true\n",
        "cannot read": "[tool.fastapi-lint]\nselect = [\n",
        "per-file-ignores must be a table": "[tool.fastapi-lint]\nper-file-ignores = ['a.py']\n",
        "unknown rule code 'FPA9999'": "[tool.fastapi-lint]\nextend-select = ['FPA9999']\n",
    }
    for needle, text in errors.items():
        _reload(session, text)
        message = await shown(client, _containing(needle))
        assert message.type == types.MessageType.Error and "pyproject.toml" in message.message
        assert "FPA101" in codes(await session.pull(uri))  # still serving, with the defaults
    await client.shutdown_session()
