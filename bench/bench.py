#!/usr/bin/env python3
"""Benchmark fastapi-lint against `ast.parse`, ruff and flake8, in one run, and print ratios against the design's
performance budget.

    .venv/bin/python bench/bench.py                  # every corpus
    .venv/bin/python bench/bench.py --corpus gen512  # one (gen512, gen3000, real)
    .venv/bin/python bench/bench.py --update-readme  # also write the table into README.md (Performance)

Corpora (written under --workdir, default $TMPDIR/fastapi-lint-bench; each is its own project root):
- gen512: a generated "bigger applications" project three packages deep and eight wide: 512 router modules
  (with their schemas), every package `__init__` including its children's routers (all named `router`),
  ~1,600 files.
- gen3000: the same tree with schemas, services, dependencies and tests beside every router: ~3,150 files.
- real: a copy of the installed source of FastAPI and of FastAPI-based packages (those of the real-code test).

Measured, per corpus: `ast.parse` of every file (the unit); the library in-process: module facts plus the
single-file (module-scope) rules given the parsed tree, and the full check (read, parse, index, every default
rule); the project index's route resolution alone; the CLI (`fastapi-lint check`) cold without cache, cold
filling the cache, and warm, with its CPU time over wall time (how busy the cores are on average); `ruff check --select
FAST,ASYNC`; flake8 (E,F,W) without the plugin, with it (E,F,W,FPA) and `--select FPA`. In-process numbers are
the best of --repeat runs; subprocess numbers the best of two (warm: of three; flake8: one run). Wall and CPU
time are both reported: on a loaded machine the CPU ratios are the meaningful ones. Results also go to
test-artifacts/bench.json.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flake8_fastapi.checker import build_project, check_module, discover, run_rules  # noqa: E402
from flake8_fastapi.config import Settings, load_settings  # noqa: E402
from flake8_fastapi.model.project import Project  # noqa: E402
from flake8_fastapi.route_table import route_table  # noqa: E402
from flake8_fastapi.rules import all_rules  # noqa: E402

REAL_PACKAGES = (
    "fastapi",
    "sqlmodel",
    "fastapi_users",
    "fastapi_pagination",
    "slowapi",
    "fastapi_cache",
    "fastcrud",
    "fastapi_amis_admin",
    "ralph",
)
BIN = Path(sys.executable).parent

# flake8 without our plugin: the same flake8, with the FPA entry point filtered out of plugin discovery.
FLAKE8_WITHOUT_PLUGIN = """
import sys
from flake8.plugins import finder
_find = finder._find_importlib_plugins
def _without_fpa():
    for plugin in _find():
        if not plugin.entry_point.value.startswith("flake8_fastapi"):
            yield plugin
