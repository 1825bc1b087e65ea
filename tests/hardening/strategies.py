"""Hypothesis strategies for the hardening tests: FastAPI-shaped modules and projects, and mutations of them.

Everything is built from `hypothesis.strategies` draws (no `random`), so a failing example shrinks to a
small module. The generated modules are mostly valid Python, shaped to reach every rule: apps and routers,
route decorators with odd paths, handlers with markers as defaults or in `Annotated`, dependency chains and
cycles, yield dependencies, models, includes with prefixes, middleware, test clients calling paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

IMPORTS = (
    "from fastapi import FastAPI, APIRouter, Depends, Query, Path, Body, Header, HTTPException, status",
    "from fastapi import Request, Response, BackgroundTasks, Security",
    "from fastapi.responses import FileResponse, JSONResponse",
    "from fastapi.security import OAuth2PasswordBearer",
    "from fastapi.middleware.cors import CORSMiddleware",
    "from fastapi.testclient import TestClient",
    "from fastapi.exceptions import HTTPException as FastAPIHTTPException",
    "from starlette.exceptions import HTTPException as StarletteHTTPException",
    "from starlette.routing import Route",
    "from typing import Annotated, Any, Optional",
    "from pydantic import BaseModel, Field, BaseSettings, validator",
    "from pydantic_settings import BaseSettings",
    "from sqlalchemy import create_engine, text",
    "from sqlalchemy.orm import Session, sessionmaker",
    "import asyncio, time, requests, hashlib, jwt, subprocess, uvicorn, httpx",
    "import fastapi",
    "from httpx import AsyncClient, ASGITransport",
    "from jose import jwt as jose_jwt",
    "from . import sibling",
    "from .sibling import *",
)

CORE_IMPORTS = (
    "from fastapi import FastAPI, APIRouter, Depends, Query, Path, Body, Header, HTTPException, status",
    "from fastapi import Request, Response, BackgroundTasks",
    "from typing import Annotated, Any, Optional",
    "from pydantic import BaseModel, Field",
    "from fastapi.middleware.cors import CORSMiddleware",
    "from fastapi.testclient import TestClient",
    "from sqlalchemy.orm import Session",
    "import asyncio, time, requests, hashlib, jwt, httpx",
)
NAMES = ("item_id", "user_id", "p", "q", "id", "itemid", "file_path", "db", "request", "token", "x", "_")
METHODS = ("get", "post", "put", "delete", "patch", "api_route", "route", "websocket", "add_api_route", "head")
SEGMENTS = ("items", "users", "me", "", "{item_id}", "{user_id}", "{p:path}", "{id:int}", "{q}", "{x:str}", "{")
ODD_PATHS = ("", "/", "//", "{", "}", "/{}", "/{:path}", "/{a}{a}", "/a/", "items", "/{item-id}", "/é/{ü}", "/\n")
COMMON_PATHS = ("/items/{item_id}", "/items/me", "/items/", "/users/{user_id}", "/files/{file_path:path}", "/token")
STATUSES = ("200", "201", "204", "304", "404", "418", "999", "-1", "status.HTTP_204_NO_CONTENT", "None", "'201'")
ANNOTATIONS = (
    None,
    "int",
    "str",
    "dict",
    "Any",
    "Optional[int]",
    "int | None",
    "Model0",
    "Request",
    "BackgroundTasks",
    "Session",
    "Annotated[int, Query()]",
    "Annotated[int, Path()]",
    "Annotated[str, Depends(dep0)]",
    "Annotated[Session, Depends(get_db)]",
    "Annotated[str, Header(alias='x')]",
    "Annotated[Model0, Body(embed=True)]",
    "Annotated[int, Query(), Depends()]",
    "Annotated",
)
DEFAULTS = (
    None,
    "None",
    "1",
    "'x'",
    "Query(None)",
    "Query(default=...)",
    "Depends(dep0)",
    "Depends(dep1)",
    "Depends(dep0())",
    "Depends()",
    "Depends(get_db)",
    "Security(dep0, scopes=['a'])",
    "Body(...)",
    "Path()",
    "Header(None)",
    "Depends(lambda: 1)",
    "Depends(sibling.dep0)",
)
BODY_LINES = (
    "return {'id': 1}",
    "return None",
    "return x",
    "return Model0()",
    "return db.query(Model0).filter(Model0.id == 1).first()",
    "return db.get(Model0, 1)",
    "raise HTTPException(status_code={status})",
    "raise HTTPException({status}, detail='no')",
    "raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)",
    "time.sleep(1)",
    "requests.get('http://example.com')",
    "subprocess.run(['ls'])",
    "open(file_path).read()",
    "return FileResponse(file_path)",
    "await asyncio.sleep(0)",
    "asyncio.sleep(1)",
    "asyncio.run(main())",
    "asyncio.get_event_loop().run_until_complete(dep0())",
    "await asyncio.get_running_loop().run_in_executor(None, time.sleep, 1)",
    "dep0()",
    "await dep0()",
    "x = await request.json()",
    "background_tasks.add_task(work, db)",
    "engine = create_engine('sqlite://', echo=True)",
    "client = httpx.Client()",
    "db.execute(text(f'select * from t where id = {x}'))",
    "db.execute('select ' + x)",
    "db.query(Model0).offset(1).limit(10).all()",
    "for row in db.query(Model0).all():\n        row.children",
    "payload = jwt.decode(token, options={'verify_signature': False})",
    "payload = jwt.decode(token, 'secret')",
    "hashlib.md5(x.encode()).hexdigest()",
    "if token == 'secret-token':\n        return 1",
    "pass",
    "...",
    "yield",
    "yield db",
    "try:\n        yield db\n    finally:\n        db.close()",
    "global x",
    "del x",
    "lambda: (yield)",
    "return [i async for i in x]",
    "with x as (a, b):\n        pass",
    "match x:\n        case {'a': 1}:\n            pass",
    "print(f'{x!r:>{p}}')",
)
TOP_LINES = (
    "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)",
    "app.add_middleware(CORSMiddleware, allow_origin_regex='.*', allow_credentials=True)",
    "app.add_middleware(GZipMiddleware)",
    "app.middleware('http')(dep0)",
    "app.add_event_handler('startup', dep0)",
    "app.mount('/static', StaticFiles(directory='static'))",
    "app.add_exception_handler(FastAPIHTTPException, dep0)",
    "app.exception_handler(HTTPException)(dep0)",
    "app.route('/r')(dep0)",
    "app.add_route('/r', dep0)",
    "app.dependency_overrides[dep0] = dep1",
    "app.dependency_overrides[len] = dep1",
    "app.dependency_overrides.clear()",
    "oauth2_scheme = OAuth2PasswordBearer(tokenUrl='token')",
    "oauth2_scheme = OAuth2PasswordBearer(tokenUrl='/nowhere')",
    "SECRET_KEY = 'hard-coded-secret'",
    "engine = create_engine('sqlite://', echo=True)",
    "SessionLocal = sessionmaker(bind=engine)",
    "uvicorn.run(app, reload=True)",
    "uvicorn.run('m:app', debug=True)",
    "asyncio.run(main())",
    "settings = Settings()",
    "app = FastAPI(debug=True, lifespan=lifespan)",
    "app = FastAPI(**kwargs)",
    "router = APIRouter(*args)",
    "app, router = FastAPI(), APIRouter()",
    "del app",
    "if True:\n    app = APIRouter()",
    "app.include_router(app)",
    "router.include_router(router)",
    "router.routes.append(1)",
    "app.router.routes[0].path = '/x'",
    "__all__ = ['router', 'app']",
)


def _lit(text: str) -> str:
    return repr(text)


@st.composite
def route_paths(draw: st.DrawFn) -> str:
    """A route path: built from segments, an odd fixed string, or a few arbitrary characters."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.sampled_from(ODD_PATHS))
    if kind == 1:
        return draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=6))
    if kind in (2, 3):  # a small pool, so that routes collide (duplicates, shadowing, client calls that match)
        return draw(st.sampled_from(COMMON_PATHS))
    segments = draw(st.lists(st.sampled_from(SEGMENTS), max_size=4))
    path = "/" + "/".join(segments)
    if draw(st.booleans()) and path != "/":
        path += "/"
    return path


