"""Seeded runs of edits, applied as the server applies keystrokes and compared with fresh builds.

Shared by the edit-sequence tests (test_edit_sequences*.py): each brings its project and its edits.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from flake8_fastapi.model.project import Project
from flake8_fastapi.model.source import SourceFile
from tests.model.test_incremental_link import _fresh, _snapshot

Edit = tuple[str, str]  # (pattern, replacement), applied at one of the pattern's matches


def write_project(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Write `files` (relative path -> text) under `root`; {absolute path: text}."""
    texts = {}
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        texts[os.fspath(target)] = text
    return texts


def apply_edit(rng: random.Random, text: str, edits: Sequence[Edit]) -> str | None:
    """One of `edits`, chosen by `rng`, at one of its matches; None when it does not match."""
    pattern, replacement = rng.choice(edits)
    matches = list(re.finditer(pattern, text))
    if not matches:
        return None
    match = rng.choice(matches)
    return text[: match.start()] + match.expand(replacement) + text[match.end() :]


def apply_matching_edit(rng: random.Random, text: str, edits: Sequence[Edit]) -> str | None:
    """One of the `edits` that match `text`, chosen by `rng`, at one of its matches; None when none matches."""
    usable = [(p, r) for p, r in edits if re.search(p, text)]
    return apply_edit(rng, text, usable) if usable else None


def keystroke(live: Project, path: str, text: str) -> None:
    """Re-extract `path` as the server does: only the statement the edit replaced is re-parsed and re-walked."""
    held = live.modules[path].source
    live.add_source(path, text, SourceFile.parse(path, text, previous=held).tree, editing=True)


def run_edits(
    root: str,
    texts: dict[str, str],
    seed: str,
    steps: int,
    edit: Callable[[random.Random, str], str | None],
    compare: Callable[[int], bool] = lambda step: True,
    seen: Callable[[Project], None] | None = None,
) -> int:
    """Apply `steps` seeded edits to the project of `texts` (updated in place), comparing every finding, route
    and route-table row with a fresh build after each step where `compare(step)`, and once more at the end.
    `seen` looks at the live project after each edit. Returns how many edits applied."""
    live = _fresh(root, texts)
    _snapshot(live)  # link everything once, so the edits have kept tables to update
    rng = random.Random(seed)
    paths = sorted(p for p in texts if texts[p])
    applied = 0
    for step in range(steps):
        path = rng.choice(paths)
        edited = edit(rng, texts[path])
        if edited is None or edited == texts[path]:
            continue
        texts[path] = edited
        keystroke(live, path, edited)
        applied += 1
        if compare(step):
            assert _snapshot(live) == _snapshot(_fresh(root, texts)), (step, os.path.relpath(path, root))
        if seen is not None:
            seen(live)
    assert _snapshot(live) == _snapshot(_fresh(root, texts))
    return applied
