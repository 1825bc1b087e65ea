"""`discover` lists exactly what asking `Settings.is_excluded` of every file and directory would list."""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from pathlib import Path

import pytest

from flake8_fastapi.checker import discover
from flake8_fastapi.config import Settings

TREE = [
    "app/main.py",
    "app/api/users.py",
    "app/api/users_pb2.py",
    "app/migrations/0001.py",
    "app/a[1]/x.py",
    "app/a1/y.py",
    "app/sub/gen_models.py",
    "app/sub/models.py",
    "build/lib/app.py",
    ".hidden/h.py",
    "docs/conf.py",
    "top.py",
    "notes.txt",
]
EXCLUDES = [(), ("migrations",), ("*_pb2.py",), ("app/a[1]",), ("build/",), ("app/sub/gen_*.py",), ("docs", "top.py")]


def reference(paths: list[str], settings: Settings) -> list[str]:
    """The straightforward walk: every entry asked of `is_excluded`."""
    out: list[str] = []
    for path in paths:
        path = os.path.abspath(path)
        if os.path.isfile(path):
            out.append(path)
            continue
        walk = replace(settings, root=path) if settings.is_excluded(path) else settings
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not walk.is_excluded(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if name.endswith(".py") and not walk.is_excluded(full):
                    out.append(full)
    return sorted(dict.fromkeys(out))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for rel in TREE:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n")
    return root


@pytest.mark.parametrize("exclude", [e for n in (1, 2) for e in itertools.combinations(EXCLUDES, n)], ids=str)
def test_discover_lists_what_is_excluded_says(tree: Path, exclude: tuple[tuple[str, ...], ...]) -> None:
    settings = Settings(exclude=tuple(p for group in exclude for p in group), root=os.fspath(tree))
    for start in (tree, tree / "app", tree / "app" / "sub", tree / "build", tree / "app" / "migrations"):
        assert discover([os.fspath(start)], settings) == reference([os.fspath(start)], settings), start
