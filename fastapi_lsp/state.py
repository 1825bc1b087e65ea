"""Workspace state: one project index for the root, open documents overriding disk, findings per document.

Everything here runs on the event loop's thread except `scan_disk`, which builds a fresh `Project` in a worker
thread and shares nothing with the live one; `adopt` swaps it in on the loop.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flake8_fastapi.checker import SourceError, check_module, discover, read_source, syntax_finding
from flake8_fastapi.config import ConfigError, Settings, load_settings
from flake8_fastapi.model.extract import extract
from flake8_fastapi.model.layout import module_names
from flake8_fastapi.model.project import Project
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Finding

from .options import Options

log = logging.getLogger("fastapi_lsp")


@dataclass(eq=False)
class Document:
    """An open document. `source` is the text its findings were computed on."""

    uri: str
    path: str
    version: int | None
    text: str
    dirty: bool = True
    source: SourceFile | None = None
    checked_version: int | None = None
    module_findings: list[Finding] = field(default_factory=list)
    project_findings: list[Finding] = field(default_factory=list)
    syntax: Finding | None = None
    serial: int = 0  # bumped whenever the findings change (pull diagnostics' resultId)
    checked_revision: int = -1  # the project revision its findings were computed at

    @property
    def findings(self) -> list[Finding]:
        if self.syntax is not None:
            return [self.syntax]
        return sorted([*self.module_findings, *self.project_findings], key=Finding.sort_key)


@dataclass
class ScanResult:
    project: Project
    mtimes: dict[str, float]
    errors: list[str]


class WorkspaceState:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.options = Options()
        self.base_settings = Settings(root=self.root)
        self.settings = self.base_settings
        self.project = Project(self.root)
        self.docs: dict[str, Document] = {}
        self.scanned = False
        self.mtimes: dict[str, float] = {}
        self._freeze_after_check = False
        # Cleared while the loop checks a document: the background scan waits, so a keystroke (or the first
        # diagnostics of an open file) does not share the interpreter with it.
        self.idle = threading.Event()
        self.idle.set()

    @property
    def pyproject(self) -> str:
        return os.path.join(self.root, "pyproject.toml")

    # -- configuration -------------------------------------------------------------------------------
    def load_config(self) -> str | None:
        """(Re)read `[tool.fastapi-lint]`; returns an error message (and keeps the defaults) on a ConfigError."""
        error = None
        try:
            self.mtimes[self.pyproject] = os.stat(self.pyproject).st_mtime
        except OSError:
            self.mtimes.pop(self.pyproject, None)
        try:
            self.base_settings = load_settings(self.root)
        except ConfigError as exc:
            self.base_settings = Settings(root=self.root)
            error = str(exc)
        self.settings = self.options.apply(self.base_settings)
        return error

    def set_options(self, options: Options) -> None:
        self.options = options
        self.settings = options.apply(self.base_settings)
        for doc in self.docs.values():
            doc.dirty = True
            doc.checked_version = None

    def _codes(self, path: str) -> tuple[frozenset[str], frozenset[str]]:
        rules = all_rules()
        enabled = self.settings.enabled_codes(path)
        module = frozenset(c for c in enabled if c in rules and rules[c].scope == "module")
        return module, enabled - module

    # -- documents -----------------------------------------------------------------------------------
    def open(self, uri: str, path: str, version: int | None, text: str) -> Document:
        doc = Document(uri, os.path.abspath(path), version, text)
        self.docs[doc.path] = doc
        return doc

    def change(self, path: str, version: int | None, text: str) -> Document | None:
        doc = self.docs.get(os.path.abspath(path))
        if doc is None:
            return None
        doc.version, doc.text, doc.dirty = version, text, True
        return doc

    def close(self, path: str) -> Document | None:
        doc = self.docs.pop(os.path.abspath(path), None)
        if doc is None:
            return None
        # The disk's content is the truth again for the project model.
        self._load_from_disk(doc.path)
        return doc

    def doc(self, path: str) -> Document | None:
        return self.docs.get(os.path.abspath(path))

    def sync(self, doc: Document) -> bool:
        """Bring the project model up to date with the document's text; True if the model changed.

        A text that does not parse keeps the last good facts of the module (when there are some) and leaves a
        single syntax finding on the document."""
        if not doc.dirty:
            return False
        doc.dirty = False
        # Re-parse only what the edit touched, against the text the model holds.
        held = self.project.module(doc.path)
        source = SourceFile.parse(doc.path, doc.text, previous=held.source if held is not None else None)
        if source.syntax_error is not None and self.project.module(doc.path) is not None:
            name, is_package, _ = module_names(doc.path, self.root)
            doc.syntax = syntax_finding(extract(source, name, is_package))
            doc.source = source
            doc.module_findings, doc.project_findings = [], []
            doc.serial += 1
            return False
        self.project.add_source(doc.path, doc.text, source.tree, editing=True)
        return True

    def check(self, doc: Document) -> list[Finding]:
        """Re-check a document fully (syncing it first when its text changed)."""
        self.sync(doc)
        facts = self.project.module(doc.path)
        if doc.syntax is not None and (facts is None or facts.source.text != doc.text):
            doc.checked_version = doc.version
            return doc.findings
        if facts is None:
            facts = self.project.add_source(doc.path, doc.text)
        doc.source = facts.source
        if facts.source.syntax_error is not None:
            doc.syntax = syntax_finding(facts)
            doc.module_findings, doc.project_findings = [], []
        else:
            doc.syntax = None
            module_codes, project_codes = self._codes(doc.path)
            doc.module_findings = check_module(self.project, facts, self.settings, codes=module_codes)
            doc.project_findings = check_module(self.project, facts, self.settings, codes=project_codes)
            if self._freeze_after_check:
                # The first check after a scan builds every module's link parts and the rules' per-module
                # tables: long-lived too, so frozen with the index (this document's facts stay frozen with
                # them, one version, a bounded cost).
                self._freeze_after_check = False
                gc.collect()
                gc.freeze()
        doc.checked_version = doc.version
        doc.checked_revision = self.project.revision
        doc.serial += 1
        return doc.findings

    def refresh_project_findings(self, doc: Document) -> bool:
        """Re-run only the cross-file rules on a document; True when its findings changed."""
        if doc.dirty or doc.checked_version is None:
            self.check(doc)
            return True
        if doc.syntax is not None:
            return False
        facts = self.project.module(doc.path)
        if facts is None:
            return False
        _, project_codes = self._codes(doc.path)
        found = check_module(self.project, facts, self.settings, codes=project_codes)
        doc.checked_revision = self.project.revision
        if found == doc.project_findings:
            return False
        doc.project_findings = found
        doc.serial += 1
        return True

    # -- disk ----------------------------------------------------------------------------------------
    def files(self) -> list[str]:
        return discover([self.root], self.settings)

    def scan_disk(
        self, report: Callable[[int, int], None] | None = None, stop: Callable[[], bool] | None = None
    ) -> ScanResult:
        """Build a project from the files on disk (worker thread: touches nothing shared). Gives up, with what it
        has, as soon as `stop()` holds: the process cannot exit while this thread runs."""
        project = Project(self.root)
        mtimes: dict[str, float] = {}
        errors: list[str] = []
        files = self.files()
        for index, path in enumerate(files):
            self.idle.wait(1.0)
            if stop is not None and stop():
                break
            try:
                mtimes[path] = os.stat(path).st_mtime
                project.add_source(path, read_source(path))
            except (SourceError, OSError) as exc:
                errors.append(str(exc))
            if report is not None:
                report(index + 1, len(files))
        return ScanResult(project, mtimes, errors)

    def adopt(self, scan: ScanResult) -> None:
        """Swap a finished scan in: open documents override what was on disk."""
        project = scan.project
        for doc in self.docs.values():
            source = SourceFile.parse(doc.path, doc.text)
            if source.syntax_error is not None and project.module(doc.path) is not None:
                continue  # keep the disk's last good version in the model
            project.add_source(doc.path, doc.text, source.tree)
            doc.dirty = False
        self.project = project
        # The index lives as long as the server. Freeze it so the cyclic collector stops traversing it after
        # each burst of edits (a full traversal of a 1,000-file index took ~150 ms, a keystroke's budget). The
        # previous index is collected first: frozen objects are never collected.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._freeze_after_check = True  # and again once the first check has linked every module
        self.mtimes.update(scan.mtimes)
        self.scanned = True
        for doc in self.docs.values():
            doc.checked_version = None

    def _load_from_disk(self, path: str) -> bool:
        """Re-read a file that is not open; True when the model changed."""
        if path in self.docs:
            try:
                self.mtimes[path] = os.stat(path).st_mtime
            except OSError:
                self.mtimes.pop(path, None)
            return False
        if not os.path.isfile(path):
            self.mtimes.pop(path, None)
            if self.project.module(path) is not None:
                self.project.remove(path)
                return True
            return False
        if not path.endswith(".py") or self.settings.is_excluded(path):
            return False
        try:
            self.mtimes[path] = os.stat(path).st_mtime
            text = read_source(path)
        except (SourceError, OSError) as exc:
            log.warning("%s", exc)
            return False
        old = self.project.module(path)
        if old is not None and old.source.text == text:
            return False
        self.project.add_source(path, text)
        return True

    def disk_changed(self, paths: list[str]) -> bool:
        """Files created, changed or deleted on disk; True when the project model changed."""
        changed = False
        for path in paths:
            changed |= self._load_from_disk(os.path.abspath(path))
        return changed

    def poll(self) -> list[str]:
        """Paths whose mtime changed (or that appeared or vanished) since the last look (worker thread)."""
        seen: dict[str, float] = {}
        known = dict(self.mtimes)
        for path in [*self.files(), self.pyproject]:
            try:
                seen[path] = os.stat(path).st_mtime
            except OSError:
                continue
        changed = [p for p, m in seen.items() if known.get(p) != m]
        changed += [p for p in known if p not in seen]
        return changed
