"""Which graphs one request sees: the served graphs (public only by default) and the dataset a query
names with the protocol's ``default-graph-uri``/``named-graph-uri`` or its own FROM clauses.

Hand-written because the endpoint's rule differs from a plain store's: the protocol's graph URIs win
over the query's FROM (SPARQL 1.1 Protocol, 2.1.4), and every graph a request names is cut to the
served ones, so a FROM can never reach a restricted graph. FROM is parsed by
:func:`repnet.graph.sparql.from_clauses`; a source graph brings its derived view
(:func:`repnet.graph.store.embedded.read_dataset`), as in `repnet query`.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ..sparql import from_clauses
from ..store.embedded import EmbeddedStore, read_dataset


def public_graphs(store: Any) -> list[str]:
    """The graphs the metadata graph lists as PUBLIC (the store's whitelist), never a ``.../restricted`` one."""
    return [g for g in EmbeddedStore(store, public_only=True).visible_graphs() if not g.endswith("/restricted")]


def dataset_options(text: str, default_uris: list[str], named_uris: list[str], served: list[str] | None) -> dict[str, Any]:
    """pyoxigraph query options for the dataset of one request.

    The protocol's graph URIs win over the query's FROM clauses; without either, the default graph
    is the union of the served graphs. ``served`` None means every graph is served. ValueError for
    a graph URI that is not an absolute IRI.
    """
    for g in default_uris + named_uris:
        ox.NamedNode(g)  # ValueError for anything that is not an absolute IRI
    if default_uris or named_uris:
        dg, ng = default_uris, named_uris
    else:
        dg, ng = from_clauses(text)
        if not dg and not ng:
            if served is None:
                return {"use_default_graph_as_union": True}
            chosen, union = read_dataset(served, None, None)
            return {"default_graph": [ox.NamedNode(g) for g in chosen or []],
                    "named_graphs": [ox.NamedNode(g) for g in union]}
    if served is not None:
        # a chosen source graph brings its derived view (read_dataset); both cut to the served graphs
        chosen, ng = read_dataset(served, dg, ng)
        dg = chosen or []
    return {"default_graph": [ox.NamedNode(g) for g in dg], "named_graphs": [ox.NamedNode(g) for g in ng]}
