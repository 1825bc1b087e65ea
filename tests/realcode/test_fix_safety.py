"""`fastapi-lint check --fix` on copies of real FastAPI-based packages (the list of test_real_packages.py).

What is proved, per package, through the command line run in this process on a copy in a temporary directory:

- `--fix --unsafe-fixes` keeps every file parseable (each file parsed before still parses, and all do), leaves
  no finding that has a fix, removes every finding it fixed and adds none (per file and code, the findings
  after are at most the unfixable findings before), touches only files that had a fix, and says nothing on
  stderr (a fix the runner had to drop, because it would break the syntax, is a warning there);
- it converges: a second `--fix --unsafe-fixes` changes no byte of any file of the tree;
- `--fix` (safe fixes only) on a fresh copy changes exactly the files with a safe fix, each into what the
  safe edits of the JSON report give when applied together, and the change of each file's module is confined
  to those edits (see `confinement_problems`); no safe fix is left and every unsafe one is;
- every single fix (safe or unsafe), applied alone with the library (`fixes.apply_fixes`) to the finding the
  library reports (the same findings, fixes included, as the JSON report), is its edits applied as the JSON
  gives them, and its change is confined to its edits, and it binds no module-level name that was already
  bound to something else (an added `from x import Name` shadowing the module's own `Name`);
- a file made unparseable in a copy (of fastapi-users) is never touched by `--fix --unsafe-fixes`, while the
  other files still get fixed.

The report before any fix is made once per package and shared by the tests (`fresh_copy`).

Confinement (`confinement_problems`): the module before and after is compared as two `ast` trees, in parallel
from the root, ignoring positions (`ast.dump` without attributes). A node is *touched* when its source span
(a definition's includes its decorators) meets an edit: overlaps a replaced range or contains an insertion
point (in the old text), or meets the range the edit's new text occupies (in the new text). An untouched node
must be equal on both sides: the same type and the same source text (the same tokens in the same place of the
same parent parse the same), else the same dump. A touched node must keep its type unless it lies wholly inside
the edits on both sides (a replaced expression), or an edit meets its own leading tokens and the fields stay
the same (`async def` -> `def`); its children are compared the same way. In a list (statements, arguments,
...), the elements wholly inside the edits (inserted or deleted ones) are set aside and the rest must pair up
one to one, in order. Scalars (names, constants) of a touched node may differ: that is the edit itself. So
whatever a fix changes beyond the nodes its edit range covers - a statement moved or re-indented into another
block, an unbalanced bracket swallowing the next line, a sibling argument lost, a function turned async -
fails the test. Comparing the bytecode of the code objects outside the edit would miss changes to
annotations (which FPA201's fix makes) and within one function; the tree comparison does not. The last test
checks the check itself on small cases.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import itertools
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from flake8_fastapi.checker import build_project, check_module, discover
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.rules.base import Edit, Finding

from ..project_helpers import CliResult, run_cli
from .test_real_packages import PACKAGES, package_dir

pytestmark = pytest.mark.realcode

SELECT_ALL = ("--select", "ALL")  # every rule, the opt-in ones too (config.parse_codes: ALL is FPA)
Region = tuple[int, int]  # [start, end) character offsets; start == end for an insertion point
Key = tuple[str, str]  # (file, code)


# -- a copy of a package -------------------------------------------------------------------------------
def copy_package(name: str, dest: Path) -> Path:
    """The package's source under `dest/<name>`, with `dest` its project root (so dotted names stay)."""
    pkg = package_dir(name)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text("[project]\nname = 'copy'\n", encoding="utf-8")
    shutil.copytree(pkg, dest / pkg.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


_PRISTINE: dict[str, tuple[Path, list[dict[str, Any]]]] = {}


def fresh_copy(
    name: str, dest: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, list[dict[str, Any]]]:
    """A copy of the package at `dest` and the JSON report of every rule over it, before any fix. The report
    is made once per package (per process), on a pristine copy, and its file names rewritten for `dest`."""
    if name not in _PRISTINE:
        pristine = copy_package(name, tmp_path_factory.mktemp(f"pristine-{name}"))
        _PRISTINE[name] = pristine, check_json(capsys, pristine)[1]
    pristine, report = _PRISTINE[name]
    shutil.copytree(pristine, dest)
    moved = [{**f, "filename": os.fspath(dest / os.path.relpath(f["filename"], pristine))} for f in report]
    return dest, moved


def package_version(name: str) -> str:
    return importlib.metadata.version(PACKAGES[name])


def py_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes(), filename=os.fspath(path))
    except (SyntaxError, ValueError):
        return False
    return True


