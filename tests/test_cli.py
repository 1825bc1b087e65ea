"""`fastapi-lint check/routes/rule/server`: exit codes, output formats, --fix/--diff safety, routes, rules."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from flake8_fastapi import fix_runner, lint
from flake8_fastapi.rules import all_rules

from .project_helpers import UNBOUND, cli_process, make_project, run_cli, two_router_project

CLEAN = UNBOUND.replace("async def read_item(id: int)", "async def read_item(item_id: int)").replace(
    '{"id": id}', '{"id": item_id}'
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", {"bad.py": UNBOUND, "good.py": CLEAN})


# -- exit codes ---------------------------------------------------------------------------------------
def test_exit_codes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, project, "check", "--no-cache", "good.py").code == 0
    assert run_cli(capsys, project, "check", "--no-cache", "bad.py").code == 1
    assert run_cli(capsys, project, "check", "--no-cache", "--exit-zero", "bad.py").code == 0
    for bad in (["--select", "NOPE"], ["missing.py"], ["--output-format", "xml"], ["--fix", "--diff"]):
        result = run_cli(capsys, project, "check", *bad)
        assert result.code == 2, bad
        assert result.err.strip() and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_default_command_is_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, project, "--no-cache", "bad.py")
    assert result.code == 1 and "FPA101" in result.out


def test_console_script_runs(project: Path) -> None:
    proc = cli_process(project, "check", "--no-cache", "--output-format", "concise", "bad.py")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("bad.py:6:10: FPA101 Path parameter `item_id`")


def test_the_interpreters_warnings_about_user_code_stay_off_stderr(tmp_path: Path) -> None:
    """Compiling `"\\d"` warns (a SyntaxWarning from Python 3.12, a DeprecationWarning before): the user's
    code, not a finding; `-W default` shows every warning that is not filtered."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "escapes.py").write_text('import fastapi\n\nPATTERN = "\\d+"\nx = 1 is 1\n')
    proc = subprocess.run(
        [sys.executable, "-W", "default", "-m", "flake8_fastapi.cli", "check", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""


# -- output formats -----------------------------------------------------------------------------------
def test_full_format_shows_source_and_caret(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, project, "check", "--no-cache", "bad.py").out
    assert "FPA101 [*] Path parameter `item_id`" in out
    assert " --> bad.py:6:10" in out
    assert '6 | @app.get("/items/{item_id}")' in out
    assert "  |          ^^^^^^^^^^^^^^^^^^" in out
    assert "help: Add parameter `item_id` to `read_item`" in out
    assert "Found 1 error." in out


def test_concise_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, project, "check", "--no-cache", "--output-format", "concise").out
    lines = [line for line in out.splitlines() if re.match(r"^\S+:\d+:\d+: [A-Z]+\d+ ", line)]
    assert lines == [
        "bad.py:6:10: FPA101 Path parameter `item_id` is not received by `read_item` or any of its dependencies"
    ]


def test_json_format_in_ruffs_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    findings = run_cli(capsys, project, "check", "--no-cache", "--output-format", "json").json()
    assert len(findings) == 1
    f = findings[0]
    assert set(f) >= {"code", "message", "filename", "location", "end_location", "fix", "url", "noqa_row"}
    assert f["code"] == "FPA101"
    assert f["filename"] == os.fspath(project / "bad.py") and os.path.isabs(f["filename"])
    assert f["location"] == {"row": 6, "column": 10}
    assert f["end_location"] == {"row": 6, "column": 28}
    assert f["noqa_row"] == 6
    assert f["url"].startswith("file://")
    fix = f["fix"]
    assert fix["applicability"] == "safe" and fix["message"]
    assert fix["edits"] == [
        {"content": "item_id: str, ", "location": {"row": 7, "column": 21}, "end_location": {"row": 7, "column": 21}}
    ]


def test_json_of_clean_project_is_empty_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, project, "check", "--no-cache", "--output-format", "json", "good.py")
    assert result.code == 0 and result.json() == []


def test_github_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, project, "check", "--no-cache", "--output-format", "github").out
    pattern = re.compile(
        r"^::error title=fastapi-lint \((?P<code>FPA\d+)\),file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
        r"endLine=\d+,endColumn=\d+::(?P<text>.+)$"
    )
    lines = out.splitlines()
    assert len(lines) == 1
    m = pattern.match(lines[0])
    assert m is not None, lines[0]
    assert (m["code"], m["file"], m["line"], m["col"]) == ("FPA101", os.fspath(project / "bad.py"), "6", "10")


