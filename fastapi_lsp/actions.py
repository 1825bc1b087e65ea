"""Code actions: a quick fix per fixable diagnostic (edits from `diagnostic.data`), "Disable FPAxxx for this line",
`source.fixAll.fastapi-lint` (resolved lazily when the client can resolve edits), and the `fastapi-lint.fixAll`
command applying the same through `workspace/applyEdit`. All edits are tied to the document's version."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from flake8_fastapi.checker import SYNTAX_CODE
from flake8_fastapi.insight import fix_document, noqa_edit
from flake8_fastapi.rules.base import Finding

from . import convert
from .diagnostics import SOURCE, fix_data

if TYPE_CHECKING:
    from .server import FastApiLanguageServer
    from .state import Document

log = logging.getLogger("fastapi_lsp")
FIX_ALL_KIND = "source.fixAll.fastapi-lint"
FIX_ALL_COMMAND = "fastapi-lint.fixAll"


def _text_edit(raw: dict[str, Any]) -> types.TextEdit:
    r = raw["range"]
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=r["start"]["line"], character=r["start"]["character"]),
            end=types.Position(line=r["end"]["line"], character=r["end"]["character"]),
        ),
        new_text=raw["newText"],
    )


def _key(code: str, r: types.Range) -> tuple[str, int, int, int, int]:
    return code, r.start.line, r.start.character, r.end.line, r.end.character


def _overlaps(a: types.Range, b: types.Range) -> bool:
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


class Actions:
    def __init__(self, server: FastApiLanguageServer) -> None:
        self.server = server

    def workspace_edit(self, doc: Document, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        if self.server.document_changes:
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version)
            return types.WorkspaceEdit(
                document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(edits))]
            )
        return types.WorkspaceEdit(changes={doc.uri: list(edits)})

    def _current(self, uri: str) -> Document | None:
        server = self.server
        doc = server.state.doc(server.path_of(uri))
        if doc is not None and (doc.dirty or doc.checked_version != doc.version):
            server.check_now(doc)
        return doc

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        server = self.server
        if not server.state.options.enabled("codeActions"):
            return []
        doc = self._current(params.text_document.uri)
        if doc is None or doc.source is None or doc.syntax is not None:
            return []
        only = params.context.only
        want_quick = only is None or any(types.CodeActionKind.QuickFix.startswith(k) for k in only)
        want_all = only is None or any(FIX_ALL_KIND.startswith(k) for k in only)
        out: list[types.CodeAction] = []
        if want_quick:
            out.extend(self._quick_fixes(doc, params))
        if want_all and any(f.fix is not None and f.fix.applicability == "safe" for f in doc.findings):
            action = types.CodeAction(
                title="fastapi-lint: fix all safely fixable problems",
                kind=FIX_ALL_KIND,
                data={"kind": "fixAll", "uri": doc.uri, "version": doc.version},
            )
            if not server.resolve_edits:
                action.edit = self.fix_all_edit(doc)
            if action.edit is not None or server.resolve_edits:
                out.append(action)
        return out

    def _quick_fixes(self, doc: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
        server = self.server
        assert doc.source is not None
        # Diagnostics the client sent back, keyed by code and range (their data carries the fix edits).
        sent: dict[tuple[str, int, int, int, int], types.Diagnostic] = {}
        for diag in params.context.diagnostics:
            if diag.source == SOURCE and isinstance(diag.code, str):
                sent[_key(diag.code, diag.range)] = diag
        out: list[types.CodeAction] = []
        noqa_seen: set[tuple[int, str]] = set()
        for finding in doc.findings:
            if finding.code == SYNTAX_CODE:
                continue
            frange = convert.range_of(doc.source, finding.start, finding.end, server.encoding)
            if not _overlaps(frange, params.range):
                continue
            sent_diag = sent.get(_key(finding.code, frange))
            diagnostics = [sent_diag] if sent_diag is not None else None
            fix = self._fix_of(doc, finding, sent_diag)
            if fix is not None:
                unsafe = bool(fix.get("unsafe"))
                out.append(
                    types.CodeAction(
                        title=f"{fix['title']} ({finding.code}{', unsafe' if unsafe else ''})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=diagnostics,
                        is_preferred=not unsafe,
                        edit=self.workspace_edit(doc, [_text_edit(e) for e in fix["edits"]]),
                    )
                )
            key = (finding.start[0], finding.code)
            if key in noqa_seen:
                continue
            noqa_seen.add(key)
            action = self._noqa_action(doc, finding, diagnostics)
            if action is not None:
                out.append(action)
        return out

    def _fix_of(self, doc: Document, finding: Finding, diag: types.Diagnostic | None) -> dict[str, Any] | None:
        if finding.fix is None:
            return None
        data = diag.data if diag is not None else None
        if isinstance(data, dict) and data.get("version") == doc.version and isinstance(data.get("fix"), dict):
            fix: dict[str, Any] = data["fix"]
            return fix
        assert doc.source is not None
        computed: dict[str, Any] = fix_data(finding, doc.source, self.server.encoding, doc.version)["fix"]
        return computed

    def _noqa_action(
        self, doc: Document, finding: Finding, diagnostics: list[types.Diagnostic] | None
    ) -> types.CodeAction | None:
        server = self.server
        facts = server.state.project.module(doc.path)
        if facts is None or doc.source is None or facts.source.text != doc.source.text:
            return None
        edit = noqa_edit(facts, finding.start[0], finding.code)
        if edit is None:
            return None
        text_edit = types.TextEdit(
            range=convert.range_of(facts.source, edit.start, edit.end, server.encoding), new_text=edit.content
        )
        return types.CodeAction(
            title=f"Disable {finding.code} for this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=diagnostics,
            edit=self.workspace_edit(doc, [text_edit]),
        )

    def fix_all_edit(self, doc: Document) -> types.WorkspaceEdit | None:
        state = self.server.state
        facts = state.project.module(doc.path)
        if facts is None or facts.source.text != doc.text or facts.source.syntax_error is not None:
            return None
        new_text, count = fix_document(state.project, facts, state.settings)
        if count == 0 or new_text == doc.text:
            return None
        edit = types.TextEdit(range=convert.whole_range(doc.text, self.server.encoding), new_text=new_text)
        return self.workspace_edit(doc, [edit])

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data
        if not isinstance(data, dict) or data.get("kind") != "fixAll" or action.edit is not None:
            return action
        doc = self._current(str(data.get("uri")))
        if doc is None or doc.version != data.get("version"):
            log.info("fix all: the document changed since the action was offered")
            return action
        action.edit = self.fix_all_edit(doc)
        return action

    def fix_all_command(self, *args: Any) -> bool:
        """`fastapi-lint.fixAll` with the document's URI: applies the fixes through `workspace/applyEdit`."""
        uri = args[0] if args else None
        if isinstance(uri, dict):
            uri = uri.get("uri")
        if not isinstance(uri, str):
            raise ValueError("fastapi-lint.fixAll expects a document URI")
        doc = self._current(uri)
        if doc is None:
            return False
        edit = self.fix_all_edit(doc)
        if edit is None:
            return False
        self.server.workspace_apply_edit(types.ApplyWorkspaceEditParams(edit=edit, label="fastapi-lint: fix all"))
        return True
