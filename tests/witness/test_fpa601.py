"""FPA601: a handler that returns `db.get(...)` unchecked answers 200 with `null` for a missing row (500 when a
response model rejects None); the checked version answers 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str


engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
Base.metadata.create_all(engine)
SessionLocal = sessionmaker(bind=engine)
with SessionLocal() as setup:
    setup.add(User(id=1, email="alice@example.com"))
    setup.commit()


def get_db() -> Iterator[Session]:
    with SessionLocal() as db:
        yield db


SessionDep = Annotated[Session, Depends(get_db)]
app = FastAPI()


@app.get("/unchecked/{user_id}")
def unchecked(user_id: int, db: SessionDep):  # type: ignore[no-untyped-def]
    return db.get(User, user_id)


@app.get("/declared/{user_id}", response_model=UserOut)
def declared(user_id: int, db: SessionDep):  # type: ignore[no-untyped-def]
    user = db.query(User).filter(User.id == user_id).first()
    return user


@app.get("/checked/{user_id}", response_model=UserOut)
def checked(user_id: int, db: SessionDep):  # type: ignore[no-untyped-def]
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


client = TestClient(app, raise_server_exceptions=False)


def test_unchecked_lookup_answers_200_null() -> None:
    response = client.get("/unchecked/42")
    assert response.status_code == 200
    assert response.json() is None


def test_declared_model_turns_it_into_a_500() -> None:
    assert client.get("/declared/1").json() == {"id": 1, "email": "alice@example.com"}
    assert client.get("/declared/42").status_code == 500


def test_checked_lookup_answers_404() -> None:
    assert client.get("/checked/42").status_code == 404


def test_rule_reports_the_unchecked_handlers() -> None:
    from pathlib import Path

    from flake8_fastapi.checker import check_source
    from flake8_fastapi.config import Settings

    path = Path(__file__)
    text = path.read_text()
    lines = text.splitlines()
    expected = [
        lines.index("    return db.get(User, user_id)") + 1,
        lines.index("    user = db.query(User).filter(User.id == user_id).first()") + 1,
    ]
    found = check_source(text, str(path), Settings(select=("FPA601",), root=str(path.parent)))
    assert sorted(f.start[0] for f in found) == expected