finder._find_importlib_plugins = _without_fpa
from flake8.main.cli import main
sys.exit(main())
"""


# -- corpora --------------------------------------------------------------------------------------------------

ROUTES = '''\
"""Endpoints of {name}."""

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from {deps} import CurrentUser, get_db
from {schemas} import {model}Create, {model}Out, {model}Update

router = APIRouter(tags=["{name}"])
DB = Annotated[AsyncSession, Depends(get_db)]


@router.get("/", response_model=list[{model}Out])
async def list_{name}(db: DB, skip: Annotated[int, Query(ge=0)] = 0, limit: int = 50) -> list[{model}Out]:
    rows = await db.scalars(select({model}Out).offset(skip).limit(limit))
    return [{model}Out.model_validate(r) for r in rows]


@router.get("/{{{name}_id}}")
async def get_{name}({name}_id: int, db: DB, user: CurrentUser) -> {model}Out:
    row = await db.get({model}Out, {name}_id)
    if row is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="{model} not found")
    return {model}Out.model_validate(row)


@router.post("/", status_code=status.HTTP_201_CREATED)
async def create_{name}(payload: {model}Create, db: DB, user: CurrentUser) -> {model}Out:
    row = {model}Out(id=0, **payload.model_dump())
    db.add(row)
    await db.commit()
    return row


@router.patch("/{{{name}_id}}")
{extra_decorator}async def update_{name}({name}_id: int, payload: {model}Update, db: DB{legacy_param}) -> {model}Out:
    row = await db.get({model}Out, {name}_id)
    if row is None:
        raise HTTPException(status_code=404, detail="{model} not found")
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    await db.commit(){blocking}
    return row


@router.delete("/{{{name}_id}}", status_code=204)
async def delete_{name}({name}_id: int, db: DB) -> None:
    row = await db.get({model}Out, {name}_id)
    if row is not None:
        await db.delete(row)
        await db.commit()
'''

SCHEMAS = """\
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class {model}Base(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    priority: int = 0


class {model}Create({model}Base):
    pass


class {model}Update(BaseModel):
    title: str | None = None
    description: str | None = None
    priority: int | None = None


class {model}Out({model}Base):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime | None = None
"""

DEPS = """\
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine("sqlite+aiosqlite:///./{name}.db")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        try:
            yield session
        finally:
            await session.close()


async def get_current_user(authorization: Annotated[str | None, Header()] = None) -> str:
    if not authorization:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return authorization.removeprefix("Bearer ")


CurrentUser = Annotated[str, Depends(get_current_user)]
"""

SERVICE = """\
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from {schemas} import {model}Out


class {model}Service:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def count(self) -> int:
        return await self.db.scalar(select(func.count()).select_from({model}Out)) or 0

    async def exists(self, ident: int) -> bool:
        return await self.db.get({model}Out, ident) is not None
"""

TESTS = """\
from fastapi.testclient import TestClient

from app.main import app


def test_list_{name}() -> None:
    with TestClient(app) as client:
        response = client.get("{path}/")
        assert response.status_code in (200, 401)


def test_get_{name}_missing() -> None:
    with TestClient(app) as client:
        assert client.get("{path}/0").status_code in (401, 404)
"""

PACKAGE_INIT = """\
from fastapi import APIRouter

{imports}

router = APIRouter(prefix="/{segment}")
{includes}
"""

MAIN = """\
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import router as api_router


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


app = FastAPI(title="generated", lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"], allow_credentials=True)
app.include_router(api_router, prefix="/api")
"""


def generate(root: Path, full: bool) -> None:
    """Three packages deep, eight wide; every leaf package holds a router module (and more when `full`)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "generated"\nversion = "0"\n')
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(MAIN)
    (root / "app" / "deps.py").write_text(DEPS.format(name="app"))
    counter = iter(range(10_000))

    def package(path: Path, dotted: str, segment: str, depth: int, url: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if depth == 3:
            n = next(counter)
            name = f"thing{n}"
            model = f"Thing{n}"
            deps = f"{dotted}.deps" if full else "app.deps"
            schemas = f"{dotted}.schemas"
            mistakes = n % 16 == 0
            (path / "routes.py").write_text(
                ROUTES.format(
                    name=name,
                    model=model,
                    deps=deps,
                    schemas=schemas,
                    extra_decorator="",
                    legacy_param=", session: AsyncSession = Depends(get_db)" if mistakes else "",
                    blocking="\n    time.sleep(0.1)" if n % 32 == 0 else "",
                )
            )
            (path / "schemas.py").write_text(SCHEMAS.format(model=model))
            if full:
                (path / "deps.py").write_text(DEPS.format(name=name))
                (path / "service.py").write_text(SERVICE.format(model=model, schemas=schemas))
                (path / "test_routes.py").write_text(TESTS.format(name=name, path=url))
            (path / "__init__.py").write_text(
                PACKAGE_INIT.format(
                    imports="from .routes import router as routes_router",
                    segment=segment,
                    includes="router.include_router(routes_router)",
                )
            )
            return
        children = [f"p{i}" for i in range(8)]
        for child in children:
            package(path / child, f"{dotted}.{child}", child, depth + 1, f"{url}/{child}")
        (path / "__init__.py").write_text(
            PACKAGE_INIT.format(
                imports="\n".join(f"from . import {c}" for c in children),
                segment=segment,
                includes="\n".join(f"router.include_router({c}.router)" for c in children),
            )
        )

    package(root / "app" / "api", "app.api", "v1", 0, "/api/v1")


def copy_real(root: Path) -> list[str]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "real"\nversion = "0"\n')
    copied: list[str] = []
    for name in REAL_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"  (not installed, skipped: {name})", file=sys.stderr)
            continue
        src = Path(next(iter(spec.submodule_search_locations)))
        shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so"))
        copied.append(name)
    return copied


# -- measuring ------------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    name: str
    root: Path
    files: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    results: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> int:
        return sum(t.count("\n") + 1 for t in self.texts.values())


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of `repeat` runs."""
    times = []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    return min(times)


@dataclass
class Run:
    wall: float
    cpu: float
    code: int
    out: str


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, proc.returncode, proc.stdout + proc.stderr)


def best_run(
    cmd: list[str],
    cwd: Path,
    times: int,
    ok: tuple[int, ...] = (0, 1),
    before: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    runs = []
    for _ in range(times):
        if before is not None:
            before()
        r = run(cmd, cwd, env)
        if r.code not in ok:
            raise RuntimeError(f"{' '.join(cmd)} exited {r.code}:\n{r.out[-2000:]}")
        runs.append(r)
    return min(runs, key=lambda r: r.wall)


def module_scope_codes() -> tuple[str, ...]:
    return tuple(c for c, r in all_rules().items() if r.scope == "module" and r.default)


def measure(c: Corpus, repeat: int) -> None:
    settings = load_settings(os.fspath(c.root))
    c.files = discover([os.fspath(c.root)], settings)
    for path in c.files:
        with open(path, encoding="utf-8") as fh:
            c.texts[path] = fh.read()
    r = c.results
    print(f"\n[{c.name}] {len(c.files)} files, {c.lines} lines under {c.root}", file=sys.stderr)

    # 1. ast.parse of every file: the unit everything is compared with.
    def parse_all() -> dict[str, ast.Module]:
        return {p: ast.parse(t, filename=p) for p, t in c.texts.items()}

    r["parse"], r["parse_cpu"] = best(parse_all, repeat)
    trees = parse_all()

    # 2. single-file: facts of one module plus the module-scope rules, from flake8's tree (a project of one
    #    module each, as a file is checked on its own).
    codes = module_scope_codes()
    single = Settings(select=codes or ("FPA000",), root=os.fspath(c.root))

    def facts_only() -> None:
        for path, text in c.texts.items():
            Project(single.root).add_source(path, text, trees[path])

    def facts_and_rules() -> None:
        for path, text in c.texts.items():
            project = Project(single.root)
            facts = project.add_source(path, text, trees[path])
            check_module(project, facts, single)

    r["facts"], r["facts_cpu"] = best(facts_only, repeat)
    r["single"], r["single_cpu"] = best(facts_and_rules, repeat)
    c.notes["single"] = ",".join(codes) or "(none registered)"

    # 3. the full check in-process: read + parse + index + every default rule on every module.
    def full() -> int:
        project = build_project(os.fspath(c.root), c.files)
        n = 0
        for facts in project.modules.values():
            n += len(check_module(project, facts, settings))
        return n

    r["full"], r["full_cpu"] = best(full, repeat)
    c.notes["findings"] = str(full())

    # 4. the project index alone: link routers and resolve every route's full path (facts already built).
    project = build_project(os.fspath(c.root), c.files)

    def link() -> int:
        project.invalidate()
        return len(route_table(project))

    r["index"], r["index_cpu"] = best(link, repeat)
    c.notes["routes"] = str(link())

    # 5. the CLI, cold (no cache), cold filling the cache, warm.
    cli = BIN / "fastapi-lint"
    if cli.exists():
        cache_dir = c.root / ".fastapi-lint-cache"

        def clear() -> None:
            shutil.rmtree(cache_dir, ignore_errors=True)

        cold = best_run([os.fspath(cli), "check", "--no-cache", "--output-format", "concise", "."], c.root, 2)
        r["cli_cold"], r["cli_cold_cpu"] = cold.wall, cold.cpu
        fill = best_run([os.fspath(cli), "check", "--output-format", "concise", "."], c.root, 2, before=clear)
        r["cli_fill"], r["cli_fill_cpu"] = fill.wall, fill.cpu
        warm = best_run([os.fspath(cli), "check", "--output-format", "concise", "."], c.root, 3)
        r["cli_warm"], r["cli_warm_cpu"] = warm.wall, warm.cpu
        if cold.out.strip() != warm.out.strip():
            c.notes["cli_warm"] = "WARNING: warm output differs from cold"
        clear()
    else:
        c.notes["cli"] = "fastapi-lint CLI not installed"

    # 6. ruff, the peer (Rust, single file, no cache).
    ruff = BIN / "ruff" if (BIN / "ruff").exists() else shutil.which("ruff")
    if ruff:
        res = best_run(
            [
                os.fspath(ruff),
                "check",
                "--isolated",
                "--no-cache",
                "--select",
                "FAST,ASYNC",
                "--output-format",
                "concise",
                ".",
            ],
            c.root,
            2,
        )
        r["ruff"], r["ruff_cpu"] = res.wall, res.cpu

    # 7. flake8 without the plugin, with it, and with only it (once each: they are the slow ones).
    flake8 = [sys.executable, "-m", "flake8", "--isolated"]
    for key, cmd in (
        ("flake8", [sys.executable, "-c", FLAKE8_WITHOUT_PLUGIN, "--isolated", "--select", "E,F,W", "."]),
        ("flake8_plugin", [*flake8, "--select", "E,F,W,FPA", "."]),
        ("flake8_fpa", [*flake8, "--select", "FPA", "."]),
    ):
        res = best_run(cmd, c.root, 1)
        r[key], r[f"{key}_cpu"] = res.wall, res.cpu


def per_rule(c: Corpus) -> list[tuple[str, float, int]]:
    """CPU seconds and findings of each default rule over the corpus (project index linked beforehand)."""
    settings = load_settings(os.fspath(c.root))
    project = build_project(os.fspath(c.root), c.files)
    route_table(project)
    out = []
    for code, rule in all_rules().items():
        if not rule.default:
            continue
        c0 = time.process_time()
        n = sum(len(list(run_rules(project, facts, settings, codes=[code]))) for facts in project.modules.values())
        out.append((code, time.process_time() - c0, n))
    return sorted(out, key=lambda item: -item[1])


# -- report ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    label: str
    num: str
    den: str
    budget: float | None = None  # the design's bound (an upper bound)
    only: tuple[str, ...] = ()  # corpora where the budget applies


RATIOS = (
    Ratio("single-file rules / parse", "single", "parse", 1.0, only=("real",)),
    Ratio("full check (in-process) / parse", "full", "parse"),
    Ratio("CLI cold / parse", "cli_cold", "parse", 2.0, only=("gen3000",)),
    Ratio("CLI warm / cold", "cli_warm", "cli_cold", 0.1),
    # No bound: the design asks that both cores be used (`--jobs`, all cores by default), not how busy they are.
    Ratio("CLI cold CPU / wall (cores busy on average)", "cli_cold_cpu", "cli_cold"),
    Ratio("CLI cold / ruff FAST,ASYNC", "cli_cold", "ruff"),
    Ratio("flake8+plugin / flake8", "flake8_plugin", "flake8"),
)

ROWS = (
    ("ast.parse, every file", "parse"),
    ("module facts (given the tree)", "facts"),
    ("facts + single-file rules", "single"),
    ("full check, in-process", "full"),
    ("project index: route resolution", "index"),
    ("fastapi-lint check --no-cache", "cli_cold"),
    ("fastapi-lint check (cache fill)", "cli_fill"),
    ("fastapi-lint check (warm)", "cli_warm"),
    ("ruff check --select FAST,ASYNC", "ruff"),
    ("flake8 E,F,W (no plugin)", "flake8"),
    ("flake8 E,F,W,FPA (plugin)", "flake8_plugin"),
    ("flake8 --select FPA", "flake8_fpa"),
)


def _cell(results: dict[str, float], key: str) -> str:
    if key not in results:
        return "-"
    return f"{results[key]:.3f} s (cpu {results[key + '_cpu']:.3f})"


def _ratio(results: dict[str, float], num: str, den: str, suffix: str = "") -> float | None:
    a, b = results.get(num + suffix), results.get(den + suffix)
    return None if a is None or not b else a / b


def table(corpora: list[Corpus]) -> str:
    head = ["wall (CPU) seconds", *(f"{c.name} ({len(c.files)} files)" for c in corpora)]
    rows = [head, ["---"] * len(head)]
    for label, key in ROWS:
        rows.append([label, *(_cell(c.results, key) for c in corpora)])
    rows.append(["**ratios** (budget)", *[""] * len(corpora)])
    for ratio in RATIOS:
        bound = ""
        if ratio.budget is not None:
            where = f" on {', '.join(ratio.only)}" if ratio.only else ""
            bound = f" (<= {ratio.budget}{where})"
        cells = [ratio.label + bound]
        for c in corpora:
            value = _ratio(c.results, ratio.num, ratio.den)
            if value is None:
                cells.append("-")
                continue
            mark = ""
            if ratio.budget is not None and (not ratio.only or c.name in ratio.only):
                mark = " ok" if value <= ratio.budget else " OVER"
            by_cpu = _ratio(c.results, ratio.num, ratio.den, "_cpu") if not ratio.num.endswith("_cpu") else None
            cells.append(f"{value:.2f}{mark}" + (f" (cpu {by_cpu:.2f})" if by_cpu is not None else ""))
        rows.append(cells)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def environment() -> str:
    import platform

    versions = []
    for dist in ("fastapi-lint", "flake8", "ruff"):
        try:
            from importlib.metadata import version

            versions.append(f"{dist} {version(dist)}")
        except Exception:
            continue
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"Python {platform.python_version()}, {os.cpu_count()} CPUs (load average {load}), {', '.join(versions)}"


def update_readme(text: str) -> None:
    readme = REPO / "README.md"
    content = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    i, j = content.find(start), content.find(end)
    if i < 0 or j < i:
        raise SystemExit("README.md has no bench markers")
    readme.write_text(content[: i + len(start)] + "\n" + text + "\n" + content[j:], encoding="utf-8")


def corpora_for(names: list[str], workdir: Path) -> Iterator[Corpus]:
    for name in names:
        root = workdir / name
        if name == "gen512":
            generate(root, full=False)
        elif name == "gen3000":
            generate(root, full=True)
        elif name == "real":
            copy_real(root)
        else:
            raise SystemExit(f"unknown corpus {name}")
        yield Corpus(name, root)


def compile_bytecode() -> None:
    """Write the packages' bytecode, as an install does, so the CLI is timed as users run it.

    An editable install writes it on first import, unless PYTHONDONTWRITEBYTECODE is set (as on some CI
    machines and containers): then every run would compile ~80 modules first (about 0.1 s)."""
    for package in ("flake8_fastapi", "fastapi_lsp"):
        compileall.compile_dir(os.fspath(REPO / package), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", action="append", choices=("gen512", "gen3000", "real"))
    parser.add_argument("--repeat", type=int, default=3, help="in-process repetitions (best is kept)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fastapi-lint-bench")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--per-rule", action="store_true", help="only: CPU time of each rule on each corpus")
    args = parser.parse_args(argv)
    names = args.corpus or ["gen512", "gen3000", "real"]
    compile_bytecode()
    corpora = []
    for corpus in corpora_for(names, args.workdir):
        if args.per_rule:
            corpus.files = discover([os.fspath(corpus.root)], load_settings(os.fspath(corpus.root)))
            print(f"[{corpus.name}] {len(corpus.files)} files: CPU seconds per rule (findings)")
            for code, seconds, n in per_rule(corpus):
                print(f"  {code}  {seconds:7.3f}  ({n})")
            continue
        measure(corpus, args.repeat)
        corpora.append(corpus)
    if args.per_rule:
        return 0
    out = table(corpora)
    env = environment()
    notes = []
    for c in corpora:
        notes.append(
            f"- {c.name}: {len(c.files)} files, {c.lines} lines, {c.notes.get('routes', '?')} routes, "
            f"{c.notes.get('findings', '?')} findings; single-file rules: {c.notes.get('single', '-')}"
            + "".join(f"; {v}" for k, v in c.notes.items() if k.startswith(("cli", "warn")))
        )
    report = f"{out}\n\n{env}.\n" + "\n".join(notes)
    print(report)
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "bench.json").write_text(
        json.dumps(
            {
                "environment": env,
                "corpora": {
                    c.name: {"files": len(c.files), "lines": c.lines, "seconds": c.results, "notes": c.notes}
                    for c in corpora
                },
            },
            indent=2,
        )
        + "\n"
    )
    if args.update_readme:
        update_readme(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
