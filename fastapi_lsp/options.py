"""Editor settings (section `fastapi-lint`): rule selection on top of `[tool.fastapi-lint]`, feature switches.

Accepted from `initializationOptions` (either the section itself or `{"fastapi-lint": {...}}`),
`workspace/didChangeConfiguration` and `workspace/configuration`. Keys are camelCase as VS Code writes them;
the kebab-case spellings of pyproject.toml are accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flake8_fastapi.config import ConfigError, Settings, parse_codes

SECTION = "fastapi-lint"
FEATURES = ("diagnostics", "hover", "codeActions", "codeLens", "symbols", "completion", "definition")


@dataclass(frozen=True)
class Options:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    features: Mapping[str, bool] = field(default_factory=lambda: dict.fromkeys(FEATURES, True))
    workspace_diagnostics: bool = False
    diagnostic_mode: str = "auto"  # "auto" | "pull" | "push" (read from initializationOptions only)

    def enabled(self, feature: str) -> bool:
        return self.features.get(feature, True)

    def apply(self, settings: Settings) -> Settings:
        """The project's settings with the editor's selection on top (`select` replaces, the others extend)."""
        return settings.with_overrides(
            select=self.select,
            ignore=(*settings.ignore, *self.ignore) if self.ignore else None,
            extend_select=(*settings.extend_select, *self.extend_select) if self.extend_select else None,
        )


def _section(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        inner = value.get(SECTION)
        if isinstance(inner, Mapping):
            return inner
        return value
    return {}


def _get(table: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in table:
            return table[name]
    return None


def parse_options(value: Any, base: Options | None = None) -> Options:
    """Options from an editor's settings object. Raises ConfigError on an unknown rule code."""
    table = _section(value)
    options = base or Options()
    where = "editor settings (fastapi-lint)"
    changes: dict[str, Any] = {}
    for attr, names in (
        ("select", ("select",)),
        ("ignore", ("ignore",)),
        ("extend_select", ("extendSelect", "extend-select", "extend_select")),
    ):
        raw = _get(table, *names)
        # An empty list is an editor's "not set" (VS Code's default for array settings): keep the project's.
        if raw is not None:
            changes[attr] = parse_codes(raw, f"{where} {names[0]}") if raw not in ([], "") else None
    features = dict(options.features)
    for feature in FEATURES:
        raw = table.get(feature)
        if isinstance(raw, Mapping):  # {"diagnostics": {"enable": false}}
            raw = raw.get("enable")
        if raw is not None:
            if not isinstance(raw, bool):
                raise ConfigError(f"{where} {feature}: expected true or false, got {raw!r}")
            features[feature] = raw
    changes["features"] = features
    raw_mode = _get(table, "diagnosticMode", "diagnostic-mode")
    if raw_mode is not None:
        if raw_mode not in ("auto", "pull", "push"):
            raise ConfigError(f"{where} diagnosticMode: expected auto, pull or push, got {raw_mode!r}")
        changes["diagnostic_mode"] = raw_mode
    raw_ws = _get(table, "workspaceDiagnostics", "workspace-diagnostics")
    if isinstance(raw_ws, bool):
        changes["workspace_diagnostics"] = raw_ws
    return replace(options, **changes)
