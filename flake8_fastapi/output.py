"""Output formats of `fastapi-lint check`: full, concise, json (ruff's shape), github, sarif; statistics.

Positions in findings are (1-based line, 0-based code-point column); every format prints 1-based columns.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from . import __version__
from .docs import UnknownRule, rule_url
from .rules import all_rules, get_rule
from .rules.base import Edit, Finding

FORMATS = ("full", "concise", "json", "github", "sarif")
SourceLines = Callable[[str], Sequence[str]]  # path -> its lines (without line endings); [] when unknown


def display_path(path: str, cwd: str | None = None) -> str:
    cwd = cwd or os.getcwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


@cache
def url_of(code: str) -> str | None:
    try:
        return rule_url(code)
    except UnknownRule:
        return None


def fixable_marker(finding: Finding, unsafe: bool = False) -> str:
    fix = finding.fix
    if fix is not None and (fix.applicability == "safe" or unsafe):
        return "[*] "
    return ""


# -- concise / full ------------------------------------------------------------------------------------
def concise_line(finding: Finding, cwd: str | None = None) -> str:
    """`path:row:col: CODE message`, as flake8 prints it."""
    line, col = finding.start
    return f"{display_path(finding.path, cwd)}:{line}:{col + 1}: {finding.code} {finding.message}"


def format_concise(findings: Iterable[Finding], cwd: str | None = None) -> str:
    return "".join(concise_line(f, cwd) + "\n" for f in findings)


def format_full(
    findings: Iterable[Finding], lines_of: SourceLines, cwd: str | None = None, unsafe: bool = False
) -> str:
    """Like ruff's full format: code and message, location, the source line with carets, the fix hint."""
    blocks: list[str] = []
    for f in findings:
        line, col = f.start
        out = [
            f"{f.code} {fixable_marker(f, unsafe)}{f.message}",
            f" --> {display_path(f.path, cwd)}:{line}:{col + 1}",
        ]
        lines = lines_of(f.path)
        if 0 < line <= len(lines):
            text = lines[line - 1].expandtabs(1)
            width = len(str(line))
            end_col = f.end[1] if f.end[0] == line and f.end[1] > col else len(text)
            carets = "^" * max(1, min(end_col, len(text)) - col)
            pad = " " * width
            out += [f"{pad} |", f"{line} | {text}", f"{pad} | {' ' * col}{carets}", f"{pad} |"]
        if f.fix is not None:
            kind = "" if f.fix.applicability == "safe" else " (unsafe)"
            out.append(f"help: {f.fix.message}{kind}")
        for rel in f.related:
            out.append(f"note: {display_path(rel.path, cwd)}:{rel.start[0]}:{rel.start[1] + 1}: {rel.message}")
        blocks.append("\n".join(out) + "\n")
    return "\n".join(blocks)


