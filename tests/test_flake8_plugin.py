"""The flake8 plugin: cross-file findings, --jobs, noqa, configuration, one project index per process."""

from __future__ import annotations

import argparse
import ast
import json
import os
from pathlib import Path

import pytest

from flake8_fastapi import flake8_plugin
from flake8_fastapi.flake8_plugin import Plugin
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.rules import all_rules

from .fixture_cases import all_cases
from .project_helpers import (
    UNBOUND,
    cli_process,
    cli_rows,
    flake8_process,
    flake8_rows,
    make_project,
    two_router_project,
)

PREFIXED = "/orgs/{org_id}/users"


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    flake8_plugin.reset()
    Plugin.explicit_codes = frozenset()


def test_cross_file_finding_when_one_file_is_checked(tmp_path: Path) -> None:
    root = two_router_project(tmp_path / "p", users_prefix=PREFIXED)
    proc = flake8_process(root, "--select", "FPA", "app/users.py")
    rows = flake8_rows(proc.stdout, root)
    assert {(os.path.relpath(r[0], root), r[1], r[2], r[3]) for r in rows} == {("app/users.py", 6, 13, "FPA101")}
    (row,) = rows
    assert f"(from the prefix `{PREFIXED}`)" in row[4]


def test_jobs_and_serial_agree_with_the_cli(tmp_path: Path) -> None:
    root = two_router_project(tmp_path / "p", users_prefix=PREFIXED)
    make_project(root, {f"extra/m{i}.py": UNBOUND for i in range(6)}, config=None)
    serial = flake8_process(root, "--select", "FPA", "--jobs", "1", ".")
    parallel = flake8_process(root, "--select", "FPA", "--jobs", "2", ".")
    cli = cli_process(root, "check", "--no-cache", "--output-format", "json", ".")
    assert serial.returncode == parallel.returncode == cli.returncode == 1, serial.stderr + parallel.stderr
    rows = flake8_rows(serial.stdout, root)
    assert len(rows) == 7
    assert flake8_rows(parallel.stdout, root) == rows
    assert cli_rows(json.loads(cli.stdout)) == rows


def test_noqa_bare_and_with_codes(tmp_path: Path) -> None:
    line = '@app.get("/items/{item_id}")'
    root = make_project(
        tmp_path / "p",
        {
            "bare.py": UNBOUND.replace(line, line + "  # noqa"),
            "coded.py": UNBOUND.replace(line, line + "  # noqa: FPA101"),
            "prefix.py": UNBOUND.replace(line, line + "  # noqa:FPA1"),
            "other.py": UNBOUND.replace(line, line + "  # noqa: E501,W291"),
            "plain.py": UNBOUND,
        },
    )
    proc = flake8_process(root, "--select", "FPA", ".")
    assert sorted(os.path.basename(r[0]) for r in flake8_rows(proc.stdout, root)) == ["other.py", "plain.py"]
    cli = cli_process(root, "check", "--no-cache", "--output-format", "json")
    assert sorted(os.path.basename(f["filename"]) for f in json.loads(cli.stdout)) == ["other.py", "plain.py"]


def test_configuration_error_is_one_clear_message(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND}, config='select = ["FPA101"]\ncolour = true\n')
    proc = flake8_process(root, "--select", "FPA", ".")
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text
    assert "unknown key(s) colour" in text
    assert text.count("colour") == 1


def test_configuration_error_in_another_project(tmp_path: Path) -> None:
    make_project(tmp_path / "p", {"a.py": UNBOUND}, config='select = ["FPA000"]\n')
    proc = flake8_process(tmp_path, "--select", "FPA", "p")
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in text
    assert "unknown rule code 'FPA000'" in text


