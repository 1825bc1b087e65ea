"""fastapi-lint over real code: the installed source of FastAPI itself and of FastAPI-based packages from PyPI.

Every rule runs (the opt-in ones too) with FASTAPI_LINT_STRICT=1, so a rule that raises fails the test; the
project index and the route table are built; every fix is applied over the real files until nothing is left
to fix, and each pass must keep the file parseable; flake8 with the plugin must not crash either. The findings
per code go to `test-artifacts/realcode-<package>.json` for reading (they are not asserted: real code may
really have findings).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from flake8_fastapi.checker import build_project, check_module, discover
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.project import Project
from flake8_fastapi.route_table import route_table
from flake8_fastapi.rules.base import Finding

pytestmark = pytest.mark.realcode

# import name -> distribution name
PACKAGES = {
    "fastapi": "fastapi",
    "sqlmodel": "sqlmodel",
    "fastapi_users": "fastapi-users",
    "fastapi_pagination": "fastapi-pagination",
    "slowapi": "slowapi",
    "fastapi_cache": "fastapi-cache2",
    "fastcrud": "fastcrud",
    "fastapi_amis_admin": "fastapi-amis-admin",
    "ralph": "ralph-malph",  # an application: a Learning Record Store served by FastAPI
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MAX_FIX_PASSES = 10


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (it is in the `test` extra)")
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def check_all(project: Project, settings: Settings) -> dict[str, list[Finding]]:
    return {path: check_module(project, facts, settings) for path, facts in project.modules.items()}


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTAPI_LINT_STRICT", "1")


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_rule_runs_over_the_package(name: str) -> None:
    pkg = package_dir(name)
    root = os.fspath(pkg.parent)  # site-packages: modules keep their dotted names (fastapi.routing)
    settings = Settings(select=("FPA",), root=root)
    files = discover([os.fspath(pkg)], settings)
    assert files, f"no Python files under {pkg}"

    t0 = time.perf_counter()
    project = build_project(root, files)
    results = check_all(project, settings)
    routes = route_table(project)
    seconds = time.perf_counter() - t0

    assert set(results) == set(files)
    findings = [f for items in results.values() for f in items]
    syntax = [f for f in findings if f.code == "E999"]
    assert not syntax, f"the installed source of {name} parses, yet: {syntax[:3]}"
    for f in findings:
        assert f.path in results and f.start[0] >= 1 and f.start[1] >= 0 and f.end >= f.start, f

    by_code = Counter(f.code for f in findings)
    samples: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if len(samples[f.code]) < 5:
            samples[f.code].append(f"{os.path.relpath(f.path, root)}:{f.start[0]}:{f.start[1] + 1}: {f.message}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"realcode-{name}.json").write_text(
        json.dumps(
            {
                "package": PACKAGES[name],
                "version": importlib.metadata.version(PACKAGES[name]),
                "files": len(files),
                "lines": sum(len(f.source.lines) for f in project.modules.values()),
                "seconds": round(seconds, 3),
                "routes": len(routes),
                "findings": sum(by_code.values()),
                "by_code": dict(sorted(by_code.items())),
                "fixable": sum(1 for f in findings if f.fix is not None),
                "samples": dict(sorted(samples.items())),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_fixes_over_the_package_keep_it_parseable_and_converge(name: str) -> None:
    """Apply every fix (safe and unsafe) to each file, in memory, pass after pass: each pass parses and the
    fixes run out (a pass after the last one changes nothing)."""
    pkg = package_dir(name)
    root = os.fspath(pkg.parent)
    settings = Settings(select=("FPA",), root=root)
    project = build_project(root, discover([os.fspath(pkg)], settings))
    originals = {path: facts.source.text for path, facts in project.modules.items()}
    for path, findings in check_all(project, settings).items():
        if not any(f.fix is not None for f in findings):
            continue
        text = originals[path]
        try:
            for _ in range(MAX_FIX_PASSES):
                facts = project.modules[path]
                fixable = [f for f in check_module(project, facts, settings) if f.fix is not None]
                if not fixable:
                    break
                new_text, fixed = apply_fixes(facts.source, fixable, unsafe=True)
                assert fixed, f"{path}: fixes offered but none applied"
                assert new_text != text, f"{path}: a fix that changes nothing: {fixed[0]}"
                try:
                    ast.parse(new_text, filename=path)
                except SyntaxError as exc:
                    pytest.fail(f"{path}: fixing {[f.code for f in fixed]} breaks the file: {exc}")
                text = new_text
                project.add_source(path, text)
            else:
                pytest.fail(f"{path}: fixes still pending after {MAX_FIX_PASSES} passes")
        finally:
            project.add_source(path, originals[path])


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_flake8_with_the_plugin_does_not_crash(name: str) -> None:
    pytest.importorskip("flake8_fastapi.flake8_plugin")
    pkg = package_dir(name)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "FPA", "--isolated", os.fspath(pkg)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "FASTAPI_LINT_STRICT": "1"},
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    for line in proc.stdout.splitlines():
        assert line.startswith(os.fspath(pkg)) and ": FPA" in line, line