def summary(findings: Sequence[Finding], unsafe: bool = False, fixed: int = 0) -> str:
    """The closing lines: how many were found, fixed, and are fixable."""
    parts: list[str] = []
    n = len(findings)
    if fixed and n:
        parts.append(f"Found {n + fixed} error{'s' if n + fixed != 1 else ''} ({fixed} fixed, {n} remaining).")
    elif fixed:
        parts.append(f"Found {fixed} error{'s' if fixed != 1 else ''} ({fixed} fixed, 0 remaining).")
    elif n:
        parts.append(f"Found {n} error{'s' if n != 1 else ''}.")
    else:
        parts.append("All checks passed!")
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    hidden = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe")
    if unsafe:
        safe, hidden = safe + hidden, 0
    if safe:
        parts.append(f"[*] {safe} fixable with the `--fix` option.")
    if hidden:
        parts.append(
            f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` option."
        )
    return "\n".join(parts) + "\n"


# -- json ----------------------------------------------------------------------------------------------
def _loc(pos: tuple[int, int]) -> dict[str, int]:
    return {"row": pos[0], "column": pos[1] + 1}


def _edit_json(edit: Edit) -> dict[str, Any]:
    return {"content": edit.content, "location": _loc(edit.start), "end_location": _loc(edit.end)}


def finding_json(f: Finding) -> dict[str, Any]:
    fix = (
        None
        if f.fix is None
        else {
            "applicability": f.fix.applicability,
            "message": f.fix.message,
            "edits": [_edit_json(e) for e in f.fix.edits],
        }
    )
    return {
        "cell": None,
        "code": f.code,
        "end_location": _loc(f.end),
        "filename": os.path.abspath(f.path),
        "fix": fix,
        "location": _loc(f.start),
        "message": f.message,
        "noqa_row": f.start[0],
        "url": url_of(f.code),
    }


def format_json(findings: Iterable[Finding]) -> str:
    return json.dumps([finding_json(f) for f in findings], indent=2) + "\n"


# -- github --------------------------------------------------------------------------------------------
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Iterable[Finding], cwd: str | None = None) -> str:
    out: list[str] = []
    for f in findings:
        (line, col), (end_line, end_col) = f.start, f.end
        props = (
            f"title={_escape_property(f'fastapi-lint ({f.code})')},file={_escape_property(os.path.abspath(f.path))},"
            f"line={line},col={col + 1},endLine={end_line},endColumn={end_col + 1}"
        )
        out.append(f"::error {props}::{_escape_data(concise_line(f, cwd))}\n")
    return "".join(out)


# -- sarif ---------------------------------------------------------------------------------------------
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def format_sarif(findings: Sequence[Finding]) -> str:
    rules = all_rules()
    used = sorted({f.code for f in findings} | set(rules))
    index = {code: i for i, code in enumerate(used)}
    descriptors: list[dict[str, Any]] = []
    for code in used:
        rule = get_rule(code)
        if rule is None:  # E999
            descriptors.append(
                {"id": code, "name": "syntax-error", "shortDescription": {"text": "The file does not parse"}}
            )
            continue
        descriptors.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.docs.strip()},
                "help": {"text": rule.summary, "markdown": rule.docs.strip()},
                "helpUri": url_of(code),
                "defaultConfiguration": {"enabled": rule.default, "level": "error"},
                "properties": {"tags": sorted({rule.area, *rule.tags}), "fix": rule.fix, "peers": list(rule.peers)},
            }
        )
    results: list[dict[str, Any]] = []
    for f in findings:
        (line, col), (end_line, end_col) = f.start, f.end
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {
                            "startLine": line,
                            "startColumn": col + 1,
                            "endLine": end_line,
                            "endColumn": end_col + 1,
                        },
                    }
                }
            ],
        }
        if f.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": r.message},
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(r.path)},
                        "region": {"startLine": r.start[0], "startColumn": r.start[1] + 1},
                    },
                }
                for i, r in enumerate(f.related)
            ]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-lint",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/fastapi-lint/",
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _uri(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


# -- statistics ----------------------------------------------------------------------------------------
def format_statistics(findings: Iterable[Finding], unsafe: bool = False) -> str:
    """`count<TAB>code<TAB>[*] name`, most frequent first, like ruff."""
    findings = list(findings)
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if fixable_marker(f, unsafe)}
    if not counts:
        return ""
    count_w = max(len(str(c)) for c in counts.values())
    code_w = max(len(c) for c in counts)
    lines = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = get_rule(code)
        name = rule.name if rule is not None else "syntax-error"
        mark = "[*]" if code in fixable else "[ ]"
        lines.append(f"{count:>{count_w}}\t{code:<{code_w}}\t{mark} {name}\n")
    return "".join(lines)


def statistics_json(findings: Iterable[Finding], unsafe: bool = False) -> str:
    """`--statistics --output-format json`: [{code, name, count, fixable}], most frequent first."""
    findings = list(findings)
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if fixable_marker(f, unsafe)}
    rows = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = get_rule(code)
        rows.append(
            {
                "code": code,
                "name": rule.name if rule is not None else "syntax-error",
                "count": count,
                "fixable": code in fixable,
            }
        )
    return json.dumps(rows, indent=2) + "\n"


def rules_json() -> list[dict[str, Any]]:
    """`rule --all --output-format json`."""
    return [
        {
            "code": rule.code,
            "name": rule.name,
            "summary": rule.summary,
            "default": rule.default,
            "fix": rule.fix,
            "docs": rule.docs,
            "url": url_of(rule.code),
            "scope": rule.scope,
            "peers": list(rule.peers),
        }
        for rule in all_rules().values()
    ]
