"""A parsed source file and the position conversions every front end needs.

`ast` columns are UTF-8 byte offsets; findings and edits use code-point columns (what flake8 and ruff show);
the language server converts those to UTF-16 or UTF-8 as negotiated.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class SourceFile:
    path: str
    text: str
    tree: ast.Module | None = None
    syntax_error: SyntaxError | None = None
    _lines: list[str] | None = field(default=None, repr=False)

    @classmethod
    def parse(
        cls, path: str, text: str, tree: ast.Module | None = None, previous: SourceFile | None = None
    ) -> SourceFile:
        """Parse `text`. `previous`: the file's last parsed version, when the text is an edit of it (the editor's
        case): an edit inside one top-level statement re-parses that statement only (see `_splice`)."""
        src = cls(path, text, tree)
        if src.tree is None and previous is not None:
            src.tree = _splice(previous, text, src.lines)
        if src.tree is None:
            try:
                src.tree = ast.parse(text, filename=path, type_comments=False)
            except (SyntaxError, ValueError) as exc:  # ValueError: null bytes
                err = exc if isinstance(exc, SyntaxError) else SyntaxError(str(exc), (path, 1, 1, ""))
                src.syntax_error = err
            except (RecursionError, MemoryError):  # nesting too deep for the parser: the interpreter rejects it too
                src.syntax_error = SyntaxError("too deeply nested to parse", (path, 1, 1, ""))
        return src

    @property
    def lines(self) -> list[str]:
        """Lines with their line endings, as `str.splitlines(keepends=True)` but only on \\n, \\r\\n, \\r."""
        if self._lines is None:
            self._lines = _split_lines(self.text)
        return self._lines

    def line(self, lineno: int) -> str:
        lines = self.lines
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def char_col(self, lineno: int, byte_col: int) -> int:
        """Convert an `ast` UTF-8 byte column to a code-point column."""
        text = self.line(lineno)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def start(self, node: ast.AST) -> tuple[int, int]:
        lineno: int = getattr(node, "lineno", 1)
        return lineno, self.char_col(lineno, getattr(node, "col_offset", 0))

    def end(self, node: ast.AST) -> tuple[int, int]:
        lineno: int = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        col: int | None = getattr(node, "end_col_offset", None)
        if col is None:
            col = int(getattr(node, "col_offset", 0))
        return lineno, self.char_col(lineno, col)

    def segment(self, node: ast.AST) -> str:
        """The exact source text of a node."""
        start, end = self.start(node), self.end(node)
        return self.text_between(start, end)

    def offset(self, pos: tuple[int, int]) -> int:
        """Character offset in `text` of a (1-based line, 0-based code-point column) position."""
        line, col = pos
        return self._line_offsets[min(max(line, 1), len(self._line_offsets)) - 1] + col

    def text_between(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        return self.text[self.offset(start) : self.offset(end)]

    def indent_of(self, lineno: int) -> str:
        text = self.line(lineno)
        return text[: len(text) - len(text.lstrip(" \t"))]

    @cached_property
    def _line_offsets(self) -> list[int]:
        offsets = [0]
        for line in self.lines:
            offsets.append(offsets[-1] + len(line))
        return offsets

    @cached_property
    def newline(self) -> str:
        first = self.line(1)
        if first.endswith("\r\n"):
            return "\r\n"
        if first.endswith("\r"):
            return "\r"
        return "\n"


def _splice(previous: SourceFile, text: str, lines: list[str]) -> ast.Module | None:
    """`ast.parse(text)` built from `previous.tree` by re-parsing only the top-level statement an edit touched;
    None when that cannot be done, and the caller parses the whole text.

    It applies when the edit keeps the number of lines and its changed lines lie inside one top-level statement
    (decorators included) that shares no line with another, or only between statements. Such a statement starts
    a logical line at indentation 0 with nothing open, and the lines after it are unchanged and start at
    indentation 0 too, so if its new lines parse on their own, the whole text parses to the same tree with those
    nodes in place (shifted to their lines). The other statements are the previous tree's own nodes, unchanged.
    `tests/model/test_splice.py` checks it against `ast.parse` over many edits."""
    old_tree = previous.tree
    old_lines = previous.lines
    if old_tree is None or len(lines) != len(old_lines) or "barry_as_FLUFL" in text:
        return None
    first = 0
    count = len(lines)
    while first < count and lines[first] == old_lines[first]:
        first += 1
    if first == count:
        return old_tree if text == previous.text else None
    last = count - 1
    while lines[last] == old_lines[last]:
        last -= 1
    # Statements by their first line (decorators included) and last line, 1-based.
    body = old_tree.body
    starts = [_first_line(stmt) for stmt in body]
    index = bisect.bisect_right(starts, first + 1) - 1  # the last statement starting on or before the edit
    if index >= 0 and (body[index].end_lineno or 0) >= last + 1:
        start, end = starts[index], body[index].end_lineno or 0
        replaced = 1
        if (index > 0 and (body[index - 1].end_lineno or 0) >= start) or (
            index + 1 < len(body) and starts[index + 1] <= end
        ):
            return None  # shares a line with a neighbour (`a = 1; b = 2`)
    else:
        # Between statements: the changed lines must still hold no code.
        after = index + 1
        if (index >= 0 and (body[index].end_lineno or 0) >= first + 1) or (
            after < len(body) and starts[after] <= last + 1
        ):
            return None  # the edit straddles a statement boundary
        start, end, replaced, index = first + 1, last + 1, 0, after
    try:
        segment = ast.parse("".join(lines[start - 1 : end]), type_comments=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(segment.body) != replaced:
        return None
    for stmt in segment.body:
        ast.increment_lineno(stmt, start - 1)
    tree = ast.Module(body=[*body[:index], *segment.body, *body[index + replaced :]], type_ignores=[])
    return tree


def _first_line(stmt: ast.stmt) -> int:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.decorator_list:
        return min(stmt.lineno, *(d.lineno for d in stmt.decorator_list))
    return stmt.lineno


_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _split_lines(text: str) -> list[str]:
    # Python's tokenizer breaks lines only on \n, \r\n and \r; str.splitlines also breaks on form feeds etc.
    if not _EXOTIC_BREAKS.search(text):
        return text.splitlines(keepends=True)
    return _LINE.findall(text)
