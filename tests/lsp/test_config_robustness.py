"""Configuration (initializationOptions, didChangeConfiguration, feature switches) and robustness."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pygls.lsp.client import LanguageClient as BaseLanguageClient
from pytest_lsp import LanguageClient

from .conftest import HERE, PROFILES, Session, make_config, start_session


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


@pytest_lsp.fixture(config=make_config(sys.executable, "-m", "fastapi_lsp", "--stdio"), params=["vscode", "neovim-0.9"])
async def configured(lsp_client: LanguageClient, request: pytest.FixtureRequest, project_root: Path):  # type: ignore[no-untyped-def]
    options = {"fastapi-lint": {"ignore": ["FPA101"], "hover": False}}
    request.node.session_holder = await start_session(lsp_client, PROFILES[request.param], project_root, options)
    yield
    await lsp_client.shutdown_session()


async def test_initialization_options_and_did_change_configuration(
    configured: LanguageClient, request: pytest.FixtureRequest
) -> None:
    session: Session = request.node.session_holder
    uri = session.open("app/users.py")
    # A line that would report FPA101 stays quiet: initializationOptions ignore it.
    assert await session.diagnostics(uri, lambda ds: True) == []
    hover = await session.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=session.position(uri, "def read_user(", 6)
        )
    )
    assert hover is None  # the hover feature is switched off
    # `workspace/configuration` answers with the client's settings, and didChangeConfiguration re-reads them.
    session.client.set_configuration({"ignore": [], "hover": True}, section="fastapi-lint")
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await session.diagnostics(uri, lambda ds: codes(list(ds)) == ["FPA101"])
    hover = await session.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=session.position(uri, "def read_user(", 6)
        )
    )
    assert hover is not None
    # Settings pushed inline work too, and a bad code is reported, not fatal.
    session.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fastapi-lint": {"select": ["NOPE9"]}})
    )
    message = await session.notification(types.WINDOW_SHOW_MESSAGE)
    assert message.type == types.MessageType.Error and "NOPE9" in message.message


async def test_unknown_method_and_failing_handler_keep_the_server_alive(session2: Session) -> None:
    session = session2
    with pytest.raises(JsonRpcMethodNotFound):
        await session.client.protocol.send_request_async("fastapi/nonsense", {})
    # A hover on a document the server never saw answers nothing instead of failing.
    hover = await session.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=session.uri("nowhere.py")),
            position=types.Position(line=0, character=0),
        )
    )
    assert hover is None
    uri = session.open("app/users.py")
    assert "FPA101" in codes(await session.diagnostics(uri, lambda ds: bool(ds)))


async def test_invalid_json_and_cancellation(session2: Session) -> None:
    session = session2
    server = session.client._server
    assert server is not None and server.stdin is not None
    body = b"{not json"
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    await server.stdin.drain()
    uri = session.open("app/users.py")
    assert "FPA101" in codes(await session.diagnostics(uri, lambda ds: bool(ds)))
    session.client.protocol.notify("$/cancelRequest", types.CancelParams(id=123456))
    symbols = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols


async def test_rapid_edits_end_with_fresh_diagnostics(session2: Session) -> None:
    session = session2
    uri = session.open("app/users.py")
    base = session.texts[uri]
    for i in range(300):
        session.change(uri, base + f"\n# edit {i}\n")
    fixed = base.replace("def read_orders(user_id: int)", "def read_orders(user_id: int, order_id: int)")
    session.change(uri, fixed)
    assert await session.diagnostics(uri, lambda ds: not ds) == []


@pytest_lsp.fixture(config=make_config(sys.executable, str(HERE / "broken_rule_server.py")), params=["neovim-0.9"])
async def broken(lsp_client: LanguageClient, request: pytest.FixtureRequest, project_root: Path):  # type: ignore[no-untyped-def]
    request.node.session_holder = await start_session(lsp_client, PROFILES[request.param], project_root)
    yield
    await lsp_client.shutdown_session()


async def test_a_failing_rule_is_logged_and_others_still_report(
    broken: LanguageClient, request: pytest.FixtureRequest
) -> None:
    session: Session = request.node.session_holder
    uri = session.open("app/users.py")
    assert codes(await session.diagnostics(uri, lambda ds: bool(ds))) == ["FPA101"]
    assert any("rule FPA103 failed" in m.message for m in session.client.log_messages)


def test_logs_never_reach_stdout_and_stdio_flag(tmp_path: Path) -> None:
    """A client that sends nothing gets nothing on stdout: logs go to window/logMessage or stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "fastapi_lsp", "--stdio"], input=b"", capture_output=True, timeout=60, cwd=tmp_path
    )
    assert proc.stdout == b""


async def test_tcp_transport(project_root: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fastapi_lsp", "--tcp", "--port", str(port), stderr=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stderr is not None
        while b"Serving on" not in await asyncio.wait_for(proc.stderr.readline(), 60):
            assert proc.returncode is None, "the server exited"
        client = BaseLanguageClient("tcp-test", "1")
        await client.start_tcp("127.0.0.1", port)
        result = await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=project_root.as_uri())
        )
        assert result.server_info is not None and result.server_info.name == "fastapi-lint"
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


@pytest_lsp.fixture(config=make_config(sys.executable, "-m", "fastapi_lsp"), params=["vscode"])
async def workspace_pull(lsp_client: LanguageClient, request: pytest.FixtureRequest, project_root: Path):  # type: ignore[no-untyped-def]
    options = {"workspaceDiagnostics": True}
    request.node.session_holder = await start_session(lsp_client, PROFILES[request.param], project_root, options)
    yield
    await lsp_client.shutdown_session()


async def test_workspace_diagnostics(workspace_pull: LanguageClient, request: pytest.FixtureRequest) -> None:
    session: Session = request.node.session_holder
    provider = session.init.capabilities.diagnostic_provider
    assert isinstance(provider, types.DiagnosticOptions) and provider.workspace_diagnostics
    await session.scanned()
    report = await session.client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    by_uri = {item.uri: item for item in report.items}
    users = by_uri[session.uri("app/users.py")]
    assert isinstance(users, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in users.items] == ["FPA101"]
    assert isinstance(by_uri[session.uri("app/main.py")], types.WorkspaceFullDocumentDiagnosticReport)
    # Nothing changed: the second report says so.
    again = await session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(
            previous_result_ids=[
                types.PreviousResultId(uri=i.uri, value=i.result_id or "") for i in report.items if i.result_id
            ]
        )
    )
    assert all(isinstance(i, types.WorkspaceUnchangedDocumentDiagnosticReport) for i in again.items)


async def test_huge_and_undecodable_files(session2: Session) -> None:
    session = session2
    (session.root / "app" / "latin1.py").write_bytes(b"# caf\xe9 without a coding cookie\nx = 1\n")
    uri = session.open("app/big_data.py", 'DATA = "' + "x" * (5 * 1024 * 1024) + '"\n')
    assert await session.diagnostics(uri, lambda ds: True, timeout=120) == []
    await session.scanned()
    assert any("latin1.py" in m.message and "decode" in m.message for m in session.client.log_messages)
    users = session.open("app/users.py")
    assert "FPA101" in codes(await session.diagnostics(users, lambda ds: bool(ds)))
