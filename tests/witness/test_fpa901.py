"""FPA901: `on_event` warns under the installed FastAPI, `add_event_handler` no longer exists on an app, and an
app with a `lifespan` never runs its `on_event` hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient


def test_on_event_is_deprecated() -> None:
    app = FastAPI()
    router = APIRouter()
    with pytest.warns(DeprecationWarning, match="on_event is deprecated"):
        app.on_event("startup")(lambda: None)
    with pytest.warns(DeprecationWarning, match="on_event is deprecated"):
        router.on_event("startup")(lambda: None)


def test_add_event_handler_is_gone_from_the_app() -> None:
    app = FastAPI()
    with pytest.raises(AttributeError):
        app.add_event_handler("startup", lambda: None)  # type: ignore[attr-defined]


def test_on_event_hooks_are_dropped_beside_a_lifespan() -> None:
    ran: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ran.append("lifespan")
        yield

    app = FastAPI(lifespan=lifespan)
    with pytest.warns(DeprecationWarning):
        app.on_event("startup")(lambda: ran.append("on_event"))
    with TestClient(app):
        pass
    assert ran == ["lifespan"]
