"""Still pictures (PNG or SVG, by the output's extension) written whole or not at all.

One home for what the overview, the chart and the flow diagram share: the formats, the check of
the output's extension, and saving a matplotlib figure into a file that replaces the target only
when complete (:mod:`repnet.graph.files`). SVG gets no date, so the same data gives the same file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import atomic_output

FORMATS = ("png", "svg")


def picture_format(out: str | Path, what: str) -> str:
    """"png" or "svg" from ``out``'s extension; a UsageError naming ``what`` otherwise."""
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"{what} is a .png or .svg file, not '{Path(out).name}'")
    return fmt


def save_figure(fig: Any, f: Any, fmt: str) -> None:
    fig.savefig(f, format=fmt, metadata={"Date": None} if fmt == "svg" else None)


def write_picture(out: str | Path, what: str, compute: Callable[[], dict[str, Any]],
                  draw: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Open ``out`` (an unwritable path fails before any work), ``compute()`` the numbers, ``draw``
    them and save the figure; the numbers drawn, with the ``seconds`` it all took."""
    t0 = time.perf_counter()
    fmt = picture_format(out, what)
    with atomic_output(out, "wb") as f:
        data = compute()
        save_figure(draw(data), f, fmt)
    return {**data, "seconds": time.perf_counter() - t0}


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters (longer words alone), continued lines indented.

    >>> print(wrap("More than 1,000 Belarusians remain in prison", 20))
    More than 1,000
      Belarusians remain
      in prison
    """
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "\n  ".join(lines)
