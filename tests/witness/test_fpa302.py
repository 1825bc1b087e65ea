"""FPA302: a coroutine called without `await` never runs: the handler answers as if it had saved, and nothing
was saved (Python only warns when the coroutine object is collected). With the rule's fix it runs."""

from __future__ import annotations

import gc
import warnings

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA302",))


def test_the_unawaited_save_never_runs() -> None:
    example = doc_block("FPA302", "## Example")
    assert [f.code for f in check_source(example, settings=SETTINGS)] == ["FPA302"]
    namespace = run_block(example)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert TestClient(namespace["app"]).post("/items/apple").json() == {"saved": 0}
        gc.collect()
    assert namespace["saved"] == []
    assert any("was never awaited" in str(w.message) for w in caught)


def test_after_the_fix_it_runs() -> None:
    example = doc_block("FPA302", "## Example")
    fixed, done = apply_fixes(SourceFile.parse("example.py", example), check_source(example, settings=SETTINGS))
    assert done and "    await save(name)\n" in fixed
    assert fixed == doc_block("FPA302", "## Use instead")
    assert check_source(fixed, settings=SETTINGS) == []
    namespace = run_block(fixed)
    assert TestClient(namespace["app"]).post("/items/apple").json() == {"saved": 1}
    assert namespace["saved"] == ["apple"]
