"""Diagnostics: pull or push by client, encodings, links, related information, tags, fixes in data, syntax
errors, cross-file refresh (editor and disk changes)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pytest_lsp import ClientServerConfig, make_test_lsp_client

from .conftest import PROFILES, SERVER, Session, start_session, write_project
from .conftest import PROJECT as PROJECT_FILES

USERS_NON_ASCII = textwrap.dedent(
    """
    from fastapi import APIRouter

    router = APIRouter(prefix="/users")


    @router.get(summary="café ☕ 𝄞", path="/{user_id}/orders/{order_id}")
    def read_orders(user_id: int) -> list[int]:
        return []
    """
).lstrip()


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


async def test_pull_or_push_never_both(session: Session) -> None:
    provider = session.init.capabilities.diagnostic_provider
    assert (provider is not None) == session.profile.pull
    uri = session.open("app/users.py")
    diags = await session.diagnostics(uri, lambda ds: "FPA101" in codes(list(ds)))
    assert codes(diags).count("FPA101") == 1
    if session.profile.pull:
        assert session.client.diagnostics == {}, "a pull client must not be pushed diagnostics"


async def test_positions_in_negotiated_encoding(session: Session) -> None:
    assert session.init.capabilities.position_encoding == session.profile.encoding
    uri = session.open("app/orders.py", USERS_NON_ASCII)
    diags = await session.diagnostics(uri, lambda ds: bool(ds))
    (diag,) = [d for d in diags if d.code == "FPA101"]
    line = USERS_NON_ASCII.splitlines()[diag.range.start.line]
    assert line.startswith("@router.get(summary=")
    start = line.index('"/{user_id}')
    end = line.index(")", start)
    assert diag.range.start.character == session.units(line, start)
    assert diag.range.end.character == session.units(line, end)
    # The non-ASCII text before the finding makes the encodings differ.
    assert session.units(line, start) != start


async def test_diagnostic_fields(session: Session) -> None:
    uri = session.open("app/users.py")
    diags = await session.diagnostics(uri, lambda ds: "FPA101" in codes(list(ds)))
    (diag,) = [d for d in diags if d.code == "FPA101"]
    assert diag.source == "fastapi-lint"
    assert diag.severity == types.DiagnosticSeverity.Warning
    assert diag.code_description is not None
    href = diag.code_description.href
    assert href.startswith("file://") and Path(unquote(urlparse(href).path)).is_file()
    assert "order_id" in diag.message
    data = diag.data
    assert isinstance(data, dict) and data["code"] == "FPA101" and data["version"] == 1
    fix = data["fix"]
    assert "order_id" in fix["title"] and fix["edits"] and fix["unsafe"] is False


async def test_tags_and_related_information(session: Session) -> None:
    main = (session.root / "app/main.py").read_text(encoding="utf-8")
    main += textwrap.dedent(
        """

        @app.on_event("startup")
        async def connect() -> None:
            pass


        @app.get("/api/users/{uid}")
        def read_user_twice(uid: int) -> None:
            pass
        """
    )
    uri = session.open("app/main.py", main)
    await session.scanned()
    diags = await session.diagnostics(uri, lambda ds: {"FPA901", "FPA103"} <= set(codes(list(ds))))
    (deprecated,) = [d for d in diags if d.code == "FPA901"]
    assert list(deprecated.tags or ()) == [types.DiagnosticTag.Deprecated]
    (duplicate,) = [d for d in diags if d.code == "FPA103"]
    assert duplicate.related_information, duplicate
    other = duplicate.related_information[0].location
    assert other.uri == session.uri("app/users.py")
    users_text = (session.root / "app/users.py").read_text(encoding="utf-8")
    assert other.range.start.line == users_text.splitlines().index('@router.get("/{user_id}", status_code=200)')


async def test_findings_clear_with_an_empty_report(session: Session) -> None:
    uri = session.open("app/users.py")
    await session.diagnostics(uri, lambda ds: "FPA101" in codes(list(ds)))
    fixed = session.texts[uri].replace("def read_orders(user_id: int)", "def read_orders(user_id: int, order_id: int)")
    session.change(uri, fixed)
    assert await session.diagnostics(uri, lambda ds: not ds) == []
    if not session.profile.pull:
        assert list(session.client.diagnostics[uri]) == []


async def test_syntax_error_keeps_the_last_good_model(session: Session) -> None:
    uri = session.open("app/users.py")
    await session.diagnostics(uri, lambda ds: "FPA101" in codes(list(ds)))
    await session.scanned()
    broken = session.texts[uri].replace("def read_user(", "def read_user(((")
    session.change(uri, broken)
    diags = await session.diagnostics(uri, lambda ds: codes(list(ds)) == ["E999"])
    assert diags[0].severity == types.DiagnosticSeverity.Error
    assert "SyntaxError" in diags[0].message
    # The project model still has the module's routes from its last good text.
    routes = await session.routes()
    paths = {r["path"] for r in routes}
    assert "/api/users/{user_id}" in paths
    session.change(uri, broken.replace("def read_user(((", "def read_user("))
    await session.diagnostics(uri, lambda ds: codes(list(ds)) == ["FPA101"])


async def test_cross_file_findings_refresh_on_edit(session: Session) -> None:
    users = session.open("app/users.py")
    main = session.open("app/main.py")
    await session.scanned()
    await session.diagnostics(users, lambda ds: codes(list(ds)) == ["FPA101"])
    session.change(main, session.texts[main].replace('prefix="/api"', 'prefix="/api/{tenant}"'))
    diags = await session.diagnostics(users, lambda ds: codes(list(ds)).count("FPA101") == 3)
    assert sum("tenant" in d.message for d in diags) == 2
    session.change(main, session.texts[main].replace('prefix="/api/{tenant}"', 'prefix="/api"'))
    await session.diagnostics(users, lambda ds: codes(list(ds)) == ["FPA101"])


def _disk_event(session: Session, rel: str) -> None:
    """Clients that registered our watcher report the change; the others rely on the server's poller."""
    caps = session.client.capabilities
    assert caps is not None and caps.workspace is not None
    watch = caps.workspace.did_change_watched_files
    if watch is not None and watch.dynamic_registration:
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=session.uri(rel), type=types.FileChangeType.Changed)]
            )
        )


