"""The result cache of `fastapi-lint check`: `.fastapi-lint-cache/` under the project root.

One entry per (tool build, settings, target FastAPI version), holding the findings of every file checked so
far, valid while the content hash of every project file is unchanged: cross-file rules read all files, so any
change anywhere invalidates the entry. A warm run reads and hashes the files and parses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings, relative
from .rules.base import Applicability, Edit, Finding, Fix, Related
from .versions import target_fastapi

CACHE_DIR = ".fastapi-lint-cache"
FORMAT = 1
_KEEP = 16  # entries kept per project (one per settings combination)


@cache
def tool_fingerprint() -> str:
    """The version plus the size and mtime of every module of the package: editing a rule invalidates."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(f"{__version__}:{FORMAT}".encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def files_key(hashes: Mapping[str, str], root: str) -> str:
    """One digest over every project file's (relative path, content hash)."""
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(hashes):
        h.update(f"{relative(path, root)}\0{hashes[path]}\n".encode())
    return h.hexdigest()


class ResultCache:
    def __init__(self, settings: Settings) -> None:
        self.root = os.path.abspath(settings.root)
        self.directory = os.path.join(self.root, CACHE_DIR)
        version = target_fastapi(settings.target_fastapi, self.root)
        digest = hashlib.blake2b(
            f"{tool_fingerprint()}\0{settings.cache_key()}\0{version}".encode(), digest_size=12
        ).hexdigest()
        self.file = os.path.join(self.directory, f"results-{digest}.json")
        self._entry: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any] | None:
        if self._entry is None:
            try:
                with open(self.file, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError):
                return None
            if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("results"), dict):
                self._entry = data
        return self._entry

    def load(self, key: str, paths: list[str]) -> dict[str, list[Finding]] | None:
        """The cached findings of `paths` when the project is unchanged and all of them were checked."""
        entry = self._read()
        if entry is None or entry.get("files") != key:
            return None
        results: dict[str, Any] = entry["results"]
        out: dict[str, list[Finding]] = {}
        try:
            for path in paths:
                rel = relative(path, self.root)
                if rel not in results:
                    return None
                out[path] = [finding_from_json(item, self.root) for item in results[rel]]
        except (KeyError, TypeError, ValueError):
            return None
        return out

    def store(self, key: str, findings: Mapping[str, list[Finding]]) -> None:
        entry = self._read()
        results: dict[str, Any] = {}
        if entry is not None and entry.get("files") == key:
            results = dict(entry["results"])
        for path, items in findings.items():
            results[relative(path, self.root)] = [finding_to_json(f, self.root) for f in items]
        data = {"format": FORMAT, "files": key, "results": results}
        try:
            os.makedirs(self.directory, exist_ok=True)
            self._mark_directory()
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, separators=(",", ":"))
                os.replace(tmp, self.file)
            except BaseException:
                _unlink(tmp)
                raise
            self._entry = data
            self._prune()
        except OSError:
            pass  # a read-only tree: run without a cache

    def _mark_directory(self) -> None:
        for name, text in (
            (".gitignore", "# Created by fastapi-lint\n*\n"),
            ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# fastapi-lint result cache\n"),
        ):
            path = os.path.join(self.directory, name)
            if not os.path.exists(path):
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)

    def _prune(self) -> None:
        entries = sorted(Path(self.directory).glob("results-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_KEEP:]:
            _unlink(os.fspath(old))


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# -- serialisation ---------------------------------------------------------------------------------------
def _pos(value: Any) -> tuple[int, int]:
    line, col = value
    return int(line), int(col)


def finding_to_json(f: Finding, root: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.code,
        "message": f.message,
        "path": relative(f.path, root),
        "start": list(f.start),
        "end": list(f.end),
    }
    if f.fix is not None:
        out["fix"] = {
            "message": f.fix.message,
            "applicability": f.fix.applicability,
            "edits": [[list(e.start), list(e.end), e.content] for e in f.fix.edits],
        }
    if f.related:
        out["related"] = [[relative(r.path, root), list(r.start), list(r.end), r.message] for r in f.related]
    if f.tags:
        out["tags"] = sorted(f.tags)
    return out


def finding_from_json(item: Mapping[str, Any], root: str) -> Finding:
    fix = None
    if "fix" in item:
        raw = item["fix"]
        applicability: Applicability = "unsafe" if raw["applicability"] == "unsafe" else "safe"
        fix = Fix(
            str(raw["message"]),
            tuple(Edit(_pos(s), _pos(e), str(c)) for s, e, c in raw["edits"]),
            applicability,
        )
    related = tuple(
        Related(os.path.normpath(os.path.join(root, p)), _pos(s), _pos(e), str(m))
        for p, s, e, m in item.get("related", ())
    )
    return Finding(
        code=str(item["code"]),
        message=str(item["message"]),
        path=os.path.normpath(os.path.join(root, item["path"])),
        start=_pos(item["start"]),
        end=_pos(item["end"]),
        fix=fix,
        related=related,
        tags=frozenset(str(t) for t in item.get("tags", ())),
    )
