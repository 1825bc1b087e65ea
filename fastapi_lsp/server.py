"""Server wiring: capabilities, lifecycle, document sync, the background scan, file watching, configuration.

Handlers run on the event loop's thread and share `WorkspaceState`; only the initial scan and the mtime poller
work in threads, and they hand their results back to the loop. Every handler is guarded: an exception is logged
and the server keeps answering.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Generator
from typing import Any, TypeVar
from urllib.parse import unquote

from cattrs import transform_error
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from flake8_fastapi.config import ConfigError
from flake8_fastapi.model.facts import ModuleFacts
from flake8_fastapi.model.source import SourceFile

from . import SERVER_NAME, __version__, logs
from .actions import FIX_ALL_COMMAND, FIX_ALL_KIND, Actions
from .diagnostics import Diagnostics
from .hover import hover
from .navigation import SHOW_TEST_CALLS, Navigation
from .options import SECTION, Options, parse_options
from .state import Document, WorkspaceState

log = logging.getLogger("fastapi_lsp")
ROUTES_REQUEST = "fastapiLint/routes"
ROUTES_CHANGED = "fastapiLint/routesChanged"
ROUTES_SETTLE = 0.25  # seconds without edits before the routes view and code lenses are refreshed
REFRESH_SETTLE = 0.1  # seconds without edits before the other open documents' cross-file findings are refreshed
T = TypeVar("T")
_ANSWERED = object()  # a request already answered with an error while it was being read


class FastApiProtocol(LanguageServerProtocol):
    """Advertises pull diagnostics only to clients that can pull (the others get pushed diagnostics). Answers
    requests whose params do not validate (and drops such notifications), and sends nothing once the transport is
    closed."""

    _server: FastApiLanguageServer

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls drops a request whose params do not validate (a negative position) without answering it, leaving
        the client waiting forever: answer it with the error instead."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "method" not in data:
                raise
            cause = exc.__cause__
            detail = "; ".join(transform_error(cause, path="params")) if isinstance(cause, Exception) else str(exc)
            if data.get("id") is None:
                # A notification gets no answer: dropped with a warning (pygls would show the user an error).
                log.warning("ignoring %s notification: %s", data["method"], detail)
                return _ANSWERED
            log.warning("%s request %s: %s", data["method"], data["id"], detail)
            error = exc.to_response_error()
            error.message = f"{error.message}: {detail}"
            self._send_response(data["id"], error=error)
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is not _ANSWERED:
            super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        """A change to a document that is not open is ignored: pygls would fail on it and show the user an error."""
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            log.info("ignoring a change to %s, which is not open", params.text_document.uri)
            return None
        result: None = yield from super().lsp_text_document__did_change(params)
        return result

    def _send_data(self, data: Any) -> None:
        # After `exit` stdout is closed: a write fails, and pygls reports the failure by writing again
        # (window/showMessage), recursing until the stack overflows. Whatever is still queued is dropped.
        if self._server.exited:
            return
        super()._send_data(data)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        server = self._server
        if server.pull_diagnostics:
            result.capabilities.diagnostic_provider = types.DiagnosticOptions(
                identifier=SECTION,
                inter_file_dependencies=True,
                workspace_diagnostics=server.state.options.workspace_diagnostics,
            )
        else:
            result.capabilities.diagnostic_provider = None
        return result


def guarded(default: Any = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Log a handler's exception and answer `default` instead of failing."""

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            try:
                return fn(*args, **kwargs)
            except Exception:
                log.exception("%s failed", fn.__name__)
                return default  # type: ignore[no-any-return]

        return wrapper

    return decorate


class FastApiLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SERVER_NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=FastApiProtocol,
        )
        self.state = WorkspaceState(os.getcwd())
        self.pull_diagnostics = False
        self.refresh_support = False
        self.lens_refresh = False
        self.document_changes = False
        self.resolve_edits = False
        self.encoding: str = types.PositionEncodingKind.Utf16
        self.diagnostics = Diagnostics(self)
        self.actions = Actions(self)
        self.navigation = Navigation(self)
        self._pending: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._poller: threading.Thread | None = None
        self._stop = threading.Event()
        self.exited = False
        self._config_error: str | None = None
        self._last_lens_signature = 0
        self._refresh_timer: asyncio.TimerHandle | None = None
        self._routes_timer: asyncio.TimerHandle | None = None
        self.scan_task: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self.poll_interval = float(os.environ.get("FASTAPI_LSP_POLL_INTERVAL", "1.0"))

    # -- helpers -------------------------------------------------------------------------------------
    def path_of(self, uri: str) -> str:
        return os.path.abspath(to_fs_path(uri) or uri)

    def uri_of(self, path: str) -> str:
        doc = self.state.doc(path)
        if doc is not None:
            return doc.uri
        return from_fs_path(path) or path

    def source_of(self, path: str) -> SourceFile | None:
        facts = self.state.project.module(path)
        return facts.source if facts is not None else None

    def _keep(self, task: asyncio.Future[None]) -> None:
        """Hold a reference to a background task until it is done."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def call_in_loop(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the event loop's thread (from any thread)."""
        if self._loop is None or threading.get_ident() == self._loop_thread:
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)

    def send_log(self, params: types.LogMessageParams) -> None:
        self.call_in_loop(lambda: self.window_log_message(params))

    def show_error(self, message: str) -> None:
        log.error("%s", message)
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def routes_changed(self, force: bool = True) -> None:
        """Tell the client the route table may have changed; refresh code lenses when routes or test-client
        calls did change (a lens refresh makes the client re-ask for every visible editor's lenses)."""
        if self._stop.is_set():
            return
        self.protocol.notify(ROUTES_CHANGED, {})
        signature = self._lens_signature()
        if signature == self._last_lens_signature and not force:
            return
        self._last_lens_signature = signature
        if self.lens_refresh and self.state.options.enabled("codeLens"):
            self.workspace_code_lens_refresh(None)

    def _lens_signature(self) -> int:
        project = self.state.project
        routes = tuple((r.module.path, r.site.call.lineno, r.methods, tuple(r.full_paths())) for r in project.routes)
        tests = tuple(
            (m.path, len(m.calls))
            for m in project.modules.values()
            if m.imports_module("fastapi.testclient") or m.imports_module("httpx")
        )
        return hash((routes, tests))

    # -- lifecycle -----------------------------------------------------------------------------------
    def on_initialize(self, params: types.InitializeParams) -> None:
        self._loop = asyncio.get_event_loop()
        self._loop_thread = threading.get_ident()
        caps = params.capabilities
        root = None
        if params.workspace_folders:
            root = to_fs_path(params.workspace_folders[0].uri)
        if root is None and params.root_uri:
            root = to_fs_path(params.root_uri)
        if root is None and params.root_path:
            root = params.root_path
        self.state = WorkspaceState(root or os.getcwd())
        td = caps.text_document
        ws = caps.workspace
        self.refresh_support = bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)
        self.lens_refresh = bool(ws and ws.code_lens and ws.code_lens.refresh_support)
        self.document_changes = bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)
        resolve = td.code_action.resolve_support if td and td.code_action else None
        self.resolve_edits = bool(resolve and "edit" in resolve.properties)
        self.encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        options = Options()
        try:
            options = parse_options(params.initialization_options)
        except ConfigError as exc:
            self._config_error = str(exc)
        self.state.options = options
        # Pull when the client can pull and can be told to pull again (`workspace/diagnostic/refresh`): without
        # that, cross-file findings of open files would go stale until their next edit (Neovim 0.10/0.11 pull
        # but do not handle refresh). Push otherwise. Never both. `diagnosticMode` forces one.
        can_pull = td is not None and td.diagnostic is not None
        if options.diagnostic_mode == "pull":
            self.pull_diagnostics = can_pull
        elif options.diagnostic_mode == "push":
            self.pull_diagnostics = False
        else:
            self.pull_diagnostics = can_pull and self.refresh_support
        error = self.state.load_config()
        self._config_error = self._config_error or error

    def on_initialized(self) -> None:
        log.info(
            "fastapi-lint %s: root %s, %s diagnostics, %s positions",
            __version__,
            self.state.root,
            "pull" if self.pull_diagnostics else "push",
            str(getattr(self.encoding, "value", self.encoding)),
        )
        if self._config_error:
            self.show_error(self._config_error)
        self.scan_task = asyncio.ensure_future(self._scan())
        self._keep(asyncio.ensure_future(self._fetch_configuration()))

    async def _scan(self) -> None:
        token = str(uuid.uuid4())
        progress = False
        caps = self.client_capabilities
        try:
            if caps.window is not None and caps.window.work_done_progress:
                await self.work_done_progress.create_async(token)
                progress = True
                self.work_done_progress.begin(
                    token, types.WorkDoneProgressBegin(title="fastapi-lint: indexing", percentage=0)
                )
            loop = asyncio.get_running_loop()
            last = [0.0]

            def report(done: int, total: int) -> None:
                now = time.monotonic()
                if progress and not self._stop.is_set() and (now - last[0] > 0.2 or done == total):
                    last[0] = now
                    pct = int(done * 100 / max(total, 1))
                    value = types.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=pct)
                    loop.call_soon_threadsafe(self.work_done_progress.report, token, value)

            started = time.monotonic()
            result = await loop.run_in_executor(None, self.state.scan_disk, report, self._stop.is_set)
            for error in result.errors:
                log.warning("%s", error)
            if self._stop.is_set():
                return
            self.state.adopt(result)
            # The index holds every module's tree: keep the collector from walking it on each keystroke.
            gc.collect()
            gc.freeze()
            log.info("indexed %d files in %.2fs", len(result.mtimes), time.monotonic() - started)
            if progress:
                self.work_done_progress.end(
                    token, types.WorkDoneProgressEnd(message=f"{len(result.project.modules)} modules")
                )
            self.diagnostics.everything_changed()
            self.routes_changed()
        except Exception:
            log.exception("workspace scan failed")
        if not self._stop.is_set():
            self._start_watching()

    def _start_watching(self) -> None:
        caps = self.client_capabilities
        ws = caps.workspace
        if ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[
                    types.FileSystemWatcher(glob_pattern="**/*.py"),
                    types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                ]
            )
            registration = types.Registration(
                id=str(uuid.uuid4()), method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
            )
            self.client_register_capability(types.RegistrationParams(registrations=[registration]))
            log.info("watching files through the client")
            return
        self._poller = threading.Thread(target=self._poll_loop, name="fastapi-lint-poller", daemon=True)
        self._poller.start()
        log.info("watching files by polling every %.1fs", self.poll_interval)

    def _poll_loop(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                changed = self.state.poll()
            except Exception:
                log.exception("polling failed")
                continue
            if changed:
                self.call_in_loop(functools.partial(self.on_disk_changes, changed))

    def on_shutdown(self) -> None:
        """Stop the poller and the scan; nothing is sent to the client after this."""
        self._stop.set()
        if self.scan_task is not None:
            self.scan_task.cancel()

    def on_exit(self) -> None:
        """pygls closes stdout right after this: stop the scan (the process waits for its thread) and sending."""
        self._stop.set()
        self.exited = True

    async def _fetch_configuration(self) -> None:
        caps = self.client_capabilities
        if not (caps.workspace and caps.workspace.configuration):
            return
        try:
            items = [types.ConfigurationItem(section=SECTION, scope_uri=self.uri_of(self.state.root))]
            values = await self.workspace_configuration_async(types.ConfigurationParams(items=items))
        except Exception:
            log.exception("workspace/configuration failed")
            return
        if values and values[0] is not None:
            self.apply_settings(values[0])

    def apply_settings(self, value: Any) -> None:
        try:
            current = self.state.options
            base = Options(workspace_diagnostics=current.workspace_diagnostics, diagnostic_mode=current.diagnostic_mode)
            options = parse_options(value, base)
        except ConfigError as exc:
            self.show_error(str(exc))
            return
        if options == self.state.options:
            return
        self.state.set_options(options)
        self.diagnostics.everything_changed()
        self.routes_changed()

    # -- documents -----------------------------------------------------------------------------------
    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = self.state.open(item.uri, self.path_of(item.uri), item.version, item.text)
        self.check_now(doc)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = self.workspace.get_text_document(uri).source
        doc = self.state.change(self.path_of(uri), params.text_document.version, text)
        if doc is not None and doc.path not in self._pending:
            self._pending.add(doc.path)
            self.call_soon(functools.partial(self._run_pending, doc.path))

    def call_soon(self, fn: Callable[[], None]) -> None:
        loop = self._loop or asyncio.get_event_loop()
        loop.call_soon(fn)

    def call_after_pause(
        self, timer: asyncio.TimerHandle | None, delay: float, fn: Callable[[], None]
    ) -> asyncio.TimerHandle:
        """Run `fn` once `delay` seconds pass without another call for it: cancels `timer`, the previous one."""
        if timer is not None:
            timer.cancel()
        loop = self._loop or asyncio.get_event_loop()
        return loop.call_later(delay, fn)

    def _run_pending(self, path: str) -> None:
        self._pending.discard(path)
        doc = self.state.doc(path)
        if doc is not None:
            try:
                self.check_now(doc)
            except Exception:
                log.exception("checking %s failed", path)

    def fresh(self, path: str) -> ModuleFacts | None:
        """A module's facts, re-checking its document first when it has unchecked edits."""
        doc = self.state.doc(path)
        if doc is not None and (doc.dirty or doc.checked_version != doc.version):
            self.check_now(doc)
        return self.state.project.module(path)

    def check_now(self, doc: Document) -> None:
        """Re-check a document (re-extracting its facts) and refresh what depends on it."""
        self.state.idle.clear()
        try:
            model_changed = self.state.sync(doc)
            self.state.check(doc)
        finally:
            self.state.idle.set()
        self.diagnostics.checked(doc)
        if model_changed:
            # The other open documents are refreshed once edits pause: re-checking each of them after every
            # keystroke would hold up the next one.
            self._refresh_timer = self.call_after_pause(self._refresh_timer, REFRESH_SETTLE, self._refresh_others)

    def _refresh_others(self) -> None:
        """Cross-file refresh of the other open documents, once the pending keystrokes are checked."""
        self._refresh_timer = None
        if self._pending:
            self.call_soon(self._refresh_others)
            return
        try:
            # Documents checked since the last change of the model (the one being edited) are current.
            revision = self.state.project.revision
            changed = [
                other
                for other in list(self.state.docs.values())
                if other.checked_revision != revision and self.state.refresh_project_findings(other)
            ]
            self.diagnostics.others_changed(changed)
            self.routes_changed_soon()
        except Exception:
            log.exception("refreshing cross-file findings failed")

    def routes_changed_soon(self) -> None:
        """`routes_changed` once edits pause for ROUTES_SETTLE seconds: the routes view and the lenses need not
        follow every keystroke, and relinking the whole route table after each one delays the next."""
        self._routes_timer = self.call_after_pause(self._routes_timer, ROUTES_SETTLE, self._routes_settled)

    def _routes_settled(self) -> None:
        self._routes_timer = None
        try:
            self.routes_changed(force=False)
        except Exception:
            log.exception("refreshing routes failed")

    def model_changed(self, exclude: Document | None = None) -> None:
        changed = [
            other
            for other in list(self.state.docs.values())
            if other is not exclude and self.state.refresh_project_findings(other)
        ]
        self.diagnostics.others_changed(changed)
        self.routes_changed_soon()

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        path = self.path_of(params.text_document.uri)
        if os.path.basename(path) == "pyproject.toml":
            self.on_disk_changes([path])

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        doc = self.state.close(self.path_of(params.text_document.uri))
        if doc is not None:
            self.diagnostics.clear(doc.uri)
            self.model_changed()

    # -- disk and configuration ---------------------------------------------------------------------
    def on_disk_changes(self, paths: list[str]) -> None:
        if any(os.path.abspath(p) == self.state.pyproject for p in paths):
            error = self.state.load_config()
            if error:
                self.show_error(error)
            self.state.set_options(self.state.options)
            log.info("reloaded %s", self.state.pyproject)
            self.diagnostics.everything_changed()
            self.routes_changed()
        py = [p for p in paths if p.endswith(".py")]
        if py and self.state.disk_changed(py):
            self.model_changed()

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        self.on_disk_changes([self.path_of(c.uri) for c in params.changes])

    def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and SECTION in settings:
            self.apply_settings(settings[SECTION])
        else:
            self._keep(asyncio.ensure_future(self._fetch_configuration()))


def create_server() -> FastApiLanguageServer:
    server = FastApiLanguageServer()
    logs.install(server.send_log)
    nav, actions, diags = server.navigation, server.actions, server.diagnostics

    def on(method: str, options: Any = None, default: Any = None) -> Callable[[Callable[..., Any]], Any]:
        def register(fn: Callable[..., Any]) -> Any:
            return server.feature(method, options)(guarded(default)(fn))

        return register

    on(types.INITIALIZE)(server.on_initialize)
    on(types.INITIALIZED)(lambda params: server.on_initialized())
    on(types.SHUTDOWN)(lambda params: server.on_shutdown())
    on(types.EXIT)(lambda params: server.on_exit())
    on(types.TEXT_DOCUMENT_DID_OPEN)(server.did_open)
    on(types.TEXT_DOCUMENT_DID_CHANGE)(server.did_change)
    on(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(server.did_save)
    on(types.TEXT_DOCUMENT_DID_CLOSE)(server.did_close)
    on(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(server.did_change_watched_files)
    on(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(server.did_change_configuration)
    on(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier=SECTION, inter_file_dependencies=True, workspace_diagnostics=False),
        types.RelatedFullDocumentDiagnosticReport(items=[]),
    )(diags.document)
    on(types.WORKSPACE_DIAGNOSTIC, default=types.WorkspaceDiagnosticReport(items=[]))(diags.workspace)
    on(types.TEXT_DOCUMENT_HOVER)(lambda params: hover(server, params))
    on(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND],
            resolve_provider=True,
        ),
        [],
    )(actions.code_actions)
    on(types.CODE_ACTION_RESOLVE)(actions.resolve)
    server.command(FIX_ALL_COMMAND)(guarded()(actions.fix_all_command))
    server.command(SHOW_TEST_CALLS)(guarded([])(nav.show_test_calls))
    on(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, default=[])(nav.document_symbols)
    on(types.WORKSPACE_SYMBOL, default=[])(nav.workspace_symbols)
    on(types.TEXT_DOCUMENT_CODE_LENS, default=[])(nav.code_lenses)
    on(types.TEXT_DOCUMENT_DEFINITION)(nav.definition)
    on(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["/", '"', "'"]),
    )(nav.completion)
    on(ROUTES_REQUEST, default={"routes": []})(nav.routes)
    return server
