"""Small projects on disk and ways to run the front ends on them (CLI in-process or as a process, flake8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from flake8_fastapi.cli import main

FLAKE8_FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s"

USERS = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/{user_id}")
def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}
"""

ITEMS = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@router.post("/")
def create_item() -> None: ...
"""

MAIN = """\
from fastapi import FastAPI

from app.items import router as items_router
from app.users import router as users_router

app = FastAPI()
app.include_router(users_router, prefix="{users_prefix}")
app.include_router(items_router, prefix="/items")
"""

UNBOUND = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(id: int) -> dict[str, int]:
    return {"id": id}
"""


def make_project(root: Path, files: Mapping[str, str | bytes], config: str | None = "") -> Path:
    """Write `files` under `root` with a pyproject.toml holding `[tool.fastapi-lint]` + `config`."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        body = f"[tool.fastapi-lint]\n{textwrap.dedent(config)}" if config else "[project]\nname = 'demo'\n"
        (root / "pyproject.toml").write_text(body, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def two_router_project(root: Path, users_prefix: str = "/users") -> Path:
    return make_project(
        root,
        {
            "app/__init__.py": "",
            "app/main.py": MAIN.replace("{users_prefix}", users_prefix),
            "app/users.py": USERS,
            "app/items.py": ITEMS,
        },
    )


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], cwd: Path, *args: str) -> CliResult:
    """`fastapi-lint ARGS` in this process, from `cwd`."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
    finally:
        os.chdir(old)
    return CliResult(code, captured.out, captured.err)


def cli_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8_fastapi.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def flake8_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", f"--format={FLAKE8_FORMAT}", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def flake8_rows(output: str, cwd: Path) -> set[tuple[str, int, int, str, str]]:
    """{(absolute path, line, 1-based column, code, message)} from FLAKE8_FORMAT output."""
    rows: set[tuple[str, int, int, str, str]] = set()
    for line in output.splitlines():
        parts = line.split("|", 4)
        if len(parts) != 5:
            raise AssertionError(f"unexpected flake8 output line: {line!r}")
        path, row, col, code, text = parts
        rows.add((os.path.normpath(os.path.join(cwd, path)), int(row), int(col), code, text))
    return rows


def cli_rows(findings: list[dict[str, Any]]) -> set[tuple[str, int, int, str, str]]:
    """The same tuples from `check --output-format json`."""
    return {(f["filename"], f["location"]["row"], f["location"]["column"], f["code"], f["message"]) for f in findings}
