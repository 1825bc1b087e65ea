"""The library helpers the server relies on (no server needed): test-client calls, URL matching, noqa edits,
fixing a document in memory, position conversions."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fastapi_lsp import convert
from flake8_fastapi.checker import build_project, discover
from flake8_fastapi.config import load_settings
from flake8_fastapi.fixes import apply_edits
from flake8_fastapi.insight import fix_document, noqa_edit, route_card, routes_in
from flake8_fastapi.model.clients import client_calls, request_path, routes_for, typing_client_call
from flake8_fastapi.model.project import Project

from .conftest import PROJECT, write_project


def _project(tmp_path: Path) -> Project:
    root = write_project(tmp_path / "demo", PROJECT)
    settings = load_settings(str(root))
    return build_project(str(root), discover([str(root)], settings))


def test_client_calls_and_matching(tmp_path: Path) -> None:
    project = _project(tmp_path)
    tests = next(m for p, m in project.modules.items() if p.endswith("test_users.py"))
    calls = client_calls(project, tests)
    assert [(c.method, c.url) for c in calls] == [("GET", "/api/users/1"), ("GET", "/api/users/1")]
    assert all(c.app is not None and c.app.endswith("::app.main.app") for c in calls)
    (route,) = routes_for(project, "/api/users/7", "GET")
    assert route.name == "read_user"
    assert routes_for(project, "/api/users/7", "POST") == []
    assert routes_for(project, "/nowhere") == []


def test_request_path_and_typing() -> None:
    assert request_path("http://testserver/api/x?y=1#z") == "/api/x"
    assert typing_client_call('    r = client.get("/api/u') == ("client", "get", "/api/u")
    assert typing_client_call("    r = client.request('POST', '/lo") == ("client", "request", "/lo")
    assert typing_client_call('    print("/api/u') is None


def test_route_card(tmp_path: Path) -> None:
    project = _project(tmp_path)
    users = next(m for p, m in project.modules.items() if p.endswith("users.py") and "app" in p)
    route = next(r for r in routes_in(project, users) if r.name == "read_user")
    card = route_card(project, route)
    assert [m.full_path for m in card.mountings] == ["/api/users/{user_id}"]
    assert card.status_code == "200" and card.tags == ("users",)
    assert [(d.place.name, d.depth) for d in card.dependencies] == [("current_user", 1), ("get_db", 2)]


def test_noqa_edit(tmp_path: Path) -> None:
    project = Project(str(tmp_path))
    text = 'x = 1\ny = 2  # noqa: FPA999\nz = """a\nb"""\nw = 3  # noqa\n'
    facts = project.add_source(str(tmp_path / "m.py"), text)
    add = noqa_edit(facts, 1, "FPA101")
    assert add is not None
    assert apply_edits(text, facts.source, [add]).splitlines()[0] == "x = 1  # noqa: FPA101"
    extend = noqa_edit(facts, 2, "FPA101")
    assert extend is not None
    assert apply_edits(text, facts.source, [extend]).splitlines()[1] == "y = 2  # noqa: FPA999, FPA101"
    assert noqa_edit(facts, 2, "FPA999") is None  # already silenced
    assert noqa_edit(facts, 3, "FPA101") is None  # inside a multi-line string
    assert noqa_edit(facts, 5, "FPA101") is None  # a bare noqa silences everything


def test_fix_document_leaves_the_project_as_it_was(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = next(p for p in project.modules if p.endswith("app/users.py"))
    facts = project.modules[path]
    settings = load_settings(project.root)
    text, count = fix_document(project, facts, settings)
    assert count == 1 and "def read_orders(order_id: str, user_id: int)" in text
    assert project.modules[path].source.text == facts.source.text


def test_position_conversions() -> None:
    line = 'x = "café ☕ 𝄞" + y\n'
    col = line.index("+")
    assert convert.units(line, col, convert.UTF16) == col + 1  # 𝄞 is two UTF-16 units
    assert convert.units(line, col, convert.UTF8) == len(line[:col].encode())
    assert convert.units(line, col, convert.UTF32) == col
    for encoding in (convert.UTF8, convert.UTF16, convert.UTF32):
        assert convert.code_points(line, convert.units(line, col, encoding), encoding) == col
    whole = convert.whole_range(textwrap.dedent("a\nbé"), convert.UTF8)
    assert (whole.end.line, whole.end.character) == (1, 3)
