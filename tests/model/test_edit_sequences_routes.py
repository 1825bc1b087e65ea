"""Edit sequences on projects built to exercise the route tables kept across edits (`_tables.app_tables`, FPA103's
duplicates, FPA104's shadowed routes, FPA105's app roots): several apps, a router included twice, duplicates and
shadows across files and within one, `api_route` with several methods, routes in the arms of an `if`, a router
nobody includes and an include we cannot resolve. After every edit every finding must equal a fresh build's.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.model.edit_runs import apply_matching_edit, run_edits, write_project
from tests.model.test_edit_sequences import EDITS
from tests.model.test_incremental_link import _fresh, _snapshot

HEAD = "from fastapi import APIRouter, FastAPI\n\n"
PROJECT = {
    "app/__init__.py": "",
    "app/main.py": HEAD
    + "from .routers import a, b, c, loose\n"
    + "from .discover import found\n\n"
    + "app = FastAPI()\n"
    + "admin = FastAPI()\n\n"
    + 'app.include_router(a.router, prefix="/v1")\n'
    + 'app.include_router(a.router, prefix="/v2")\n'
    + 'app.include_router(b.router, prefix="/v1")\n'
    + "app.include_router(c.router)\n"
    + 'admin.include_router(b.router, prefix="/admin")\n'
    + "admin.include_router(a.router)\n",
    "app/routers/__init__.py": "",
    "app/routers/a.py": HEAD
    + 'router = APIRouter(prefix="/items")\n\n\n'
    + '@router.get("/{item_id}")\ndef read_item(item_id: int) -> int:\n    return item_id\n\n\n'
    + '@router.get("/me")\ndef read_me() -> int:\n    return 0\n\n\n'
    + '@router.api_route("/{name}/things", methods=["GET", "POST"])\n'
    + "def things(name: str) -> str:\n    return name\n\n\n"
    + '@router.get("/me/things")\ndef my_things() -> int:\n    return 1\n',
    "app/routers/b.py": HEAD
    + 'router = APIRouter(prefix="/items")\n'
    + "FLAG = True\n\n\n"
    + '@router.get("/me")\ndef read_me_again() -> int:\n    return 2\n\n\n'
    + 'if FLAG:\n\n    @router.post("/{key}/things")\n    def post_a(key: str) -> str:\n        return key\n\n'
    + 'else:\n\n    @router.post("/{key}/things")\n    def post_b(key: str) -> str:\n        return key\n\n\n'
    + '@router.post("/{other}/things")\ndef post_c(other: str) -> str:\n    return other\n',
    "app/routers/c.py": HEAD
    + 'router = APIRouter(prefix="/c")\n'
    + 'forgotten = APIRouter(prefix="/f")\n\n\n'
    + '@router.get("/{path:path}")\ndef catch_all(path: str) -> str:\n    return path\n\n\n'
    + '@router.get("/x/y")\ndef x_y() -> int:\n    return 3\n\n\n'
    + '@forgotten.get("/")\ndef never() -> int:\n    return 4\n',
    "app/routers/loose.py": HEAD
    + "router = APIRouter()\n\n\n"
    + '@router.get("/loose")\ndef loose() -> int:\n    return 5\n',
    "app/discover.py": HEAD
    + "app2 = FastAPI()\n"
    + "found = APIRouter()\n\n\n"
    + "def plug(r: object) -> None:\n"
    + "    app2.include_router(found)\n\n\n"
    + '@found.get("/found")\ndef found_it() -> int:\n    return 6\n',
}

# Edits that move routes between the tables' groups: parameters and literals, methods, branches, includes.
ROUTE_EDITS: list[tuple[str, str]] = [
    (r'"/me"', '"/{who}"'),
    (r'"/\{who\}"', '"/me"'),
    (r'"/\{(\w+)\}"', r'"/\1"'),
    (r'"/(\w+)/things"', r'"/{\1}/things"'),
    (r'methods=\["GET", "POST"\]', 'methods=["POST"]'),
    (r'methods=\["POST"\]', 'methods=["GET", "POST"]'),
    (r"\nelse:\n", "\nif not FLAG:\n"),
    (r"\nif not FLAG:\n", "\nelse:\n"),
    (r"\{path:path\}", "{path}"),
    (r"\{path\}", "{path:path}"),
    (r"app\.include_router\((\w+)\.router", r"admin.include_router(\1.router"),
    (r"admin\.include_router\((\w+)\.router", r"app.include_router(\1.router"),
    (r"app2 = FastAPI\(\)", "app2 = APIRouter()"),
    (r"app2 = APIRouter\(\)", "app2 = FastAPI()"),
    (r"include_router\(r\)", "include_router(found)"),
    (r"include_router\(found\)", "include_router(r)"),
    (r"\nadmin = FastAPI\(\)", "\nadmin = APIRouter()"),
    (r"\nadmin = APIRouter\(\)", "\nadmin = FastAPI()"),
]


def _write(root: Path) -> dict[str, str]:
    (root / "pyproject.toml").write_text("")
    return write_project(root, PROJECT)


@pytest.mark.parametrize("seed", range(3))
def test_route_table_edits_stay_equal_to_fresh_builds(tmp_path: Path, seed: int) -> None:
    texts = _write(tmp_path)
    root = os.fspath(tmp_path)
    codes = {f[0] for f in _snapshot(_fresh(root, texts))[0]}
    assert {"FPA103", "FPA104", "FPA105"} <= codes  # the project exercises the tables

    def edit(rng: random.Random, text: str) -> str | None:
        # Mostly the route edits; sometimes the general ones (bodies, paths, prefixes, includes, routes off).
        return apply_matching_edit(rng, text, EDITS if rng.random() < 0.3 else ROUTE_EDITS)

    assert run_edits(root, texts, f"routes/{seed}", 80, edit) >= 30
