"""fastapi-lint's language server (pygls 2.x): diagnostics, hover, code actions, route symbols and navigation.

The server holds no rule logic: findings, documentation, fixes and the route table come from `flake8_fastapi`.
"""

from __future__ import annotations

SERVER_NAME = "fastapi-lint"
__version__ = "0.1.0"
