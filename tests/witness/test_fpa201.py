"""FPA201: a marker default is what Python really passes when the function is called directly, while FastAPI
reads both spellings the same way: the rule's fix keeps every route's OpenAPI description and behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.params import Query
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.source import SourceFile

from ._rule_examples import doc_block, run_block

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules" / "FPA201"
SETTINGS = Settings(select=("FPA201",))


def _fix_all(source: str) -> str:
    for _ in range(5):
        findings = check_source(source, settings=SETTINGS)
        new, fixed = apply_fixes(SourceFile.parse("example.py", source), findings, unsafe=True)
        if not fixed:
            break
        source = new
    return source


def test_a_direct_call_receives_the_marker_object() -> None:
    source = doc_block("FPA201", "## Example")
    assert [f.code for f in check_source(source, settings=SETTINGS)] == ["FPA201"]
    namespace = run_block(source)
    result = anyio.run(namespace["read_items"])
    assert isinstance(result["q"], Query)  # not None: the default is FastAPI's marker
    fixed = run_block(doc_block("FPA201", "## Use instead"))
    assert anyio.run(fixed["read_items"]) == {"q": None}


def test_the_documented_fix_serves_the_same_requests() -> None:
    apps = [run_block(doc_block("FPA201", h))["app"] for h in ("## Example", "## Use instead")]
    assert apps[0].openapi()["paths"] == apps[1].openapi()["paths"]
    for app in apps:
        with TestClient(app) as client:
            assert client.get("/items", params={"q": "pen"}).json() == {"q": "pen"}
            assert client.get("/items").json() == {"q": None}
            assert client.get("/items", params={"q": "x" * 51}).status_code == 422


@pytest.mark.parametrize("name", ["bad_markers.py", "bad_typing_extensions.py"])
def test_the_fix_keeps_the_openapi_description(name: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    fixed = _fix_all(source)
    assert fixed != source
    before: Any = run_block(source)["app"].openapi()
    after: Any = run_block(fixed)["app"].openapi()
    assert before == after
    if name == "bad_markers.py":  # the description is not empty: every parameter kept its meaning
        parameters = before["paths"]["/items/{item_id}"]["get"]["parameters"]
        assert {p["name"]: p["required"] for p in parameters} == {
            "item_id": True,
            "q": False,
            "tags": False,
            "user-agent": False,
            "session_id": True,
            "skip": False,
            "limit": False,
        }


def test_silent_before_fastapi_0_95() -> None:
    """FastAPI reads markers from `Annotated` since 0.95: for older targets the rule has nothing to offer."""
    source = doc_block("FPA201", "## Example")
    assert check_source(source, settings=Settings(select=("FPA201",), target_fastapi=(0, 94, 0))) == []
    assert len(check_source(source, settings=Settings(select=("FPA201",), target_fastapi=(0, 95, 0)))) == 1


def test_no_fix_when_annotated_exists_for_type_checkers_only() -> None:
    """Reusing an `Annotated` imported under `if TYPE_CHECKING:` would raise NameError at import."""
    source = (FIXTURES / "bad_type_checking_import" / "main.py").read_text(encoding="utf-8")
    findings = check_source(source, settings=SETTINGS)
    assert [f.code for f in findings] == ["FPA201"] and findings[0].fix is None
    runtime = source.replace("if TYPE_CHECKING:\n    from typing import Annotated\n", "from typing import Annotated\n")
    fixes = [f.fix for f in check_source(runtime, settings=SETTINGS)]
    assert len(fixes) == 1 and fixes[0] is not None and fixes[0].applicability == "safe"
    assert [e.content for e in fixes[0].edits] == ["q: Annotated[str | None, Query()] = None"]
