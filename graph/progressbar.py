"""The command line's side of :mod:`repnet.graph.progress`: progress calls -> a bar with time left.

On a terminal each stage ("reading files", "loading records", "validating", ...) gets a tqdm bar
that shows done/total, the rate and the time left; a call without a total is shown beside the
running bar (or as a counter when no bar runs). When the stream is not a terminal there is no bar:
only the plain lines given in ``lines`` (the summary lines a log keeps), and with ``quiet`` nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

#: stage -> a function (done, total) giving the line to print when there is no bar (None: no line)
Lines = Mapping[str, Callable[[int, "int | None"], "str | None"]]


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (False for pipes, files and test runners)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A ``progress(stage, done, total)`` callback that draws bars on a terminal.

    Use it as a context manager (the last bar is closed at the end)::

        with ProgressBar(quiet=False) as bar:
            build(..., progress=bar.callback)
    """

    def __init__(self, quiet: bool = False, stream: IO[str] | None = None, lines: Lines | None = None,
                 terminal: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        on_terminal = is_terminal(self.stream) if terminal is None else terminal
        self.bars = not quiet and on_terminal
        self.lines: Lines = {} if quiet or self.bars else (lines or {})
        self._bar: Any = None
        self._stage: str | None = None

    @property
    def callback(self) -> ProgressBar | None:
        """This object when it shows anything, else None (so the library need not count for nobody)."""
        return self if self.bars or self.lines else None

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        if not self.bars:
            line = self.lines[stage](done, total) if stage in self.lines else None
            if line is not None:
                print(line, file=self.stream, flush=True)
            return
        if total is None and self._bar is not None and stage != self._stage:
            self._bar.set_postfix_str(f"{stage} {done:,}", refresh=False)
            return
        if stage != self._stage:
            self._open(stage, total)
        bar = self._bar
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def _open(self, stage: str, total: int | None) -> None:
        from tqdm import tqdm

        self.close()
        self._stage = stage
        # "loading records" counts records; large counts as 12.3k
        unit = " " + stage.rsplit(" ", 1)[1] if " " in stage else ""
        self._bar = tqdm(total=total, desc=stage, file=self.stream, unit=unit, unit_scale=total is None or total >= 10_000,
                         dynamic_ncols=True, leave=False, mininterval=0.2)

    def close(self) -> None:
        """Close the running bar (the terminal line is cleared)."""
        if self._bar is not None:
            self._bar.close()
        self._bar, self._stage = None, None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
