"""Route path templates: `{name}` and `{name:converter}` parameters, and converter-aware matching."""

from __future__ import annotations

import re
from functools import lru_cache

PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?\}")

# Starlette's converters and the text each matches.
CONVERTERS = {
    "str": "[^/]+",
    "path": ".*",
    "int": "[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}


def path_params(path: str) -> list[tuple[str, str | None]]:
    """[(name, converter)] in order of appearance."""
    return [(m.group(1), m.group(2)) for m in PARAM.finditer(path)]


def param_names(path: str) -> list[str]:
    return [m.group(1) for m in PARAM.finditer(path)]


@lru_cache(maxsize=4096)
def path_regex(path: str) -> re.Pattern[str] | None:
    """The regex Starlette compiles for a path template; None for an unknown converter."""
    out = ["^"]
    last = 0
    for m in PARAM.finditer(path):
        out.append(re.escape(path[last : m.start()]))
        converter = CONVERTERS.get(m.group(2) or "str")
        if converter is None:
            return None
        out.append(f"(?P<{m.group(1)}>{converter})")
        last = m.end()
    out.append(re.escape(path[last:]))
    out.append("$")
    try:
        return re.compile("".join(out))
    except re.error:  # e.g. a parameter name used twice
        return None


def has_params(path: str) -> bool:
    return PARAM.search(path) is not None
