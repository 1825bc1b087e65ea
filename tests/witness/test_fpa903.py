"""FPA903: with `debug=True` hard-coded, an unhandled error answers with the traceback (source and file paths)
to any client; the configured application answers a plain 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient


def _app(debug: bool) -> FastAPI:
    app = FastAPI(debug=debug)

    @app.get("/boom")
    def boom() -> None:
        secret_value = "db-password-123"
        raise RuntimeError(f"cannot connect with {secret_value}")

    return app


def test_debug_true_leaks_the_traceback() -> None:
    response = TestClient(_app(True), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert "Traceback" in response.text
    assert "db-password-123" in response.text
    assert __file__.rsplit("/", 1)[-1] in response.text


def test_debug_false_answers_plainly() -> None:
    response = TestClient(_app(False), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
