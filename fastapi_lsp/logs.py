"""Logging through `window/logMessage` (never stdout): our loggers and the library's, pygls' warnings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lsprotocol import types

_LEVELS = {
    logging.CRITICAL: types.MessageType.Error,
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


class LspLogHandler(logging.Handler):
    """Forwards records to the client. Re-entrant calls (sending a message logs in pygls) are dropped; records
    from other threads are handed to the event loop by `post`."""

    def __init__(self, send: Callable[[types.LogMessageParams], None]) -> None:
        super().__init__(logging.INFO)
        self._send = send
        self._busy = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._busy, "on", False):
            return
        self._busy.on = True
        try:
            kind = _LEVELS.get(record.levelno, types.MessageType.Log)
            self._send(types.LogMessageParams(type=kind, message=self.format(record)))
        except Exception:  # never let logging break the server
            pass
        finally:
            self._busy.on = False


def install(send: Callable[[types.LogMessageParams], None], level: int = logging.INFO) -> LspLogHandler:
    handler = LspLogHandler(send)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name, lvl in (("fastapi_lsp", level), ("fastapi_lint", level), ("pygls", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.level or lvl, lvl) if logger.level else lvl)
        logger.addHandler(handler)
        logger.propagate = False
    handler.setLevel(level)
    pygls_logger = logging.getLogger("pygls")
    pygls_logger.setLevel(logging.WARNING)
    return handler
