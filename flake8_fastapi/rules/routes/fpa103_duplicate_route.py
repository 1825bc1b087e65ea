"""## What it does
Finds two routes of one app with the same method and the same full path (prefixes of routers and
`include_router` calls included, across files). The later registration is reported; the earlier one is shown
as related information. Parameter names do not matter: `/items/{id}` and `/items/{item_id}` match the same
requests.

## Why is this bad?
Starlette serves the first route that matches: the later handler is dead code that looks alive, and the
OpenAPI schema lists one operation for both (FastAPI also warns about the duplicate operation id when the
handlers share a name). It usually comes from a copy-pasted handler, or from two routers that each claim the
same path under one prefix. Each app is judged on its own: many small apps in one tree (examples, tests) do
not collide, and one router included under several prefixes (API versions) is fine.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@app.get("/users/{uid}")
async def read_user_again(uid: int) -> dict[str, int]:
    return {"uid": uid}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@app.get("/users/{user_id}/profile")
async def read_profile(user_id: int) -> dict[str, int]:
    return {"id": user_id}
```

## Fix
No fix: which of the two handlers is meant cannot be decided mechanically.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/bigger-applications/
- https://www.starlette.io/routing/#route-priority
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...model.facts import RouteSite
from ...model.project import Project
from ..base import Context, Finding, Rule
from ._tables import Entry, app_state, exclusive, path_anchor, shape, where


def check(ctx: Context) -> Iterator[Finding]:
    duplicates = _duplicates(ctx.project)
    if not duplicates:
        return
    for route in ctx.project.routes_of(ctx.module):
        found = duplicates.get(route.site)
        if found is None:
            continue
        later, earlier, method = found
        other = earlier.route
        place = where(other, ctx.module.path)
        yield ctx.finding(
            path_anchor(route.site),
            f"Duplicate route `{method} {later.path}`: `{other.name}` ({place}) already serves it, "
            f"so `{route.name}` is never reached",
            related=[
                ctx.related(other.module, path_anchor(other.site), f"`{method} {earlier.path}` registered first here")
            ],
        )


Found = tuple[Entry, Entry, str]  # (the later entry, the first entry with the same method and path, the method)
_GroupKey = tuple[str, str, str]  # (app, method, path shape)
_Pos = tuple[int, int]  # (module's position in the project, entry's position in the module's share)


def _duplicates(project: Project) -> dict[RouteSite, Found]:
    """Later route site -> (its entry, the first entry with the same method and path, the method)."""
    return project.incremental("fpa103.duplicates", _Table.build, _Table.update).out


@dataclass(eq=False)
class _Table:
    """The duplicates of the whole project, kept across keystrokes.

    Grouping every entry of every app after each edit is O(all routes); instead the groups keep their members
    per module, an update replaces the members of the changed modules and re-decides only the groups they were
    or are in. Built on the app tables: when those were rebuilt (another `generation`), so is this."""

    generation: int
    shares: dict[str, list[Entry]]  # path -> the entries its members came from (the app tables' share)
    keys: dict[str, set[_GroupKey]]  # path -> the groups its members are in
    groups: dict[_GroupKey, list[tuple[_Pos, Entry]]]
    # Groups with a duplicate: where the group first appears in its app's table, and its findings in order.
    decided: dict[_GroupKey, tuple[tuple[int, int, int], list[Found]]]
    out: dict[RouteSite, Found]

    @staticmethod
    def build(project: Project) -> _Table:
        state = app_state(project)
        table = _Table(state.generation, {}, {}, {}, {}, {})
        for path, share in state.shares.items():
            table._add(state.index[path], path, share)
        for key in table.groups:
            table._decide(key)
        table._report()
        return table

    @staticmethod
    def update(project: Project, table: _Table, changed: frozenset[str]) -> _Table:
        state = app_state(project)
        if state.generation != table.generation:
            return _Table.build(project)
        touched: set[_GroupKey] = set()
        for path in changed:
            old, new = table.shares[path], state.shares[path]
            if len(old) == len(new) and all(a is b for a, b in zip(old, new)):
                continue
            i = state.index[path]
            for key in table.keys[path]:
                members = [m for m in table.groups[key] if m[0][0] != i]
                if members:
                    table.groups[key] = members
                else:
                    del table.groups[key]
                touched.add(key)
            touched.update(table._add(i, path, new))
        for key in touched:
            table._decide(key)
        if touched:
            table._report()
        return table

    def _add(self, i: int, path: str, share: list[Entry]) -> set[_GroupKey]:
        self.shares[path] = share
        if not share:
            self.keys[path] = set()
            return self.keys[path]
        added: set[_GroupKey] = set()
        groups = self.groups
        for j, entry in enumerate(share):
            for method in entry.route.methods:
                key = (entry.app, method, shape(entry.path))
                members = groups.get(key)
                if members is None:
                    groups[key] = [((i, j), entry)]
                else:
                    members.append(((i, j), entry))
                added.add(key)
        self.keys[path] = added
        return added

    def _decide(self, key: _GroupKey) -> None:
        members = self.groups.get(key)
        self.decided.pop(key, None)
        if not members or len(members) < 2 or len({id(e.site) for _, e in members}) < 2:
            return  # one route reached twice (a router included twice): FPA106's business
        # Registration order; where it is not certain (files imported in an unknown order), a stable one.
        ordered = [e for _, e in sorted(members, key=lambda m: (m[1].order, m[0]))]
        method = key[1]
        found: list[Found] = []
        done: set[int] = set()
        for i, entry in enumerate(ordered):
            if id(entry.site) in done:
                continue
            first = next(
                (e for e in ordered[:i] if e.site is not entry.site and not exclusive(e.route, entry.route)), None
            )
            if first is not None:
                found.append((entry, first, method))
                done.add(id(entry.site))
        if found:
            pos, entry = min(members, key=lambda m: m[0])
            self.decided[key] = ((*pos, entry.route.methods.index(method)), found)

    def _report(self) -> None:
        """Each site's first finding, groups taken as a fresh build takes them: apps by key, then groups in the
        order they first appear in the app's table."""
        self.out = {}
        for _, (_, found) in sorted(self.decided.items(), key=lambda kv: (kv[0][0], kv[1][0])):
            for later, first, method in found:
                self.out.setdefault(later.site, (later, first, method))


RULE = Rule(
    code="FPA103",
    name="duplicate-route",
    summary="Two routes of one app with the same method and full path",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
