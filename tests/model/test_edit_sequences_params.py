"""The dependency tables kept across updates (FPA203's graph and cycles, the dependency functions by module
behind FPA204, the routes by handler module behind FPA206 and `route_handlers`) stay equal to fresh builds.

The project below has dependency cycles across files (through `Annotated` aliases, class dependencies and an
instance's `__call__`), a diamond, `yield` dependencies with and without `finally`, handlers registered in
another module, and path parameters in prefixes. Seeded runs of edits (those of test_edit_sequences.py plus
edits that make and break cycles, turn cleanup on and off, and annotate parameters) must give, after every
edit, the findings of a project built from scratch; and a keystroke inside a body must keep the cycles found.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

from flake8_fastapi.checker import check_module
from flake8_fastapi.config import Settings
from flake8_fastapi.model.project import Project
from flake8_fastapi.rules.params import fpa203_dependency_cycle
from tests.model.edit_runs import apply_edit, keystroke, run_edits, write_project
from tests.model.test_edit_sequences import EDITS
from tests.model.test_incremental_link import _fresh, _snapshot

PROJECT = {
    "pyproject.toml": "[project]\nname = 'deps'\n",
    "app/__init__.py": "",
    "app/settings.py": """from fastapi import Depends


def get_settings() -> dict[str, str]:
    return {"dsn": "sqlite://"}


def get_left(settings: dict[str, str] = Depends(get_settings)) -> str:
    return settings["dsn"]


def get_right(settings: dict[str, str] = Depends(get_settings)) -> str:
    return settings["dsn"]


def get_both(left: str = Depends(get_left), right: str = Depends(get_right)) -> str:
    return left + right
""",
    "app/db.py": """from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends

from . import auth
from .settings import get_both


class Session:
    def close(self) -> None: ...


def get_session(
    dsn: Annotated[str, Depends(get_both)],
    user: Annotated[str, Depends(auth.get_user)],  # loop
) -> Iterator[Session]:
    session = Session()
    yield session
    session.close()


def get_audited(dsn: Annotated[str, Depends(get_both)]) -> Iterator[Session]:
    session = Session()
    try:
        yield session
    finally:
        session.close()


Db = Annotated[Session, Depends(get_session)]
""",
    "app/auth.py": """from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from . import db, perms


def get_token(session: db.Db) -> str:
    return "token"


def get_user(
    token: Annotated[str, Depends(get_token)],
    role: Annotated[str, Depends(perms.Checker("admin"))],  # loop
) -> str:
    return token


CurrentUser = Annotated[str, Depends(get_user)]
""",
    "app/perms.py": """from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from . import auth


class Checker:
    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self, user: auth.CurrentUser) -> str:
        return self.role


class Guard:
    def __init__(self, role: Annotated[str, Depends(get_guard_role)]) -> None:
        self.role = role


def get_guard_role(
    guard: Annotated[Guard, Depends()],  # loop
    token: Annotated[str, Depends(auth.get_token)],
) -> str:
    return "admin"


checker = Checker("admin")


def get_guard(guard: Annotated[Guard, Depends()]) -> Guard:
    return guard
""",
    "app/handlers.py": """def export(background_tasks, shop, limit=10):
    return {"queued": True}


async def report(request, kind: str = "daily"):
    return {"kind": kind}
""",
    "app/routers/__init__.py": "",
    "app/routers/items.py": """from typing import Annotated

from fastapi import APIRouter, Depends

from .. import handlers
from ..auth import CurrentUser
from ..db import Db
from ..perms import get_guard

router = APIRouter(prefix="/items/{shop}", dependencies=[Depends(get_guard)])


@router.get("/{item_id}")
def read_item(item_id, shop, tenant, db: Db, user: CurrentUser, page=1):
    return {"item": item_id}


@router.post("/")
def create_item(payload: dict[str, str], response):
    return payload


router.add_api_route("/export", handlers.export, methods=["POST"])
""",
    "app/main.py": """from fastapi import FastAPI

from . import handlers
from .routers import items

app = FastAPI()
app.include_router(items.router, prefix="/v1/{tenant}")
app.add_api_route("/report", handlers.report)
app.add_route("/raw", handlers.report)


@app.get("/health")
def health(verbose=False):
    return {"ok": True}
