"""`fastapi-lint`: check (with --fix/--diff and machine-readable output), routes, rule, server.

Exit codes: 0 no findings, 1 findings (or a diff with --diff), 2 a usage or configuration error.
"""

from __future__ import annotations

import os
import sys

if (
    __name__ == "__main__"
    and sys.path
    and not getattr(sys.flags, "safe_path", False)  # `python -P`: the directory is not on sys.path
    and sys.path[0] in ("", os.getcwd())
):
    # `python -m flake8_fastapi.cli` puts the current directory, usually the project, first on sys.path: its
    # modules (a `tomllib.py`, a `difflib.py`) must never be imported, let alone in place of ours.
    del sys.path[0]

import argparse
import importlib
import json
import logging
import warnings
from collections.abc import Sequence
from typing import TextIO

from . import __version__
from .config import ConfigError, parse_codes
from .docs import UnknownRule, rule_markdown
from .fix_report import FixReport
from .lint import Overrides, Workspace, check_paths, workspaces
from .model.source import SourceFile
from .output import (
    FORMATS,
    format_concise,
    format_full,
    format_github,
    format_json,
    format_sarif,
    format_statistics,
    rules_json,
    statistics_json,
    summary,
)
from .parallel import collector_paused, default_jobs
from .route_table import RouteEntry
from .rules import all_rules
from .rules.base import Finding

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fastapi-lint", description="A FastAPI-aware linter.")
    parser.add_argument("--version", action="version", version=f"fastapi-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check files (the default command)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to run (replaces)")
    check.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to skip")
    check.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to run in addition")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (and offer) unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the diffs --fix would apply, write nothing")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--output-format", choices=FORMATS, default="full")
    check.add_argument("--statistics", action="store_true", help="count findings per code")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument(
        "--jobs", "-j", type=_jobs, default=0, metavar="N", help="processes for the rules (default: every core)"
    )

    routes = sub.add_parser("routes", help="list every route with its full path")
    routes.add_argument("path", nargs="?", default=".", metavar="PATH")
    routes.add_argument("--format", choices=("text", "json"), default="text")

    rule = sub.add_parser("rule", help="show a rule's documentation, or list every rule")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    server = sub.add_parser("server", help="run the language server")
    mode = server.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    mode.add_argument("--tcp", action="store_true", help="listen on a TCP port")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=2087)
    server.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default=None)
    return parser


class _OneLine(logging.Formatter):
    """A failing rule is one line on stderr (`error: rule FPA101 failed on x.py: KeyError: 'a'`), no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f": {type(exc).__name__}: {exc}"
        return text


class _Stderr(logging.Handler):
    """Writes to whatever `sys.stderr` is at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


def quiet_parser_warnings() -> None:
    """The interpreter warns while compiling the user's code (`SyntaxWarning: invalid escape sequence` on
    Python 3.12+, a DeprecationWarning before): noise from their code on our stderr, never our finding."""
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings("ignore", message="invalid escape sequence", category=DeprecationWarning)


def _setup_logging() -> None:
    logger = logging.getLogger("fastapi_lint")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(_OneLine())
        logger.addHandler(handler)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    _setup_logging()
    quiet_parser_warnings()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in ("check", "routes", "rule", "server", "-h", "--help", "--version"):
        args_list.insert(0, "check")  # `fastapi-lint [PATHS] [OPTIONS]` is `fastapi-lint check ...`
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "check":
            return cmd_check(args, sys.stdout)
        if args.command == "routes":
            return cmd_routes(args, sys.stdout)
        if args.command == "rule":
            return cmd_rule(args, sys.stdout)
        return cmd_server(args)
    except (UsageError, ConfigError) as exc:
        _error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fastapi-lint check | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:
        if os.environ.get("FASTAPI_LINT_STRICT"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (please report it; FASTAPI_LINT_STRICT=1 shows where)")
        return EXIT_ERROR


def _error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n" if not message.startswith("fastapi-lint:") else f"{message}\n")


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("must be 0 (every core) or more")
    return jobs


def _codes(value: str | None, option: str) -> tuple[str, ...] | None:
    return None if value is None else parse_codes(value, option)


def _workspaces(paths: list[str], overrides: Overrides) -> list[Workspace]:
    try:
        return workspaces(paths or ["."], overrides)
    except FileNotFoundError as exc:
        raise UsageError(f"{exc.args[0]}: no such file or directory") from None


# -- check ---------------------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    overrides = Overrides(
        select=_codes(args.select, "--select"),
        ignore=_codes(args.ignore, "--ignore") or (),
        extend_select=_codes(args.extend_select, "--extend-select") or (),
    )
    if args.fix and args.diff:
        raise UsageError("--fix and --diff cannot be combined")
    paths = list(args.paths) or ["."]
    report = FixReport()
    if args.fix or args.diff:
        from .fix_runner import fix_workspace  # here: a plain check does without its imports

        spaces = _workspaces(paths, overrides)
        findings: list[Finding] = []
        with collector_paused():
            for space in spaces:
                space.read(space.listed)
                fix_workspace(space, args.unsafe_fixes, write=args.fix, report=report)
                for items in space.check(space.requested).values():
                    findings.extend(items)
        findings.sort(key=Finding.sort_key)
    else:
        try:
            jobs = args.jobs or default_jobs()
            findings, spaces = check_paths(paths, overrides, use_cache=not args.no_cache, jobs=jobs)
        except FileNotFoundError as exc:
            raise UsageError(f"{exc.args[0]}: no such file or directory") from None
    if not spaces:
        report.warnings.append("no Python files found under the given path(s)")
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if args.diff:
        out.write("".join(report.diffs))
        n = report.total
        sys.stderr.write(f"Would fix {n} error{'s' if n != 1 else ''}.\n" if n else "No errors would be fixed.\n")
        return EXIT_FINDINGS if report.diffs and not args.exit_zero else EXIT_OK
    _print_findings(args, findings, spaces, report, out)
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_OK


