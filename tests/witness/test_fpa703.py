"""FPA703: an engine built with `echo=True` logs every statement with its bound parameters (user data ends up in
the logs); built with the flag off (the documented alternative), nothing is logged."""

from __future__ import annotations

import logging

from sqlalchemy import text

from flake8_fastapi.config import Settings

from ..lib_runner import check_in_an_app
from ._rule_examples import doc_block, run_block

SETTINGS = Settings(select=("FPA703",))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _logged(source: str) -> list[str]:
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    before = list(logger.handlers)
    engine = run_block(source)["engine"]
    handler = _Collect()
    logger.addHandler(handler)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT :email"), {"email": "alice@example.com"}).all()
    finally:
        logger.removeHandler(handler)
        engine.dispose()
        for added in [h for h in logger.handlers if h not in before]:  # echo's own stdout handler
            logger.removeHandler(added)
    return handler.lines


def test_echo_logs_statements_and_parameters() -> None:
    example = doc_block("FPA703", "## Example")
    assert [f.code for f in check_in_an_app(example, settings=SETTINGS)] == ["FPA703"]
    lines = _logged(example)
    assert any("SELECT ?" in line for line in lines)
    assert any("alice@example.com" in line for line in lines)


def test_without_echo_nothing_is_logged() -> None:
    good = doc_block("FPA703", "## Use instead")
    assert check_in_an_app(good, settings=SETTINGS) == []
    assert _logged(good) == []
