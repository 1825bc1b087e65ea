"""What `--fix` / `--diff` did, for the report (apart from `fix_runner`: a check without them never imports it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FixReport:
    fixed: dict[str, int] = field(default_factory=dict)  # path -> findings fixed
    diffs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.fixed.values())