def _print_findings(
    args: argparse.Namespace, findings: list[Finding], spaces: list[Workspace], report: FixReport, out: TextIO
) -> None:
    fmt = args.output_format
    if args.statistics:
        if fmt == "json":
            out.write(statistics_json(findings, args.unsafe_fixes))
            return
        out.write(format_statistics(findings, args.unsafe_fixes))
        if fmt in ("full", "concise"):
            out.write(summary(findings, args.unsafe_fixes, report.total))
        return
    if fmt == "json":
        out.write(format_json(findings))
    elif fmt == "sarif":
        out.write(format_sarif(findings))
    elif fmt == "github":
        out.write(format_github(findings))
    elif fmt == "concise":
        out.write(format_concise(findings))
        out.write(summary(findings, args.unsafe_fixes, report.total))
    else:
        texts = {p: s for space in spaces for p, s in _lines_source(space)}
        cache: dict[str, list[str]] = {}

        def lines_of(path: str) -> list[str]:
            if path not in cache:
                text = texts.get(path)
                # Python's own line breaks (not str.splitlines's form feeds etc.), as the positions count them
                lines = SourceFile(path, text()).lines if text is not None else []
                cache[path] = [line.rstrip("\r\n") for line in lines]
            return cache[path]

        body = format_full(findings, lines_of, unsafe=args.unsafe_fixes)
        out.write(body + ("\n" if body else ""))
        out.write(summary(findings, args.unsafe_fixes, report.total))


def _lines_source(space: Workspace) -> list[tuple[str, _LazyText]]:
    return [(p, _LazyText(space, p)) for p in space.requested]


class _LazyText:
    def __init__(self, space: Workspace, path: str) -> None:
        self.space, self.path = space, path

    def __call__(self) -> str:
        return self.space.text(self.path) or ""


# -- routes --------------------------------------------------------------------------------------------
def cmd_routes(args: argparse.Namespace, out: TextIO) -> int:
    from .route_table import route_table

    target = os.path.abspath(args.path)
    if not os.path.exists(target):
        raise UsageError(f"{args.path}: no such file or directory")
    entries: list[RouteEntry] = []
    for space in _workspaces([target], Overrides()):
        space.read(space.listed)
        project = space.build()
        wanted = set(space.requested)
        entries.extend(e for e in route_table(project) if e.file in wanted)
    if args.format == "json":
        rows = [
            {
                "methods": list(e.methods),
                "path": e.path,
                "name": e.name,
                "file": e.file,
                "line": e.line,
                "app": _app_label(e.app),
            }
            for e in entries
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if not entries:
        out.write("No routes found.\n")
        return EXIT_OK
    table = [
        (
            "|".join(e.methods) or "*",
            e.path or "<dynamic>",
            e.name,
            f"{_rel(e.file)}:{e.line}",
            _app_label(e.app) or "(not included)",
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    several_apps = len({row[4] for row in table}) > 1
    for row in table:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        suffix = f"  [{row[4]}]" if several_apps or row[4] == "(not included)" else ""
        out.write("  ".join(cells).rstrip() + suffix + "\n")
    return EXIT_OK


def _app_label(key: str | None) -> str | None:
    if key is None:
        return None
    path, _, qualname = key.partition("::")
    return f"{_rel(path)}:{qualname}"


def _rel(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


# -- rule ----------------------------------------------------------------------------------------------
def cmd_rule(args: argparse.Namespace, out: TextIO) -> int:
    if args.all:
        if args.output_format == "json":
            out.write(json.dumps(rules_json(), indent=2) + "\n")
            return EXIT_OK
        rules = list(all_rules().values())
        name_w = max((len(r.name) for r in rules), default=4)
        for r in rules:
            fix = {"safe": "fix", "unsafe": "unsafe fix", None: ""}[r.fix]
            state = "on" if r.default else "opt-in"
            out.write(f"{r.code}  {r.name.ljust(name_w)}  {state:<6}  {fix:<10}  {r.summary}\n")
        return EXIT_OK
    if not args.code:
        raise UsageError("rule: give a rule code (e.g. `fastapi-lint rule FPA101`) or --all")
    try:
        page = rule_markdown(args.code)
    except UnknownRule as exc:
        raise UsageError(str(exc.args[0])) from None
    if args.output_format == "json":
        rule = next(r for r in rules_json() if r["code"] == args.code.strip().upper())
        out.write(json.dumps(rule, indent=2) + "\n")
    else:
        out.write(page)
    return EXIT_OK


# -- server --------------------------------------------------------------------------------------------
def cmd_server(args: argparse.Namespace) -> int:
    try:
        server_main = importlib.import_module("fastapi_lsp.__main__").main
    except (ImportError, AttributeError) as exc:
        _error(f"the language server is not available ({exc}); install it with `pip install 'fastapi-lint[lsp]'`")
        return EXIT_ERROR
    argv = ["--tcp", "--host", args.host, "--port", str(args.port)] if args.tcp else ["--stdio"]
    if args.log_level:
        argv += ["--log-level", args.log_level]
    result = server_main(argv)
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> None:
    """The console script: `main()`, then a prompt exit.

    A big project's index is millions of objects; tearing them down one by one at interpreter exit took
    longer than checking a tenth of the files (0.3 s of 2.8 s on 3,000 files). Everything the run writes is
    flushed or closed by now (the cache is written atomically before `main` returns), so the process ends
    with `os._exit` once the standard streams and the log handlers are flushed."""
    code = main()
    try:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # `| head` closed the pipe, or a stream is already closed
        code = code or EXIT_FINDINGS
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
