"""Edit sequences over projects whose path parameters are bound through dependencies, and whose secrets reach
signing calls across files, stay equal to fresh builds after every edit.

FPA101/FPA102 share, per project link, what each dependency and each `dependencies=[...]` entry receives, and
skip the analysis when the handler takes every path parameter itself; FPA502 keeps its table of literals
reaching signing keys across updates (`Project.incremental`, one share per module). The projects below bind
path parameters through `Depends` chains (a cycle included), `Annotated` aliases imported from another module,
router, decorator and `include_router` dependencies and prefixes, a dependency reading `request.path_params`,
and use secrets defined in one module and signed with in others. The edits bind and unbind parameters, make
dependencies opaque and resolvable again, and make literals appear, change and disappear.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from flake8_fastapi.checker import check_module
from flake8_fastapi.config import Settings
from flake8_fastapi.model.project import Project
from tests.model.edit_runs import apply_matching_edit, keystroke, run_edits, write_project
from tests.model.test_edit_sequences import EDITS
from tests.model.test_incremental_link import REPO, _copy, _fresh

FIXTURES = REPO / "tests" / "fixtures" / "rules"

BOUND = {
    "app/__init__.py": "",
    "app/routers/__init__.py": "",
    "app/deps.py": """from typing import Annotated

from fastapi import Depends, Path, Request


def get_owner(owner_id: int) -> int:
    return owner_id


def get_item(item_id: int, owner: int = Depends(get_owner)) -> int:
    return item_id + owner


def get_version(version: str) -> str:
    return version


def get_any(request: Request) -> str:
    return str(request.path_params)


def get_loop(thing_id: int, other: int = Depends(get_item)) -> int:
    return thing_id


def get_back(lot_id: int, again: int = Depends(get_loop)) -> int:
    return lot_id


ItemId = Annotated[int, Path(alias="item_id")]
Owner = Annotated[int, Depends(get_owner)]
""",
    "app/security.py": """import os

import jwt

SECRET_KEY = "s3cr3t-value"
OTHER_KEY = "another-secret"
PUBLIC = "-----BEGIN PUBLIC KEY-----"


def make(sub: str) -> str:
    return jwt.encode({"sub": sub}, SECRET_KEY, algorithm="HS256")


def make_env(sub: str) -> str:
    return jwt.encode({"sub": sub}, os.environ["K"], algorithm="HS256")
""",
    "app/tokens.py": """import jwt

from app.security import OTHER_KEY, SECRET_KEY


def decode(tok: str) -> dict[str, str]:
    return jwt.decode(tok, SECRET_KEY, algorithms=["HS256"])


def decode_other(tok: str) -> dict[str, str]:
    return jwt.decode(tok, OTHER_KEY, algorithms=["HS256"])


def decode_inline(tok: str) -> dict[str, str]:
    return jwt.decode(tok, "inline-secret", algorithms=["HS256"])
""",
    "app/routers/items.py": """from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import ItemId, Owner, get_any, get_back, get_item, get_owner

router = APIRouter(prefix="/owners/{owner_id}", dependencies=[Depends(get_owner)])


@router.get("/items/{item_id}")
async def read_item(item: int = Depends(get_item)) -> int:
    return item


@router.get("/things/{thing_id}")
async def read_thing(thing: Annotated[int, Depends(get_item)]) -> int:
    return thing


@router.get("/alias/{item_id}")
async def read_alias(i: ItemId) -> int:
    return i


@router.get("/owned/{lot_id}")
async def read_owned(owner: Owner, lot: int = Depends(get_back)) -> int:
    return owner


@router.get("/any/{x}/{y}", dependencies=[Depends(get_any)])
async def read_any(x: int) -> int:
    return x


@router.get("/miss/{item_id}")
async def read_miss(itemid: int) -> int:
    return itemid


@router.get("/plain/{plain_id}")
async def read_plain(plain_id: int) -> int:
    return plain_id
""",
    "app/routers/users.py": """from fastapi import APIRouter, Depends

from app.deps import get_version

router = APIRouter(prefix="/users/{user_id}")


@router.get("/profile")
async def profile(user_id: int) -> int:
    return user_id


@router.get("/settings", dependencies=[Depends(get_version)])
async def settings(user_id: int) -> int:
    return user_id


@router.get("/orders/{order_id}")
async def orders(user_id: int) -> int:
    return user_id
""",
    "app/main.py": """from fastapi import Depends, FastAPI
from starlette.middleware.sessions import SessionMiddleware

