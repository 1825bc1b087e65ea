"""FPA203: a dependency cycle makes FastAPI recurse forever when a route using it is declared."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block

ROUTE = "\n\n@app.get('/me')\ndef me(user: Annotated[str, Depends(get_user)]) -> str:\n    return user\n"


def test_a_route_on_the_cycle_cannot_be_declared() -> None:
    source = doc_block("FPA203", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA203",)))
    assert [f.code for f in findings] == ["FPA203"]
    assert len(findings[0].related) == 1
    with pytest.raises(RecursionError):
        run_block(source + ROUTE)


def test_without_the_cycle_the_route_works() -> None:
    source = doc_block("FPA203", "## Use instead")
    assert check_source(source, settings=Settings(select=("FPA203",))) == []
    client = TestClient(run_block(source + ROUTE)["app"])
    assert client.get("/me").json() == "alice"
