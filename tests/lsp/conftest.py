"""pytest-lsp fixtures: a server per test on a small temporary project, for each client profile."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .profiles import PROFILES, Profile, capabilities

HERE = Path(__file__).parent
TIMEOUT = 20.0


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FASTAPI_LINT_STRICT"}
    env["FASTAPI_LSP_POLL_INTERVAL"] = "0.1"
    env.update(extra)
    return env


PROJECT = {
    "pyproject.toml": """
        [project]
        name = "demo"

        # The tests pin the rules they exercise, so rules added later do not change them.
        [tool.fastapi-lint]
        select = ["FPA101", "FPA103", "FPA604", "FPA901"]
    """,
    "app/__init__.py": "",
    "app/main.py": """
        from fastapi import FastAPI

        from .users import router as users_router

        app = FastAPI()
        app.include_router(users_router, prefix="/api")


        @app.get("/health")
        def health() -> dict[str, str]:
            return {"status": "ok"}
    """,
    "app/users.py": """
        from typing import Annotated

        from fastapi import APIRouter, Depends

        router = APIRouter(prefix="/users", tags=["users"])


        def get_db() -> str:
            return "db"


        def current_user(db: Annotated[str, Depends(get_db)]) -> str:
            return "me"


        @router.get("/{user_id}", status_code=200)
        def read_user(user_id: int, user: Annotated[str, Depends(current_user)]) -> dict[str, int]:
            return {"id": user_id}


        @router.get("/{user_id}/orders/{order_id}")
        def read_orders(user_id: int) -> list[int]:  # café ☕ 𝄞
            return []
    """,
    "tests/__init__.py": "",
    "tests/test_users.py": """
        from fastapi.testclient import TestClient

        from app.main import app

        client = TestClient(app)


        def test_read_user() -> None:
            assert client.get("/api/users/1").status_code == 200


        def test_read_user_again() -> None:
            user_id = 2
            assert client.get(f"/api/users/{user_id}").status_code == 200
    """,
}


def write_project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


class Session:
    """A connected client on a project, with helpers that wait for the server's messages."""

    def __init__(self, client: LanguageClient, profile: Profile, root: Path, init: types.InitializeResult) -> None:
        self.client = client
        self.init = init
        self.profile = profile
        self.root = root
        self.versions: dict[str, int] = {}
        self.applied: list[types.ApplyWorkspaceEditParams] = []

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            self.applied.append(params)
            return types.ApplyWorkspaceEditResult(applied=True)

        self.registrations: list[types.Registration] = []
        self.lens_refreshes = 0
        self.routes_changed = 0

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def lens_refresh(params: None) -> None:
            self.lens_refreshes += 1

        @client.feature("fastapiLint/routesChanged")
        def routes_changed(params: Any) -> None:
            self.routes_changed += 1

        self.texts: dict[str, str] = {}

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def open(self, rel: str, text: str | None = None) -> str:
        uri = self.uri(rel)
        text = (self.root / rel).read_text(encoding="utf-8") if text is None else text
        self.versions[uri] = 1
        self.texts[uri] = text
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def units(self, line: str, col: int) -> int:
        """A code-point column in the profile's position encoding."""
        prefix = line[:col]
        if self.profile.encoding == "utf-8":
            return len(prefix.encode("utf-8"))
        return len(prefix.encode("utf-16-le")) // 2

    def position(self, uri: str, needle: str, offset: int = 0, occurrence: int = 0) -> types.Position:
        """Where `needle` (its n-th occurrence) starts in the document, plus `offset` code points."""
        text = self.texts[uri] if uri in self.texts else Path(types_uri_path(uri)).read_text(encoding="utf-8")
        index = -1
        for _ in range(occurrence + 1):
            index = text.index(needle, index + 1)
        index += offset
        line = text.count("\n", 0, index)
        start = text.rfind("\n", 0, index) + 1
        return types.Position(line=line, character=self.units(text[start : text.find("\n", start)], index - start))

    def apply(self, uri: str, edits: Sequence[types.TextEdit]) -> str:
        """Apply text edits (in the profile's encoding) to the client's copy of the document."""
        text = self.texts[uri]
        lines = text.splitlines(keepends=True)

        def offset(pos: types.Position) -> int:
            if pos.line >= len(lines):
                return len(text)
            line = lines[pos.line]
            base = sum(len(x) for x in lines[: pos.line])
            body = line.rstrip("\r\n")
            for cp in range(len(body) + 1):
                if self.units(body, cp) >= pos.character:
                    return base + cp
            return base + len(body)

        spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
        for start, end, new in spans:
            text = text[:start] + new + text[end:]
        return text

    def edits_of(self, edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
        assert edit is not None
        if edit.document_changes:
            out: list[types.TextEdit] = []
            for change in edit.document_changes:
                assert isinstance(change, types.TextDocumentEdit)
                assert change.text_document.uri == uri
                assert change.text_document.version == self.versions[uri]
                out.extend(e for e in change.edits if isinstance(e, types.TextEdit))
            return out
        assert edit.changes is not None
        return list(edit.changes[uri])

    async def routes(self) -> list[dict[str, Any]]:
        """`fastapiLint/routes`, as plain JSON (what the VS Code extension receives)."""
        result = await self.client.protocol.send_request_async("fastapiLint/routes", {})
        routes: list[dict[str, Any]] = plain(result)["routes"]
        return routes

    async def notification(self, method: str, timeout: float = TIMEOUT) -> Any:
        return await asyncio.wait_for(self.client.wait_for_notification(method), timeout)

    async def pull(self, uri: str) -> list[types.Diagnostic]:
        report = await self.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport), report
        return list(report.items)

    async def diagnostics(
        self,
        uri: str,
        until: Callable[[Sequence[types.Diagnostic]], bool] = lambda ds: True,
        timeout: float = TIMEOUT,
    ) -> list[types.Diagnostic]:
        """The document's diagnostics once `until` holds: pushed ones as they arrive, or pulled after each
        change the server announces (`fastapiLint/routesChanged`, a refresh, or a publish)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.profile.pull:
                found = await self.pull(uri)
            else:
                found = list(self.client.diagnostics.get(uri, [])) if uri in self.client.diagnostics else None
            if found is not None and until(found):
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"diagnostics for {uri} never satisfied the condition; last: {found}")
            method = "fastapiLint/routesChanged" if self.profile.pull else types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            try:
                await asyncio.wait_for(self.client.wait_for_notification(method), remaining)
            except asyncio.TimeoutError:
                continue

    async def scanned(self) -> None:
        """Wait until the background scan has finished (its progress ends)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while not any(
            any(isinstance(v, types.WorkDoneProgressEnd) for v in values)
            for values in self.client.progress_reports.values()
        ):
            assert loop.time() < deadline, "the workspace scan never ended"
            await asyncio.wait_for(self.client.wait_for_notification(types.PROGRESS), deadline - loop.time())


