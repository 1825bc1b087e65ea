"""`statement_path` / `same_branch` / `exclusive` (route tables): the binary search over a block's statement lines
(with the module's facts) answers exactly as the plain scan kept here as the reference, on if/elif/else,
try/except/else/finally, match, loops, `with`, nested blocks, decorated routes, routes in functions and statements
sharing a line; and FPA109 still reports every one of 300 routes that reuse the first one's operation_id."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from flake8_fastapi.checker import build_project, check_module
from flake8_fastapi.config import Settings
from flake8_fastapi.model.facts import ModuleFacts
from flake8_fastapi.model.project import Project, Route
from flake8_fastapi.rules.routes._tables import _blocks, exclusive, same_branch, statement_path

# -- the reference: the straightforward scan from the top of each block --------------------------------------


def _ref_holding(stmts: list[ast.stmt], line: int) -> ast.stmt | None:
    return next((s for s in stmts if s.lineno <= line <= (s.end_lineno or s.lineno)), None)


def _ref_statement_path(body: list[ast.stmt], line: int) -> list[tuple[ast.stmt, str]]:
    out: list[tuple[ast.stmt, str]] = []
    current = body
    while True:
        holder = _ref_holding(current, line)
        if holder is None:
            return out
        found = next(((n, b) for n, b in _blocks(holder) if _ref_holding(b, line) is not None), None)
        if found is None:
            out.append((holder, ""))
            return out
        out.append((holder, found[0]))
        current = found[1]


def _ref_same_branch(body: list[ast.stmt], line_a: int, line_b: int) -> bool:
    path_a, path_b = _ref_statement_path(body, line_a), _ref_statement_path(body, line_b)
    if not path_a or not path_b:
        return False
    for (stmt_a, block_a), (stmt_b, block_b) in zip(path_a, path_b):
        if stmt_a is not stmt_b:
            return True
        if block_a != block_b:
            return False
    return True


def _ref_exclusive(a: Route, b: Route) -> bool:
    if a.module is not b.module or a.site.scope is not b.site.scope:
        return False
    tree = a.module.source.tree
    if tree is None:
        return False
    scope = a.site.scope
    if scope.kind == "module":
        body = tree.body
    elif scope.kind == "function" and (fn := a.module.functions.get(scope.qualname)) is not None:
        body = fn.node.body
    else:
        return False
    line = [
        r.site.handler.node.lineno if r.site.handler and r.site.decorator_index >= 0 else r.site.call.lineno
        for r in (a, b)
    ]
    return not _ref_same_branch(body, line[0], line[1])


# -- the module under test: every kind of block, each with more statements than the scan threshold -----------

# Each `# fill` line becomes ten assignments at its indentation: blocks long enough to be searched, not scanned.
MODULE = """\
from fastapi import FastAPI

app = FastAPI()
flag = 1
# fill
if flag:
    # fill
    @app.get("/a", operation_id="op")
    def a1() -> None: ...
    # fill
elif flag == 2:
    # fill
    @app.get("/a", operation_id="op")
    def a2() -> None: ...
else:
    app.add_api_route("/a", a1, operation_id="op")
    # fill
try:
    # fill
    @app.get("/b", operation_id="op2")
    async def b1() -> None: ...
    # fill
except ValueError:
    @app.get("/b", operation_id="op2")
    async def b2() -> None: ...
except KeyError:
    # fill
    if flag:
        # fill
        @app.post("/b")
        @app.get("/b", operation_id="op2")
        def b3() -> None: ...
        # fill
    else:
        @app.get("/b", operation_id="op2")
        def b4() -> None: ...
else:
    app.add_api_route("/b", b1, operation_id="op2")
    # fill
finally:
    # fill
    @app.get("/b", operation_id="op2")
    def b5() -> None: ...
match flag:
    case 1:
        # fill
        @app.get("/c", operation_id="op3")
        def c1() -> None: ...
        # fill
    case 2:
        for _ in range(2):
            # fill
            @app.get("/c", operation_id="op3")
            def c2() -> None: ...
    case _:
        with open("x"):
            @app.get("/c", operation_id="op3")
            def c3() -> None: ...
