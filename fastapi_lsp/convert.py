"""Positions: the library's (1-based line, code-point column) <-> LSP (0-based line, negotiated units)."""

from __future__ import annotations

from lsprotocol import types

from flake8_fastapi.model.source import SourceFile

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def units(line: str, col: int, encoding: str) -> int:
    """Code-point column -> column in `encoding` units."""
    prefix = _body(line)[:col]
    if encoding == UTF32 or prefix.isascii():
        return len(prefix)
    if encoding == UTF8:
        return len(prefix.encode("utf-8"))
    return len(prefix.encode("utf-16-le")) // 2


def code_points(line: str, column: int, encoding: str) -> int:
    """Column in `encoding` units -> code-point column (clamped to the line)."""
    body = _body(line)
    if body.isascii() or encoding == UTF32:
        return min(column, len(body))
    if encoding == UTF8:
        data = body.encode("utf-8")[:column]
        return len(data.decode("utf-8", errors="ignore"))
    data16 = body.encode("utf-16-le")[: column * 2]
    return len(data16.decode("utf-16-le", errors="ignore"))


def position(source: SourceFile, pos: tuple[int, int], encoding: str) -> types.Position:
    line, col = pos
    line = max(line, 1)
    return types.Position(line=line - 1, character=units(source.line(line), col, encoding))


def range_of(source: SourceFile, start: tuple[int, int], end: tuple[int, int], encoding: str) -> types.Range:
    return types.Range(start=position(source, start, encoding), end=position(source, end, encoding))


def from_lsp(source: SourceFile, pos: types.Position, encoding: str) -> tuple[int, int]:
    """LSP position -> (1-based line, code-point column)."""
    line = pos.line + 1
    return line, code_points(source.line(line), pos.character, encoding)


def whole_range(text: str, encoding: str) -> types.Range:
    """The range covering a whole document."""
    source = SourceFile(path="", text=text)
    lines = source.lines
    if not lines:
        end = types.Position(line=0, character=0)
    elif lines[-1].endswith(("\n", "\r")):
        end = types.Position(line=len(lines), character=0)
    else:
        end = types.Position(line=len(lines) - 1, character=units(lines[-1], len(lines[-1]), encoding))
    return types.Range(start=types.Position(line=0, character=0), end=end)
