"""The packaged VS Code extension (.vsix) carries a server that runs with nothing installed.

- The .vsix holds the bundled extension code, its manifest, and bundled/libs with the server, the checker
  library and their pure-Python dependencies (no compiled modules, no console scripts, no __pycache__).
- Extracted, bundled/libs alone runs the server: `python3 -S` (no site-packages at all) with
  PYTHONPATH=bundled/libs answers `initialize`, publishes a diagnostic for a file with a finding, and shuts down.

Skips when the .vsix is not built (run `bash scripts/setup.d/30-vscode.sh` or `npm run package` in
vscode-extension/), except under CI=true, where a missing .vsix is a failure.
"""

from __future__ import annotations

import glob
import json
import os
import selectors
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VSIX = REPO / "vscode-extension" / "fastapi-lint.vsix"

REQUIRED = [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/readme.md",
    "extension/changelog.md",
    "extension/bundled/libs/fastapi_lsp/__main__.py",
    "extension/bundled/libs/flake8_fastapi/__init__.py",
    "extension/bundled/libs/pygls/__init__.py",
    "extension/bundled/libs/lsprotocol/types.py",
    "extension/bundled/libs/cattrs/__init__.py",
    "extension/bundled/libs/attrs/__init__.py",
    "extension/bundled/libs/jedi/__init__.py",
    "extension/bundled/libs/parso/__init__.py",
    "extension/bundled/libs/flake8/__init__.py",
    "extension/bundled/libs/pyflakes/__init__.py",
    "extension/bundled/libs/pycodestyle.py",
    "extension/bundled/libs/mccabe.py",
    "extension/bundled/libs/typing_extensions.py",
    # Python 3.10 backports: the bundle must run on 3.10 whatever Python built it.
    "extension/bundled/libs/tomli/__init__.py",
    "extension/bundled/libs/exceptiongroup/__init__.py",
]


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def vsix() -> zipfile.ZipFile:
    if not VSIX.exists():
        if _ci():
            pytest.fail(f"{VSIX.relative_to(REPO)} is missing: scripts/setup.d/30-vscode.sh should have built it")
        pytest.skip(f"{VSIX.relative_to(REPO)} not built: run `bash scripts/setup.d/30-vscode.sh`")
    return zipfile.ZipFile(VSIX)


def test_vsix_contents(vsix: zipfile.ZipFile) -> None:
    names = set(vsix.namelist())
    missing = [n for n in REQUIRED if n not in names]
    assert not missing, f"missing from the .vsix: {missing}"
    assert not [n for n in names if n.startswith("extension/node_modules/")], "node_modules must not be packaged"
    assert not [n for n in names if n.startswith(("extension/src/", "extension/test/", "extension/e2e/"))]
    assert "extension/bundled/.inputs" not in names
    libs = [n for n in names if n.startswith("extension/bundled/libs/")]
    assert not [n for n in libs if n.endswith((".so", ".pyd", ".dylib"))], "bundled/libs must be pure Python"
    assert not [n for n in libs if "/__pycache__/" in n or n.endswith(".pyc")]
    assert not [n for n in libs if n.startswith("extension/bundled/libs/bin/")], "console scripts are not needed"
    manifest = json.loads(vsix.read("extension/package.json"))
    assert manifest["main"] == "./dist/extension.js"
    settings = manifest["contributes"]["configuration"]["properties"]
    for key in (
        "interpreter",
        "path",
        "importStrategy",
        "args",
        "select",
        "ignore",
        "showNotifications",
        "trace.server",
    ):
        assert f"fastapi-lint.{key}" in settings
    assert settings["fastapi-lint.importStrategy"]["default"] == "useBundled"
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    assert {"fastapi-lint.restart", "fastapi-lint.showLogs", "fastapi-lint.fixAll"} <= commands
    assert manifest["contributes"]["views"]["explorer"][0]["id"] == "fastapi-lint.routes"
    # The bundled checker library is the one in this checkout. Outside CI a stale .vsix (sources edited since the
    # last setup) skips rather than fails: scripts/test.sh rebuilds it before pytest.
    stale = [
        rel
        for rel in ("flake8_fastapi/rules/routes/fpa101_unbound_path_parameter.py", "fastapi_lsp/server.py")
        if vsix.read(f"extension/bundled/libs/{rel}") != (REPO / rel).read_bytes()
    ]
    if stale and not _ci():
        pytest.skip(f"the .vsix is older than {stale}: rebuild it with `bash scripts/setup.d/30-vscode.sh`")
    assert not stale, f"{stale} differ from the checkout: the .vsix is stale"


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read_messages(data: bytes) -> list[dict[str, Any]]:
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out


def _interpreters() -> list[str]:
    """This Python, plus the oldest supported (3.10) and newer ones when the machine has them (pyenv's real
    binaries, not its shims, which need pyenv's environment)."""
    found = [sys.executable]
    for version in ("3.10", "3.12", "3.13"):
        candidates = [
            *sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python{version}")),
            shutil.which(f"python{version}"),
        ]
        for candidate in candidates:
            if candidate and "/shims/" not in candidate and os.access(candidate, os.X_OK):
                found.append(candidate)
                break
    return found


@pytest.mark.parametrize("python", _interpreters())
def test_bundled_server_runs_without_site_packages(vsix: zipfile.ZipFile, tmp_path: Path, python: str) -> None:
    vsix.extractall(tmp_path / "vsix", [n for n in vsix.namelist() if n.startswith("extension/bundled/")])
    libs = tmp_path / "vsix" / "extension" / "bundled" / "libs"
    ws = tmp_path / "ws"
    ws.mkdir()
    app = ws / "main.py"
    text = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/items/{item_id}")\nasync def read_item(id: int):\n    return {"id": id}\n'
    )
    app.write_text(text)
    uri = app.as_uri()
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": ws.as_uri(),
                "capabilities": {},
                "workspaceFolders": [{"uri": ws.as_uri(), "name": "ws"}],
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        },
    ]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(libs), "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [python, "-S", "-m", "fastapi_lsp", "--stdio"],
        cwd=ws,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    for m in messages:
        proc.stdin.write(_frame(m))
    proc.stdin.flush()
    # Read until the diagnostics for main.py arrive, then shut down.
    buf = b""
    seen: list[dict[str, Any]] = []
    diagnostics: list[dict[str, Any]] | None = None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while diagnostics is None and time.monotonic() < deadline:
        if not sel.select(timeout=1):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        try:
            seen = _read_messages(buf)
        except (StopIteration, json.JSONDecodeError, ValueError):
            continue  # partial frame
        for m in seen:
            if (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"]["diagnostics"]
            ):
                diagnostics = m["params"]["diagnostics"]
    proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.flush()
    try:
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    init = next((m for m in seen if m.get("id") == 1), None)
    assert init is not None and "capabilities" in init.get("result", {}), (
        f"no initialize result; stderr:\n{stderr[-3000:]}"
    )
    assert diagnostics is not None, (
        f"no diagnostics for main.py; messages: {[m.get('method') for m in seen]}\n{stderr[-3000:]}"
    )
    assert any(d.get("code") == "FPA101" for d in diagnostics), diagnostics
