"""The result cache: warm runs parse nothing, any change to any project file or to the settings invalidates."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flake8_fastapi.cache import CACHE_DIR
from flake8_fastapi.model import source as source_module

from .project_helpers import UNBOUND, make_project, run_cli, two_router_project


class ParseCounter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = source_module.SourceFile.parse.__func__  # type: ignore[attr-defined]

        def counting(cls: type, path: str, text: str, tree: object = None) -> object:
            self.count += 1
            return real(cls, path, text, tree)

        monkeypatch.setattr(source_module.SourceFile, "parse", classmethod(counting))


def _json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli(capsys, root, "check", "--output-format", "json", *args)
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = result.json()
    return findings


def test_warm_run_parses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = two_router_project(tmp_path / "p", users_prefix="/orgs/{org_id}/users")
    parses = ParseCounter(monkeypatch)
    cold = _json(capsys, root)
    assert parses.count == 4 and len(cold) == 1
    assert (root / CACHE_DIR / ".gitignore").read_text().strip().endswith("*")
    parses.count = 0
    warm = _json(capsys, root)
    assert warm == cold and parses.count == 0
    # A subset of the files is served from the same entry.
    assert _json(capsys, root, "app/users.py") == cold and parses.count == 0


def test_change_in_another_file_invalidates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_router_project(tmp_path / "p", users_prefix="/orgs/{org_id}/users")
    assert len(_json(capsys, root, "app/users.py")) == 1
    main = root / "app" / "main.py"
    main.write_text(main.read_text().replace("/orgs/{org_id}/users", "/users"))
    assert _json(capsys, root, "app/users.py") == []
    (root / "app" / "extra.py").write_text(UNBOUND)  # a new file counts too
    assert {os.path.basename(str(f["filename"])) for f in _json(capsys, root)} == {"extra.py"}


def test_settings_are_part_of_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND})
    assert len(_json(capsys, root)) == 1
    assert _json(capsys, root, "--ignore", "FPA101") == []
    assert len(_json(capsys, root)) == 1
    (root / "pyproject.toml").write_text('[tool.fastapi-lint]\nignore = ["FPA101"]\n')
    assert _json(capsys, root) == []


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND})
    assert len(_json(capsys, root, "--no-cache")) == 1
    assert not (root / CACHE_DIR).exists()


def test_corrupt_or_unwritable_cache_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND})
    first = _json(capsys, root)
    for entry in (root / CACHE_DIR).glob("results-*.json"):
        entry.write_text("{not json")
    assert _json(capsys, root) == first
    for entry in (root / CACHE_DIR).glob("results-*.json"):  # right key, malformed findings
        data = json.loads(entry.read_text())
        data["results"] = {"a.py": [{"bogus": 1}]}
        entry.write_text(json.dumps(data))
    assert _json(capsys, root) == first
    cache_dir = root / CACHE_DIR
    for entry in cache_dir.iterdir():
        entry.unlink()
    cache_dir.rmdir()
    cache_dir.write_text("a file where the directory should be")
    assert _json(capsys, root) == first


def test_cached_fixes_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND})
    cold = _json(capsys, root)
    warm = _json(capsys, root)
    assert warm == cold and cold[0]["fix"] is not None
