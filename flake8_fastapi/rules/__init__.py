"""The rule registry: every module under `flake8_fastapi.rules.<area>` that defines `RULE` is a rule.

Adding a rule is adding its module; nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import Rule

AREA_PACKAGES = (
    "routes",
    "params",
    "concurrency",
    "models",
    "security",
    "errors",
    "database",
    "testing",
    "app",
)


@cache
def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for area in AREA_PACKAGES:
        package = importlib.import_module(f"{__name__}.{area}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rule = getattr(module, "RULE", None)
            if isinstance(rule, Rule):
                if rule.code in rules:
                    raise RuntimeError(f"duplicate rule code {rule.code}")
                rules[rule.code] = rule
    return dict(sorted(rules.items()))


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())