def plain(value: Any) -> Any:
    """pygls hands back custom results as namedtuples: turn them into the JSON the client received."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def types_uri_path(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


def make_config(*command: str, **env: str) -> ClientServerConfig:
    return ClientServerConfig(server_command=list(command), server_env=server_env(**env))


SERVER = make_config(sys.executable, "-m", "fastapi_lsp")


async def start_session(
    client: LanguageClient,
    profile: Profile,
    root: Path,
    initialization_options: Any = None,
) -> Session:
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="demo")],
            initialization_options=initialization_options,
        )
    )
    return Session(client, profile, root, result)


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "demo", PROJECT)


@pytest_lsp.fixture(config=SERVER, params=list(PROFILES))
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest, project_root: Path) -> AsyncIterator[None]:
    request.node.session_holder = await start_session(lsp_client, PROFILES[request.param], project_root)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def session(lsp: LanguageClient, request: pytest.FixtureRequest) -> Session:
    holder: Session = request.node.session_holder
    return holder


@pytest_lsp.fixture(config=SERVER, params=["vscode", "neovim-0.9"])
async def lsp2(lsp_client: LanguageClient, request: pytest.FixtureRequest, project_root: Path) -> AsyncIterator[None]:
    """Two profiles (pull / push) for the costlier tests."""
    request.node.session_holder = await start_session(lsp_client, PROFILES[request.param], project_root)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def session2(lsp2: LanguageClient, request: pytest.FixtureRequest) -> Session:
    holder: Session = request.node.session_holder
    return holder
