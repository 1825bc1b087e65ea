"""Long runs of edits, as an editor sends them, give what a fresh index gives after every one of them.

Tables kept across updates (`Project.incremental`, module parts, per-route memos) carry state from one edit to
the next; undoing each edit at once (test_incremental_link.py) would not catch a table that drifts. Here a
seeded sequence of edits (inside bodies, route paths and methods, operation ids, names, dependencies, includes,
prefixes, whole routes added and removed) is applied to one project after another, each through the spliced
re-parse the server uses, and after every edit every finding of every rule, the routes and the route table
must equal those of a project built from scratch.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flake8_fastapi.model.project import Project
from tests.model.edit_runs import apply_edit, run_edits
from tests.model.test_incremental_link import REPO, SHOP, _copy, _fresh

FIXTURES = REPO / "tests" / "fixtures" / "rules"
PROJECTS = [
    SHOP,
    FIXTURES / "FPA103" / "bad_cross_file",
    FIXTURES / "FPA103" / "good_many_apps",
    FIXTURES / "FPA104" / "good_not_shadowed",
    FIXTURES / "FPA105" / "bad_forgotten",
    FIXTURES / "FPA109" / "bad_cross_file",
    FIXTURES / "FPA109" / "good_versions",
    FIXTURES / "FPA203" / "bad_cross_file",
    FIXTURES / "FPA203" / "good_diamond",
]

# (pattern, replacement): each applied at one of its matches, chosen by the seeded generator.
EDITS: list[tuple[str, str]] = [
    (r"return ", "return  "),  # inside a body, columns move
    (r'"(/[^"]*)"', r'"\1/x"'),  # a route path or prefix
    (r'"(/[^"]*)/x"', r'"\1"'),  # ... and back
    (r"\.get\(", ".post("),
    (r"\.post\(", ".get("),
    (r'operation_id="(\w+)"', r'operation_id="\1_2"'),
    (r'operation_id="(\w+)_2"', r'operation_id="\1"'),
    (r"def (\w+)\(", r"def \1_b("),
    (r"def (\w+)_b\(", r"def \1("),
    (r"Depends\((\w+)\)", r"Depends(\1_b)"),
    (r"Depends\((\w+)_b\)", r"Depends(\1)"),
    (r"\n(\w+)\.include_router\(", r"\n# \1.include_router("),
    (r"\n# (\w+)\.include_router\(", r"\n\1.include_router("),
    (r'prefix="([^"]*)"', r'prefix="\1/v2"'),
    (r"\n@(\w+)\.", r"\n# @\1."),  # a route unregistered
    (r"\n# @(\w+)\.", r"\n@\1."),
]


@pytest.mark.parametrize("case", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_sequence_of_edits_stays_equal_to_fresh_builds(tmp_path: Path, case: Path) -> None:
    texts = _copy(case, tmp_path)
    applied = run_edits(
        os.fspath(tmp_path),
        texts,
        f"{case.parent.name}/{case.name}",
        80,
        lambda rng, text: apply_edit(rng, text, EDITS),
        compare=lambda step: step % 2 == 0 or step > 60,  # every other step, then every step: no drift
    )
    assert applied >= 8


def test_changed_since_names_the_edited_module_and_its_importers(tmp_path: Path) -> None:
    texts = _copy(SHOP, tmp_path)
    live = _fresh(os.fspath(tmp_path), texts)
    start = live.revision
    users = os.fspath(tmp_path / "app/routers/users.py")
    live.add_source(users, texts[users] + "\n# edited\n")
    changed = live.changed_since(start)
    assert changed is not None and users in changed
    assert live.importers_of(users) <= changed
    assert os.fspath(tmp_path / "app/routers/items.py") not in changed
    assert live.changed_since(live.revision) == frozenset()
    live.add_source(os.fspath(tmp_path / "app/new_module.py"), "x = 1\n")
    assert live.changed_since(start) is None  # a module added: anything may have changed


def test_incremental_tables_are_updated_with_the_changed_paths(tmp_path: Path) -> None:
    texts = _copy(SHOP, tmp_path)
    live = _fresh(os.fspath(tmp_path), texts)
    calls: list[object] = []

    def build(project: Project) -> dict[str, int]:
        calls.append("build")
        return {path: len(facts.functions) for path, facts in project.modules.items()}

    def update(project: Project, table: dict[str, int], changed: frozenset[str]) -> dict[str, int]:
        calls.append(sorted(os.path.relpath(p, tmp_path) for p in changed))
        return {**table, **{p: len(project.modules[p].functions) for p in changed}}

    assert live.incremental("t", build, update) == build(live)
    calls.clear()
    users = os.fspath(tmp_path / "app/routers/users.py")
    live.add_source(users, texts[users] + "\n\ndef extra() -> None: ...\n")
    table = live.incremental("t", build, update)
    assert table == build(live) and calls[0] != "build" and "app/routers/users.py" in calls[0]  # type: ignore[operator]
    calls.clear()
    assert live.incremental("t", build, update) is table and calls == []  # same revision: kept
