from __future__ import annotations

import os

# Rules raise instead of being skipped when they fail, so a broken rule fails the tests.
os.environ.setdefault("FASTAPI_LINT_STRICT", "1")
