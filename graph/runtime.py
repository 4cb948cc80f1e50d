"""How whole-store work runs: the garbage collector paused while it builds, projects or analyses,
and worker processes that end with the process that started them.

A build or a projection at 100,000 persons creates tens of millions of small objects (tuples,
dicts, strings) that live until the step ends. Python's cyclic collector examines the surviving
objects again each time enough new ones have been made, which measured at 100,000 persons cost
about 5% of a build (145 -> 138 s) and 10% of a projection (27 -> 24 s). Those objects form no
reference cycles that would need the collector before the step ends, so it is paused for the
step and restored after (it then runs when it would have). The network analyses run
beside a projection of millions of objects, which each collection examines again: they pause it
too (:func:`with_collector_paused`). The network pages do not: paused, the first 500-node page at
100,000 persons took 14.2 s instead of 18.8 s, but its process peaked at 2,042 MB instead of
1,894 MB, against a 2 GB target.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (nested blocks keep it paused), then
    restore it as it was.

    >>> import gc
    >>> with collector_paused():
    ...     with collector_paused():
    ...         pass
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def with_collector_paused(fn: F) -> F:
    """``fn`` with the collector paused while it runs (:func:`collector_paused`).

    For the network analyses: they make hundreds of thousands of short-lived objects beside a
    projection of millions, and each collection the collector starts examines the projection's
    objects again. Measured at 100,000 persons: centrality 6.8 -> 4.5 s, Louvain 6.1 -> 4.4 s,
    the judges' ranking 1.36 -> 0.50 s, sentence statistics 1.49 -> 0.67 s; peak memory lower.

    >>> import gc
    >>> with_collector_paused(gc.isenabled)(), gc.isenabled()
    (False, True)
    """

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with collector_paused():
            return fn(*args, **kwargs)

    paused.collector_paused = True  # type: ignore[attr-defined]
    return cast(F, paused)


def end_with_parent(ppid: int) -> None:  # pragma: no cover - runs in worker processes
    """Make a worker process (a build's record workers, a projection's readers) die with the
    process that started it: a ``kill -9`` of a build must not leave workers that go on working
    (and print BrokenPipe tracebacks). Linux: PR_SET_PDEATHSIG; elsewhere a watchdog thread that
    checks the parent twice a second. Call it first thing in the worker with the parent's pid."""
    import signal
    import threading
    import time

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL) != 0:  # PR_SET_PDEATHSIG
            raise OSError(ctypes.get_errno(), "prctl failed")
    except (OSError, AttributeError):

        def watch() -> None:
            while os.getppid() == ppid:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != ppid:  # the parent died before the signal was armed
        os._exit(1)