def test_settings_from_pyproject(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"a.py": UNBOUND, "skip/b.py": UNBOUND, "c.py": UNBOUND},
        config='[tool.fastapi-lint.per-file-ignores]\n"skip/*" = ["FPA101"]\n',
    )
    proc = flake8_process(root, "--select", "FPA", ".")
    assert sorted(os.path.relpath(r[0], root) for r in flake8_rows(proc.stdout, root)) == ["a.py", "c.py"]


def test_syntax_error_does_not_crash(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"broken.py": "def f(:\n", "a.py": UNBOUND})
    proc = flake8_process(root, "--select", "FPA,E999", ".")
    codes = sorted((os.path.basename(r[0]), r[3]) for r in flake8_rows(proc.stdout, root))
    assert codes == [("a.py", "FPA101"), ("broken.py", "E999")]
    assert "Traceback" not in proc.stderr


def test_project_index_built_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = two_router_project(tmp_path / "p", users_prefix=PREFIXED)
    calls: list[str] = []
    real = flake8_plugin.build_project

    def counting(project_root: str, files: object, *args: object) -> object:
        calls.append(project_root)
        return real(project_root, files, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(flake8_plugin, "build_project", counting)
    parsed: list[str] = []
    real_parse = SourceFile.parse.__func__  # type: ignore[attr-defined]

    def parse(cls: type, path: str, text: str, tree: object = None) -> object:
        if tree is None:
            parsed.append(os.path.relpath(path, root))
        return real_parse(cls, path, text, tree)

    monkeypatch.setattr(SourceFile, "parse", classmethod(parse))
    found = []
    for name in ("app/main.py", "app/users.py", "app/items.py", "app/__init__.py"):
        path = root / name
        text = path.read_text()
        plugin = Plugin(ast.parse(text), os.fspath(path), text.splitlines(keepends=True))
        found.extend((name, *item[:3]) for item in plugin.run())
    assert calls == [os.fspath(root)]
    # flake8's tree is used for the file being checked; the other files are parsed once, for the index.
    assert sorted(parsed) == ["app/__init__.py", "app/items.py", "app/users.py"]
    assert [f[:3] for f in found] == [("app/users.py", 6, 12)]
    assert found[0][3].startswith("FPA101 ")


def test_uses_flake8s_text_for_a_file_changed_since_indexing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND})
    fixed = UNBOUND.replace("read_item(id: int)", "read_item(item_id: int)")
    plugin = Plugin(ast.parse(fixed), os.fspath(root / "a.py"), fixed.splitlines(keepends=True))
    assert list(plugin.run()) == []
    plugin = Plugin(ast.parse(UNBOUND), os.fspath(root / "a.py"), UNBOUND.splitlines(keepends=True))
    assert [r[:2] for r in plugin.run()] == [(6, 9)]


def test_explicitly_selected_code_is_collected() -> None:
    Plugin.parse_options(argparse.Namespace(select=["FPA", "E501", "FPA101"], extend_select=["fpa102"]))
    assert Plugin.explicit_codes == frozenset({"FPA101", "FPA102"} & set(all_rules()))


def test_opt_in_rule_enabled_by_explicit_select(tmp_path: Path) -> None:
    opt_in = [c for c in all_cases() if not all_rules()[c.code].default and c.expected() and c.path.is_file()]
    if not opt_in:
        pytest.skip("no opt-in rule with a single-file bad case yet")
    case = opt_in[0]
    root = make_project(tmp_path / "p", {case.path.name: case.path.read_text(encoding="utf-8")})
    default = flake8_process(root, "--select", "FPA", ".")
    assert case.code not in default.stdout
    explicit = flake8_process(root, "--select", case.code, ".")
    assert {r[3] for r in flake8_rows(explicit.stdout, root)} == {case.code}


def test_exclude_is_honoured(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND, "gen/b.py": UNBOUND}, config='exclude = ["gen"]\n')
    proc = flake8_process(root, "--select", "FPA", ".")
    assert sorted(os.path.relpath(r[0], root) for r in flake8_rows(proc.stdout, root)) == ["a.py"]
