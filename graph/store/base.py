"""What every store offers readers: the one interface queries, analyses, exports and pages use.

Both :class:`~repnet.graph.store.embedded.EmbeddedStore` (Oxigraph on disk or in memory) and
:class:`~repnet.graph.store.remote.RemoteStore` (any SPARQL 1.1 server) satisfy :class:`Store`;
mypy checks it. Code that needs Oxigraph itself (the build, validation, the endpoint's workers)
takes an ``EmbeddedStore`` instead, and says so in its signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import pyoxigraph as ox


class Store(Protocol):
    """A store opened for reading: public graphs only unless ``public_only`` is False."""

    location: Any  # the store directory, an endpoint URL, or None in memory
    public_only: bool

    def query(self, sparql: str, *, union: bool = True, substitutions: dict[str, Any] | None = None,
              graphs: list[str] | None = None, named: list[str] | None = None) -> Any:
        """Run a SPARQL query over the visible graphs (their union as default graph unless told)."""

    def visible_graphs(self) -> list[str]:
        """The named graphs reads may see."""

    def named_graphs(self) -> list[str]:
        """The same, as the store lists them."""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one visible graph, or of all of them."""

    def __len__(self) -> int:
        """How many quads the visible graphs hold."""

    def close(self) -> None:
        """Release the store."""
