"""Route path templates: `{name}` and `{name:converter}` parameters, and converter-aware matching."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

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


class PathPattern(Protocol):
    def match(self, string: str, /) -> object | None: ...


_WHOLE = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?\}\Z")
_UUID = re.compile(CONVERTERS["uuid"] + r"\Z")


class _Segments:
    """What the regex of a template made of whole segments (`/items/{id:int}/{rest:path}`) matches, decided
    segment by segment: a project has hundreds of templates, and compiling a regex for each cost more than
    every match made with them."""

    def __init__(self, path: str, segments: list[tuple[str, str | None]], rest: bool) -> None:
        self.path = path
        self.segments = segments  # (literal text, None) or (converter, "") per segment
        self.rest = rest  # a last segment `{name:path}` follows them: it matches the remainder, "/" included

    def match(self, string: str, /) -> object | None:
        if "\n" in string:  # the regex's `$` also matches before a final newline: let it decide
            compiled = _compiled(self.path)
            return None if compiled is None else compiled.match(string)
        parts = string.split("/")
        count = len(self.segments)
        if (len(parts) <= count) if self.rest else (len(parts) != count):
            return None  # `{name:path}` needs the "/" before it; otherwise as many segments as the template
        for (text, kind), part in zip(self.segments, parts):
            if kind is None:
                if part != text:
                    return None
            elif not _converts(text, part):
                return None
        return True


def _converts(converter: str, part: str) -> bool:
    if converter == "str":
        return part != ""
    if converter == "int":
        return part.isascii() and part.isdigit()
    if converter == "float":
        whole, dot, fraction = part.partition(".")
        return whole.isascii() and whole.isdigit() and (not dot or (fraction.isascii() and fraction.isdigit()))
    return _UUID.match(part) is not None  # "uuid"


@lru_cache(maxsize=4096)
def path_regex(path: str) -> PathPattern | None:
    """What Starlette's compiled regex for a path template matches (`.match(url)`); None for an unknown
    converter or a parameter name used twice."""
    segments: list[tuple[str, str | None]] = []
    names: set[str] = set()
    rest = False
    parts = path.split("/")
    for index, part in enumerate(parts):
        whole = _WHOLE.match(part)
        if whole is None:
            if "{" in part and PARAM.search(part):
                return _compiled(path)  # a parameter inside a segment (`{name}.txt`)
            segments.append((part, None))
            continue
        name, converter = whole.group(1), whole.group(2) or "str"
        if converter not in CONVERTERS or name in names:
            return _compiled(path)
        names.add(name)
        if converter == "path":
            if index != len(parts) - 1:
                return _compiled(path)
            rest = True
            break
        segments.append((converter, ""))
    return _Segments(path, segments, rest)


@lru_cache(maxsize=256)
def _compiled(path: str) -> re.Pattern[str] | None:
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
