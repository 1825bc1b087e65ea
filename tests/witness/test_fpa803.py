"""FPA803: a `TestClient` used without `with` never runs the application's lifespan (nor its `on_event` hooks):
what startup creates is missing; entered with `with`, it is there."""

from __future__ import annotations

import warnings

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ._rule_examples import doc_block, run_block


def test_lifespan_does_not_run_without_with() -> None:
    namespace = run_block(doc_block("FPA803", "## Example"))
    with pytest.raises(AttributeError, match="greeting"):
        namespace["test_root"]()
    assert not hasattr(namespace["app"].state, "greeting")


def test_lifespan_runs_inside_with() -> None:
    namespace = run_block(doc_block("FPA803", "## Use instead"))
    namespace["test_root"]()


def test_on_event_hooks_do_not_run_without_with() -> None:
    ran: list[str] = []
    app = FastAPI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app.on_event("startup")(lambda: ran.append("startup"))
    app.get("/")(lambda: "ok")
    assert TestClient(app).get("/").status_code == 200
    assert ran == []
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
    assert ran == ["startup"]
