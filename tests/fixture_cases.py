"""Rule fixtures: `tests/fixtures/rules/<CODE>/<case>` is a .py file or a directory (a small project).

Expected findings are marked inline on the line they are reported at: `# expect: FPA101:10` (1-based column,
as flake8 prints it); several as `# expect: FPA101:10, FPA102:5`. A case whose name starts with `good` must
have no marker and produce nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
MARKER = re.compile(r"#\s*expect:\s*(?P<items>FPA\d{3}:\d+(?:\s*,\s*FPA\d{3}:\d+)*)")


@dataclass(frozen=True)
class Case:
    code: str
    path: Path  # a file or a directory

    @property
    def id(self) -> str:
        return f"{self.code}/{self.path.name}"

    @property
    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        return sorted(p for p in self.path.rglob("*.py"))

    @property
    def root(self) -> Path:
        return self.path.parent if self.path.is_file() else self.path

    def expected(self) -> set[tuple[str, int, int, str]]:
        """{(file, line, 1-based column, code)}."""
        out: set[tuple[str, int, int, str]] = set()
        for file in self.files:
            for lineno, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                m = MARKER.search(line)
                if m:
                    for item in m.group("items").split(","):
                        code, col = item.strip().split(":")
                        out.add((os.fspath(file.resolve()), lineno, int(col), code))
        return out


def all_cases() -> list[Case]:
    cases: list[Case] = []
    if not FIXTURES.is_dir():
        return cases
    for code_dir in sorted(FIXTURES.iterdir()):
        if not code_dir.is_dir():
            continue
        for entry in sorted(code_dir.iterdir()):
            if entry.name.startswith(("_", ".")) or entry.name == "__pycache__":
                continue
            if entry.is_dir() or entry.suffix == ".py":
                cases.append(Case(code_dir.name, entry))
    return cases
