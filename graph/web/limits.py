"""The endpoint's limits in one place: sizes, depths, memory, time, and the check every query passes
before it reaches a worker (:func:`query_refusal`, also used by `repnet query`).

Hand-written: the numbers are policy (what one client may take from the others), documented where
they are used in :mod:`repnet.graph.web.serve`; the nesting count reads only the query's code
(:func:`repnet.graph.sparql.code_only`), so brackets in strings and comments do not count.
"""

from __future__ import annotations

from ..sparql import code_only

MAX_BODY = 1_000_000  # bytes of a POSTed query
MAX_QUERY = 100_000  # characters of a query
MAX_NESTING = 100  # levels of { ( [ in a query
MAX_MESSAGE = 600  # characters of an error message quoted back to the client
MEMORY_LIMIT = 2 * 1024**3  # bytes a query worker may grow by
QUERY_STACK = 256 * 1024 * 1024  # stack of the worker's query thread (Oxigraph's parser recurses)
POLL = 0.05  # seconds between looks at a busy worker
# seconds a connection may sit idle (between keep-alive requests, or in the middle of sending one)
# before the server closes it, so slow or silent clients cannot hold request threads forever
IDLE_TIMEOUT = 15.0


def query_refusal(text: str, max_query: int = MAX_QUERY, max_nesting: int = MAX_NESTING) -> str | None:
    """Why a query is refused before it reaches a worker (too long, nested too deep), or None."""
    if len(text) > max_query:
        return (f"the query is {len(text):,} characters long; this endpoint takes queries of up to {max_query:,} "
                "characters. Shorten it (a VALUES block of thousands of terms is better split into several queries)")
    depth = deepest = 0
    for c in code_only(text):
        if c in "{([":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_nesting:
                    return (f"the query is nested more than {max_nesting} levels deep (brackets, braces or "
                            "parentheses); flatten it")
        elif c in "})]":
            depth -= 1
    return None


def short_message(text: str, limit: int = MAX_MESSAGE) -> str:
    """An error message cut to ``limit`` characters, so a huge query is never echoed back."""
    return text if len(text) <= limit else text[: limit - 40] + f" ... ({len(text) - limit + 40:,} more characters)"


def excerpt_lines(text: str, width: int = 160) -> str:
    """The query with every line cut to ``width`` characters (the error quotes one line)."""
    return "\n".join(line if len(line) <= width else line[:width] + " ..." for line in text.split("\n"))


def gb(n: int) -> str:
    """A memory size for messages: '2 GB', '300 MB'."""
    return f"{n / 1024**3:.3g} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


READ_ONLY = ("SPARQL Update is refused: this endpoint is read-only. The store is built from source files; "
             "change the sources and run `repnet build`.")
MEMORY_MESSAGE = ("Query stopped: it needed more than this endpoint's memory limit of {limit} per query. Narrow it "
                  "down (more specific patterns, no ORDER BY over huge results, a LIMIT), or start the endpoint with "
                  "a larger --memory-limit.")
