"""Findings as LSP diagnostics: pushed (`publishDiagnostics`) or pulled (`textDocument/diagnostic`), never both.

Each diagnostic carries `codeDescription.href` (the rule's page), `source`, `relatedInformation`, tags, and in
`data` the fix's edits (already in the negotiated encoding) with the document version they apply to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from flake8_fastapi.checker import SYNTAX_CODE
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.rules import get_rule
from flake8_fastapi.rules.base import Finding

from . import convert
from .docs import rule_url

if TYPE_CHECKING:
    from .server import FastApiLanguageServer
    from .state import Document

log = logging.getLogger("fastapi_lsp")
SOURCE = "fastapi-lint"
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}


def _range_json(r: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def fix_data(finding: Finding, source: SourceFile, encoding: str, version: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"code": finding.code, "version": version}
    if finding.fix is not None:
        data["fix"] = {
            "title": finding.fix.message,
            "unsafe": finding.fix.applicability == "unsafe",
            "edits": [
                {"range": _range_json(convert.range_of(source, e.start, e.end, encoding)), "newText": e.content}
                for e in finding.fix.edits
            ],
        }
    return data


def to_diagnostic(
    finding: Finding,
    source: SourceFile,
    encoding: str,
    version: int | None,
    related_source: Callable[[str], SourceFile | None],
    uri_of: Callable[[str], str],
) -> types.Diagnostic:
    is_syntax = finding.code == SYNTAX_CODE
    related: list[types.DiagnosticRelatedInformation] = []
    for rel in finding.related:
        other = source if rel.path == source.path else related_source(rel.path)
        if other is None:
            continue
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=uri_of(rel.path), range=convert.range_of(other, rel.start, rel.end, encoding)
                ),
                message=rel.message,
            )
        )
    tags = [_TAGS[t] for t in sorted(finding.tags) if t in _TAGS]
    href = None if is_syntax or get_rule(finding.code) is None else rule_url(finding.code)
    return types.Diagnostic(
        range=convert.range_of(source, finding.start, finding.end, encoding),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error if is_syntax else types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
        tags=tags or None,
        data=fix_data(finding, source, encoding, version),
    )


class Diagnostics:
    """Keeps open documents' diagnostics fresh and delivers them the way the client wants."""

    def __init__(self, server: FastApiLanguageServer) -> None:
        self.server = server

    @property
    def pull(self) -> bool:
        return self.server.pull_diagnostics

    def diagnostics_of(self, doc: Document) -> list[types.Diagnostic]:
        server = self.server
        if not server.state.options.enabled("diagnostics") or doc.source is None:
            return []
        return [
            to_diagnostic(f, doc.source, server.encoding, doc.checked_version, server.source_of, server.uri_of)
            for f in doc.findings
        ]

    def publish(self, doc: Document) -> None:
        if self.pull:
            return
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=self.diagnostics_of(doc), version=doc.version)
        )

    def clear(self, uri: str) -> None:
        if not self.pull:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def checked(self, doc: Document) -> None:
        """A document was re-checked: push its diagnostics (pull clients ask by themselves)."""
        self.publish(doc)

    def others_changed(self, docs: list[Document]) -> None:
        """Cross-file findings of other documents changed."""
        if not docs:
            return
        if self.pull:
            if self.server.refresh_support:
                self.server.workspace_diagnostic_refresh(None)
        else:
            for doc in docs:
                self.publish(doc)

    def everything_changed(self) -> None:
        """Settings or the whole model changed: re-check every open document."""
        state = self.server.state
        docs = list(state.docs.values())
        for doc in docs:
            state.check(doc)
            self.publish(doc)
        if self.pull and self.server.refresh_support:
            self.server.workspace_diagnostic_refresh(None)

    # -- pull ----------------------------------------------------------------------------------------
    def document(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        server = self.server
        path = server.path_of(params.text_document.uri)
        doc = server.state.doc(path)
        if doc is None:
            return types.RelatedFullDocumentDiagnosticReport(items=self._closed_file(path))
        if doc.dirty or doc.checked_version != doc.version:
            server.check_now(doc)
        result_id = f"{doc.version}:{doc.serial}:{int(server.state.options.enabled('diagnostics'))}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=self.diagnostics_of(doc), result_id=result_id)

    def _closed_file(self, path: str) -> list[types.Diagnostic]:
        server = self.server
        facts = server.state.project.module(path)
        if facts is None or not server.state.options.enabled("diagnostics"):
            return []
        from flake8_fastapi.checker import check_module

        findings = check_module(server.state.project, facts, server.state.settings)
        return [
            to_diagnostic(f, facts.source, server.encoding, None, server.source_of, server.uri_of) for f in findings
        ]

    def workspace(self, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        """Findings of every file of the project that is not open (open ones are pulled per document)."""
        server = self.server
        state = server.state
        previous = {p.uri: p.value for p in params.previous_result_ids}
        revision = f"{state.project.revision}:{state.settings.cache_key()}"
        items: list[types.WorkspaceDocumentDiagnosticReport] = []
        for path in list(state.project.modules):
            if path in state.docs:
                continue
            uri = server.uri_of(path)
            if previous.get(uri) == revision:
                report = types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=revision, version=None)
                items.append(report)
                continue
            items.append(
                types.WorkspaceFullDocumentDiagnosticReport(
                    uri=uri, items=self._closed_file(path), result_id=revision, version=None
                )
            )
        return types.WorkspaceDiagnosticReport(items=items)
