"""`--fix` and `--diff`: apply fixes in passes until nothing applies, then write atomically (or show diffs).

A file is never written when it did not parse, when a pass would make it unparseable (that pass is dropped),
when it is a symlink or reached through a symlinked directory that leads outside the project, or when it
changed on disk since it was read. Writes go to a temporary file in the same directory, keep the file's
permissions, encoding and BOM, and replace the original with `os.replace`.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import io
import os
import stat
import tempfile
import tokenize

from .checker import check_module
from .fix_report import FixReport
from .fixes import apply_fixes
from .lint import Workspace
from .model.source import SourceFile
from .rules.base import Finding

MAX_PASSES = 10


def _fixable(findings: list[Finding], unsafe: bool) -> bool:
    return any(f.fix is not None and (unsafe or f.fix.applicability == "safe") for f in findings)


def fix_workspace(space: Workspace, unsafe: bool, write: bool, report: FixReport) -> None:
    """Fix the requested files of `space` (the project index is updated as files change)."""
    project = space.build()
    for path in space.requested:
        facts = project.module(path)
        if facts is None or facts.source.syntax_error is not None:
            continue
        findings = check_module(project, facts, space.settings)
        if not _fixable(findings, unsafe):
            continue
        if write and os.path.islink(path):
            report.warnings.append(f"{_show(path)}: not fixed: a symlink (fix the file it points to)")
            continue
        if write and not _inside(path, space.root):
            report.warnings.append(f"{_show(path)}: not fixed: a symlinked directory leads outside the project")
            continue
        original = facts.source.text
        text, count = original, 0
        for _ in range(MAX_PASSES):
            new_text, fixed = apply_fixes(facts.source, findings, unsafe)
            if not fixed or new_text == text:
                break
            if SourceFile.parse(path, new_text).syntax_error is not None:
                report.warnings.append(f"{_show(path)}: a fix would break the syntax; stopped after {count} fix(es)")
                break
            text, count = new_text, count + len(fixed)
            facts = project.add_source(path, text)
            findings = check_module(project, facts, space.settings)
            if not _fixable(findings, unsafe):
                break
        if text == original:
            continue
        if write:
            error = write_atomically(path, space.data[path], text)
            if error is not None:
                report.warnings.append(f"{_show(path)}: not fixed: {error}")
                project.add_source(path, original)
                continue
            space.texts[path] = text
        else:
            report.diffs.append(unified_diff(path, original, text))
            project.add_source(path, original)  # leave the index as on disk for the next file's fixes
        report.fixed[path] = count


def _inside(path: str, root: str) -> bool:
    """Whether `path` is under the project root once symlinks are resolved (in both)."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([os.path.realpath(path), real_root]) == real_root


def unified_diff(path: str, before: str, after: str) -> str:
    shown = _show(path)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


def _encoding(data: bytes) -> tuple[str, bool]:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = data.startswith(codecs.BOM_UTF8)
    return ("utf-8" if encoding == "utf-8-sig" else encoding), bom


def write_atomically(path: str, original: bytes, text: str) -> str | None:
    """Replace `path` with `text`; None on success, else why it was not written."""
    try:
        if os.path.islink(path):
            return "a symlink"
        with open(path, "rb") as fh:
            if fh.read() != original:
                return "changed on disk while being fixed"
        encoding, bom = _encoding(original)
        data = (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        directory, name = os.path.split(path)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".fastapi-lint")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, UnicodeEncodeError, LookupError, SyntaxError) as exc:
        return str(exc)
    return None


def _show(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
