"""Security: the analysis never imports or runs the project's code, `--fix` never writes through a symlink that
leads outside the project, and configuration errors are reported, never silently ignored.

The language-server side of the first and last points is tests/lsp/test_security_server.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .project_helpers import UNBOUND, flake8_process, make_project, run_cli

BIN = Path(sys.executable).parent


# -- a project that leaves a marker whenever any of its code runs -------------------------------------------------
def trap(markers: Path, label: str) -> str:
    """A statement that creates the file `markers/<label>` when executed."""
    return f"open({os.fspath(markers / label.replace('/', '.'))!r}, 'w').close()\n"


def hostile_project(root: Path, markers: Path) -> Path:
    """A FastAPI project whose every way of being run leaves a marker file in `markers` (outside the project):
    top-level code of modules and packages, `__main__` blocks, conftest.py, setup.py, `.pth` files (at the
    root and in a virtual environment beside it, whose dist-info the version lookup reads), sitecustomize,
    and modules named like ones the tools import (`tomllib`, `difflib`, `pygls`, `argparse`), which would
    run if the project's root ever got onto sys.path. Its `[tool.fastapi-lint]` is valid, and it has findings
    and a fix, so every front end really analyses it."""
    markers.mkdir(parents=True, exist_ok=True)
    main = (
        "import os\n\n"
        + trap(markers, "app.main")
        + UNBOUND
        + "\n\nif __name__ == '__main__':\n    "
        + trap(markers, "app.main.__main__")
    )
    files: dict[str, str] = {
        "setup.py": trap(markers, "setup.py") + "from setuptools import setup\n\nsetup(name='hostile')\n",
        "conftest.py": trap(markers, "conftest.py"),
        "sitecustomize.py": trap(markers, "sitecustomize.py"),
        "usercustomize.py": trap(markers, "usercustomize.py"),
        "tomllib.py": trap(markers, "tomllib.py"),
        "difflib.py": trap(markers, "difflib.py"),
        "pygls.py": trap(markers, "pygls.py"),
        "argparse.py": trap(markers, "argparse.py"),
        "hostile.pth": "import os; " + trap(markers, "hostile.pth"),
        "app/__init__.py": trap(markers, "app/__init__.py"),
        "app/__main__.py": trap(markers, "app/__main__.py"),
        "app/main.py": main,
        "app/users.py": trap(markers, "app/users.py")
        + textwrap.dedent(
            """
            from fastapi import APIRouter

            router = APIRouter(prefix="/users")


            @router.get("/{user_id}")
            def read_user(user_id: int) -> dict[str, int]:
                return {"id": user_id}
            """
        ),
        "tests/__init__.py": "",
        "tests/conftest.py": trap(markers, "tests/conftest.py"),
        "tests/test_main.py": trap(markers, "tests/test_main.py")
        + "from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\n"
        + "def test_read() -> None:\n    assert TestClient(app).get('/items/1').status_code == 200\n",
    }
    site = ".venv/lib/python3.11/site-packages"
    files[f"{site}/hostile.pth"] = "import os; " + trap(markers, "venv.pth")
    files[f"{site}/fastapi/__init__.py"] = trap(markers, "venv.fastapi")
    files[f"{site}/fastapi-0.115.0.dist-info/METADATA"] = "Name: fastapi\nVersion: 0.115.0\n"
    config = """
        extend-select = ["FPA101"]
        ignore = ["FPA9"]
        exclude = ["build"]

        [tool.fastapi-lint.per-file-ignores]
        "tests/*" = ["FPA2"]
    """
    root = make_project(root, files, config=config)
    (root / "app" / "main.py").write_text(
        (root / "app" / "main.py").read_text(encoding="utf-8")
        + "\nfrom app.users import router\n\napp.include_router(router)\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    markers = tmp_path / "markers"
    return hostile_project(tmp_path / "project", markers), markers


def assert_nothing_ran(markers: Path) -> None:
    assert sorted(p.name for p in markers.iterdir()) == []


def test_cli_in_process_never_runs_the_project(hostile: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, markers = hostile
    before = (root / "app" / "main.py").read_text(encoding="utf-8")
    checked = run_cli(capsys, root, "check", "--output-format", "json")  # with the cache, written then read
    assert checked.code == 1 and "FPA101" in {f["code"] for f in checked.json()}, checked.out + checked.err
    assert run_cli(capsys, root, "check").code == 1
    assert run_cli(capsys, root, "check", "--no-cache", "--jobs", "2", "--statistics").code == 1
    assert run_cli(capsys, root, "check", "--no-cache", "--diff").code == 1
    routes = run_cli(capsys, root, "routes", "--format", "json")
    assert {r["path"] for r in routes.json()} == {"/items/{item_id}", "/users/{user_id}"}, routes.out
    fixed = run_cli(capsys, root, "check", "--no-cache", "--fix", "--unsafe-fixes")
    assert fixed.err == "" and " fixed, " in fixed.out, fixed.out + fixed.err
    after = (root / "app" / "main.py").read_text(encoding="utf-8")
    assert after != before and "item_id: str" in after
    assert_nothing_ran(markers)


@pytest.mark.parametrize("launch", ["fastapi-lint", "python -m flake8_fastapi.cli"])
def test_cli_process_never_runs_the_project(hostile: tuple[Path, Path], launch: str) -> None:
    """The console script, and `python -m` (which puts the current directory first on sys.path), run from the
    project's directory."""
    root, markers = hostile
    command = {
        "fastapi-lint": [os.fspath(BIN / "fastapi-lint")],
        "python -m flake8_fastapi.cli": [sys.executable, "-m", "flake8_fastapi.cli"],
    }[launch]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=root, capture_output=True, text=True, timeout=120, check=False)

    checked = run("check", "--no-cache")
    assert checked.returncode == 1 and "FPA101" in checked.stdout, checked.stdout + checked.stderr
    routes = run("routes")
    assert routes.returncode == 0 and "/users/{user_id}" in routes.stdout, routes.stderr
    fixed = run("check", "--no-cache", "--fix", "--unsafe-fixes")
    assert fixed.stderr == "" and " fixed, " in fixed.stdout, fixed.stdout + fixed.stderr
    assert "item_id: str" in (root / "app" / "main.py").read_text(encoding="utf-8")
    assert_nothing_ran(markers)


