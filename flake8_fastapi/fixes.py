"""Text edits shared by the rules' fixes, and applying fixes to a source text.

Edits are computed from `ast` positions. `apply_fixes` applies non-overlapping edits back to front; a fix whose
edits overlap one already taken waits for the next pass (the CLI loops until nothing changes).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .model.facts import FunctionNode, ModuleFacts
from .model.source import SourceFile
from .rules.base import Edit, Finding, Fix


def apply_edits(text: str, source: SourceFile, edits: Iterable[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (source.offset(e.start), source.offset(e.end)), reverse=True)
    for edit in ordered:
        start, end = source.offset(edit.start), source.offset(edit.end)
        text = text[:start] + edit.content + text[end:]
    return text


def apply_fixes(source: SourceFile, findings: Iterable[Finding], unsafe: bool = False) -> tuple[str, list[Finding]]:
    """Apply every applicable fix that does not overlap an earlier one. Returns (new text, fixed findings)."""
    taken: list[tuple[int, int]] = []
    chosen: list[Edit] = []
    fixed: list[Finding] = []
    seen_edits: set[tuple[Edit, ...]] = set()
    chosen_set: set[Edit] = set()
    for finding in sorted(findings, key=Finding.sort_key):
        fix = finding.fix
        if fix is None or (fix.applicability == "unsafe" and not unsafe):
            continue
        if fix.edits in seen_edits:  # two findings sharing one fix (e.g. one import added)
            fixed.append(finding)
            continue
        # An edit identical to one already chosen (the same import added by two fixes) is shared, not a clash.
        fresh = [e for e in fix.edits if e not in chosen_set]
        spans = [(source.offset(e.start), source.offset(e.end)) for e in fresh]
        if any(_overlaps(s, t) for s in spans for t in taken):
            continue
        taken.extend(spans)
        chosen.extend(fresh)
        chosen_set.update(fresh)
        seen_edits.add(fix.edits)
        fixed.append(finding)
    return apply_edits(source.text, source, _dedupe(chosen)), fixed


def _dedupe(edits: list[Edit]) -> list[Edit]:
    return list(dict.fromkeys(edits))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a == b:
        return True
    # Two insertions at the same point, or an insertion inside a replaced range, conflict.
    return (
        (a[0] < b[1] and b[0] < a[1])
        or (a[0] == a[1] and b[0] <= a[0] < b[1])
        or (b[0] == b[1] and a[0] <= b[0] < a[1])
    )


def import_edit(facts: ModuleFacts, module: str, name: str, asname: str | None = None) -> Edit | None:
    """An edit that makes `name` from `module` importable in the file (as `asname` when given), or None if
    already bound to it.

    Extends an existing top-level `from module import ...` when there is one, else adds a line after the
    last top-level import (or the docstring / `from __future__` imports)."""
    qual = f"{module}.{name}"
    bound = facts.scope.bindings.get(asname or name)
    if bound == qual or (module == "typing" and bound == f"typing_extensions.{name}"):
        return None
    if asname is not None:
        name = f"{name} as {asname}"
    tree = facts.source.tree
    if tree is None:
        return None
    src = facts.source
    last_import: ast.stmt | None = None
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == module and stmt.level == 0:
            if any(a.name == "*" for a in stmt.names):
                return None
            last = stmt.names[-1]
            return Edit(src.end(last), src.end(last), f", {name}")
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (last_import is None and _is_docstring(stmt, tree)):
            last_import = stmt
        elif last_import is not None or not _is_docstring(stmt, tree):
            break
    line = f"from {module} import {name}{src.newline}"
    if last_import is None:
        # Before the first statement, so a shebang, coding cookie or leading comments stay first.
        first = tree.body[0].lineno if tree.body else len(src.lines) + 1
        return Edit((first, 0), (first, 0), line)
    end_line = last_import.end_lineno or last_import.lineno
    return (
        Edit((end_line + 1, 0), (end_line + 1, 0), line)
        if end_line < len(src.lines)
        else Edit(src.end(last_import), src.end(last_import), src.newline + line.rstrip("\r\n"))
    )


def _is_docstring(stmt: ast.stmt, tree: ast.Module) -> bool:
    return (
        stmt is tree.body[0]
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def insert_parameter(facts: ModuleFacts, fn: FunctionNode, text: str) -> Edit | None:
    """Add `text` (e.g. `item_id: int`) as the first parameter (after `self`/`cls` for methods)."""
    src = facts.source
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    if positional and positional[0].arg in ("self", "cls"):
        first = positional[0]
        end = src.end(first.annotation or first)
        return Edit(end, end, f", {text}")
    all_args = [*positional, *([args.vararg] if args.vararg else []), *args.kwonlyargs]
    if all_args:
        start = src.start(min(all_args, key=lambda a: (a.lineno, a.col_offset)))
        return Edit(start, start, f"{text}, ")
    if args.kwarg is not None:
        start = src.start(args.kwarg)
        # `**kwargs` is preceded by `**`: insert before the stars.
        return Edit((start[0], start[1] - 2), (start[0], start[1] - 2), f"{text}, ")
    # No parameters: find the "(" after the name.
    line_no = fn.lineno
    for deco in fn.decorator_list:
        line_no = max(line_no, (deco.end_lineno or deco.lineno) + 1)
    for lineno in range(line_no, (fn.body[0].lineno if fn.body else line_no) + 1):
        line = src.line(lineno)
        marker = f"def {fn.name}"
        idx = line.find(marker)
        if idx >= 0:
            paren = line.find("(", idx + len(marker))
            if paren >= 0:
                return Edit((lineno, paren + 1), (lineno, paren + 1), text)
    return None


def fix(message: str, *edits: Edit | None, unsafe: bool = False) -> Fix | None:
    """A Fix from edits; None if any edit could not be computed."""
    if not edits or any(e is None for e in edits):
        return None
    return Fix(message, tuple(e for e in edits if e is not None), "unsafe" if unsafe else "safe")
