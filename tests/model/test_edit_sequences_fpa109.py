"""FPA109's clash table, kept across edits (`Project.incremental`), gives what a fresh build gives.

The projects here have what the shared edit-sequence projects lack: operation ids and route names repeated
across files and apps, one router mounted in two apps, names given to `url_for` in another module, routes in
exclusive branches and stacked decorators. The edits create and remove clashes (ids and names renamed to
collide, `url_for` names added and removed, routes unregistered, includes dropped) as well as moving lines.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from flake8_fastapi.model.project import Project
from flake8_fastapi.rules.routes import fpa109_duplicate_operation_id as fpa109
from tests.model.edit_runs import apply_edit, keystroke, run_edits, write_project
from tests.model.test_edit_sequences import EDITS
from tests.model.test_incremental_link import _fresh, _snapshot

MAIN = """\
from fastapi import FastAPI, Request

from .routers import extra, items, users

app = FastAPI()
admin = FastAPI()
app.include_router(users.router, prefix="/users")
app.include_router(items.router, prefix="/items")
app.include_router(extra.router)
admin.include_router(items.router, prefix="/admin")
admin.include_router(users.router, prefix="/admin/users")


@app.get("/", operation_id="list_items")
async def home(request: Request) -> str:
    return str(request.url_for("detail"))


@admin.get("/", name="detail")
async def admin_home(request: Request) -> str:
    return str(request.url_path_for("show"))
"""

USERS = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/", operation_id="list_items")
async def list_users() -> list[str]:
    return []


@router.get("/{id}", name="detail")
async def show(id: int) -> int:
    return id


@router.post("/", operation_id="create")
async def create() -> None:
    return None
"""

ITEMS = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/", operation_id="list_items")
async def list_items() -> list[str]:
    return []


@router.get("/{id}")
async def show(id: int) -> int:
    return id


@router.head("/{id}/raw", name="detail")
@router.get("/{id}/raw", name="detail")
async def raw(id: int) -> int:
    return id


@router.post("/", operation_id="create_2")
async def create() -> None:
    return None
"""

EXTRA = """\
import os

from fastapi import APIRouter

router = APIRouter()

if os.environ.get("V2"):

    @router.get("/v", operation_id="version")
    async def version_2() -> int:
        return 2

else:

    @router.get("/v", operation_id="version")
    async def version_1() -> int:
        return 1


@router.get("/w", operation_id="version")
async def version_w() -> int:
    return 0
"""

# Many routes sharing one explicit operation id (each after the first clashes with the first).
MANY = "from fastapi import FastAPI\n\napp = FastAPI()\n" + "".join(
    f'\n\n@app.get("/r{i}", operation_id="same")\nasync def r{i}() -> int:\n    return {i}\n' for i in range(40)
)

PROJECTS: dict[str, dict[str, str]] = {
    "apps": {
        "app/__init__.py": "",
        "app/main.py": MAIN,
        "app/routers/__init__.py": "",
        "app/routers/users.py": USERS,
        "app/routers/items.py": ITEMS,
        "app/routers/extra.py": EXTRA,
    },
    "many": {
        "app/__init__.py": "",
        "app/main.py": MANY + "\n\nfrom .other import router as other\n\napp.include_router(other)\n",
        "app/other.py": USERS,
    },
}

# Edits that make and unmake clashes, on top of the shared ones (ids, handler names, includes, routes).
CLASH_EDITS: list[tuple[str, str]] = [
    *EDITS,
    (r'operation_id="(\w+)"', 'operation_id="list_items"'),
    (r'operation_id="(\w+)"', r'operation_id="\1_3"'),
    (r'name="(\w+)"', r'name="\1_2"'),
    (r'name="(\w+)_2"', r'name="\1"'),
    (r'url_for\("(\w+)"', r'url_for("\1_b"'),
    (r'url_for\("(\w+)_b"', r'url_for("\1"'),
    (r'url_path_for\("(\w+)"', 'url_path_for("list_items"'),
    (r'url_path_for\("(\w+)"', 'url_path_for("show"'),
    (r'(@\w+\.get\("[^"]*")\)', r'\1, name="detail")'),
    (r", name=\"detail\"\)", ")"),
    (r'(@\w+\.get\("[^"]*")\)', r'\1, operation_id="create")'),
    (r"\n    return ", "\n    x = 1\n    return "),  # lines move below
]


@pytest.mark.parametrize("name", sorted(PROJECTS))
@pytest.mark.parametrize("seed", range(3))
def test_edits_that_make_and_unmake_clashes_stay_equal_to_fresh_builds(tmp_path: Path, name: str, seed: int) -> None:
    texts = write_project(tmp_path, PROJECTS[name])
    root = os.fspath(tmp_path)
    assert any(f[0] == "FPA109" for f in _snapshot(_fresh(root, texts))[0])  # type: ignore[index]
    seen: set[int] = set()

    def count(live: Project) -> None:
        seen.add(sum(1 for f in _snapshot(live)[0] if f[0] == "FPA109"))  # type: ignore[index]

    def edit(rng: random.Random, text: str) -> str | None:
        return apply_edit(rng, text, CLASH_EDITS)

    assert run_edits(root, texts, f"fpa109/{name}/{seed}", 80, edit, seen=count) >= 15
    assert len(seen) > 1, "the edits must change the number of clashes"


def test_an_edit_inside_a_body_updates_the_kept_table(tmp_path: Path) -> None:
    texts = write_project(tmp_path, PROJECTS["apps"])
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    table = live.incremental("fpa109.clashes", fpa109._Table.build, fpa109._Table.update)
    assert len(table.out) >= 4
    items = os.fspath(tmp_path / "app/routers/items.py")
    texts[items] = texts[items].replace("return []", "return  []")
    keystroke(live, items, texts[items])
    # Kept, not rebuilt: the mounts are the same, only items.py's share was recomputed.
    assert live.incremental("fpa109.clashes", fpa109._Table.build, fpa109._Table.update) is table
    assert _snapshot(live) == _snapshot(_fresh(root, texts))
    # A clash made in one file, then removed again: the other file's route follows.
    users = os.fspath(tmp_path / "app/routers/users.py")
    for text in (texts[items].replace('"create_2"', '"create"'), texts[items]):
        keystroke(live, items, text)
        texts[items] = text
        assert _snapshot(live) == _snapshot(_fresh(root, texts))
    texts[users] = texts[users].replace('name="detail"', 'name="details"')
    keystroke(live, users, texts[users])
    assert _snapshot(live) == _snapshot(_fresh(root, texts))


def test_many_routes_sharing_one_operation_id_each_clash_with_the_first(tmp_path: Path) -> None:
    texts = write_project(tmp_path, {"app/__init__.py": "", "app/main.py": MANY})
    live = _fresh(os.fspath(tmp_path), texts)
    findings = [f for f in _snapshot(live)[0] if f[0] == "FPA109"]  # type: ignore[index]
    assert len(findings) == 39
    assert all("`r0` already uses it" in f[4] for f in findings)  # type: ignore[index]