@st.composite
def prefixes(draw: st.DrawFn) -> str | None:
    """None (no prefix argument) or a prefix, valid or not (trailing slash, no leading slash, parameters)."""
    return draw(
        st.one_of(
            st.none(),
            st.sampled_from(("", "/api", "/api/", "api", "/v1/{org_id}", "/users", "/items", "/", "/{p:path}")),
            route_paths(),
        )
    )


@st.composite
def parameters(draw: st.DrawFn, path: str) -> str:
    """A handler's parameter list: names from a small pool (often the path's), non-defaults first."""
    pool = list(dict.fromkeys([*NAMES, *re.findall(r"\{(\w+)", path)]))
    names = draw(st.lists(st.sampled_from(pool), max_size=4, unique=True))
    plain: list[str] = []
    defaulted: list[str] = []
    for name in names:
        if not name.isidentifier():
            continue
        annotation = draw(st.one_of(st.none(), st.sampled_from(ANNOTATIONS)))
        default = draw(st.sampled_from(DEFAULTS))
        text = name + (f": {annotation}" if annotation else "")
        if default is None:
            plain.append(text)
        else:
            defaulted.append(text + (f" = {default}" if annotation else f"={default}"))
    params = plain + defaulted
    if params and draw(st.booleans()):
        params.insert(draw(st.integers(0, len(plain))), "*")  # keyword-only marker (valid anywhere before kwargs)
        if params[-1] == "*":
            params.pop()
    if draw(st.integers(0, 9)) == 0:
        params.append("**kwargs")
    return ", ".join(params)


