"""What a rule is, what it reports, and how a fix is described.

Positions are (1-based line, 0-based code-point column). Each rule lives in its own module with its
documentation (the module docstring, in ruff's shape), its message, its check and its fix, and exposes `RULE`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..config import Settings
    from ..model.facts import ModuleFacts
    from ..model.project import Project

Position = tuple[int, int]
Applicability = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class Edit:
    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = "safe"


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (the other route of a duplicate)."""

    path: str
    start: Position
    end: Position
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    start: Position
    end: Position
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    tags: frozenset[str] = frozenset()  # "unnecessary", "deprecated"

    @property
    def line(self) -> int:
        return self.start[0]

    @property
    def col(self) -> int:
        return self.start[1]

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start[0], self.start[1], self.code)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # kebab-case, as ruff names rules
    summary: str  # one line: what it finds
    check: Callable[[Context], Iterable[Finding]]
    docs: str  # markdown page: What it does / Why is this bad? / Example / Use instead / Fix / Related / See also
    default: bool = True  # on by default ("provably wrong") or opt-in ("opinionated")
    fix: Applicability | None = None  # None: no fix offered
    scope: Literal["module", "project"] = "module"  # "project": findings depend on other modules too
    peers: tuple[str, ...] = ()  # matching ruff / flake8-fastapi codes
    tags: frozenset[str] = frozenset()

    @property
    def area(self) -> str:
        return AREAS.get(self.code[3], "other")


AREAS = {
    "1": "routes",
    "2": "params",
    "3": "async",
    "4": "models",
    "5": "security",
    "6": "errors",
    "7": "database",
    "8": "testing",
    "9": "app",
}


@dataclass
class Context:
    """What a rule's check sees: the module being checked, the whole project, the settings."""

    project: Project
    module: ModuleFacts
    settings: Settings
    rule: Rule | None = None
    _out: list[Finding] = field(default_factory=list)
    _version: list[tuple[int, ...] | None] = field(default_factory=list, repr=False)  # fastapi_version, once

    @property
    def source(self):  # type: ignore[no-untyped-def]
        return self.module.source

    def finding(
        self,
        node: ast.AST,
        message: str,
        *,
        end_node: ast.AST | None = None,
        fix: Fix | None = None,
        related: Iterable[Related] = (),
        tags: Iterable[str] = (),
    ) -> Finding:
        """A finding of the running rule spanning `node` (to `end_node` when given)."""
        assert self.rule is not None
        src = self.module.source
        return Finding(
            code=self.rule.code,
            message=message,
            path=self.module.path,
            start=src.start(node),
            end=src.end(end_node or node),
            fix=fix,
            related=tuple(related),
            tags=frozenset(tags) | self.rule.tags,
        )

    @property
    def fastapi_version(self) -> tuple[int, ...] | None:
        """The FastAPI version the project targets (setting, pins, or installed beside it); None if unknown."""
        if not self._version:  # one context serves every rule on a module: look it up once
            from ..versions import target_fastapi

            self._version.append(target_fastapi(self.settings.target_fastapi, self.settings.root))
        return self._version[0]

    def related(self, module: ModuleFacts, node: ast.AST, message: str) -> Related:
        src = module.source
        return Related(module.path, src.start(node), src.end(node), message)

    def edit(self, node: ast.AST, content: str) -> Edit:
        """Replace the exact text of `node`."""
        src = self.module.source
        return Edit(src.start(node), src.end(node), content)