def test_sarif_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_cli(capsys, project, "check", "--no-cache", "--output-format", "sarif").json()
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= set(all_rules())
    (result,) = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "FPA101"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (6, 10)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (project / "bad.py").as_uri()


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = UNBOUND + '\n\n@app.get("/other/{other_id}")\ndef other() -> None: ...\n'
    root = make_project(tmp_path / "p", {"a.py": two, "b.py": UNBOUND})
    result = run_cli(capsys, root, "check", "--no-cache", "--statistics")
    assert result.code == 1
    assert result.out.splitlines()[0] == "3\tFPA101\t[*] unbound-path-parameter"
    rows = run_cli(capsys, root, "check", "--no-cache", "--statistics", "--output-format", "json").json()
    assert rows[0] == {"code": "FPA101", "name": "unbound-path-parameter", "count": 3, "fixable": True}


def test_no_python_files_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"README.md": "# hi\n"})
    result = run_cli(capsys, root, "check", "--no-cache")
    assert result.code == 0 and "no Python files found" in result.err


# -- problems in files --------------------------------------------------------------------------------
def test_syntax_error_and_undecodable_file_are_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        tmp_path / "p", {"broken.py": "def f(:\n    pass\n", "latin.py": b"x = '\xff\xfe'\n", "ok.py": CLEAN}
    )
    result = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json")
    assert result.code == 1 and "Traceback" not in result.err
    by_file = {os.path.basename(f["filename"]): f for f in result.json()}
    assert set(by_file) == {"broken.py", "latin.py"}
    assert by_file["broken.py"]["code"] == "E999" and by_file["broken.py"]["message"].startswith("SyntaxError")
    assert by_file["latin.py"]["code"] == "E902" and "decode" in by_file["latin.py"]["message"]


def test_noqa_in_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = '@app.get("/items/{item_id}")'
    files = {
        "bare.py": UNBOUND.replace(line, line + "  # noqa"),
        "coded.py": UNBOUND.replace(line, line + "  # noqa: FPA101"),
        "other.py": UNBOUND.replace(line, line + "  # noqa: E501"),
    }
    root = make_project(tmp_path / "p", files)
    findings = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json").json()
    assert [os.path.basename(f["filename"]) for f in findings] == ["other.py"]


# -- --fix and --diff ---------------------------------------------------------------------------------
def test_fix_writes_and_reports_what_remains(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = project / "bad.py"
    os.chmod(bad, 0o640)
    result = run_cli(capsys, project, "check", "--no-cache", "--fix")
    assert result.code == 0, result.out + result.err
    assert "async def read_item(item_id: str, id: int)" in bad.read_text()
    assert stat.S_IMODE(bad.stat().st_mode) == 0o640
    assert "1 fixed, 0 remaining" in result.out
    assert not [p for p in project.iterdir() if p.name.endswith(".fastapi-lint")]  # no temp file left
    again = run_cli(capsys, project, "check", "--no-cache", "--fix")
    assert again.code == 0 and "0 fixed" not in again.out


def test_fix_keeps_crlf_and_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"\xef\xbb\xbf" + UNBOUND.replace("\n", "\r\n").encode()
    root = make_project(tmp_path / "p", {"crlf.py": data})
    assert run_cli(capsys, root, "check", "--no-cache", "--fix").code == 0
    fixed = (root / "crlf.py").read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") and b"\r\n" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")
    assert b"read_item(item_id: str, id: int)" in fixed


def test_fix_never_touches_unparsable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = b"from fastapi import FastAPI\napp = FastAPI()\n@app.get('/x/{x_id}')\ndef f(:\n"
    root = make_project(tmp_path / "p", {"broken.py": broken, "bad.py": UNBOUND})
    result = run_cli(capsys, root, "check", "--no-cache", "--fix")
    assert (root / "broken.py").read_bytes() == broken
    assert "item_id: str" in (root / "bad.py").read_text()
    assert result.code == 1 and "E999" in result.out


