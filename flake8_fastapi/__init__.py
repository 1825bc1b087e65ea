"""fastapi-lint: a FastAPI-aware linter, flake8 plugin and language-server library."""

from __future__ import annotations

__version__ = "0.1.0"
