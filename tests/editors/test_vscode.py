"""The VS Code extension end to end, in real VS Code: code-server (from npm) driven by headless Chromium.

Installs the packaged .vsix into a fresh code-server profile, opens a temporary copy of `examples/shop`, and
checks through the UI (vscode-extension/e2e/drive.js) that:
- the Problems panel shows every finding the shared library reports for `app/routers/items.py` (parity);
- hover on the FPA101 finding shows the rule's documentation page;
- Ctrl+. offers FPA101's quick fix, and applying it writes exactly the library's fix to the file;
- the FastAPI Routes view lists the example's routes with their full paths, and a click opens the handler;
- "FastAPI Lint: Fix All" from the palette applies the same safe fixes as the library to the active file;
- changing `fastapi-lint.interpreter` to a missing program restarts the server and says so in a notification.

The server runs with `importStrategy=useBundled` on the system `python3`, which has none of the server's
dependencies installed: what runs is only what the .vsix carries.

Needs node, chromium, code-server (in the cache dir) and the built .vsix: `bash scripts/setup.d/30-vscode.sh`
installs them. Without them the test skips, except as root or under CI=true, where it runs that setup first
and fails if anything is still missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flake8_fastapi.checker import build_project, check_module, discover
from flake8_fastapi.config import load_settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.route_table import route_table

pytestmark = pytest.mark.editor

REPO = Path(__file__).resolve().parents[2]
EXT = REPO / "vscode-extension"
VSIX = EXT / "fastapi-lint.vsix"
DRIVER = EXT / "e2e" / "drive.js"
SETUP = REPO / "scripts" / "setup.d" / "30-vscode.sh"
SHOP = REPO / "examples" / "shop"
ARTIFACTS = REPO / "test-artifacts"
CACHE = Path(os.environ.get("FASTAPI_LINT_CACHE", Path.home() / ".cache" / "fastapi-lint"))
CS_VERSION = os.environ.get("CODE_SERVER_VERSION", "4.100.3")
CODE_SERVER = CACHE / f"code-server-{CS_VERSION}" / "node_modules" / ".bin" / "code-server"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET = "app/routers/items.py"


def _missing() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not Path(CHROMIUM).exists():
        missing.append(f"chromium ({CHROMIUM})")
    if not CODE_SERVER.exists():
        missing.append(f"code-server ({CODE_SERVER})")
    if not VSIX.exists():
        missing.append(f"the extension package ({VSIX.relative_to(REPO)})")
    if not (EXT / "e2e" / "node_modules" / "playwright-core").exists():
        missing.append("playwright-core (vscode-extension/e2e)")
    return missing


@pytest.fixture(scope="module")
def tools() -> None:
    missing = _missing()
    if not missing:
        return
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if not ci and os.geteuid() != 0:
        pytest.skip(f"VS Code e2e needs {', '.join(missing)}: run `bash {SETUP.relative_to(REPO)}`")
    # Root or CI: we can install what is missing, so a skip would hide a broken setup.
    subprocess.run(["bash", str(SETUP)], check=True, timeout=1200)
    missing = _missing()
    if missing:
        pytest.fail(f"VS Code e2e: still missing after {SETUP.relative_to(REPO)}: {', '.join(missing)}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _expected(workspace: Path) -> dict[str, object]:
    """What the shared library says about the copy: the findings for TARGET, FPA101's fix, the route table."""
    settings = load_settings(str(workspace))
    project = build_project(str(workspace), discover([str(workspace)], settings))
    target = str(workspace / TARGET)
    facts = next(m for m in project.modules.values() if os.path.samefile(m.source.path, target))
    findings = check_module(project, facts, settings)
    fpa101 = next(f for f in findings if f.code == "FPA101")
    assert fpa101.fix is not None, "FPA101 in the example should have a fix"
    text = (workspace / TARGET).read_text()
    fixed, _ = apply_fixes(SourceFile(target, text), [fpa101])
    routes = route_table(project)
    users = str(workspace / "app/routers/users.py")
    users_facts = next(m for m in project.modules.values() if os.path.samefile(m.source.path, users))
    users_fixed, _ = apply_fixes(users_facts.source, check_module(project, users_facts, settings))
    return {
        "codes": sorted({f.code for f in findings}),
        "fpa101": fpa101,
        "fixed": fixed,
        "routes": routes,
        "users_fixed": users_fixed,
    }


