"""Route rules together: FPA101 and FPA102 never fix the same spot; project rules follow edits of one file."""

from __future__ import annotations

import ast
import os
import textwrap
from pathlib import Path

from flake8_fastapi.checker import check_module, check_source
from flake8_fastapi.config import Settings
from flake8_fastapi.fixes import apply_fixes
from flake8_fastapi.model.project import Project
from flake8_fastapi.model.source import SourceFile

from .fixture_cases import FIXTURES

BOTH = ("FPA101", "FPA102")


def test_fpa101_leaves_the_fix_to_fpa102_when_a_parameter_is_misspelt() -> None:
    path = os.fspath((FIXTURES / "FPA102" / "bad_misspelt.py").resolve())
    text = Path(path).read_text(encoding="utf-8")
    settings = Settings(select=BOTH, root=os.path.dirname(path))
    findings = check_source(text, path, settings)
    fpa101 = [f for f in findings if f.code == "FPA101"]
    fpa102 = [f for f in findings if f.code == "FPA102"]
    assert len(fpa101) == len(fpa102) == 5
    assert all(f.fix is None for f in fpa101)
    fixed, applied = apply_fixes(SourceFile.parse(path, text), findings, unsafe=True)
    assert {f.code for f in applied} == {"FPA102"}
    ast.parse(fixed)  # no duplicate parameter
    assert "def read_item(item_id: int)" in fixed and "itemid" not in fixed
    assert "return {'id': item_id, 'doubled': doubled}".replace("'", '"') in fixed
    left = check_source(fixed, path, settings)
    assert not [f for f in left if f.code in BOTH]


def test_fpa101_still_adds_a_parameter_when_nothing_is_a_near_miss() -> None:
    source = textwrap.dedent(
        """
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/items/{item_id}")
        def read_item(q: str) -> str:
            return q
        """
    )
    findings = check_source(source, settings=Settings(select=BOTH))
    assert [(f.code, f.fix is not None) for f in findings] == [("FPA101", True)]


def test_project_rules_follow_an_edit_of_another_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    files = {
        "main.py": """
            from fastapi import FastAPI
            import users
            app = FastAPI()
            @app.get("/users/{user_id}")
            def read_user(user_id: str) -> str:
                return user_id
            app.include_router(users.router)
        """,
        "users.py": """
            from fastapi import APIRouter
            router = APIRouter(prefix="/users")
            @router.get("/me")
            def me() -> str:
                return "me"
        """,
    }
    project = Project(os.fspath(tmp_path))
    for name, text in files.items():
        project.add_source(os.fspath(tmp_path / name), textwrap.dedent(text))
    settings = Settings(select=("FPA103", "FPA104", "FPA105"), root=os.fspath(tmp_path))
    users = project.module(os.fspath(tmp_path / "users.py"))
    assert users is not None
    assert [f.code for f in check_module(project, users, settings)] == ["FPA104"]
    # The router is now included before the parameter route is declared: nothing is shadowed any more.
    project.add_source(
        os.fspath(tmp_path / "main.py"),
        textwrap.dedent(files["main.py"])
        .replace("app.include_router(users.router)\n", "")
        .replace("app = FastAPI()\n", "app = FastAPI()\napp.include_router(users.router)\n"),
    )
    users = project.module(os.fspath(tmp_path / "users.py"))
    assert users is not None
    assert check_module(project, users, settings) == []
    # Without the include (and with another router included, so the app uses routers), FPA105 speaks.
    project.add_source(
        os.fspath(tmp_path / "main.py"),
        textwrap.dedent(files["main.py"]).replace("users.router", "other"),
    )
    project.add_source(os.fspath(tmp_path / "other.py"), "from fastapi import APIRouter\nrouter = APIRouter()\n")
    assert check_module(project, users, settings) == []  # `other` is no router: the app includes none
    project.add_source(
        os.fspath(tmp_path / "main.py"),
        textwrap.dedent(files["main.py"])
        .replace("import users", "import other")
        .replace("users.router", "other.router"),
    )
    users = project.module(os.fspath(tmp_path / "users.py"))
    assert users is not None
    assert [f.code for f in check_module(project, users, settings)] == ["FPA105"]
