"""The bundled example project (`examples/shop`) shows a mistake for every rule of the first release.

The check tightens by itself as rules land: every code below that is registered must be found, in one of the
files that holds its mistake. The route table must resolve the three routers that are all called `router`
to their own full paths (no phantom routes). The example is only read, never imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flake8_fastapi.checker import build_project, check_module, discover, project_root
from flake8_fastapi.config import load_settings
from flake8_fastapi.model.project import Project
from flake8_fastapi.route_table import route_table
from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Finding

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"

# code -> the files (relative to SHOP) where the example makes that mistake
EXPECTED: dict[str, set[str]] = {
    "FPA101": {"app/routers/items.py"},
    "FPA102": {"app/routers/orders.py"},
    "FPA103": {"app/main.py", "app/routers/items.py"},
    "FPA104": {"app/routers/users.py"},
    "FPA105": {"app/routers/admin.py"},
    "FPA106": {"app/main.py", "app/routers/internal.py"},
    "FPA107": {"app/main.py"},
    "FPA108": {"app/routers/items.py"},
    "FPA110": {"app/routers/orders.py"},
    "FPA201": {
        "app/deps.py",
        "app/routers/users.py",
        "app/routers/items.py",
        "app/routers/orders.py",
        "app/routers/admin.py",
    },
    "FPA202": {"app/routers/orders.py"},
    "FPA204": {"app/db.py"},
    "FPA205": {"app/routers/users.py"},
    "FPA301": {"app/routers/orders.py"},
    "FPA401": {"app/routers/users.py", "app/models.py"},
    "FPA402": {"app/models.py", "app/config.py", "app/routers/users.py", "app/routers/items.py"},
    "FPA403": {"app/config.py"},
    "FPA501": {"app/main.py"},
    "FPA601": {"app/routers/users.py"},
    "FPA604": {"app/routers/users.py"},
    "FPA801": {"tests/test_api.py"},
    "FPA901": {"app/main.py"},
    "FPA902": {"app/main.py"},
}

# Written by hand from the layout: api_router = APIRouter(prefix="/api/v1") includes users.router under
# "/users", items.router under "/items" and orders.router (which owns the prefix "/orders"); main includes it.
EXPECTED_ROUTES: dict[str, set[tuple[str, str, str]]] = {
    "app/routers/users.py": {
        ("GET", "/api/v1/users/", "list_users"),
        ("GET", "/api/v1/users/{user_id}", "read_user"),
        ("GET", "/api/v1/users/me", "read_me"),
        ("POST", "/api/v1/users/", "create_user"),
        ("PUT", "/api/v1/users/{user_id}", "update_user"),
        ("POST", "/api/v1/users/register", "register"),
    },
    "app/routers/items.py": {
        ("GET", "/api/v1/items/", "list_items"),
        ("GET", "/api/v1/items/categories", "list_categories"),
        ("GET", "/api/v1/items/{item_id}", "read_item"),
        ("GET", "/api/v1/items/{item_id}/reviews/{review_id}", "read_review"),
        ("POST", "/api/v1/items/", "create_item"),
    },
    "app/routers/orders.py": {
        ("GET", "/api/v1/orders/", "list_orders"),
        ("GET", "/api/v1/orders/{order_id}", "read_order"),
        ("POST", "/api/v1/orders/", "create_order"),
        ("DELETE", "/api/v1/orders/{order_id}", "cancel_order"),
    },
}


def _rel(path: str) -> str:
    return Path(path).resolve().relative_to(SHOP).as_posix()


@pytest.fixture(scope="module")
def project() -> Project:
    root = project_root([os.fspath(SHOP)])
    assert Path(root) == SHOP, "the example must be its own project root"
    settings = load_settings(root)
    return build_project(root, discover([root], settings))


@pytest.fixture(scope="module")
def findings(project: Project) -> list[Finding]:
    registered = set(all_rules())
    settings = load_settings(project.root).with_overrides(select=tuple(sorted(registered & set(EXPECTED))) or None)
    out: list[Finding] = []
    for facts in project.modules.values():
        out.extend(check_module(project, facts, settings))
    return out


def test_every_file_of_the_example_parses(findings: list[Finding]) -> None:
    assert [f for f in findings if f.code == "E999"] == []


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_the_example_shows_the_rule(code: str, findings: list[Finding]) -> None:
    if code not in all_rules():
        pytest.skip(f"{code} is not registered yet")
    where = Counter(_rel(f.path) for f in findings if f.code == code)
    assert where, f"{code} finds nothing in examples/shop (its mistake is in {sorted(EXPECTED[code])})"
    assert set(where) & EXPECTED[code], f"{code} found only in {dict(where)}, expected in {sorted(EXPECTED[code])}"


def test_the_example_is_never_imported(findings: list[Finding]) -> None:
    assert findings is not None
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        assert not (file and Path(file).resolve().is_relative_to(SHOP)), f"{module.__name__} was imported"


def test_routers_named_router_resolve_to_their_own_full_paths(project: Project) -> None:
    entries = route_table(project)
    apps = {e.app for e in entries if e.app is not None}
    assert len(apps) == 1, apps
    (app,) = apps
    assert app.endswith("app/main.py::app.main.app")
    for rel, expected in EXPECTED_ROUTES.items():
        got = {("|".join(e.methods), e.path, e.name) for e in entries if _rel(e.file) == rel}
        assert got == expected, rel
        assert all(e.app == app for e in entries if _rel(e.file) == rel)
    # the router nobody includes belongs to no app; the app's own routes keep their paths
    assert {(e.path, e.app) for e in entries if _rel(e.file) == "app/routers/admin.py"} == {("/admin/stats", None)}
    assert ("GET", "/health", "health") in {("|".join(e.methods), e.path, e.name) for e in entries}


CLI = "import sys; from flake8_fastapi.cli import main; sys.exit(main())"


def test_cli_routes_prints_the_full_paths() -> None:
    pytest.importorskip("flake8_fastapi.cli")
    proc = subprocess.run(
        [sys.executable, "-c", CLI, "routes", os.fspath(SHOP), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    got = {(m, row["path"], row["name"]) for row in rows for m in row["methods"]}
    for expected in EXPECTED_ROUTES.values():
        assert expected <= got
    phantom = {(m, p, n) for (m, p, n) in got if n in {"read_user", "read_item", "read_order"}}
    assert phantom == {
        ("GET", "/api/v1/users/{user_id}", "read_user"),
        ("GET", "/api/v1/items/{item_id}", "read_item"),
        ("GET", "/api/v1/orders/{order_id}", "read_order"),
    }