def test_vscode_extension_end_to_end(tools: None, tmp_path: Path) -> None:
    t0 = time.monotonic()
    workspace = tmp_path / "shop"
    shutil.copytree(SHOP, workspace, ignore=shutil.ignore_patterns(".venv", "__pycache__", ".fastapi-lint-cache"))
    expected = _expected(workspace)
    fpa101 = expected["fpa101"]
    line, col = fpa101.start[0], fpa101.start[1] + 1  # type: ignore[attr-defined]

    data = tmp_path / "cs"
    (data / "user" / "User").mkdir(parents=True)
    (data / "ext").mkdir()
    (data / "home").mkdir()
    port = _free_port()
    settings = {
        # useBundled on a Python that has none of the server's dependencies: only the .vsix provides them.
        "fastapi-lint.interpreter": sys.executable if os.environ.get("E2E_USE_VENV") else "/usr/bin/python3",
        "fastapi-lint.importStrategy": "useBundled",
        "workbench.startupEditor": "none",
        "security.workspace.trust.enabled": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "workbench.enableExperiments": False,
        "editor.hover.delay": 100,
        "chat.disableAIFeatures": True,
        "workbench.tips.enabled": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "git.enabled": False,
        "files.autoSave": "off",
    }
    (data / "user" / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    (data / "config.yaml").write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    env = dict(
        os.environ,
        HOME=str(data / "home"),
        XDG_CONFIG_HOME=str(data / "xdg"),
        XDG_DATA_HOME=str(data / "xdg"),
        XDG_CACHE_HOME=str(data / "xdg" / "cache"),
    )
    env.pop("PYTHONPATH", None)
    common = [
        "--config",
        str(data / "config.yaml"),
        "--user-data-dir",
        str(data / "user"),
        "--extensions-dir",
        str(data / "ext"),
    ]
    install = subprocess.run(
        [str(CODE_SERVER), *common, "--install-extension", str(VSIX)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert "fastapi-lint" in install.stdout + install.stderr
    t_install = time.monotonic() - t0

    log = open(data / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [
            str(CODE_SERVER),
            *common,
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(workspace),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "vscode-failure.png").unlink(missing_ok=True)  # from an earlier failed run
    result_path = tmp_path / "result.json"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"code-server did not come up:\n{(data / 'server.log').read_text()[-3000:]}")
                time.sleep(0.2)
        routes = expected["routes"]
        spec = {
            "baseUrl": f"http://127.0.0.1:{port}",
            "folder": str(workspace),
            "file": TARGET,
            "expectCodes": expected["codes"],
            "hover": {"line": line, "column": col, "expectText": ["FPA101", "What it does", "Why is this bad?"]},
            "fix": {"line": line, "column": col, "title": "(FPA101)", "expectOnDisk": "review_id"},
            "routes": {
                "expectLabels": [
                    "GET /api/v1/users/{user_id}",
                    "GET /api/v1/orders/{order_id}",
                    "GET /api/v1/items/{item_id}/reviews/{review_id}",
                    "GET /health",
                ],
                "open": {"label": "GET /api/v1/users/{user_id}", "file": "app/routers/users.py"},
            },
            "fixAll": {"file": "app/routers/users.py"},
            "badInterpreter": {
                "value": str(tmp_path / "no-such-python"),
                "expectText": "was not found",
            },
            "artifacts": str(ARTIFACTS),
            "result": str(result_path),
        }
        spec_path = tmp_path / "spec.json"
        spec_path.write_text(json.dumps(spec, indent=2))
        drive = subprocess.run(
            ["node", str(DRIVER), str(spec_path)],
            cwd=EXT / "e2e",
            env=dict(os.environ, CHROMIUM=CHROMIUM),
            capture_output=True,
            text=True,
            timeout=240,
        )
        result = json.loads(result_path.read_text()) if result_path.exists() else {}
        shutil.copy(result_path, ARTIFACTS / "vscode-result.json") if result_path.exists() else None
        ext_log = _extension_log(data)
        assert drive.returncode == 0 and result.get("ok"), (
            f"driver failed: {result.get('error') or drive.stderr[-3000:]}\n--- driver output\n{drive.stdout[-3000:]}"
            f"\n--- extension log\n{ext_log[-4000:]}"
        )
    finally:
        # Kill the whole process group: code-server's file watchers and the language server outlive its main process.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()

    # What the UI showed agrees with the library.
    problems = "\n".join(result["problems"])
    for code in expected["codes"]:
        assert code in problems
    assert "FPA101" in result["hover"] and "What it does" in result["hover"]
    assert any("(FPA101)" in a for a in result["codeActions"]), result["codeActions"]
    assert (workspace / TARGET).read_text() == expected["fixed"], "the editor's quick fix differs from the library's"
    # Fix All applied the safe fixes the library applies (`fastapi-lint check --fix`).
    assert result["fixAllFile"] == expected["users_fixed"], "Fix All in the editor differs from the library's fixes"
    listed = "\n".join(result["routes"])
    for label in spec["routes"]["expectLabels"]:
        assert label in listed
    # The quick pick lists every route of the route table (one entry per route and app).
    assert len(result["quickPick"]) >= min(len(routes), 10)  # the list is virtualised: only visible rows render
    assert "no-such-python" in result["badInterpreterMessage"], result["badInterpreterMessage"]
    assert (ARTIFACTS / "vscode.png").stat().st_size > 10_000
    timings = {s["name"]: s["ms"] for s in result["steps"]}
    print(f"install {t_install:.1f}s, driver {result['totalMs'] / 1000:.1f}s, total {time.monotonic() - t0:.1f}s")
    print(json.dumps(timings, indent=1))


def _extension_log(data: Path) -> str:
    """The extension's output channel (FastAPI Lint) from code-server's logs, for failure messages."""
    logs = sorted((data / "user" / "logs").glob("**/*FastAPI Lint*.log")) if (data / "user" / "logs").exists() else []
    return "\n".join(p.read_text(errors="replace") for p in logs)