# fill
x = 1; app.add_api_route("/d", a1); y = 2
@app.get("/d")
@app.get(
    "/d",
    operation_id="op4",
)
def d1() -> None: ...
def factory() -> None:
    # fill
    if flag:
        # fill
        app.add_api_route("/e", d1)
        # fill
    else:
        app.add_api_route("/e", d1)
    app.add_api_route("/e", d1)
    # fill
# fill
@app.get("/z", operation_id="op")
def z() -> None: ...
"""


def _module() -> str:
    out: list[str] = []
    for line in MODULE.splitlines(keepends=True):
        if line.strip() == "# fill":
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(f"{indent}pad{i} = {i}\n" for i in range(10))
        else:
            out.append(line)
    return "".join(out)


def _project(tmp_path: Path, text: str) -> tuple[Project, ModuleFacts]:
    path = tmp_path / "main.py"
    path.write_text(text, encoding="utf-8")
    project = build_project(os.fspath(tmp_path), [os.fspath(path)])
    (facts,) = project.modules.values()
    return project, facts


def test_statement_path_and_same_branch_match_the_scan_on_every_pair_of_lines(tmp_path: Path) -> None:
    text = _module()
    _, facts = _project(tmp_path, text)
    tree = facts.source.tree
    assert tree is not None
    bodies = [tree.body, *(fn.node.body for fn in facts.functions.values())]
    lines = range(0, len(text.splitlines()) + 3)  # beyond both ends too
    # Pairs: every line that is not filler (blank lines and the lines of decorators and calls included).
    source_lines = text.splitlines()
    some = [n for n in lines if not 1 <= n <= len(source_lines) or not source_lines[n - 1].lstrip().startswith("pad")]
    for body in bodies:
        for line in lines:
            expected = _ref_statement_path(body, line)
            assert statement_path(body, line, facts) == expected, line
            assert statement_path(body, line) == expected, line
        for a in some:
            for b in some:
                assert same_branch(body, a, b, facts) == _ref_same_branch(body, a, b), (a, b)
    # What the module is made to exercise: exclusive arms, and blocks long enough to be searched.
    assert not same_branch(
        tree.body,
        text.splitlines().index("    def a1() -> None: ...") + 1,
        text.splitlines().index("    def a2() -> None: ...") + 1,
        facts,
    )


def test_exclusive_matches_the_scan_on_every_pair_of_routes(tmp_path: Path) -> None:
    project, facts = _project(tmp_path, _module())
    routes = project.routes_of(facts)
    assert len(routes) >= 20
    answers = {(i, j): exclusive(a, b) for i, a in enumerate(routes) for j, b in enumerate(routes)}
    assert answers == {(i, j): _ref_exclusive(a, b) for i, a in enumerate(routes) for j, b in enumerate(routes)}
    assert any(answers.values()) and not all(answers.values())
    # The answers came from the binary search: the blocks' lines are kept in the module's memo.
    kept = facts.memo["routes.statement_ends"]
    assert isinstance(kept, dict) and sum(ends is not None for _, ends in kept.values()) >= 10


def test_statements_out_of_line_order_are_scanned(tmp_path: Path) -> None:
    _, facts = _project(tmp_path, _module())
    made = ast.parse("".join(f"v{i} = {i}\n" for i in range(12))).body
    made[3].lineno, made[3].end_lineno = 40, 41  # a tree made by hand: not in source order
    for line in range(0, 45):
        assert statement_path(made, line, facts) == _ref_statement_path(made, line), line


def test_fpa109_reports_each_of_300_routes_reusing_the_first_operation_id(tmp_path: Path) -> None:
    count = 300
    text = "from fastapi import FastAPI\n\napp = FastAPI()\n" + "".join(
        f'\n\n@app.get("/r{i}", operation_id="same")\ndef h{i}() -> int:\n    return {i}\n' for i in range(count)
    )
    project, facts = _project(tmp_path, text)
    findings = check_module(project, facts, Settings(select=("FPA109",), root=os.fspath(tmp_path)))
    first = text.splitlines().index('@app.get("/r0", operation_id="same")') + 1
    assert len(findings) == count - 1
    assert sorted(f.line for f in findings) == sorted(
        n for n, line in enumerate(text.splitlines(), 1) if line.startswith("@app.get(") and n != first
    )
    assert all("`h0` already uses it" in f.message for f in findings)
    assert all([(r.path, r.start[0]) for r in f.related] == [(facts.path, first)] for f in findings)