@st.composite
def bodies(draw: st.DrawFn, indent: str = "    ") -> str:
    status = draw(st.sampled_from(STATUSES))
    lines = draw(st.lists(st.sampled_from(BODY_LINES), min_size=1, max_size=4))
    return "".join(f"{indent}{line.replace('{status}', status)}\n" for line in lines)


@st.composite
def route_decorators(draw: st.DrawFn, owners: tuple[str, ...]) -> str:
    owner = draw(st.sampled_from(owners))
    method = draw(st.sampled_from(METHODS))
    args = [_lit(draw(route_paths()))] if draw(st.integers(0, 9)) else []
    if method == "api_route" and draw(st.booleans()):
        methods = draw(st.sampled_from(("['GET']", "['GET', 'POST']", "[]", "None")))
        args.append(f"methods={methods}")
    if draw(st.booleans()):
        args.append(f"status_code={draw(st.sampled_from(STATUSES))}")
    if draw(st.booleans()):
        args.append(f"response_model={draw(st.sampled_from(('Model0', 'Model1', 'None', 'dict', 'list[Model0]')))}")
    if draw(st.integers(0, 3)) == 0:
        args.append("operation_id=" + draw(st.sampled_from(("'op'", "'op'", "'other'", "None"))))
    if draw(st.integers(0, 3)) == 0:
        args.append("dependencies=[Depends(dep0), Depends(dep1())]")
    if draw(st.integers(0, 4)) == 0:
        args.append("responses={404: {'description': 'x'}}")
    if draw(st.integers(0, 4)) == 0:
        args.append("summary='s', tags=['t']")
    if draw(st.integers(0, 6)) == 0:
        args.append("**extra")
    return f"@{owner}.{method}({', '.join(args)})"


@st.composite
def handlers(draw: st.DrawFn, index: int, owners: tuple[str, ...]) -> str:
    decorators = draw(st.lists(route_decorators(owners), min_size=0, max_size=2))
    if draw(st.integers(0, 5)) == 0:
        decorators.insert(draw(st.integers(0, len(decorators))), draw(st.sampled_from(("@cache", "@wraps(f)"))))
    path = decorators[0] if decorators else ""
    is_async = draw(st.booleans())
    params = draw(parameters(path))
    returns = draw(st.sampled_from(("", " -> dict", " -> Model0", " -> None", " -> Response", " -> Any")))
    doc = '    """Docs."""\n' if draw(st.integers(0, 3)) == 0 else ""
    head = f"{'async ' if is_async else ''}def handler{index}({params}){returns}:\n"
    return "".join(d + "\n" for d in decorators) + head + doc + draw(bodies())


@st.composite
def dependencies(draw: st.DrawFn, index: int) -> str:
    is_async = draw(st.booleans())
    target = draw(st.sampled_from(("dep0", "dep1", "dep2", "get_db", "sibling.dep0", "handler0")))
    param = draw(
        st.sampled_from(
            (
                "",
                f"x=Depends({target})",
                f"x: Annotated[int, Depends({target})]",
                f"db: Session = Depends({target})",
                "request: Request",
                "token: str = Depends(oauth2_scheme)",
                "q: int = Query(1)",
            )
        )
    )
    body = draw(
        st.sampled_from(
            (
                "    yield 1\n",
                "    db = SessionLocal()\n    yield db\n    db.close()\n",
                "    db = SessionLocal()\n    try:\n        yield db\n    finally:\n        db.close()\n",
                "    return x\n",
                "    return httpx.AsyncClient()\n",
                "    return create_engine('sqlite://')\n",
                "    await asyncio.sleep(0)\n",
                "    pass\n",
            )
        )
    )
    name = draw(st.sampled_from((f"dep{index}", "get_db", "main", "lifespan", "work")))
    return f"{'async ' if is_async else ''}def {name}({param}):\n{body}"


