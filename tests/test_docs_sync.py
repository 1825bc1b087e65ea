"""README's rule table and docs/rules/*.md are generated from the registry: they must be up to date."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from flake8_fastapi.rules import all_rules

REPO = Path(__file__).resolve().parent.parent


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_docs", module)
    spec.loader.exec_module(module)
    return module


def test_readme_and_rule_pages_are_up_to_date() -> None:
    changed, extra = _gen_docs().stale(REPO)
    names = [p.relative_to(REPO).as_posix() for p in [*changed, *extra]]
    assert not names, f"out of date: {names}; run `python scripts/gen_docs.py`"


def test_readme_table_lists_every_registered_rule_once() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    listed = re.findall(r"^\| \[(FPA\d{3})\]", block, flags=re.MULTILINE)
    assert listed == sorted(all_rules())
    for code in listed:
        assert (REPO / "docs" / "rules" / f"{code}.md").is_file()


def test_check_mode_notices_a_stale_table(tmp_path: Path) -> None:
    gen = _gen_docs()
    (tmp_path / "README.md").write_text("# x\n\n<!-- rules:start -->\nold\n<!-- rules:end -->\n", encoding="utf-8")
    changed, _ = gen.stale(tmp_path)
    assert tmp_path / "README.md" in changed
    fresh = gen.expected_files(tmp_path)
    for path, text in fresh.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "docs" / "rules" / "FPA000.md").write_text("gone\n", encoding="utf-8")
    changed, extra = gen.stale(tmp_path)
    assert changed == []
    assert extra == [tmp_path / "docs" / "rules" / "FPA000.md"]
