"""Facts of an edited module, re-extracting only the top-level statement the edit replaced.

The server re-extracts a module on every keystroke. `SourceFile.parse(previous=...)` keeps every top-level
statement the edit did not touch as the very same `ast` node; here their share of the facts (functions, calls,
names read, ...) is kept too, and only the new statement is walked. That is exact when the new statement makes
the same module-level bindings as the one it replaces: every other statement's names then resolve as before.

`extract_recorded` extracts a module one statement at a time and keeps each statement's share in the facts;
`reextract` builds the next version from those shares, or says it cannot (None) and the caller extracts afresh.
`tests/model/test_reextract.py` compares both with a plain `extract` over many edits.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from .extract import _DISPATCH, _Extractor, extract
from .facts import Assignment, CallSite, ClassInfo, CompareSite, FunctionInfo, ModuleFacts, RouteSite, Scope
from .source import SourceFile

_SHARES = "reextract.shares"  # key of the shares in ModuleFacts.memo


class _Recording(dict[str, str]):
    """A module scope's bindings that log every write: a statement's log is what it does to the scope."""

    def __init__(self, items: dict[str, str]) -> None:
        super().__init__(items)
        self.log: list[tuple[str, str]] = []

    def __setitem__(self, key: str, value: str) -> None:
        self.log.append((key, value))
        super().__setitem__(key, value)


@dataclass(eq=False)
class _Share:
    """What one top-level statement adds to its module's facts (no reference to the source it was read from:
    a share outlives the versions of the text it was not edited in)."""

    node: ast.stmt
    writes: list[tuple[str, str]]  # its writes to the module scope's bindings, in order
    functions: dict[str, FunctionInfo]
    classes: dict[str, ClassInfo]
    assignments: dict[str, Assignment]
    calls: list[CallSite]
    routes: list[RouteSite]
    compares: list[CompareSite]
    imports: dict[str, ast.Import | ast.ImportFrom]
    import_nodes: list[tuple[ast.Import | ast.ImportFrom, Scope]]
    loaded: set[str]
    param_annotations: dict[str, str]

    @staticmethod
    def of(node: ast.stmt, writes: list[tuple[str, str]], part: ModuleFacts) -> _Share:
        return _Share(
            node, writes, part.functions, part.classes, part.assignments, part.calls, part.routes, part.compares,
            part.imports, part.import_nodes, part.loaded, part.param_annotations,
        )  # fmt: skip


def extract_recorded(source: SourceFile, module: str, is_package: bool = False) -> ModuleFacts:
    """`extract()`, one statement at a time, keeping each statement's share for `reextract`."""
    scope = Scope(module, None, "module")
    facts = ModuleFacts(module, source, is_package, scope)
    if source.tree is None:
        return facts
    shares = _walk(source, module, is_package, scope, list(source.tree.body), {})
    if shares is None:  # too deeply nested, or a module-level `global`: a plain extraction
        return extract(source, module, is_package)
    _merge(facts, shares)
    return facts


def reextract(old: ModuleFacts, source: SourceFile) -> ModuleFacts | None:
    """The facts of `source`, an edit of `old.source` that kept all but (at most) one top-level statement as the
    same nodes; None when `old` has no shares or the edit changed what the module binds at module level."""
    shares = old.memo.get(_SHARES)
    tree, old_tree = source.tree, old.source.tree
    if not isinstance(shares, list) or tree is None or old_tree is None or len(tree.body) != len(shares):
        return None
    changed = [i for i, (stmt, share) in enumerate(zip(tree.body, shares)) if stmt is not share.node]
    if len(changed) > 1:
        return None
    new_shares = list(shares)
    if changed:
        index = changed[0]
        before: dict[str, str] = {}
        for share in shares[:index]:
            before.update(share.writes)
        walked = _walk(source, old.module, old.is_package, old.scope, [tree.body[index]], before, keep=True)
        if walked is None or walked[0].writes != shares[index].writes:
            return None  # binds something else at module level: other statements may resolve differently
        new_shares[index] = walked[0]
    facts = ModuleFacts(old.module, source, old.is_package, old.scope)
    _merge(facts, new_shares)
    return facts


def _walk(
    source: SourceFile,
    module: str,
    is_package: bool,
    scope: Scope,
    body: list[ast.stmt],
    before: dict[str, str],
    keep: bool = False,
) -> list[_Share] | None:
    """Walk `body` with `scope` bound as `before` at its start, one extractor per statement, each finished once
    every statement is walked (names are resolved with the bindings complete, as `extract` does).

    `keep`: `scope` is a recorded module's, complete, and `body` one of its statements: its bindings are kept as
    they are (the caller checks that the statement writes what it wrote before), and nothing in it changes.
    Otherwise the scope ends bound as the walk leaves it. None when the walk cannot be recorded."""
    final = scope.bindings
    recording = _Recording(before)
    scope.bindings = recording
    globals_before = set(scope.globals_)
    walked: list[tuple[ast.stmt, list[tuple[str, str]], _Extractor]] = []
    limit = sys.getrecursionlimit()
    if limit < 20000:
        sys.setrecursionlimit(20000)
    try:
        for stmt in body:
            part = ModuleFacts(module, source, is_package, scope)
            extractor = _Extractor(part)
            start = len(recording.log)
            handler = _DISPATCH.get(type(stmt))
            if handler is not None:
                handler(extractor, stmt)
            walked.append((stmt, recording.log[start:], extractor))
    except RecursionError:  # too deeply nested: `extract` records what it can, and says the facts are incomplete
        walked = []
    finally:
        sys.setrecursionlimit(limit)
        scope.bindings = final if keep else dict(recording)
    if not walked or scope.globals_ != globals_before:  # `global` at module level: not worth following
        scope.globals_ = globals_before
        return None
    for _, _, extractor in walked:
        extractor.finish()
    return [_Share.of(stmt, writes, extractor.facts) for stmt, writes, extractor in walked]


def _merge(facts: ModuleFacts, shares: list[_Share]) -> None:
    """Put the statements' shares together in statement order, as one walk would have made them."""
    functions: dict[str, FunctionInfo] = facts.functions
    classes: dict[str, ClassInfo] = facts.classes
    assignments: dict[str, Assignment] = facts.assignments
    calls: list[CallSite] = facts.calls
    routes: list[RouteSite] = facts.routes
    compares: list[CompareSite] = facts.compares
    for share in shares:
        functions.update(share.functions)
        classes.update(share.classes)
        assignments.update(share.assignments)
        calls.extend(share.calls)
        routes.extend(share.routes)
        compares.extend(share.compares)
        facts.imports.update(share.imports)
        facts.import_nodes.extend(share.import_nodes)
        facts.loaded.update(share.loaded)
        facts.param_annotations.update(share.param_annotations)
    facts.memo[_SHARES] = shares