@st.composite
def models(draw: st.DrawFn, index: int) -> str:
    base = draw(st.sampled_from(("BaseModel", "BaseSettings", "Model0", "object", "Base")))
    fields = draw(
        st.lists(
            st.sampled_from(
                (
                    "    id: int",
                    "    password: str",
                    "    hashed_password: str",
                    "    api_key: str = ''",
                    "    name: Optional[str]",
                    "    name: str | None = None",
                    "    json: dict",
                    "    model_config = {'extra': 'allow'}",
                    "    class Config:\n        extra = 'allow'\n        orm_mode = True",
                    "    @validator('id')\n    def check(cls, v):\n        return v",
                    "    secret_key: str = 'changeme'",
                    "    children = relationship('Child')",
                    "    items: list['Model0'] = Field(default_factory=list)",
                )
            ),
            max_size=4,
        )
    )
    return f"class Model{index}({base}):\n" + ("\n".join(fields) or "    pass") + "\n"


@st.composite
def owner_definitions(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    """Apps and routers: their definition lines and the names routes hang on."""
    lines: list[str] = []
    owners: list[str] = []
    if draw(st.booleans()):
        args = draw(st.sampled_from(("", "lifespan=lifespan", "debug=True", "title='t'", "root_path='/x'")))
        lines.append(f"app = {draw(st.sampled_from(('FastAPI', 'fastapi.FastAPI', 'MyApp')))}({args})")
        owners.append("app")
    for i in range(draw(st.integers(0, 2))):
        args: list[str] = []
        prefix = draw(prefixes())
        if prefix is not None:
            args.append(f"prefix={_lit(prefix)}")
        if draw(st.booleans()):
            args.append("dependencies=[Depends(dep0)]")
        lines.append(f"router{i} = {draw(st.sampled_from(('APIRouter', 'fastapi.APIRouter')))}({', '.join(args)})")
        owners.append(f"router{i}")
    if draw(st.integers(0, 4)) == 0:
        lines.append("class MyApp(FastAPI):\n    pass")
    if not owners:
        owners.append(draw(st.sampled_from(("app", "router", "x"))))
    return "\n".join(lines), tuple(owners)


@st.composite
def includes(draw: st.DrawFn, owners: tuple[str, ...], extra_routers: tuple[str, ...] = ()) -> str:
    routers = tuple(o for o in owners if o.startswith("router")) + extra_routers
    if not routers:
        return ""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from((*owners, "app")))
        router = draw(st.sampled_from(routers))
        args = [router]
        prefix = draw(prefixes())
        if prefix is not None:
            args.append(f"prefix={_lit(prefix)}")
        if draw(st.integers(0, 3)) == 0:
            args.append("tags=['t'], dependencies=[Depends(dep0)]")
        lines.append(f"{target}.include_router({', '.join(args)})")
    return "\n".join(lines)


@st.composite
def client_tests(draw: st.DrawFn) -> str:
    construct = draw(
        st.sampled_from(
            (
                "client = TestClient(app)",
                "client = TestClient(app=app)",
                "client = AsyncClient(app=app, base_url='http://t')",
                "client = AsyncClient(transport=ASGITransport(app=app))",
            )
        )
    )
    calls: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        method = draw(st.sampled_from(("get", "post", "delete", "request", "websocket_connect")))
        url = draw(st.one_of(route_paths(), st.sampled_from(("/items/1", "/users/me", "/api/items/1", "http://t/x"))))
        fmt = draw(st.sampled_from(("{}", "f{}", "{} + x")))
        calls.append(f"    client.{method}({fmt.format(_lit(url))})")
    if draw(st.booleans()):
        calls.append("    app.dependency_overrides[dep0] = lambda: 1")
    test = "def test_routes():\n" + ("\n".join(calls) or "    pass") + "\n"
    if draw(st.integers(0, 3)) == 0:
        test = "async " + test.replace("client.", "await client.")
    return construct + "\n\n" + test


@dataclass(frozen=True)
class Sibling:
    """What a module of a generated project may import from its siblings."""

    package: str
    modules: tuple[str, ...]


