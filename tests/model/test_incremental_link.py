"""Incremental relinking gives what a fresh index gives.

An edit keeps the link parts of every module the edited one cannot reach by imports. Each case below edits one
module of a project (the example shop, and the cross-file rule fixtures), and after the edit, and again after
undoing it, every module's findings (every rule, opt-in ones included) and the route table must equal those of
a project built from scratch from the same texts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flake8_fastapi.checker import check_module, discover
from flake8_fastapi.config import Settings
from flake8_fastapi.model.facts import ModuleFacts
from flake8_fastapi.model.project import Project
from flake8_fastapi.model.source import SourceFile
from flake8_fastapi.route_table import route_table
from flake8_fastapi.rules import all_rules

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "examples" / "shop"

# (file relative to the project, pattern, replacement): edits that change what other modules see, and edits
# that only move lines (stale positions in kept link parts would show in related locations and route lines).
EDITS = [
    ("app/api.py", r'prefix="/api/v1"', 'prefix="/api/v2"'),
    ("app/api.py", r"api_router.include_router\(users.router[^\n]*\n", ""),
    ("app/api.py", r"^", "# a new first line\n\n"),
    ("app/routers/users.py", r"router = APIRouter\(", "router = dict("),
    ("app/routers/users.py", r"^", "import os\n\n"),
    ("app/routers/users.py", r"@router\.get", "@router.post"),
    ("app/routers/orders.py", r'prefix="/orders"', 'prefix="/api/v1/users"'),
    ("app/routers/items.py", r"\ndef ", "\ndef renamed_"),
    ("app/deps.py", r"^", "\n\n\n"),
    ("app/deps.py", r"def get_", "def got_"),
    ("app/main.py", r"app\.include_router\(api_router\)\n", ""),
    ("app/main.py", r"app = FastAPI\(", "app = object("),
    ("app/models.py", r"class ", "class Renamed"),
    ("app/routers/__init__.py", r"^", "from . import users as users\n"),
]


def _all_codes() -> tuple[str, ...]:
    return tuple(all_rules())


def _snapshot(project: Project) -> tuple[object, ...]:
    settings = Settings(root=project.root, select=_all_codes())
    findings = []
    for path in sorted(project.modules):
        for f in check_module(project, project.modules[path], settings):
            related = tuple((r.path, r.start, r.message) for r in f.related)
            findings.append((f.code, f.path, f.start, f.end, f.message, related))
    routes = tuple(
        (r.module.path, r.site.call.lineno, r.methods, tuple(r.full_paths()), r.handler.name if r.handler else None)
        for r in project.routes
    )
    table = tuple((e.methods, e.path, e.name, e.file, e.line, e.app) for e in route_table(project))
    return tuple(findings), routes, table


def _fresh(root: str, texts: dict[str, str]) -> Project:
    project = Project(root)
    for path, text in texts.items():
        project.add_source(path, text)
    return project


def _copy(src: Path, dst: Path) -> dict[str, str]:
    texts = {}
    for path in discover([os.fspath(src)], Settings(root=os.fspath(src))):
        rel = os.path.relpath(path, src)
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = Path(path).read_text()
        target.write_text(text)
        texts[os.fspath(target)] = text
    for marker in ("pyproject.toml",):
        if (src / marker).exists():
            (dst / marker).write_text((src / marker).read_text())
    return texts


@pytest.mark.parametrize(("rel", "pattern", "replacement"), EDITS, ids=[f"{e[0]}:{e[1][:24]}" for e in EDITS])
def test_an_edit_relinks_like_a_fresh_build(tmp_path: Path, rel: str, pattern: str, replacement: str) -> None:
    texts = _copy(SHOP, tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    _snapshot(live)  # link everything once, so the edit has parts to keep
    path = os.fspath(tmp_path / rel)
    original = texts[path]
    edited = re.sub(pattern, replacement, original, count=1, flags=re.MULTILINE)
    assert edited != original, "the edit must change the module"

    live.add_source(path, edited)
    assert _snapshot(live) == _snapshot(_fresh(root, {**texts, path: edited}))

    live.add_source(path, original)
    assert _snapshot(live) == _snapshot(_fresh(root, texts))


def test_an_edit_keeps_the_parts_of_modules_that_do_not_import_it(tmp_path: Path) -> None:
    texts = _copy(SHOP, tmp_path)
    live = _fresh(os.fspath(tmp_path), texts)
    users = os.fspath(tmp_path / "app/routers/users.py")
    items = os.fspath(tmp_path / "app/routers/items.py")
    before = {id(r) for r in live.routes_of(live.modules[items])}
    users_routes = live.routes_of(live.modules[users])  # held: a freed route's id may be given to a new one
    users_before = {id(r) for r in users_routes}
    api = os.fspath(tmp_path / "app/api.py")
    api_includes = live._includes_of(live.modules[api])

    live.add_source(users, texts[users] + "\n# edited\n")
    assert {id(r) for r in live.routes_of(live.modules[items])} == before  # items does not import users
    # api imports users, but what it resolves there (names, kinds) is unchanged: its includes are kept.
    assert live._includes_of(live.modules[api]) is api_includes
    assert not users_before & {id(r) for r in live.routes_of(live.modules[users])}
    assert os.fspath(tmp_path / "app/api.py") in live.importers_of(users)
    assert items not in live.importers_of(users)

    live.add_source(users, texts[users].replace("router = APIRouter(", "router = dict("))
    assert live._includes_of(live.modules[api]) is not api_includes  # users no longer has a router


def _fixture_projects() -> list[Path]:
    base = REPO / "tests" / "fixtures" / "rules"
    return sorted(p for p in base.glob("*/*") if p.is_dir() and len(list(p.rglob("*.py"))) > 1)


@pytest.mark.parametrize("case", _fixture_projects(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_module_edit_in_fixture_projects(tmp_path: Path, case: Path) -> None:
    """Edit each module of each multi-file fixture (a shifted copy, then a module with its routers renamed)."""
    texts = _copy(case, tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    _snapshot(live)
    for path, original in texts.items():
        for edited in ("\n\n" + original, re.sub(r"\brouter\b", "other_router", original)):
            live.add_source(path, edited)
            assert _snapshot(live) == _snapshot(_fresh(root, {**texts, path: edited})), path
        live.add_source(path, original)
    assert _snapshot(live) == _snapshot(_fresh(root, texts))


def test_module_parts_are_recomputed_for_the_edited_module_and_its_importers(tmp_path: Path) -> None:
    texts = _copy(SHOP, tmp_path)
    live = _fresh(os.fspath(tmp_path), texts)
    computed: list[str] = []

    def part(facts: ModuleFacts) -> str:
        path = facts.path
        computed.append(os.path.relpath(path, tmp_path))
        return path

    for facts in live.modules.values():
        live.module_part(facts, "test.paths", part)
    assert len(computed) == len(live.modules)

    computed.clear()
    users = os.fspath(tmp_path / "app/routers/users.py")
    live.add_source(users, texts[users] + "\n# edited\n")
    for facts in live.modules.values():
        live.module_part(facts, "test.paths", part)
    expected = {"app/routers/users.py", *(os.path.relpath(p, tmp_path) for p in live.importers_of(users))}
    assert set(computed) == expected and "app/api.py" in expected and "app/routers/items.py" not in expected


def _spliced(live: Project, path: str, text: str) -> bool:
    """Re-extract `path` as the server does: re-parsing only the statement the edit touched. True if it did."""
    held = live.modules[path].source
    source = SourceFile.parse(path, text, previous=held)
    live.add_source(path, text, source.tree, editing=True)
    return (
        source.tree is not None
        and held.tree is not None
        and bool({id(s) for s in source.tree.body} & {id(s) for s in held.tree.body})
    )


@pytest.mark.parametrize("case", [SHOP, *_fixture_projects()[:12]], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spliced_edits_give_the_findings_of_a_fresh_build(tmp_path: Path, case: Path) -> None:
    """Edits inside one statement (a space after a parenthesis: every later column on the line moves), applied
    through `SourceFile.parse(previous=...)` as the server applies keystrokes, then undone."""
    texts = _copy(case, tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    _snapshot(live)
    spliced = 0
    for path, original in texts.items():
        lines = original.splitlines(keepends=True)
        for index in [i for i, line in enumerate(lines) if "(" in line][:6]:
            edited = "".join([*lines[:index], lines[index].replace("(", "( ", 1), *lines[index + 1 :]])
            spliced += _spliced(live, path, edited)
            assert _snapshot(live) == _snapshot(_fresh(root, {**texts, path: edited})), (path, index)
            _spliced(live, path, original)
    assert spliced > 0, "no edit took the spliced path"
    assert _snapshot(live) == _snapshot(_fresh(root, texts))
