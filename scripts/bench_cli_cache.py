#!/usr/bin/env python3
"""Cold vs warm `fastapi-lint check` on a generated project (the result cache), beside `ast.parse` of every file.

    .venv/bin/python scripts/bench_cli_cache.py [--files 1000] [--keep DIR]

The project is a "bigger applications" layout: packages of router modules, each package's `__init__`
including its children, one app including the top packages, plus plain helper modules.
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUTER = '''\
"""Router {n}."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/r{n}", tags=["r{n}"])


class Item{n}(BaseModel):
    name: str
    price: float = 0.0


def get_db() -> dict[str, int]:
    return {{}}


@router.get("/items/{{item_id}}")
async def read_item(item_id: int, db: Annotated[dict[str, int], Depends(get_db)]) -> Item{n}:
    if item_id not in db:
        raise HTTPException(status_code=404, detail="not found")
    return Item{n}(name=str(item_id))


@router.post("/items", status_code=201)
async def create_item(item: Item{n}) -> Item{n}:
    return item


@router.get("/users/{{user_id}}/orders/{{order_id}}")
def read_order(user_id: int) -> dict[str, int]:
    return {{"user": user_id}}
'''

HELPER = """\
import json
import os
import resource


def load(path: str) -> dict[str, object]:
    with open(path) as fh:
        return dict(json.load(fh))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


class Registry{n}:
    def __init__(self) -> None:
        self.items: dict[str, int] = {{}}

    def add(self, key: str, value: int) -> None:
        self.items[key] = value
"""


def generate(root: Path, files: int) -> int:
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    app = root / "app"
    app.mkdir()
    count, top = 0, []
    per_package = 30
    n_routers = files * 2 // 3
    package = 0
    while count < n_routers:
        pkg = app / f"p{package}"
        pkg.mkdir()
        children = []
        for i in range(min(per_package, n_routers - count)):
            (pkg / f"m{i}.py").write_text(ROUTER.format(n=count))
            children.append(f"m{i}")
            count += 1
        body = ["from fastapi import APIRouter", ""]
        body += [f"from .{c} import router as {c}_router" for c in children]
        body += ["", "router = APIRouter()"] + [f'router.include_router({c}_router, prefix="/{c}")' for c in children]
        (pkg / "__init__.py").write_text("\n".join(body) + "\n")
        count += 1
        top.append(f"p{package}")
        package += 1
    helpers = app / "helpers"
    helpers.mkdir()
    (helpers / "__init__.py").write_text("")
    count += 1
    i = 0
    while count < files - 2:
        (helpers / f"h{i}.py").write_text(HELPER.format(n=i))
        i, count = i + 1, count + 1
    (app / "__init__.py").write_text("")
    main = ["from fastapi import FastAPI", ""] + [f"from app.{p} import router as {p}" for p in top]
    main += ["", "app = FastAPI()"] + [f'app.include_router({p}, prefix="/{p}")' for p in top]
    (app / "main.py").write_text("\n".join(main) + "\n")
    return sum(1 for _ in root.rglob("*.py"))


class Timing:
    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f}s wall, {self.cpu:.2f}s cpu"


def timed(cmd: list[str], cwd: Path) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """Wall time and the child's CPU time (user + system; robust on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu), proc


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--keep", help="generate into this directory and keep it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fastapi-lint-bench-"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    n = generate(root, args.files)
    start = time.perf_counter()
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(), str(path))
    parse = time.perf_counter() - start
    cli = [sys.executable, "-m", "flake8_fastapi.cli", "check", "--output-format", "concise", "."]
    startup, _ = timed(
        [sys.executable, "-c", "import flake8_fastapi.cli, flake8_fastapi.rules as r; r.all_rules()"], root
    )
    serial, _ = timed([*cli, "--no-cache", "-j", "1"], root)
    nocache, proc = timed([*cli, "--no-cache"], root)
    cold, _ = timed(cli, root)
    warm, warm_proc = min((timed(cli, root) for _ in range(3)), key=lambda t: t[0].cpu)  # best of 3
    assert warm_proc.stdout == proc.stdout, "warm run differs from the uncached run"
    touched = root / "app" / "helpers" / "h0.py"
    touched.write_text(touched.read_text() + "\n# touched\n")
    changed, _ = timed(cli, root)
    findings = sum(1 for line in proc.stdout.splitlines() if ": FPA" in line)
    print(f"files: {n}   findings: {findings}   load average: {os.getloadavg()[0]:.1f}")
    print(f"ast.parse of every file (in-process): {parse:.2f}s")
    print(f"interpreter + import + rule registry: {startup}")
    print(f"check --no-cache -j1:       {serial}")
    print(f"check --no-cache (all cores): {nocache}")
    print(f"check cold (writes cache):  {cold}")
    print(f"check warm (no change):     {warm}")
    print(f"  cold/warm: {cold.wall / warm.wall:.1f}x wall, {cold.cpu / warm.cpu:.1f}x cpu")
    print(f"check after one file changed: {changed}")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
