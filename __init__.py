"""repnet: a knowledge graph of political-repression networks.

The library in five calls (see README, "Python")::

    import repnet
    repnet.build(["data/"], store="/tmp/belarus")      # sources -> validated store
    store = repnet.open("/tmp/belarus")                 # a Store (embedded or a SPARQL endpoint)
    rows = store.query("sentences", person="Nasta Loika")   # rows of plain Python values
    G = store.network(as_of="2025-12-01")               # the NetworkX projection (cached)

Importing the package has no side effects and loads nothing heavy: the names below are imported
on first use. The pipeline lives in :mod:`repnet.graph` (one folder per stage), the vocabulary in
:mod:`repnet.ontology`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "open": ".graph.api", "build": ".graph.api", "validate": ".graph.api", "Store": ".graph.api", "Rows": ".graph.api",
    "RepnetError": ".graph.errors", "SourceError": ".graph.errors", "ValidationFailed": ".graph.errors",
    "StoreError": ".graph.errors", "QueryError": ".graph.errors", "UnknownName": ".graph.errors",
    "UsageError": ".graph.errors",
    "import_list": ".graph.ingest.lists", "match": ".graph.ingest.match",  # lists (issue 13)
}
__all__ = ["QueryError", "RepnetError", "Rows", "SourceError", "Store", "StoreError", "UnknownName", "UsageError",
           "ValidationFailed", "__version__", "build", "import_list", "match", "open", "validate"]

if TYPE_CHECKING:
    from .graph.api import Rows, Store, build, open, validate
    from .graph.errors import QueryError, RepnetError, SourceError, StoreError, UnknownName, UsageError, ValidationFailed
    from .graph.ingest.lists import import_list
    from .graph.ingest.match import match


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'repnet' has no attribute {name!r}")