def test_flake8_never_runs_the_project(hostile: tuple[Path, Path]) -> None:
    root, markers = hostile
    proc = subprocess.run(
        [os.fspath(BIN / "flake8"), "--select", "FPA", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1 and "FPA101" in proc.stdout, proc.stdout + proc.stderr
    assert_nothing_ran(markers)


# -- --fix and symlinks that lead outside the project ----------------------------------------------------------
@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """project/ with its own fixable file, a symlink to a fixable file outside and a symlink to a directory
    outside holding one."""
    outside = make_project(tmp_path / "outside", {"single.py": UNBOUND, "pkg/bad.py": UNBOUND}, config=None)
    root = make_project(tmp_path / "project", {"own.py": UNBOUND})
    (root / "link.py").symlink_to(outside / "single.py")
    (root / "linked").symlink_to(outside / "pkg", target_is_directory=True)
    return root, outside


def snapshot(directory: Path) -> dict[str, bytes]:
    return {os.fspath(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("target", [".", "link.py", "linked", "linked/bad.py"])
def test_fix_never_writes_outside_through_a_symlink(
    linked: tuple[Path, Path], capsys: pytest.CaptureFixture[str], target: str
) -> None:
    root, outside = linked
    before = snapshot(outside)
    result = run_cli(capsys, root, "check", "--no-cache", "--fix", "--unsafe-fixes", target)
    assert snapshot(outside) == before
    assert (root / "link.py").is_symlink() and (root / "linked").is_symlink()
    assert not [p for p in outside.rglob("*.fastapi-lint")], "a temporary file left outside"
    if target == ".":
        # The walk does not enter the symlinked directory; the file symlink is found, reported, not written.
        assert "item_id: str" in (root / "own.py").read_text(encoding="utf-8")
        assert result.err == "warning: link.py: not fixed: a symlink (fix the file it points to)\n"
        assert result.code == 1 and "link.py:6:10" in result.out and "linked" not in result.out
    else:
        shown = target if target != "linked" else "linked/bad.py"
        reason = "a symlink (fix" if target == "link.py" else "a symlinked directory leads outside the project"
        assert result.err.startswith(f"warning: {shown}: not fixed: {reason}"), result.err
        assert len(result.err.splitlines()) == 1
        assert result.code == 1 and f"{shown}:6:10" in result.out and "Found 1 error." in result.out


def test_fix_through_a_symlinked_directory_inside_the_project_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "project", {"pkg/bad.py": UNBOUND})
    (root / "alias").symlink_to(root / "pkg", target_is_directory=True)
    result = run_cli(capsys, root, "check", "--no-cache", "--fix", "alias/bad.py")
    assert result.code == 0 and result.err == "", result.err
    assert "item_id: str" in (root / "pkg" / "bad.py").read_text(encoding="utf-8")


# -- configuration errors: reported, never ignored --------------------------------------------------------------
# Beyond tests/test_config.py (unknown key, unknown select/ignore/per-file-ignores code, select of the wrong
# type, exclude not a list, invalid TOML): each is a ConfigError naming pyproject.toml.
CONFIG_ERRORS = [
    pytest.param('target-version = "0.115"\n', "unknown key(s) target-version", id="target-version-key"),
    pytest.param('fastapi-version = "0.115"\n', "unknown key(s) fastapi-version", id="fastapi-version-key"),
    pytest.param('extend-select = ["FPA9999"]\n', "unknown rule code 'FPA9999'", id="extend-select-code"),
    pytest.param('select = ["FPA101", 101]\n', "unknown rule code '101'", id="code-not-a-string"),
    pytest.param("ignore = {FPA101 = true}\n", "expected a list of rule codes, got dict", id="ignore-type"),
    pytest.param('per-file-ignores = ["a.py"]\n', "per-file-ignores must be a table", id="per-file-ignores-type"),
    pytest.param('[tool.fastapi-lint.per-file-ignores]\n"a.py" = 3\n', "expected a list", id="per-file-codes-type"),
    pytest.param('exclude = ["build", 3]\n', "exclude must be a list of glob patterns", id="exclude-item-type"),
    pytest.param('target-fastapi = "latest"\n', "target-fastapi: not a version: 'latest'", id="version-word"),
    pytest.param('target-fastapi = "0.115.x"\n', "not a version: '0.115.x'", id="version-trailing"),
    pytest.param("target-fastapi = 0.100\n", "not a version: 0.1 ", id="version-float"),
    pytest.param("target-fastapi = [0, 115]\n", "not a version: [0, 115]", id="version-list"),
    pytest.param("[tool]\nfastapi-lint = 'on'\n", "[tool.fastapi-lint] must be a table", id="not-a-table"),
    pytest.param("select = 'FPA101\n", "cannot read", id="toml-unterminated-string"),
]


def config_project(root: Path, config: str) -> Path:
    if config.startswith("[tool]"):  # the table itself replaced
        root = make_project(root, {"a.py": UNBOUND}, config=None)
        (root / "pyproject.toml").write_text(config, encoding="utf-8")
        return root
    return make_project(root, {"a.py": UNBOUND}, config=config)


@pytest.mark.parametrize(("config", "message"), CONFIG_ERRORS)
def test_configuration_error_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    root = config_project(tmp_path / "p", config)
    before = (root / "a.py").read_bytes()
    for command in (["check", "--no-cache"], ["check", "--fix"], ["check", "--diff"], ["routes"]):
        result = run_cli(capsys, root, *command)
        assert result.code == 2, (command, result.out, result.err)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and "pyproject.toml" in lines[0], (command, result.err)
        assert "Traceback" not in result.err and result.out == ""
    assert (root / "a.py").read_bytes() == before


def test_valid_versions_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i, version in enumerate(("0.115", "0.115.2", "0.95.0", "0.115.0rc1")):
        root = make_project(tmp_path / f"p{i}", {"a.py": UNBOUND}, config=f'target-fastapi = "{version}"\n')
        assert run_cli(capsys, root, "check", "--no-cache").code == 1, version


@pytest.mark.parametrize(
    ("config", "message"),
    [p for p in CONFIG_ERRORS if p.id in ("version-float", "per-file-ignores-type", "not-a-table", "ignore-type")],
)
def test_flake8_reports_the_configuration_error(tmp_path: Path, config: str, message: str) -> None:
    root = config_project(tmp_path / "p", config)
    proc = flake8_process(root, "--select", "FPA", ".")
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in text, text
    assert message in text and "FPA101" not in text, text
