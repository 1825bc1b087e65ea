"""Run the rules over many files on several cores.

The project index is built once in the parent; workers are forked from it (copy-on-write, nothing pickled but
the file names going out and the findings coming back) and each checks a share of the files. Where `fork` is
not available, or there is too little to share, the caller checks serially.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .rules.base import Finding

MIN_FILES_PER_JOB = 100  # below this a fork costs more than it saves

CheckOne = Callable[[str], list[Finding]]
_CHECK: CheckOne | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an index is built and checked.

    The index is millions of small objects and almost none become garbage before the run ends, yet the
    collector would traverse them again and again as they are allocated (about a fifth of a cold run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_chunk(paths: list[str]) -> list[tuple[str, list[Finding]]]:
    assert _CHECK is not None
    return [(path, _CHECK(path)) for path in paths]


def check_in_parallel(check_one: CheckOne, paths: Sequence[str], jobs: int) -> dict[str, list[Finding]] | None:
    """`{path: check_one(path)}` computed by `jobs` forked workers; None when it is not worth it or possible."""
    jobs = min(jobs, len(paths) // MIN_FILES_PER_JOB)
    if jobs < 2:
        return None
    import multiprocessing  # here: a tenth of a warm run's start-up, and small runs never fork

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _CHECK
    _CHECK = check_one
    # Frozen objects are never traversed by a collection in a worker, so the pages of the index the workers
    # share with the parent stay shared instead of being copied.
    gc.freeze()
    try:
        chunks = [list(paths[i :: jobs * 4]) for i in range(jobs * 4)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_run_chunk, [c for c in chunks if c], chunksize=1)
    finally:
        gc.unfreeze()
        _CHECK = None
    return {path: found for chunk in results for path, found in chunk}
