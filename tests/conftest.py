from __future__ import annotations

import os

# Rules raise instead of being skipped when they fail, so a broken rule fails the tests.
os.environ.setdefault("FASTAPI_LINT_STRICT", "1")

# Rule fixtures are data (small projects with their own `test_*.py` and `conftest.py`), never tests to collect.
collect_ignore_glob = ["fixtures/*"]
