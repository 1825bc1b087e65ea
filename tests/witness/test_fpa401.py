"""FPA401: a response model with `hashed_password` sends it to every client; `SecretStr`, `Field(exclude=True)`
and an output model without the field keep it on the server."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, SecretStr

HASH = "$2b$12$abcdefghijklmnopqrstuv"


class UserOut(BaseModel):
    username: str


class UserInDB(UserOut):
    hashed_password: str


class Hidden(UserOut):
    hashed_password: str = Field(exclude=True)
    api_key: SecretStr


app = FastAPI()
ROW = {"username": "alice", "hashed_password": HASH, "api_key": "sk-live-123"}


@app.get("/leaky/{username}", response_model=UserInDB)
def leaky(username: str):  # type: ignore[no-untyped-def]
    return ROW


@app.get("/leaky-list/")
def leaky_list() -> list[UserInDB]:
    return [UserInDB(**ROW)]


@app.get("/safe/{username}", response_model=UserOut)
def safe(username: str):  # type: ignore[no-untyped-def]
    return ROW


@app.get("/hidden/{username}")
def hidden(username: str) -> Hidden:
    return Hidden(**ROW)  # type: ignore[arg-type]


client = TestClient(app)


def test_secret_is_in_the_json_response() -> None:
    assert client.get("/leaky/alice").json()["hashed_password"] == HASH
    assert client.get("/leaky-list/").json()[0]["hashed_password"] == HASH


def test_output_model_and_secret_types_keep_it() -> None:
    assert client.get("/safe/alice").json() == {"username": "alice"}
    body = client.get("/hidden/alice").json()
    assert "hashed_password" not in body
    assert body["api_key"] == "**********"


def test_rule_reports_exactly_the_leaky_routes() -> None:
    from pathlib import Path

    from flake8_fastapi.checker import check_source
    from flake8_fastapi.config import Settings

    path = Path(__file__)
    found = check_source(path.read_text(), str(path), Settings(select=("FPA401",), root=str(path.parent)))
    messages = sorted(f.message for f in found)
    assert any("`leaky`" in m and "hashed_password" in m for m in messages)
    assert any("`leaky_list`" in m for m in messages)
    assert not any("`safe`" in m or "`hidden`" in m for m in messages)
