"""Where a project starts and what its files are called: project roots and dotted module names."""

from __future__ import annotations

import os

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", ".git", "setup.py")


def find_root(path: str) -> str:
    """Nearest ancestor (or the directory itself) holding a project marker, else the directory given."""
    start = os.path.abspath(path)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        if any(os.path.exists(os.path.join(current, m)) for m in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


def module_names(
    path: str, root: str, packages: dict[str, tuple[str, ...]] | None = None
) -> tuple[str, bool, list[str]]:
    """Dotted name of a file (by walking up `__init__.py` packages), whether it is a package, and the other
    names it can be imported under (relative to the project root and to `src/`). `packages` memoises each
    directory's package path across calls (a project's files share their directories)."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = filename[:-3] if filename.endswith(".py") else filename.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = [*_package_path(directory, {} if packages is None else packages)]
    if not is_package:
        parts.append(stem)
    name = ".".join(parts) or stem
    aliases: list[str] = []
    root = os.path.abspath(root)
    for base in (root, os.path.join(root, "src")):
        if not path.startswith(base + os.sep):
            continue
        rel = path[len(base) + 1 :]
        rel_parts = rel[:-3].split(os.sep) if rel.endswith(".py") else rel.split(os.sep)
        if rel_parts and rel_parts[-1] == "__init__":
            rel_parts = rel_parts[:-1]
        alias = ".".join(rel_parts)
        if alias and alias != name and all(p.isidentifier() for p in rel_parts):
            aliases.append(alias)
    return name, is_package, aliases


def _package_path(directory: str, memo: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The names of the packages from the outermost one down to `directory` (empty if it is no package)."""
    found = memo.get(directory)
    if found is None:
        if os.path.exists(os.path.join(directory, "__init__.py")):
            parent = os.path.dirname(directory)
            outer = () if parent == directory else _package_path(parent, memo)
            found = (*outer, os.path.basename(directory))
        else:
            found = ()
        memo[directory] = found
    return found
