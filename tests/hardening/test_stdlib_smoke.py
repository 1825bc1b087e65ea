"""Smoke run over the running interpreter's standard library: `fastapi-lint check` (in-process, every rule,
opt-in ones included, no cache, JSON) over its ~1,800 files of real Python that never imports FastAPI.

It must not crash or log an internal error; every file that does not parse under this Python (lib2to3's
Python 2 test data, the tokenizer's bad-encoding samples) gets exactly one syntax/IO finding; and no rule
reports anything in code that imports neither fastapi, starlette nor pydantic, except the few true positives
listed in KNOWN below.

The whole library runs (site-packages aside): on two cores the check takes ~13 s and parsing every file
again here to know which ones are broken ~8 s. `FASTAPI_LINT_STDLIB=subset` runs a large subset in about
half the time (everything but most of `test/`, which is 19 of the 34 MB).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from flake8_fastapi.checker import SYNTAX_CODE
from flake8_fastapi.cli import main
from flake8_fastapi.lint import IO_CODE

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SKIPPED = {"site-packages", "__pycache__", "lib-dynload"}
# The subset: all of the library but `test/`, plus the parts of `test/` that matter here (source that does
# not tokenize or decode, asyncio and database code).
TEST_PARTS = ("tokenizedata", "test_asyncio", "test_sqlite3", "test_importlib", "test_email")
# Findings in non-FastAPI modules of a project that uses FastAPI that are true: the code does what the rule
# warns of. (In the standard library alone, a project that does not use FastAPI, there is no finding at all.)
KNOWN = {
    # `response == digest` compares an HMAC digest with `==` (a timing side channel; CPython 3.12 moved to
    # `hmac.compare_digest`).
    ("multiprocessing/connection.py", "FPA505"),
    # A test that calls `asyncio.run()` inside a running loop on purpose, to assert the RuntimeError.
    ("test/test_asyncio/test_runners.py", "FPA303"),
}
# The interpreter warns about invalid escapes while parsing some test files: noise here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
_WEB_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:fastapi|starlette|pydantic)\b", re.MULTILINE)


def parses(data: bytes) -> bool:
    try:
        ast.parse(data)  # bytes: honours the coding declaration as the interpreter does
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def imports_web_framework(data: bytes) -> bool:
    return bool(_WEB_IMPORT.search(data.decode("utf-8", "replace")))


@pytest.fixture(scope="module", params=[False, True], ids=["stdlib-alone", "beside-a-fastapi-module"])
def tree(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A project root holding the standard library (symlinked, so it is read in place) and a pyproject.toml:
    the interpreter's own ancestors (a `.git` of pyenv) must not decide the project root. With the param set,
    the project also has a module importing FastAPI, so every rule runs over the library."""
    root = tmp_path_factory.mktemp("stdlib-project")
    (root / "pyproject.toml").write_text("[project]\nname = 'stdlib'\n", encoding="utf-8")
    (root / "stdlib").symlink_to(STDLIB, target_is_directory=True)
    if request.param:
        (root / "uses_fastapi.py").write_text("import fastapi\n", encoding="utf-8")
    yield root / "stdlib"


def uses_fastapi(link: Path) -> bool:
    return (link.parent / "uses_fastapi.py").exists()


def targets(link: Path) -> list[str]:
    # Without FastAPI in the project the rules do not run: the subset is enough to show the silence.
    full = os.environ.get("FASTAPI_LINT_STDLIB") != "subset" and uses_fastapi(link)
    out: list[str] = []
    for entry in sorted(os.listdir(STDLIB)):
        if entry in SKIPPED or entry.startswith("."):
            continue
        if entry == "test" and not full:
            out += [os.fspath(link / "test" / p) for p in TEST_PARTS if (STDLIB / "test" / p).exists()]
            continue
        if (STDLIB / entry).is_dir() or entry.endswith(".py"):
            out.append(os.fspath(link / entry))
    return out


def test_stdlib_smoke(tree: Path) -> None:
    paths = targets(tree)
    out, err = io.StringIO(), io.StringIO()
    args = ["check", *paths, "--no-cache", "--select", "ALL", "--output-format", "json"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert err.getvalue() == "", err.getvalue()  # no "rule ... failed", no "cannot analyse", no internal error
    rows = json.loads(out.getvalue())

    findings: dict[str, list[str]] = {}
    for row in rows:
        rel = os.path.relpath(row["filename"], tree).replace(os.sep, "/")
        findings.setdefault(rel, []).append(row["code"])

    checked: list[Path] = []
    for path in paths:
        p = Path(path)
        checked += [p] if p.is_file() else [f for f in p.rglob("*.py") if "__pycache__" not in f.parts]
    assert len(checked) > 500
    broken = set()
    for file in checked:
        rel = file.relative_to(tree).as_posix()
        if not parses((STDLIB / rel).read_bytes()):
            broken.add(rel)
            assert findings.get(rel) in ([SYNTAX_CODE], [IO_CODE]), (rel, findings.get(rel))
    assert broken, "no file of the run fails to parse: the syntax path went untested"

    unexpected = []
    for rel, codes in sorted(findings.items()):
        if rel in broken:
            continue
        assert SYNTAX_CODE not in codes and IO_CODE not in codes, (rel, codes)
        if imports_web_framework((STDLIB / rel).read_bytes()):
            continue
        unexpected += [(rel, c) for c in codes if (rel, c) not in KNOWN or not uses_fastapi(tree)]
    assert not unexpected, f"findings in code that does not use FastAPI: {unexpected}"