def test_fix_dropped_when_result_would_not_parse(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (project / "bad.py").read_bytes()
    monkeypatch.setattr(fix_runner, "apply_fixes", lambda source, findings, unsafe: ("def (:\n", list(findings)))
    result = run_cli(capsys, project, "check", "--no-cache", "--fix")
    assert (project / "bad.py").read_bytes() == before
    assert result.code == 1 and "would break the syntax" in result.err


def test_fix_never_writes_through_a_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {"real/target.py": UNBOUND})
    (root / "link.py").symlink_to(root / "real" / "target.py")
    result = run_cli(capsys, root, "check", "--no-cache", "--fix", "link.py")
    assert (root / "real" / "target.py").read_text() == UNBOUND
    assert (root / "link.py").is_symlink()
    assert result.code == 1 and "symlink" in result.err


def test_diff_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    result = run_cli(capsys, project, "check", "--no-cache", "--diff")
    assert result.code == 1
    assert "--- a/bad.py" in result.out and "+++ b/bad.py" in result.out
    assert "+async def read_item(item_id: str, id: int) -> dict[str, int]:" in result.out
    assert {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()} == before
    clean = run_cli(capsys, project, "check", "--no-cache", "--diff", "good.py")
    assert clean.code == 0 and clean.out == ""


# -- routes -------------------------------------------------------------------------------------------
def test_routes_resolve_routers_by_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_router_project(tmp_path / "p")
    result = run_cli(capsys, root, "routes", "--format", "json")
    assert result.code == 0
    rows = {
        (tuple(r["methods"]), r["path"], r["name"], os.path.relpath(r["file"], root), r["line"]) for r in result.json()
    }
    assert rows == {
        (("GET",), "/users/{user_id}", "read_user", "app/users.py", 6),
        (("GET",), "/items/{item_id}", "read_item", "app/items.py", 6),
        (("POST",), "/items/", "create_item", "app/items.py", 11),
    }
    text = run_cli(capsys, root, "routes").out.splitlines()
    assert any(re.match(r"^GET\s+/users/\{user_id\}\s+read_user\s+app/users\.py:6$", line) for line in text), text
    assert any(re.match(r"^POST\s+/items/\s+create_item\s+app/items\.py:11$", line) for line in text), text


def test_routes_of_missing_path_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, tmp_path, "routes", "nowhere").code == 2


# -- rule ---------------------------------------------------------------------------------------------
def test_rule_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, tmp_path, "rule", "FPA101")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "# FPA101 unbound-path-parameter"
    assert "Default: on by default." in lines
    assert any(line.startswith("Fix: ") for line in lines)
    assert "## What it does" in lines and "## See also" in lines
    assert run_cli(capsys, tmp_path, "rule", "fpa101").out == result.out
    missing = run_cli(capsys, tmp_path, "rule", "FPA999")
    assert missing.code == 2 and "unknown rule code" in missing.err


def test_rule_all_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, tmp_path, "rule", "--all", "--output-format", "json")
    rules = result.json()
    assert [r["code"] for r in rules] == list(all_rules())
    for r in rules:
        assert set(r) >= {"code", "name", "summary", "default", "fix", "docs", "url"}
        assert r["fix"] in ("safe", "unsafe", None) and isinstance(r["default"], bool)
        assert r["url"].startswith("file://") and os.path.exists(r["url"].removeprefix("file://"))
    text = run_cli(capsys, tmp_path, "rule", "--all").out.splitlines()
    assert len(text) == len(rules) and text[0].startswith("FPA101  unbound-path-parameter")


