"""FPA603: a handler registered for FastAPI's `HTTPException` never sees the router's own 404/405 (raised as
Starlette's class); registered for Starlette's class, it handles both."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flake8_fastapi.checker import check_source
from flake8_fastapi.config import Settings

from ._rule_examples import doc_block, run_block


def _client(heading: str) -> TestClient:
    app = run_block(doc_block("FPA603", heading))["app"]

    @app.get("/items")
    def items() -> list[str]:
        return []

    return TestClient(app)


def test_unknown_url_bypasses_the_fastapi_handler() -> None:
    source = doc_block("FPA603", "## Example")
    assert [f.code for f in check_source(source, settings=Settings(select=("FPA603",)))] == ["FPA603"]
    client = _client("## Example")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}  # Starlette's default body, not the handler's
    wrong_method = client.delete("/items")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}


def test_starlette_class_handles_router_errors() -> None:
    client = _client("## Use instead")
    assert client.get("/no-such-page").json() == {"error": "Not Found"}
    assert client.delete("/items").json() == {"error": "Method Not Allowed"}


def test_the_fix_makes_the_handler_see_router_errors() -> None:
    from flake8_fastapi.fixes import apply_fixes
    from flake8_fastapi.model.source import SourceFile

    source = doc_block("FPA603", "## Example")
    findings = check_source(source, settings=Settings(select=("FPA603",)))
    fixed, done = apply_fixes(SourceFile.parse("example.py", source), findings)
    assert len(done) == 1
    app = run_block(fixed)["app"]
    assert TestClient(app).get("/no-such-page").json() == {"error": "Not Found"}