async def test_cross_file_findings_refresh_on_disk_change(session: Session) -> None:
    users = session.open("app/users.py")
    await session.scanned()
    await session.diagnostics(users, lambda ds: codes(list(ds)) == ["FPA101"])
    main = session.root / "app/main.py"
    main.write_text(main.read_text().replace('prefix="/api"', 'prefix="/api/{tenant}"'))
    _disk_event(session, "app/main.py")
    await session.diagnostics(users, lambda ds: codes(list(ds)).count("FPA101") == 3)


async def test_pyproject_reload(session: Session) -> None:
    users = session.open("app/users.py")
    await session.scanned()
    await session.diagnostics(users, lambda ds: codes(list(ds)) == ["FPA101"])
    pyproject = session.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("select = [", 'ignore = ["FPA101"]\nselect = ['))
    _disk_event(session, "pyproject.toml")
    assert await session.diagnostics(users, lambda ds: not ds) == []


async def test_config_error_is_shown_not_fatal(session: Session) -> None:
    users = session.open("app/users.py")
    await session.scanned()
    await session.diagnostics(users, lambda ds: codes(list(ds)) == ["FPA101"])
    (session.root / "pyproject.toml").write_text('[tool.fastapi-lint]\nselect = ["NOPE1"]\n')
    _disk_event(session, "pyproject.toml")
    message = await session.notification(types.WINDOW_SHOW_MESSAGE)
    assert message.type == types.MessageType.Error and "NOPE1" in message.message
    # Defaults apply and the server keeps answering.
    assert codes(await session.diagnostics(users, lambda ds: bool(ds))) == ["FPA101"]


async def test_scan_reports_progress(session: Session) -> None:
    session.open("app/users.py")
    await session.scanned()
    (reports,) = [r for r in session.client.progress_reports.values() if r]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and "indexing" in reports[0].title
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert any(isinstance(r, types.WorkDoneProgressReport) for r in reports)


async def test_first_diagnostics_do_not_wait_for_the_scan(tmp_path: Path) -> None:
    """An open file is checked on its own at once, and again with the whole project when the scan ends."""
    files = dict(PROJECT_FILES)
    files["app/main.py"] = files["app/main.py"].replace('prefix="/api"', 'prefix="/api/{tenant}"')
    for i in range(1500):  # enough modules for the scan to take a while
        files[f"app/filler/m{i}.py"] = f"from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/m{i}')\n"
    root = write_project(tmp_path / "big", files)
    config = ClientServerConfig(server_command=SERVER.server_command, server_env=SERVER.server_env)
    client = make_test_lsp_client()
    await client.start_io(*config.server_command, env=config.server_env)
    try:
        session = await start_session(client, PROFILES["neovim-0.9"], root)
        uri = session.open("app/users.py")
        first = await session.diagnostics(uri, lambda ds: True)
        assert not any(isinstance(v, types.WorkDoneProgressEnd) for r in client.progress_reports.values() for v in r)
        assert codes(first) == ["FPA101"]  # alone: the tenant prefix from main.py is not known yet
        await session.scanned()
        await session.diagnostics(uri, lambda ds: codes(list(ds)).count("FPA101") == 3, timeout=60)
        await client.shutdown_session()
    finally:
        await client.stop()
