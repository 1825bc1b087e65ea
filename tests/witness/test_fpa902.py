"""FPA902: a middleware added after `CORSMiddleware` wraps it, so a response it produces itself (a 401
short-circuit) goes out without CORS headers; added before CORS, the same 401 carries them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

FRONT = "https://app.example.com"


def make(cors_last: bool) -> TestClient:
    app = FastAPI()

    async def require_key(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if "x-api-key" not in request.headers:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return await call_next(request)

    if cors_last:
        app.middleware("http")(require_key)
        app.add_middleware(CORSMiddleware, allow_origins=[FRONT], allow_methods=["*"], allow_headers=["*"])
    else:
        app.add_middleware(CORSMiddleware, allow_origins=[FRONT], allow_methods=["*"], allow_headers=["*"])
        app.middleware("http")(require_key)

    @app.get("/data")
    def data() -> dict[str, int]:
        return {"n": 1}

    return TestClient(app)


def test_outer_middleware_response_lacks_cors_headers() -> None:
    response = make(cors_last=False).get("/data", headers={"Origin": FRONT})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def test_preflight_is_rejected_before_cors_answers() -> None:
    preflight = make(cors_last=False).options(
        "/data", headers={"Origin": FRONT, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 401
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_added_last_covers_the_short_circuit() -> None:
    client = make(cors_last=True)
    response = client.get("/data", headers={"Origin": FRONT})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == FRONT
    preflight = client.options("/data", headers={"Origin": FRONT, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
