"""`[tool.fastapi-lint]` as the CLI reads it: selection, per-file ignores, excludes, nested projects, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .project_helpers import UNBOUND, make_project, run_cli


def _files(result_json: list[dict[str, object]], root: Path) -> list[str]:
    return sorted(os.path.relpath(str(f["filename"]), root) for f in result_json)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("colour = true\n", "unknown key(s) colour"),
        ('select = ["FPA999"]\n', "unknown rule code 'FPA999'"),
        ('ignore = ["E501"]\n', "unknown rule code 'E501'"),
        ("select = 5\n", "expected a list of rule codes"),
        ('[tool.fastapi-lint.per-file-ignores]\n"a.py" = ["XYZ1"]\n', "unknown rule code 'XYZ1'"),
        ('exclude = "build"\n', "exclude must be a list"),
        ("select = [\n", "cannot read"),
    ],
)
def test_configuration_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND}, config=config)
    for command in (["check", "--no-cache"], ["routes"]):
        result = run_cli(capsys, root, *command)
        assert result.code == 2, (command, result.out)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.err
        assert "pyproject.toml" in lines[0]
        assert result.out == ""


def test_ignore_and_cli_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"a.py": UNBOUND}, config='ignore = ["FPA101"]\n')
    assert run_cli(capsys, root, "check", "--no-cache").code == 0
    # The command line's --select replaces the configured selection; the configured ignore still applies.
    assert run_cli(capsys, root, "check", "--no-cache", "--select", "FPA101").code == 0
    root2 = make_project(tmp_path / "q", {"a.py": UNBOUND}, config='select = ["FPA102"]\n')
    assert run_cli(capsys, root2, "check", "--no-cache", "--select", "FPA101").code == 1
    assert run_cli(capsys, root2, "check", "--no-cache", "--extend-select", "FPA101").code == 1
    assert run_cli(capsys, root2, "check", "--no-cache", "--select", "FPA1", "--ignore", "FPA101").code == 0


def test_per_file_ignores_and_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = 'exclude = ["generated"]\n[tool.fastapi-lint.per-file-ignores]\n"legacy/*" = ["FPA1"]\n'
    root = make_project(
        tmp_path / "p",
        {"a.py": UNBOUND, "legacy/old.py": UNBOUND, "generated/gen.py": UNBOUND, ".venv/lib.py": UNBOUND},
        config=config,
    )
    result = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json")
    assert _files(result.json(), root) == ["a.py"]
    # An excluded file named explicitly is still checked (as ruff does without --force-exclude).
    explicit = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json", "generated/gen.py")
    assert _files(explicit.json(), root) == ["generated/gen.py"]


def test_nested_projects_use_their_own_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outer = make_project(tmp_path / "outer", {"a.py": UNBOUND})
    make_project(outer / "inner", {"b.py": UNBOUND}, config='ignore = ["FPA101"]\n')
    result = run_cli(capsys, outer, "check", "--no-cache", "--output-format", "json")
    assert _files(result.json(), outer) == ["a.py"]


def test_opt_in_rule_needs_extend_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flake8_fastapi.rules import all_rules

    from .fixture_cases import all_cases

    cases = [c for c in all_cases() if not all_rules()[c.code].default and c.expected() and c.path.is_file()]
    if not cases:
        pytest.skip("no opt-in rule with a single-file bad case yet")
    case = cases[0]
    source = case.path.read_text(encoding="utf-8")
    off = make_project(tmp_path / "off", {"x.py": source})
    on = make_project(tmp_path / "on", {"x.py": source}, config=f'extend-select = ["{case.code}"]\n')
    codes_off = {f["code"] for f in run_cli(capsys, off, "check", "--no-cache", "--output-format", "json").json()}
    codes_on = {f["code"] for f in run_cli(capsys, on, "check", "--no-cache", "--output-format", "json").json()}
    assert case.code not in codes_off and case.code in codes_on
