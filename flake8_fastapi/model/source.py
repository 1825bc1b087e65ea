"""A parsed source file and the position conversions every front end needs.

`ast` columns are UTF-8 byte offsets; findings and edits use code-point columns (what flake8 and ruff show);
the language server converts those to UTF-16 or UTF-8 as negotiated.
"""

from __future__ import annotations

import ast
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
    def parse(cls, path: str, text: str, tree: ast.Module | None = None) -> SourceFile:
        src = cls(path, text, tree)
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


_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _split_lines(text: str) -> list[str]:
    # Python's tokenizer breaks lines only on \n, \r\n and \r; str.splitlines also breaks on form feeds etc.
    if not _EXOTIC_BREAKS.search(text):
        return text.splitlines(keepends=True)
    return _LINE.findall(text)