""",
}

# Edits of this project's dependencies, beside those of test_edit_sequences.py.
PARAM_EDITS: list[tuple[str, str]] = [
    (r'\n    (\w+: Annotated\[\w+, Depends\([\w.()"]*\)\],)  # loop', r"\n    # \1  # loop"),  # a cycle broken
    (r'\n    # (\w+: Annotated\[\w+, Depends\([\w.()"]*\)\],)  # loop', r"\n    \1  # loop"),  # ... made again
    (r"session\.close\(\)", "session.flush()"),
    (r"session\.flush\(\)", "session.close()"),
    (r"Depends\(get_settings\)", "Depends(get_both)"),  # a cycle inside one module
    (r"Depends\(get_both\)", "Depends(get_settings)"),
    (r"\(background_tasks,", "(background_tasks: object,"),
    (r"\(background_tasks: object,", "(background_tasks,"),
    (r"handlers\.export", "handlers.report"),
    (r"handlers\.report", "handlers.export"),
    (r"^", "# moved\n"),  # every position below moves
    (r"^# moved\n", ""),
    (r'"/v1/\{tenant\}"', '"/v1"'),  # a mount's path parameter (routes of another module)
    (r'prefix="/v1"', 'prefix="/v1/{tenant}"'),
    (r'prefix="/items/\{shop\}"', 'prefix="/items"'),
    (r'prefix="/items"', 'prefix="/items/{shop}"'),
]


def _write(root: Path) -> dict[str, str]:
    texts = write_project(root, PROJECT)
    return {path: text for path, text in texts.items() if path.endswith(".py")}


def _codes(project: Project) -> set[str]:
    return {finding[0] for finding in _snapshot(project)[0]}  # type: ignore[index]


def test_the_project_exercises_the_tables(tmp_path: Path) -> None:
    live = _fresh(os.fspath(tmp_path), _write(tmp_path))
    assert {"FPA203", "FPA204", "FPA206"} <= _codes(live)


@pytest.mark.parametrize("seed", range(3))
def test_a_sequence_of_edits_stays_equal_to_fresh_builds(tmp_path: Path, seed: int) -> None:
    def edit(rng: random.Random, text: str) -> str | None:
        return apply_edit(rng, text, PARAM_EDITS if rng.random() < 0.6 else EDITS)

    assert run_edits(os.fspath(tmp_path), _write(tmp_path), f"params/{seed}", 100, edit) >= 12


def test_cycles_are_made_broken_and_kept(tmp_path: Path) -> None:
    texts = _write(tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    db = os.fspath(tmp_path / "app/db.py")
    handlers = os.fspath(tmp_path / "app/handlers.py")
    cycles = fpa203_dependency_cycle._cycles(live)
    assert cycles

    # A keystroke in a module no cycle passes through: the cycles found are kept as they are.
    texts[handlers] = texts[handlers].replace('"queued"', '"queue"')
    keystroke(live, handlers, texts[handlers])
    assert fpa203_dependency_cycle._cycles(live) is cycles

    # Lines move in a module the cycles pass through: found again, at the new positions.
    texts[db] = "# moved\n" + texts[db]
    keystroke(live, db, texts[db])
    assert fpa203_dependency_cycle._cycles(live) is not cycles
    assert _snapshot(live) == _snapshot(_fresh(root, texts))

    # Every cycle broken, then one made again.
    for rel in ("app/db.py", "app/auth.py", "app/perms.py"):
        path = os.fspath(tmp_path / rel)
        texts[path] = re.sub(PARAM_EDITS[0][0], PARAM_EDITS[0][1], texts[path])
        keystroke(live, path, texts[path])
    assert not fpa203_dependency_cycle._cycles(live)
    assert "FPA203" not in _codes(live)
    auth = os.fspath(tmp_path / "app/auth.py")
    texts[auth] = re.sub(PARAM_EDITS[1][0], PARAM_EDITS[1][1], texts[auth])
    keystroke(live, auth, texts[auth])
    assert "FPA203" in _codes(live)
    assert _snapshot(live) == _snapshot(_fresh(root, texts))


def test_routes_kept_by_handler_module_follow_their_mounts(tmp_path: Path) -> None:
    texts = _write(tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    _snapshot(live)
    items = os.fspath(tmp_path / "app/routers/items.py")
    main = os.fspath(tmp_path / "app/main.py")
    settings = Settings(root=root, select=("FPA206",))
    before = check_module(live, live.modules[items], settings)
    # Only the app's module changes, and the routes of the router's module are kept; FPA206 runs first.
    texts[main] = texts[main].replace('"/v1/{tenant}"', '"/v1"')
    keystroke(live, main, texts[main])
    after = check_module(live, live.modules[items], settings)
    fresh = _fresh(root, texts)
    assert after == check_module(fresh, fresh.modules[items], settings)
    assert len(after) == len(before) + 1  # `tenant` is no longer a path parameter
