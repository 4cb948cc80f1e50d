"""How long work reports how far it has got: one callback shape for the whole library.

A step that can take more than a couple of seconds (build phases, synthetic data, projection,
exports, push) takes an optional ``progress`` argument and calls it as
``progress(stage, done, total)``: ``stage`` a short phrase ("loading quads"), ``done`` the units
finished so far, ``total`` the units expected or None when unknown. The library never prints;
the CLI turns the calls into a progress bar with time left on a terminal (and nothing with ``-q``
or when stderr is not a terminal); a notebook may pass its own function.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int | None = None) -> None: ...


def silent(stage: str, done: int, total: int | None = None) -> None:
    """A progress callback that reports nothing."""
