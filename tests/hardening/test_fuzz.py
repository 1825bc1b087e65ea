"""Never crash: any source, valid or not, gives findings (or exactly one syntax finding), never an exception.

Property-based over the three ways in: the library (`check_source`, and the project-level check of small
generated packages for the cross-file rules), flake8 with the plugin (in-process), and the CLI (in-process,
JSON output, `--diff --unsafe-fixes`). Every rule runs, opt-in ones included; every offered fix is applied and
must leave parseable source. `FASTAPI_LINT_STRICT=1` (tests/conftest.py) makes a failing rule raise here.

Sources: FastAPI-shaped modules from `strategies.py`, mutations of them, arbitrary text, and valid Python
from the grammar (hypothesmith). Profiles: `FASTAPI_LINT_FUZZ=ci` (the default under `CI`: bounded and
derandomized, so a run is reproducible), `dev` (the default elsewhere: random, same bound), `long` (many more
examples, for a manual hunt). No example database is written.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flake8.api import legacy
from flake8.formatting.base import BaseFormatter
from flake8.main.options import JobsArgument
from flake8.violation import Violation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_fastapi import flake8_plugin
from flake8_fastapi.checker import SYNTAX_CODE, build_project, check_module, check_source
from flake8_fastapi.cli import main
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.flake8_plugin import Plugin
from flake8_fastapi.lint import IO_CODE
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Finding

from ..lib_runner import check_in_an_app
from .strategies import fastapi_modules, mutated, projects

try:
    import hypothesmith
except ImportError:  # pragma: no cover - in the `test` extra
    hypothesmith = None

# Grammar-generated code is full of invalid escapes and calls of literals: the interpreter's warnings are noise.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")

ALL_CODES = tuple(sorted(all_rules()))
ALL = ("FPA",)  # a prefix selects every rule, opt-in ones included

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    # The flake8 test reuses one module-scoped style guide across examples, on purpose.
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
}
settings.register_profile("hardening-ci", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("hardening-dev", max_examples=100, **_COMMON)
settings.register_profile("hardening-long", max_examples=3000, **_COMMON)
_NAME = os.environ.get("FASTAPI_LINT_FUZZ") or ("ci" if os.environ.get("CI") else "dev")
PROFILE = settings.get_profile(f"hardening-{_NAME}")


def fuzz(share: float) -> settings:
    """The profile, with `share` of its example budget (the expensive front ends run fewer)."""
    return settings(PROFILE, max_examples=max(10, int(PROFILE.max_examples * share)))


# -- properties ----------------------------------------------------------------------------------------
def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def assert_well_formed(findings: list[Finding], text: str, path: str) -> None:
    """Findings of a valid module are rule findings at positions inside the text; an invalid one gets exactly
    one syntax finding."""
    assert isinstance(findings, list)
    if not parses(text):
        assert [f.code for f in findings] == [SYNTAX_CODE], findings
        return
    src = SourceFile.parse(path, text)
    nlines = len(src.lines)
    for f in findings:
        assert f.code in ALL_CODES, f
        assert f.path == path, f
        assert f.message.strip(), f
        assert 1 <= f.start[0] <= max(nlines, 1) and f.start[1] >= 0, f
        assert f.start <= f.end and f.end[0] <= max(nlines, 1), f
        assert src.offset(f.end) <= len(text), f


def assert_fixes_parse(findings: list[Finding], text: str, path: str) -> None:
    """Every fix alone, and all of them at once (as `--fix --unsafe-fixes` applies them), keep the module
    parseable; applying fixes pass after pass (as the CLI loops) never raises."""
    fixable = [f for f in findings if f.fix is not None]
    if not fixable:
        return
    src = SourceFile.parse(path, text)
    for f in fixable:
        new, fixed = apply_fixes(src, [f], unsafe=True)
        assert fixed == [f]
        assert parses(new), f"the fix of {f} breaks the syntax:\n{new}"
    current = text
    for _ in range(5):
        src = SourceFile.parse(path, current)
        findings = check_in_an_app(current, os.path.dirname(path), Settings(select=ALL, root=os.path.dirname(path)))
        new, fixed = apply_fixes(src, findings, unsafe=True)
        if not fixed or new == current:
            break
        assert parses(new), f"applying {fixed} together breaks the syntax:\n{new}"
        current = new


def library_roundtrip(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "main.py")
        # Beside a module importing FastAPI: the rules run even where the generated text imports nothing.
        findings = check_in_an_app(text, tmp, Settings(select=ALL, root=tmp), "main.py")
        assert_well_formed(findings, text, path)
        assert_fixes_parse(findings, text, path)


# -- the library -------------------------------------------------------------------------------------------
@fuzz(1.0)
@given(fastapi_modules())
def test_library_on_generated_modules(text: str) -> None:
    library_roundtrip(text)


@fuzz(1.0)
@given(mutated(fastapi_modules()))
def test_library_on_mutated_modules(text: str) -> None:
    library_roundtrip(text)


@fuzz(3.0)
@given(st.text())
def test_library_on_arbitrary_text(text: str) -> None:
    library_roundtrip(text)


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")
@fuzz(0.2)
@given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()) if hypothesmith else st.nothing())
def test_library_on_grammar_generated_python(text: str) -> None:
    library_roundtrip(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x = " + "-" * 100_000 + "1\n", id="parser-memory-error"),
        pytest.param("x = 1" + " + 1" * 20_000 + "\n", id="parser-recursion-error"),
        pytest.param(
            "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/a' " + "+ 'b'" * 5000 + ")\ndef f(): ...\n",
            id="route-path-recursion-error",
        ),
        pytest.param("x = 1\0\n", id="null-byte"),
        pytest.param("x = '\udc80'\n", id="lone-surrogate"),
    ],
)
def test_too_deep_or_unencodable_source_is_one_syntax_finding(text: str, tmp_path: Path) -> None:
    """Regression: `ast.parse` raises RecursionError/MemoryError on very deep nesting (the interpreter rejects
    such a file too); that was a traceback out of `check_source` and out of flake8's index build."""
    findings = check_source(text, os.fspath(tmp_path / "deep.py"), Settings(select=ALL, root=os.fspath(tmp_path)))
    assert [f.code for f in findings] == [SYNTAX_CODE]