def hashes(root: Path) -> dict[str, str]:
    return {os.fspath(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def check_json(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> tuple[CliResult, list[dict[str, Any]]]:
    result = run_cli(capsys, root, "check", "--no-cache", *SELECT_ALL, "--output-format", "json", *extra)
    assert result.code in (0, 1), result.err
    findings: list[dict[str, Any]] = result.json()
    return result, findings


def fixable(f: dict[str, Any], unsafe: bool = True) -> bool:
    return f["fix"] is not None and (unsafe or f["fix"]["applicability"] == "safe")


# -- positions -----------------------------------------------------------------------------------------
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class Offsets:
    """Character offsets in one text of (line, column) positions: `ast`'s UTF-8 byte columns and the edits'
    code-point columns. Lines break on \\n, \\r\\n and \\r only, as Python's tokenizer breaks them."""

    def __init__(self, text: str) -> None:
        self.lines = _LINE.findall(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def _line(self, line: int) -> tuple[int, str]:
        index = min(max(line, 1), len(self.starts)) - 1
        return self.starts[index], self.lines[index] if index < len(self.lines) else ""

    def of_chars(self, line: int, column: int) -> int:
        return self._line(line)[0] + column

    def of_bytes(self, line: int, byte_col: int) -> int:
        start, text = self._line(line)
        return start + len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, list[Region], list[Region]]:
    """Apply non-overlapping (start, end, content) edits; the regions they cover in the old and new text."""
    ordered = sorted(set(edits))
    for (s1, e1, _), (s2, _e2, _) in itertools.pairwise(ordered):
        if s2 < e1 or s2 == s1:
            raise ValueError("overlapping edits")
    old: list[Region] = []
    new: list[Region] = []
    out: list[str] = []
    pos = shift = 0
    for start, end, content in ordered:
        out += [text[pos:start], content]
        old.append((start, end))
        new.append((start + shift, start + shift + len(content)))
        shift += len(content) - (end - start)
        pos = end
    out.append(text[pos:])
    return "".join(out), old, new


def json_edits(text: str, fixes: Iterable[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """The edits of JSON fixes as character offsets (JSON columns are 1-based code points)."""
    offsets = Offsets(text)
    return [
        (
            offsets.of_chars(e["location"]["row"], e["location"]["column"] - 1),
            offsets.of_chars(e["end_location"]["row"], e["end_location"]["column"] - 1),
            e["content"],
        )
        for fix in fixes
        for e in fix["edits"]
    ]


def library_edits(text: str, edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    offsets = Offsets(text)
    return [(offsets.of_chars(*e.start), offsets.of_chars(*e.end), e.content) for e in edits]


# -- confinement (see the module docstring) ------------------------------------------------------------
@lru_cache(maxsize=4)
def parse(text: str) -> ast.Module:
    """Parsed once for the many fixes of a file (the trees are only read)."""
    return ast.parse(text)


@lru_cache(maxsize=4)
def offsets_of(text: str) -> Offsets:
    return Offsets(text)


class _Side:
    def __init__(self, text: str, regions: Sequence[Region]) -> None:
        self.source = text
        self.tree = parse(text)
        self.offsets = offsets_of(text)
        self.regions = regions
        self._spans: dict[int, Region | None] = {}

    def span(self, node: ast.AST) -> Region | None:
        key = id(node)
        if key not in self._spans:
            end_line = getattr(node, "end_lineno", None)
            if hasattr(node, "lineno") and end_line is not None:
                span: Region | None = (
                    self.offsets.of_bytes(node.lineno, node.col_offset),
                    self.offsets.of_bytes(end_line, getattr(node, "end_col_offset", 0) or 0),
                )
                decorators = [self.span(d) for d in getattr(node, "decorator_list", ())]
                if decorators:  # a definition's span starts at `def`/`class`; its decorators come before
                    span = (min(span[0], *(d[0] - 1 for d in decorators if d is not None)), span[1])
            else:  # `arguments`, `comprehension`, ...: the span of what they hold
                spans = [s for s in map(self.span, ast.iter_child_nodes(node)) if s is not None]
                span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
            self._spans[key] = span
        return self._spans[key]

    def touched(self, node: ast.AST) -> bool:
        span = self.span(node)
        if span is None:
            return False
        for start, end in self.regions:
            if start == end and span[0] <= start <= span[1]:
                return True
            if start < end and span[0] < end and start < span[1]:
                return True
        return False

    def head_touched(self, node: ast.AST) -> bool:
        """Whether an edit meets the node's own tokens before its first child (`async def`, `async for`)."""
        if not hasattr(node, "lineno"):
            return False
        start = self.offsets.of_bytes(node.lineno, node.col_offset)
        children = [s[0] for s in map(self.span, ast.iter_child_nodes(node)) if s is not None and s[0] >= start]
        end = min(children, default=start)
        return any(s <= end and start <= e if s == e else s < end and start < e for s, e in self.regions)

    def text(self, node: ast.AST) -> str | None:
        span = self.span(node)
        return None if span is None else self.source[span[0] : span[1]]

    def inside(self, node: ast.AST) -> bool:
        span = self.span(node)
        return span is not None and any(s <= span[0] and span[1] <= e and s < e for s, e in self.regions)


def confinement_problems(
    before: str, after: str, old_regions: Sequence[Region], new_regions: Sequence[Region]
) -> list[str]:
    a, b = _Side(before, old_regions), _Side(after, new_regions)
    problems: list[str] = []

    def show(node: ast.AST) -> str:
        return ast.unparse(node)[:120] if isinstance(node, (ast.stmt, ast.expr)) else ast.dump(node)[:120]

    def compare(x: ast.AST, y: ast.AST) -> None:
        if not a.touched(x) and not b.touched(y):
            if type(x) is not type(y) or (a.text(x) != b.text(y) and ast.dump(x) != ast.dump(y)):
                problems.append(f"changed outside the edits: {show(x)!r} -> {show(y)!r}")
            return
        if type(x) is not type(y):
            if x._fields == y._fields and (a.head_touched(x) or b.head_touched(y)):
                pass  # `async def` -> `def` by an edit of the keyword: the fields are compared below
            elif not (a.inside(x) and b.inside(y)):
                problems.append(f"{type(x).__name__} became {type(y).__name__} beyond the edits: {show(y)!r}")
                return
            else:
                return
        for field in x._fields:
            vx, vy = getattr(x, field, None), getattr(y, field, None)
            if isinstance(vx, list) and isinstance(vy, list):
                compare_lists(field, vx, vy)
            else:
                compare_values(field, vx, vy)

    def compare_values(field: str, vx: object, vy: object) -> None:
        if isinstance(vx, ast.AST) and isinstance(vy, ast.AST):
            compare(vx, vy)
        elif isinstance(vx, ast.AST) and not a.inside(vx):
            problems.append(f"{field}: {show(vx)!r} removed beyond the edits")
        elif isinstance(vy, ast.AST) and not b.inside(vy):
            problems.append(f"{field}: {show(vy)!r} added beyond the edits")
        # else: scalars of a touched node (a name, a constant) - the edit itself

    def compare_lists(field: str, xs: list[Any], ys: list[Any]) -> None:
        if len(xs) == len(ys) and (None in xs or None in ys):
            # `kw_defaults`, `Dict.keys`: aligned with another list, None a placeholder; compare in place
            for vx, vy in zip(xs, ys):
                compare_values(field, vx, vy)
            return
        # Otherwise set aside what lies inside the edits (and placeholders: the list they align with is
        # compared on its own, e.g. `kwonlyargs` for `kw_defaults`).
        kept_x = [v for v in xs if v is not None and not (isinstance(v, ast.AST) and a.inside(v))]
        kept_y = [v for v in ys if v is not None and not (isinstance(v, ast.AST) and b.inside(v))]
        if len(kept_x) != len(kept_y):
            problems.append(f"{field}: {len(kept_x)} element(s) outside the edits became {len(kept_y)}")
            return
        for vx, vy in zip(kept_x, kept_y):
            compare_values(field, vx, vy)

    compare(a.tree, b.tree)
    return problems


def module_bindings(tree: ast.Module) -> dict[str, set[str]]:
    """Top-level names and what binds them: `module.name` for imports, `<local>` for anything else."""
    bound: dict[str, set[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                name = alias.asname or alias.name.partition(".")[0]
                bound.setdefault(name, set()).add(alias.name if alias.asname else name)
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                bound.setdefault(alias.asname or alias.name, set()).add(f"{'.' * stmt.level}{stmt.module}.{alias.name}")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.setdefault(stmt.name, set()).add("<local>")
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        bound.setdefault(node.id, set()).add("<local>")
    return bound


def shadowing(before: str, after: str) -> list[str]:
    old, new = module_bindings(parse(before)), module_bindings(parse(after))
    return [
        f"{name} (bound to {sorted(old[name])}) is re-bound to {sorted(new[name] - old[name])}"
        for name in sorted(new)
        if name in old and new[name] - old[name]
    ]


# -- the tests -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_fix_all_keeps_the_package_parseable_removes_what_it_fixes_and_converges(
    name: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root, before = fresh_copy(name, tmp_path / "copy", tmp_path_factory, capsys)
    parsed_before = {p for p in py_files(root) if parses(p)}
    original = hashes(root)

    fix, after = check_json(capsys, root, "--fix", "--unsafe-fixes")
    assert fix.err == "", fix.err
    broken = [p for p in py_files(root) if not parses(p)]
    assert not broken, f"--fix --unsafe-fixes broke {broken}"
    assert parsed_before <= set(py_files(root))

    left = [f for f in after if f["fix"] is not None]
    assert not left, f"findings with a fix are left after --fix --unsafe-fixes: {left[:3]}"
    unfixable = Counter((f["filename"], f["code"]) for f in before if f["fix"] is None)
    remaining = Counter((f["filename"], f["code"]) for f in after)
    grown = {key: (n, unfixable[key]) for key, n in remaining.items() if n > unfixable[key]}
    assert not grown, f"(file, code): (findings after, unfixable before) - fixed ones left or new ones: {grown}"

    changed = {p for p, h in hashes(root).items() if original.get(p) != h}
    assert changed <= {f["filename"] for f in before if f["fix"] is not None}, "a file without a fix changed"
    assert bool(changed) == any(f["fix"] is not None for f in before)

    settled = hashes(root)
    again = run_cli(capsys, root, "check", "--no-cache", *SELECT_ALL, "--fix", "--unsafe-fixes")
    assert hashes(root) == settled, "a second --fix --unsafe-fixes changed files"
    assert again.err == "", again.err


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_each_fix_changes_only_what_its_edits_cover(
    name: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root, before = fresh_copy(name, tmp_path / "copy", tmp_path_factory, capsys)
    originals = {os.fspath(p): p.read_text(encoding="utf-8") for p in py_files(root)}

    # The library reports the findings of the JSON report, with the same fixes.
    settings = Settings(select=("FPA",), root=os.fspath(root))
    project = build_project(os.fspath(root), discover([os.fspath(root)], settings))
    library = [f for facts in project.modules.values() for f in check_module(project, facts, settings)]

    def key_json(f: dict[str, Any]) -> tuple[Any, ...]:
        fix = f["fix"]
        edits = tuple(sorted(json_edits(originals[f["filename"]], [fix]))) if fix else None
        return (f["filename"], f["code"], f["location"]["row"], f["location"]["column"] - 1, edits)

    def key_library(f: Finding) -> tuple[Any, ...]:
        edits = tuple(sorted(library_edits(originals[f.path], f.fix.edits))) if f.fix else None
        return (f.path, f.code, f.start[0], f.start[1], edits)

    assert Counter(map(key_library, library)) == Counter(map(key_json, before))

    # Every fix alone: the library applies exactly its edits, the change stays within them, shadows nothing.
    problems: list[str] = []
    for finding in (f for f in library if f.fix is not None):
        text = originals[finding.path]
        facts = project.modules[finding.path]
        applied, fixed = apply_fixes(facts.source, [finding], unsafe=True)
        assert fixed == [finding]
        expected, old, new = apply_edits(text, library_edits(text, finding.fix.edits))
        assert applied == expected, f"{finding}: apply_fixes does not apply the fix's edits"
        where = f"{os.path.relpath(finding.path, root)}:{finding.start[0]} {finding.code}"
        problems += [f"{where}: {p}" for p in confinement_problems(text, applied, old, new)]
        problems += [f"{where}: {p}" for p in shadowing(text, applied)]
    assert not problems, "\n".join(problems[:20])

    # `--fix` (safe only): exactly the files with a safe fix change, each into its safe edits applied together.
    safe_fixes: dict[str, list[dict[str, Any]]] = {}
    for f in before:
        if fixable(f, unsafe=False):
            safe_fixes.setdefault(f["filename"], []).append(f["fix"])
    fix, after = check_json(capsys, root, "--fix")
    assert fix.err == "", fix.err
    changed = {p for p, text in originals.items() if Path(p).read_text(encoding="utf-8") != text}
    assert changed == set(safe_fixes)
    for path in sorted(changed):
        text = originals[path]
        try:
            expected, old, new = apply_edits(text, json_edits(text, safe_fixes[path]))
        except ValueError:  # overlapping fixes land over several passes: checked one by one above
            continue
        result = Path(path).read_text(encoding="utf-8")
        assert result == expected, f"{path}: --fix wrote something else than the safe edits of the report"
        assert confinement_problems(text, result, old, new) == [], path
    assert not [f for f in after if fixable(f, unsafe=False)], "safe fixes left after --fix"
    unsafe = Counter((f["filename"], f["code"]) for f in before if fixable(f) and not fixable(f, unsafe=False))
    assert Counter((f["filename"], f["code"]) for f in after if fixable(f)) == unsafe, "--fix applied unsafe fixes"


def test_fix_never_touches_a_file_made_unparseable(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """One package is enough: fastapi-users, small, with fixes in several files."""
    name = "fastapi_users"
    root, before = fresh_copy(name, tmp_path / "copy", tmp_path_factory, capsys)
    with_fixes = sorted({f["filename"] for f in before if f["fix"] is not None})
    if len(with_fixes) < 2:
        pytest.skip(f"{name} {package_version(name)}: fewer than two files with a fix; pick another package")
    broken = Path(with_fixes[0])
    data = broken.read_bytes() + b"\ndef broken(:\n    pass\n"
    broken.write_bytes(data)
    others = {p: Path(p).read_bytes() for p in with_fixes[1:]}

    fix, after = check_json(capsys, root, "--fix", "--unsafe-fixes")
    assert fix.code == 1 and broken.read_bytes() == data
    assert [f["code"] for f in after if f["filename"] == os.fspath(broken)] == ["E999"]
    assert all(Path(p).read_bytes() != old for p, old in others.items()), "the other files were not fixed"
    assert all(parses(Path(p)) for p in others)
    assert not [f for f in after if f["fix"] is not None]


def test_the_confinement_check_catches_changes_beyond_the_edits() -> None:
    """The oracle above, on small cases where the answer is known."""

    def problems(before: str, after: str, old: str, new: str) -> list[str]:
        # the edit: `old` (its first occurrence in `before`) became `new` (its first occurrence in `after`)
        s, t = before.index(old), after.index(new)
        return confinement_problems(before, after, [(s, s + len(old))], [(t, t + len(new))])

    src = "import os\n\n\ndef f(a, b=1):\n    x = g(a, 400)\n    return x\n\n\ny = 2\n"
    assert problems(src, src.replace("400", "status.OK"), "400", "status.OK") == []
    assert problems(src, src.replace("b=1", "b: int=1"), "b=1", "b: int=1") == []
    assert problems(src, src.replace("g(a, 400)", "g(a, 400, c)"), "400", "400, c") == []
    # What changed lies elsewhere than the edit claims.
    assert problems(src, src.replace("y = 2", "y = 3").replace("400", "401"), "400", "401")
    assert problems(src, src.replace("    return x\n", ""), "400", "400")
    assert problems(src, src.replace("def f", "async def f"), "400", "400")
    # The edit deletes `async `: a FunctionDef now, the same fields; nothing else may change.
    coroutine = src.replace("def f", "async def f")
    assert confinement_problems(coroutine, src, [(11, 17)], [(11, 11)]) == []
    assert confinement_problems(coroutine, src.replace("y = 2", "y = 3"), [(11, 17)], [(11, 11)])
    # An inserted statement inside the edit is fine; an import shadowing a name the module binds is not.
    imported = "from fastapi import Depends\n" + src
    assert problems(src, imported, "", "from fastapi import Depends\n") == []
    assert shadowing(src, imported) == []
    assert shadowing(src.replace("y = 2", "Depends = 2"), imported.replace("y = 2", "Depends = 2"))
