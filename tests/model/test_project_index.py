"""The project index finds every route with its right full path: bound by import, never by bare name."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from flake8_fastapi.checker import build_project, discover
from flake8_fastapi.config import Settings
from flake8_fastapi.model.project import Project
from flake8_fastapi.route_table import route_table


def make_project(root: Path, files: dict[str, str]) -> Project:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    settings = Settings(root=os.fspath(root))
    return build_project(os.fspath(root), discover([os.fspath(root)], settings))


def table(project: Project) -> set[tuple[str, str | None, str]]:
    return {("|".join(e.methods), e.path, e.name) for e in route_table(project)}


def test_routers_sharing_the_name_router(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/users.py": """
                from fastapi import APIRouter
                router = APIRouter(prefix="/users")
                @router.get("/{user_id}")
                def get_user(user_id: int): ...
            """,
            "app/items.py": """
                from fastapi import APIRouter
                router = APIRouter()
                @router.get("/")
                def list_items(): ...
            """,
            "app/main.py": """
                from fastapi import FastAPI
                from app import users
                from app.items import router as items_router
                app = FastAPI()
                app.include_router(users.router, prefix="/api")
                app.include_router(items_router, prefix="/api/items")
            """,
        },
    )
    assert table(project) == {("GET", "/api/users/{user_id}", "get_user"), ("GET", "/api/items/", "list_items")}


def test_aliases_factories_subclasses_and_package_init(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/base.py": """
                import fastapi
                class VersionedRouter(fastapi.APIRouter):
                    pass
                class ShopApp(fastapi.FastAPI):
                    pass
            """,
            "src/shop/api/__init__.py": """
                from fastapi import APIRouter as R
                from .orders import router
                from . import admin
                api = R(prefix="/api")
                api.include_router(router)
                api.include_router(admin.router, prefix="/admin")
            """,
            "src/shop/api/orders.py": """
                from ..base import VersionedRouter
                router = VersionedRouter(prefix="/orders", tags=["orders"])
                other = VersionedRouter()
                @router.post("")
                @router.put("/")
                def save(): ...
                @router.api_route("/{order_id}", methods=["GET", "HEAD"])
                def read(order_id: int): ...
                @other.get("/never")
                def never(): ...
                def export(): ...
                router.add_api_route("/export", export, methods=["GET"])
                @router.websocket("/ws")
                async def ws(websocket): ...
            """,
            "src/shop/api/admin.py": """
                import fastapi as f
                router = f.APIRouter()
                @router.delete("/cache")
                def clear(): ...
            """,
            "src/shop/main.py": """
                from shop.base import ShopApp
                from shop.api import api
                def create_app() -> ShopApp:
                    application = ShopApp()
                    application.include_router(api, prefix="/v1")
                    @application.get("/health")
                    def health(): ...
                    return application
            """,
        },
    )
    assert table(project) == {
        ("POST", "/v1/api/orders", "save"),
        ("PUT", "/v1/api/orders/", "save"),
        ("GET|HEAD", "/v1/api/orders/{order_id}", "read"),
        ("GET", "/v1/api/orders/export", "export"),
        ("WEBSOCKET", "/v1/api/orders/ws", "ws"),
        ("DELETE", "/v1/api/admin/cache", "clear"),
        ("GET", "/health", "health"),
        ("GET", "/never", "never"),  # a router no app includes: its own path only
    }
    never = [e for e in route_table(project) if e.name == "never"]
    assert never[0].app is None


def test_flask_and_unrelated_objects_are_not_routes(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "web.py": """
                from flask import Flask
                app = Flask(__name__)
                @app.get("/x")
                def x(): ...
                class Thing:
                    def get(self, path): return lambda f: f
                t = Thing()
                @t.get("/y")
                def y(): ...
            """,
        },
    )
    assert table(project) == set()


def test_many_apps_in_one_tree_stay_apart(tmp_path: Path) -> None:
    files = {}
    for n in range(3):
        files[f"docs_src/example{n}/__init__.py"] = ""
        files[f"docs_src/example{n}/routers.py"] = f"""
            from fastapi import APIRouter
            router = APIRouter(prefix="/r{n}")
            @router.get("/")
            def index(): ...
        """
        files[f"docs_src/example{n}/main.py"] = """
            from fastapi import FastAPI
            from .routers import router
            app = FastAPI()
            app.include_router(router)
        """
    project = make_project(tmp_path, files)
    entries = route_table(project)
    assert sorted(e.path or "" for e in entries) == ["/r0/", "/r1/", "/r2/"]
    assert len({e.app for e in entries}) == 3


def generated_tree(depth: int, width: int) -> dict[str, str]:
    """FastAPI's "bigger applications" layout, `depth` packages deep and `width` wide: each package's
    `__init__` includes its children's routers; each leaf module holds one route."""
    files: dict[str, str] = {}

    def package(parts: list[str], level: int) -> None:
        base = "/".join(["gen", *parts])
        children = [f"p{i}" for i in range(width)]
        if level == depth:
            for child in children:
                files[f"{base}/{child}.py"] = (
                    "from fastapi import APIRouter\n"
                    f"router = APIRouter(prefix='/{child}')\n"
                    "@router.get('/{item_id}')\n"
                    f"def read_{child}(item_id: int): ...\n"
                )
        else:
            for child in children:
                package([*parts, child], level + 1)
        imports = "\n".join(f"from . import {c}" for c in children)
        includes = "\n".join(f"router.include_router({c}.router, prefix='/{c}')" for c in children)
        files[f"{base}/__init__.py"] = f"from fastapi import APIRouter\n{imports}\nrouter = APIRouter()\n{includes}\n"

    package([], 1)
    files["main.py"] = "from fastapi import FastAPI\nimport gen\napp = FastAPI()\napp.include_router(gen.router)\n"
    return files


def test_generated_bigger_applications_resolves_every_route(tmp_path: Path) -> None:
    project = make_project(tmp_path, generated_tree(depth=3, width=8))
    entries = route_table(project)
    assert len(entries) == 8**3
    paths = {e.path for e in entries}
    # gen.p3.p5 includes p7 with prefix /p7, whose own prefix is /p7 too.
    assert "/p3/p5/p7/p7/{item_id}" in paths
    assert all(e.app is not None for e in entries)


def test_incremental_update_relinks(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "users.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/u')\ndef u(): ...\n",
            "main.py": "from fastapi import FastAPI\nimport users\napp = FastAPI()\napp.include_router(users.router)\n",
        },
    )
    assert table(project) == {("GET", "/u", "u")}
    main = os.fspath(tmp_path / "main.py")
    text = "from fastapi import FastAPI\nimport users\napp = FastAPI()\n"
    text += "app.include_router(users.router, prefix='/v2')\n"
    project.add_source(main, text)
    assert table(project) == {("GET", "/v2/u", "u")}
