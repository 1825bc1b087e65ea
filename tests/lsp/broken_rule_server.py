"""The language server with one rule that raises (robustness test): the other rules must still report."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, whatever the working directory

from flake8_fastapi.rules import all_rules
from flake8_fastapi.rules.base import Context, Finding


def _boom(ctx: Context) -> Iterable[Finding]:
    raise RuntimeError("rule exploded on purpose")


def main() -> int:
    rules = all_rules()  # the registry's cached dict: every caller sees the broken rule
    rules["FPA103"] = dataclasses.replace(rules["FPA103"], check=_boom)
    from fastapi_lsp.__main__ import main as server_main

    return server_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