# -- server -------------------------------------------------------------------------------------------
def test_server_passes_mode_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    fake = types.ModuleType("fastapi_lsp.__main__")
    fake.main = lambda argv: calls.append(list(argv)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fastapi_lsp.__main__", fake)
    assert run_cli(capsys, tmp_path, "server", "--stdio").code == 0
    assert run_cli(capsys, tmp_path, "server", "--tcp", "--port", "9999", "--log-level", "DEBUG").code == 0
    assert calls == [["--stdio"], ["--tcp", "--host", "127.0.0.1", "--port", "9999", "--log-level", "DEBUG"]]


def test_server_missing_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fastapi_lsp.__main__", None)
    result = run_cli(capsys, tmp_path, "server")
    assert result.code == 2 and "language server is not available" in result.err
    assert "Traceback" not in result.err


def test_json_output_is_valid_for_many_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", {f"m{i}.py": UNBOUND for i in range(5)})
    findings = json.loads(run_cli(capsys, root, "check", "--no-cache", "--output-format", "json").out)
    assert sorted(os.path.basename(f["filename"]) for f in findings) == [f"m{i}.py" for i in range(5)]


def test_jobs_agree_with_serial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"pkg/m{i:03}.py": UNBOUND if i % 3 else CLEAN for i in range(240)}
    root = make_project(tmp_path / "p", files)
    shared: list[int] = []
    real = lint.check_in_parallel

    def spy(check_one: Any, paths: Any, jobs: int) -> Any:
        result = real(check_one, paths, jobs)
        shared.append(-1 if result is None else len(result))
        return result

    monkeypatch.setattr(lint, "check_in_parallel", spy)
    serial = run_cli(capsys, root, "check", "--no-cache", "-j", "1", "--output-format", "json")
    assert shared == []
    parallel = run_cli(capsys, root, "check", "--no-cache", "-j", "2", "--output-format", "json")
    assert shared == [239]  # the workers checked every file but the first (checked before forking)
    assert serial.code == parallel.code == 1
    assert len(serial.json()) == 160
    assert parallel.json() == serial.json()
    assert run_cli(capsys, root, "check", "-j", "-1").code == 2


def test_unsafe_fixes_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .fixture_cases import all_cases

    rules = all_rules()
    cases = [
        c
        for c in all_cases()
        if rules[c.code].fix == "unsafe" and c.path.is_file() and c.expected() and c.path.name.startswith("bad")
    ]
    if not cases:
        pytest.skip("no rule with an unsafe fix and a single-file bad case yet")
    for case in cases:
        text = case.path.read_text(encoding="utf-8")
        root = make_project(tmp_path / case.id.replace("/", "_"), {case.path.name: text}, f'select = ["{case.code}"]\n')
        target = root / case.path.name
        before = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json").json()
        if not any(f["fix"] and f["fix"]["applicability"] == "unsafe" for f in before):
            continue  # this case's findings carry no fix
        run_cli(capsys, root, "check", "--no-cache", "--fix")
        assert target.read_text(encoding="utf-8") == text, f"{case.id}: an unsafe fix was applied without asking"
        run_cli(capsys, root, "check", "--no-cache", "--fix", "--unsafe-fixes")
        assert target.read_text(encoding="utf-8") != text, case.id
        after = run_cli(capsys, root, "check", "--no-cache", "--output-format", "json").json()
        assert len(after) < len(before), case.id
        return
    pytest.skip("no unsafe fix offered by the bad cases")


def test_internal_error_on_one_file_is_reported_not_raised(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flake8_fastapi.model.project import Project

    real = Project.add_source

    def add_source(self: Project, path: str, text: str, tree: Any = None) -> Any:
        if path.endswith("good.py"):
            raise RecursionError("too deep")
        return real(self, path, text, tree)

    monkeypatch.delenv("FASTAPI_LINT_STRICT", raising=False)
    monkeypatch.setattr(Project, "add_source", add_source)
    result = run_cli(capsys, project, "check", "--no-cache", "--output-format", "json")
    assert result.code == 1 and "Traceback" not in result.err
    codes = {(os.path.basename(f["filename"]), f["code"]) for f in result.json()}
    assert codes == {("bad.py", "FPA101"), ("good.py", "E902")}
    assert "cannot analyse" in result.err and "RecursionError" in result.err


def test_a_directory_named_explicitly_is_checked_even_inside_an_excluded_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fastapi-lint check .venv/lib/.../site-packages/pkg` checks pkg; walking the project skips `.venv`."""
    root = make_project(tmp_path / "proj", {".venv/lib/site-packages/pkg/main.py": UNBOUND, "app.py": "x = 1\n"})
    named = run_cli(capsys, root, "check", "--no-cache", "--output-format", "concise", ".venv/lib/site-packages/pkg")
    assert named.code == 1 and "FPA101" in named.out
    walked = run_cli(capsys, root, "check", "--no-cache", "--output-format", "concise", ".")
    assert walked.code == 0 and "FPA101" not in walked.out