from app.deps import get_version
from app.routers import items, users

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="session-secret")
app.include_router(items.router, prefix="/v1/{version}", dependencies=[Depends(get_version)])
app.include_router(users.router, prefix="/v2/{version}")
""",
}

# Edits of what binds a path parameter and of what reaches a signing key, with the general ones.
BINDING_EDITS: list[tuple[str, str]] = [
    *EDITS,
    (r"\{(\w+)\}", r"{\1_b}"),  # a path parameter renamed: unbound
    (r"\{(\w+)_b\}", r"{\1}"),
    (r"\((\w+)_id: int\)", r"(\1_idx: int)"),  # a dependency or handler parameter renamed
    (r"\((\w+)_idx: int\)", r"(\1_id: int)"),
    (r"\((\w+): int\)", r"(\1: int, **kw: int)"),  # takes anything: the analysis cannot tell
    (r", \*\*kw: int\)", ")"),
    (r"dependencies=\[", "dependencies=[Depends(get_any), "),
    (r"dependencies=\[Depends\(get_any\), ", "dependencies=["),
    (r'alias="(\w+)"', r'alias="\1_b"'),
    (r'alias="(\w+)_b"', r'alias="\1"'),
    (r"\nItemId = ", "\nItemId: object = "),
    (r"\nItemId: object = ", "\nItemId = "),
    (r'= "([\w-]+)"', r'= "\1-2"'),  # a literal changed
    (r'= "([\w-]+)-2"', r'= "\1"'),
    (r'(\w+)_KEY = "[^"]*"', r'\1_KEY = ""'),  # a literal gone (an empty key is no secret)
    (r'(\w+)_KEY = ""', r'\1_KEY = "restored-secret"'),
    (r"jwt\.(en|de)code\(", r"jwt.\1codex("),  # a signing call gone
    (r"jwt\.(en|de)codex\(", r"jwt.\1code("),
    (r"secret_key=", "secret_keys="),
    (r"secret_keys=", "secret_key="),
]

PROJECTS = [
    FIXTURES / "FPA101" / "bad_cross_file",
    FIXTURES / "FPA101" / "good_cross_file",
    FIXTURES / "FPA102" / "bad_prefix_cross_file",
    FIXTURES / "FPA502" / "bad_cross_file",
]


def _write(root: Path) -> dict[str, str]:
    return write_project(root, BOUND)


def _apply(rng: random.Random, text: str) -> str | None:
    return apply_matching_edit(rng, text, BINDING_EDITS)


def _codes(project: Project, codes: tuple[str, ...]) -> list[tuple[str, str, int, str]]:
    settings = Settings(root=project.root, select=codes)
    return [
        (f.code, os.path.relpath(f.path, project.root), f.start[0], f.message)
        for path in sorted(project.modules)
        for f in check_module(project, project.modules[path], settings)
    ]


def _run(root: str, texts: dict[str, str], seed: str, steps: int) -> None:
    assert run_edits(root, texts, seed, steps, _apply) >= steps // 2


def test_the_project_exercises_every_way_of_binding(tmp_path: Path) -> None:
    """The starting project has findings of all three rules, and silent routes of every kind."""
    project = _fresh(os.fspath(tmp_path), _write(tmp_path))
    found = _codes(project, ("FPA101", "FPA102", "FPA502"))
    unbound = sorted(m.split("`")[1] for c, _, _, m in found if c == "FPA101")
    # thing_id: get_item takes item_id; order_id: nothing; item_id of /miss: `itemid` is a misspelling;
    # version: only the include of items.router depends on get_version, not that of users.router.
    assert unbound == ["item_id", "order_id", "thing_id", "version", "version"]
    assert [m.split("`")[1] for c, _, _, m in found if c == "FPA102"] == ["itemid"]
    secrets = sorted((p, line) for c, p, line, _ in found if c == "FPA502")
    assert secrets == [("app/main.py", 8), ("app/security.py", 5), ("app/security.py", 6), ("app/tokens.py", 15)]


@pytest.mark.parametrize("seed", range(4))
def test_edits_that_bind_and_unbind_stay_equal_to_fresh_builds(tmp_path: Path, seed: int) -> None:
    _run(os.fspath(tmp_path), _write(tmp_path), f"binding-{seed}", 50)


@pytest.mark.parametrize("case", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_edit_sequences_over_the_cross_file_fixtures(tmp_path: Path, case: Path) -> None:
    _run(os.fspath(tmp_path), _copy(case, tmp_path), f"{case.parent.name}/{case.name}", 30)


def test_a_secret_edited_in_one_module_updates_the_findings_of_another(tmp_path: Path) -> None:
    texts = _write(tmp_path)
    root = os.fspath(tmp_path)
    live = _fresh(root, texts)
    assert ("FPA502", "app/security.py", 6) in [f[:3] for f in _codes(live, ("FPA502",))]
    security = os.fspath(tmp_path / "app/security.py")
    tokens = os.fspath(tmp_path / "app/tokens.py")
    for path, old, new in [
        (tokens, "jwt.decode(tok, OTHER_KEY", "jwt.decode(tok, SECRET_KEY"),  # OTHER_KEY signs nothing now
        (security, 'SECRET_KEY = "s3cr3t-value"', 'SECRET_KEY = ""'),
        (security, 'SECRET_KEY = ""', 'SECRET_KEY = "back-again"'),
        (tokens, "jwt.decode(tok, SECRET_KEY", "jwt.decode(tok, OTHER_KEY"),
    ]:
        texts[path] = texts[path].replace(old, new, 1)
        keystroke(live, path, texts[path])
        assert _codes(live, ("FPA502",)) == _codes(_fresh(root, texts), ("FPA502",)), new
    assert ("FPA502", "app/security.py", 6) in [f[:3] for f in _codes(live, ("FPA502",))]