@st.composite
def fastapi_modules(draw: st.DrawFn, sibling: Sibling | None = None) -> str:
    """A FastAPI-shaped module (mostly valid Python)."""
    parts: list[str] = []
    # The core imports nearly always (else nothing resolves and the rules have nothing to say), then others.
    core = [line for line in CORE_IMPORTS if draw(st.integers(0, 7))]
    imports = core + draw(st.lists(st.sampled_from(IMPORTS), min_size=1 - min(len(core), 1), max_size=6, unique=True))
    if draw(st.booleans()):
        imports.insert(0, "from __future__ import annotations")
    if draw(st.integers(0, 5)) == 0:
        imports.insert(0, '"""Module docstring."""')
    extra_routers: list[str] = []
    if sibling is not None:
        for module in draw(st.lists(st.sampled_from(sibling.modules), max_size=2, unique=True)):
            alias = f"{module}_router"
            style = draw(st.integers(0, 3))
            if style == 0:
                imports.append(f"from {sibling.package}.{module} import router0 as {alias}")
            elif style == 1:
                imports.append(f"from .{module} import router0 as {alias}, dep0 as {module}_dep")
            elif style == 2:
                imports.append(f"from {sibling.package} import {module}")
                alias = f"{module}.router0"
            else:
                imports.append(f"from .{module} import *")
                alias = "router0"
            extra_routers.append(alias)
    parts.append("\n".join(imports))
    owner_lines, owners = draw(owner_definitions())
    parts.append(owner_lines)
    for i in range(draw(st.integers(0, 3))):
        parts.append(draw(dependencies(i)))
    for i in range(draw(st.integers(0, 2))):
        parts.append(draw(models(i)))
    routes = [draw(handlers(i, owners)) for i in range(draw(st.integers(0, 4)))]
    if routes and draw(st.integers(0, 3)) == 0:  # the same route again under another name: duplicates
        twin = draw(st.sampled_from(routes))
        routes.insert(draw(st.integers(0, len(routes))), re.sub(r"def handler(\d+)", r"def twin\1", twin, count=1))
    parts.extend(routes)
    parts.append(draw(includes(owners, tuple(extra_routers))))
    parts.extend(draw(st.lists(st.sampled_from(TOP_LINES), max_size=3)))
    if draw(st.integers(0, 2)) == 0:
        parts.append(draw(client_tests()))
    order = draw(st.permutations(range(1, len(parts)))) if draw(st.integers(0, 4)) == 0 else range(1, len(parts))
    return "\n\n".join([parts[0], *(parts[i] for i in order)]) + "\n"


MUTATION_CHARS = "()[]{}:;,.@=\\\"'#\n\r\t \x0c\x00\u00e9\U0001d54f\u2028\ufeffabc0fy"


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """`base` with a few random edits: characters deleted, inserted or replaced; lines deleted, duplicated,
    swapped, indented or dedented; a string or bracket cut in half."""
    text = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        op = draw(st.integers(0, 8))
        pos = draw(st.integers(0, len(text)))
        if op == 0:  # delete a span of characters
            end = draw(st.integers(pos, min(len(text), pos + 8)))
            text = text[:pos] + text[end:]
        elif op == 1:  # insert characters
            chunk = draw(st.text(alphabet=st.sampled_from(MUTATION_CHARS), min_size=1, max_size=3))
            text = text[:pos] + chunk + text[pos:]
        elif op == 2:  # replace one character with anything
            text = text[:pos] + draw(st.characters()) + text[pos + 1 :]
        else:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == 3:
                del lines[i]
            elif op == 4:
                lines.insert(j, lines[i])
            elif op == 5:
                lines[i], lines[j] = lines[j], lines[i]
            elif op == 6:
                lines[i] = draw(st.sampled_from(("    ", "\t", " "))) + lines[i]
            elif op == 7:
                lines[i] = lines[i].lstrip(" ")
            else:
                lines.insert(i, draw(st.sampled_from(("if x:\n", "try:\n", "else:\n", "@app.get('/')\n", "'''\n"))))
            text = "".join(lines)
    return text


@st.composite
def projects(draw: st.DrawFn) -> dict[str, str]:
    """Two or three modules of a package `pkg` (relative paths -> text) that import each other's routers
    and dependencies, plus a `main.py` that includes them into an app now and then."""
    names = tuple(f"m{i}" for i in range(draw(st.integers(2, 3))))
    files: dict[str, str] = {"pkg/__init__.py": draw(st.sampled_from(("", "from .m0 import router0\n", "x = (\n")))}
    for name in names:
        others = tuple(n for n in names if n != name)
        files[f"pkg/{name}.py"] = draw(fastapi_modules(Sibling("pkg", others)))
    if draw(st.booleans()):
        files["pkg/main.py"] = draw(fastapi_modules(Sibling("pkg", names)))
    if draw(st.integers(0, 3)) == 0:  # one module broken on purpose
        name = draw(st.sampled_from(sorted(files)))
        files[name] = draw(mutated(st.just(files[name])))
    return files