def check_project(files: dict[str, str]) -> None:
    """The project-level check (cross-file rules) over a generated package, and its fixes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths: dict[str, str] = {}
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))  # on disk: packages are found by `__init__.py`
            paths[os.fspath(path)] = text
        project = build_project(tmp, list(paths), sources=paths)
        settings_ = Settings(select=ALL, root=tmp)
        for path, text in paths.items():
            facts = project.module(path)
            assert facts is not None
            findings = check_module(project, facts, settings_)
            assert_well_formed(findings, text, path)
            for f in findings:
                if f.fix is None:
                    continue
                new, _ = apply_fixes(facts.source, [f], unsafe=True)
                assert parses(new), f"the fix of {f} breaks the syntax:\n{new}"
                for related in f.related:
                    assert related.path in paths, related


@fuzz(0.6)
@given(projects())
def test_library_on_generated_projects(files: dict[str, str]) -> None:
    check_project(files)


# -- flake8 with the plugin, in-process --------------------------------------------------------------------
class _Recorder(BaseFormatter):
    """A flake8 formatter that keeps the violations instead of printing them."""

    seen: list[Violation] = []

    def handle(self, error: Violation) -> None:
        _Recorder.seen.append(error)

    def format(self, error: Violation) -> str | None:  # pragma: no cover - handle() is overridden
        return None


@pytest.fixture(scope="module")
def flake8_guide() -> Iterator[legacy.StyleGuide]:
    # Every rule by its full code (flake8 enables an opt-in rule only when named in full), plus syntax errors.
    guide = legacy.get_style_guide(select=[*ALL_CODES, "E9"], jobs=JobsArgument("1"))
    guide.init_report(_Recorder)
    # The legacy API sets `select` after the plugins parsed the options: let the plugin see it.
    Plugin.parse_options(guide.options)
    assert Plugin.explicit_codes == frozenset(ALL_CODES)
    yield guide
    flake8_plugin.reset()
    Plugin.explicit_codes = frozenset()


def run_flake8(guide: legacy.StyleGuide, text: str, others: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    """flake8 on `main.py` holding `text`, in a project that also holds `others`."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "pyproject.toml").write_text("[project]\nname = 'fuzz'\n", encoding="utf-8")
        for name, other in (others or {}).items():
            (Path(tmp) / name).write_text(other, encoding="utf-8")
        path = Path(tmp) / "main.py"
        path.write_text(text, encoding="utf-8", newline="")
        flake8_plugin.reset()
        _Recorder.seen = []
        old = os.getcwd()
        os.chdir(tmp)
        try:
            guide.check_files([os.fspath(path)])
        finally:
            os.chdir(old)
        return [(v.line_number, v.column_number, v.code) for v in _Recorder.seen]


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@fuzz(1.0)
@given(st.one_of(fastapi_modules(), mutated(fastapi_modules())).filter(encodable))
def test_flake8_plugin_agrees_with_the_library(flake8_guide: legacy.StyleGuide, text: str) -> None:
    """flake8 never dies with the plugin loaded, and reports what the library reports (a file that does not
    parse gets flake8's own E999/E902 and no FPA finding)."""
    rows = run_flake8(flake8_guide, text)
    assert all(code.startswith(("FPA", "E9")) for _, _, code in rows), rows
    fpa = sorted((line, col, code) for line, col, code in rows if code.startswith("FPA"))
    if not parses(text):
        assert not fpa, rows
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "main.py")
        expected = sorted(
            (f.start[0], f.start[1] + 1, f.code) for f in check_source(text, path, Settings(select=ALL, root=tmp))
        )
    assert fpa == expected


