"""`python -m fastapi_lsp [--stdio | --tcp --port N]` (also `fastapi-lint server`)."""

from __future__ import annotations

import os
import sys

if (
    __name__ == "__main__"
    and sys.path
    and not getattr(sys.flags, "safe_path", False)  # `python -P`: the directory is not on sys.path
    and sys.path[0] in ("", os.getcwd())
):
    # `python -m fastapi_lsp` puts the current directory first on sys.path, and editors start the server in the
    # project: its modules (an `argparse.py`, a `pygls.py`) must never be imported, let alone in place of ours.
    del sys.path[0]

import argparse
import logging
from collections.abc import Sequence

from . import __version__


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fastapi-lint server", description="fastapi-lint language server")
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    transport.add_argument("--tcp", action="store_true", help="listen on a TCP port on 127.0.0.1")
    parser.add_argument("--host", default="127.0.0.1", help="address for --tcp (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="port for --tcp (default: 2087)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--version", action="version", version=f"fastapi-lint-server {__version__}")
    # Some clients append their own flags (e.g. --clientProcessId); accept and ignore them.
    args, _unknown = parser.parse_known_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    # Nothing may reach stdout but the protocol: the root logger writes to stderr until the client is connected.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    from flake8_fastapi.cli import quiet_parser_warnings

    from .server import create_server

    quiet_parser_warnings()

    server = create_server()
    logging.getLogger("fastapi_lsp").setLevel(args.log_level)
    if args.tcp:
        # Announce on stderr when the socket listens ("Serving on ..."), so scripts can wait for it.
        announce = logging.getLogger("pygls.server")
        announce.setLevel(logging.INFO)
        announce.addHandler(logging.StreamHandler(sys.stderr))
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
