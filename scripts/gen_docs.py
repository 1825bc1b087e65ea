#!/usr/bin/env python3
"""Generate the rule table in README.md and one page per rule in docs/rules/ from the rule registry.

    python scripts/gen_docs.py          # rewrite what is out of date
    python scripts/gen_docs.py --check  # exit 1 and name what is out of date (tests/test_docs_sync.py)

The README table sits between `<!-- rules:start -->` and `<!-- rules:end -->`. A page comes from
`flake8_fastapi.docs.rule_markdown(code)` when that exists, else from the rule's own documentation. Each guide
in docs/guides/ that exists gets its area's rule table (`flake8_fastapi.docs.render_guide`).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from flake8_fastapi.rules import all_rules  # noqa: E402
from flake8_fastapi.rules.base import Rule  # noqa: E402

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"
DOCS_DIR = Path("docs") / "rules"
GUIDES_DIR = Path("docs") / "guides"


def _markdown_renderer() -> Callable[[str], str] | None:
    try:
        module = importlib.import_module("flake8_fastapi.docs")
    except ImportError:
        return None
    render = getattr(module, "rule_markdown", None)
    if not callable(render):
        return None
    if "relative_links" in inspect.signature(render).parameters:  # pages link their guide relatively
        return functools.partial(render, relative_links=True)
    return render  # type: ignore[no-any-return]


def _guide_renderer() -> Callable[[str, str], str] | None:
    try:
        module = importlib.import_module("flake8_fastapi.docs")
    except ImportError:
        return None
    render = getattr(module, "render_guide", None)
    return render if callable(render) else None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_table(rules: dict[str, Rule]) -> str:
    lines = [
        "| Code | Name | Default | Fix | Summary |",
        "|---|---|---|---|---|",
    ]
    for code, rule in rules.items():
        lines.append(
            f"| [{code}]({DOCS_DIR.as_posix()}/{code}.md) | `{rule.name}` | {'on' if rule.default else 'opt-in'} "
            f"| {rule.fix or '-'} | {_cell(rule.summary)} |"
        )
    lines.append("")
    lines.append(f"{len(rules)} rules, {sum(r.default for r in rules.values())} on by default.")
    return "\n".join(lines)


def render_page(rule: Rule, renderer: Callable[[str], str] | None) -> str:
    if renderer is not None:
        text = renderer(rule.code)
    else:
        fix = {"safe": "a safe fix", "unsafe": "an unsafe fix (applied with `--unsafe-fixes`)", None: "no fix"}
        text = (
            f"# {rule.code}: {rule.name}\n\n"
            f"{rule.summary}\n\n"
            f"{'On' if rule.default else 'Off (opt-in)'} by default; {fix[rule.fix]}.\n\n"
            f"{rule.docs.strip()}\n"
        )
    return text.rstrip("\n") + "\n"


def replace_block(readme: str, block: str) -> str:
    start = readme.find(START)
    end = readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md must contain {START} ... {END}")
    return readme[: start + len(START)] + "\n" + block + "\n" + readme[end:]


def expected_files(repo: Path = REPO) -> dict[Path, str]:
    """Every generated file with the content it should have."""
    rules = all_rules()
    renderer = _markdown_renderer()
    readme_path = repo / "README.md"
    out = {readme_path: replace_block(readme_path.read_text(encoding="utf-8"), render_table(rules))}
    for code, rule in rules.items():
        out[repo / DOCS_DIR / f"{code}.md"] = render_page(rule, renderer)
    render_guide = _guide_renderer()
    guides = repo / GUIDES_DIR
    if render_guide is not None and guides.is_dir():
        for guide in sorted(guides.glob("*.md")):
            out[guide] = render_guide(guide.read_text(encoding="utf-8"), guide.stem)
    return out


def stale(repo: Path = REPO) -> tuple[list[Path], list[Path]]:
    """(files whose content is out of date or missing, pages of rules that no longer exist)."""
    wanted = expected_files(repo)
    changed = [p for p, text in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    pages = repo / DOCS_DIR
    extra = sorted(p for p in pages.glob("*.md") if p not in wanted) if pages.is_dir() else []
    return changed, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="report what is out of date; change nothing")
    args = parser.parse_args(argv)
    changed, extra = stale(REPO)
    if args.check:
        for path in changed:
            print(f"out of date: {path.relative_to(REPO)}")
        for path in extra:
            print(f"no such rule: {path.relative_to(REPO)}")
        if changed or extra:
            print("run: python scripts/gen_docs.py")
            return 1
        return 0
    wanted = expected_files(REPO)
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