def test_flake8_survives_a_too_deep_file_elsewhere_in_the_project(flake8_guide: legacy.StyleGuide) -> None:
    """Regression: the plugin parses every file of the project for its index; one file nested too deeply for
    `ast.parse` (RecursionError) made it raise on every file flake8 checked."""
    unbound = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/{a}')\ndef f() -> None: ...\n"
    rows = run_flake8(flake8_guide, unbound, {"deep.py": "x = 1" + " + 1" * 20_000 + "\n"})
    assert (3, 10, "FPA101") in rows


# -- the CLI, in-process -----------------------------------------------------------------------------------
def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def write_project(root: Path, files: dict[str, str | bytes]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'fuzz'\n", encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))


def cli_roundtrip(files: dict[str, str | bytes]) -> None:
    """`check` exits 0 or 1 with a JSON list of findings, one syntax/IO finding at most per broken file;
    `--diff --unsafe-fixes` exits 0 or 1; neither prints a traceback or an internal error."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, files)
        code, out, err = run_cli(
            ["check", tmp, "--no-cache", "--select", "ALL", "--output-format", "json", "--jobs", "1"]
        )
        assert code in (0, 1), err
        assert "Traceback" not in out + err and "internal error" not in err, err
        rows = json.loads(out)
        assert isinstance(rows, list) and (code == 1) == bool(rows)
        by_file: dict[str, list[str]] = {}
        for row in rows:
            by_file.setdefault(row["filename"], []).append(row["code"])
        for filename, codes in by_file.items():
            if SYNTAX_CODE in codes or IO_CODE in codes:
                assert len(codes) == 1, (filename, codes)
            else:
                assert all(c in ALL_CODES for c in codes), (filename, codes)
        code, out, err = run_cli(["check", tmp, "--no-cache", "--select", "ALL", "--diff", "--unsafe-fixes"])
        assert code in (0, 1), err
        assert "Traceback" not in out + err and "internal error" not in err, err
        assert "would break the syntax" not in err, err


@fuzz(1.0)
@given(st.one_of(fastapi_modules(), mutated(fastapi_modules()), st.text()))
def test_cli_on_single_files(text: str) -> None:
    cli_roundtrip({"main.py": text})


@fuzz(0.3)
@given(projects())
def test_cli_on_generated_projects(files: dict[str, str]) -> None:
    cli_roundtrip(dict(files))


@fuzz(1.0)
@given(st.binary(max_size=200), st.sampled_from(("", "# -*- coding: latin-1 -*-\n", "# coding: bogus\n", "\ufeff")))
def test_cli_on_arbitrary_bytes(data: bytes, header: str) -> None:
    """Undecodable files, unknown encodings, BOMs: an E902 (or E999) finding, never a traceback."""
    cli_roundtrip({"main.py": header.encode("utf-8") + data})


def test_tokenize_errors_are_syntax_findings() -> None:
    """Sources that `ast` rejects while tokenizing (unterminated strings, bad dedent) are one E999 each,
    through the CLI too."""
    texts = ["x = '''\n", "if x:\n        a\n    b\n", "x = (\n", "\\\n"]
    for text in texts:
        with pytest.raises((SyntaxError, tokenize.TokenError)):
            ast.parse(text)
    cli_roundtrip({f"m{i}.py": text for i, text in enumerate(texts)})
