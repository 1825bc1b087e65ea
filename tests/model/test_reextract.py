"""Re-extracting only the replaced statement gives the facts a plain `extract` gives, over runs of edits.

Each case edits a module again and again (each edit an edit of the last text, through the spliced re-parse),
and after every edit compares a canonical dump of the facts (every function, class, assignment, call, route,
comparison, import, name read, annotation and binding, with positions and resolved names) with `extract`'s.
"""

from __future__ import annotations

import ast
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from flake8_fastapi.model.extract import extract
from flake8_fastapi.model.facts import FunctionInfo, ModuleFacts
from flake8_fastapi.model.reextract import extract_recorded, reextract
from flake8_fastapi.model.source import SourceFile
from tests.hardening.test_fuzz import fuzz
from tests.model.test_splice import BASE, SAMPLES, edits


def _pos(node: ast.AST | None) -> object:
    if node is None:
        return None
    return (type(node).__name__, *(getattr(node, a, None) for a in ("lineno", "col_offset", "end_lineno")))


def _fn(fn: FunctionInfo | None) -> str | None:
    return None if fn is None else fn.qualname


def dump(f: ModuleFacts) -> dict[str, Any]:
    return {
        "functions": [
            (q, _pos(fi.node), [_pos(c.node) for c in fi.calls], fi.awaits, [_pos(y) for y in fi.yields],
             [_pos(r) for r in fi.returns], fi.path_params_read, fi.scope.qualname, _fn(fi.parent),
             fi.class_info.qualname if fi.class_info else None, list(fi.body_scope.bindings.items()))
            for q, fi in f.functions.items()
        ],
        "classes": [
            (q, _pos(c.node), c.bases, list(c.fields), list(c.methods), c.scope.qualname) for q, c in f.classes.items()
        ],
        "assignments": [
            (q, _pos(a.target), _pos(a.value), a.scope.qualname, a.callee, a.annotation_name)
            for q, a in f.assignments.items()
        ],
        "calls": [
            (_pos(c.node), c.callee, c.receiver, c.attr, c.awaited, c.in_decorator, _fn(c.function), c.scope.qualname)
            for c in f.calls
        ],
        "routes": [(r.receiver, r.method, _pos(r.call), _fn(r.handler), r.decorator_index) for r in f.routes],
        "compares": [(_pos(c.node), _fn(c.function)) for c in f.compares],
        "imports": [(k, _pos(v)) for k, v in f.imports.items()],
        "import_nodes": [(_pos(n), s.qualname) for n, s in f.import_nodes],
        "loaded": sorted(f.loaded),
        "param_annotations": list(f.param_annotations.items()),
        "scope": (list(f.scope.bindings.items()), sorted(f.scope.globals_)),
        "incomplete": f.incomplete,
    }  # fmt: skip


def _follow(texts: list[str]) -> int:
    """Edit through `texts`, re-extracting each from the last; True count of edits that took the fast path."""
    source = SourceFile.parse("m.py", texts[0])
    facts = extract_recorded(source, "pkg.m")
    assert dump(facts) == dump(extract(source, "pkg.m"))
    fast = 0
    for text in texts[1:]:
        new_source = SourceFile.parse("m.py", text, previous=facts.source)
        if new_source.tree is None:
            continue  # the text does not parse: the server keeps the last facts
        again = reextract(facts, new_source)
        fast += again is not None
        facts = again if again is not None else extract_recorded(new_source, "pkg.m")
        assert dump(facts) == dump(extract(new_source, "pkg.m")), text
    return fast


@fuzz(2.0)
@given(st.lists(edits(st.sampled_from([BASE, *SAMPLES])), min_size=1, max_size=4))
def test_reextracted_facts_are_the_extracted_facts(cases: list[tuple[str, str]]) -> None:
    for old, new in cases:
        _follow([old, new])


def test_a_run_of_edits_inside_one_module() -> None:
    text = BASE
    rng = random.Random(7)
    texts = [text]
    while len(texts) < 60:
        lines = text.splitlines(keepends=True)
        index = rng.randrange(len(lines))
        line = lines[index]
        cut = rng.randrange(len(line.rstrip("\n")) + 1)
        lines[index] = line[:cut] + rng.choice(["x", " ", "1", "+ 1", "'", "#", "y = 2", "z"]) + line[cut:]
        candidate = "".join(lines)
        try:
            ast.parse(candidate)
        except SyntaxError:
            continue  # the server keeps the last facts of a text that does not parse: nothing to compare
        text = candidate
        texts.append(text)
    assert _follow(texts) > 10


def test_fixture_modules_edited_inside_each_function() -> None:
    fast = 0
    for text in [BASE, *SAMPLES]:
        lines = text.splitlines(keepends=True)
        texts = [text]
        for index, line in enumerate(lines):
            if line.startswith("    ") and "(" in line:
                lines[index] = line.replace("(", "( ", 1)
                texts.append("".join(lines))
        fast += _follow(texts)
    assert fast > 30


def test_a_statement_that_binds_something_else_is_extracted_afresh() -> None:
    facts = extract_recorded(SourceFile.parse("m.py", BASE), "pkg.m")
    renamed = BASE.replace("class Item:", "class Thing:")
    source = SourceFile.parse("m.py", renamed, previous=facts.source)
    assert reextract(facts, source) is None
    assert dump(facts) == dump(extract(SourceFile.parse("m.py", BASE), "pkg.m"))  # the old facts are untouched


def test_an_edit_inside_a_function_keeps_the_other_functions() -> None:
    facts = extract_recorded(SourceFile.parse("m.py", BASE), "pkg.m")
    text = BASE.replace('class Item:\n    name: str = "n"', 'class Item:\n    name: str = "m"')
    again = reextract(facts, SourceFile.parse("m.py", text, previous=facts.source))
    assert again is not None
    assert again.functions["pkg.m.read_item"] is facts.functions["pkg.m.read_item"]
    assert again.classes["pkg.m.Item"] is not facts.classes["pkg.m.Item"]
    assert again.scope is facts.scope
