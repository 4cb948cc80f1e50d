"""The IRI scheme of a store: the one home for graph names and the base they hang from.

Every data IRI lives under a *base* (``https://w3id.org/repnet/`` unless ``--base`` or
``REPNET_BASE`` says otherwise; :func:`repnet.ontology.namespaces.data_base`). Named graphs:

* ``<base>graph/<source>`` one source's public facts, ``<base>graph/<source>/restricted`` its
  confidential ones;
* ``<base>graph/meta`` what the build says about the graphs (access rights, provenance);
* ``<base>graph/vocabulary`` the ontology and concept schemes;
* ``<base>graph/derived`` what the build computes from all sources (status periods), and
  ``<base>graph/<source>/derived`` the same computed from one source alone;
* ``<base>graph/description`` the VoID/DCAT description an export adds.
"""

from __future__ import annotations

from collections.abc import Iterable

META = "graph/meta"
VOCABULARY = "graph/vocabulary"
DERIVED = "graph/derived"
DESCRIPTION = "graph/description"
RESTRICTED_SUFFIX = "/restricted"


def graph_iri(base: str, source: str | None = None, part: str = "") -> str:
    """``<base>graph/<source>[/<part>]``, or ``<base>graph/<part>`` without a source.

    >>> graph_iri("https://w3id.org/repnet/", "hrw", "derived")
    'https://w3id.org/repnet/graph/hrw/derived'
    """
    tail = "/".join(x for x in (source, part) if x)
    return f"{base}graph/{tail}"


def base_of(graphs: Iterable[str], default: str | None = None) -> str:
    """The base of a store, read from the name of its metadata graph among ``graphs``.

    >>> base_of(["http://ex.org/kb/graph/meta", "http://ex.org/kb/graph/a"])
    'http://ex.org/kb/'
    """
    for g in graphs:
        if g.endswith("/" + META):
            return g[: -len(META)]
    if default is not None:
        return default
    from ..ontology.namespaces import data_base

    return data_base()


def source_id(graph: str) -> str:
    """A source graph's IRI -> the source id.

    >>> source_id("https://w3id.org/repnet/graph/hrw-2025-12-15-belarus/restricted")
    'hrw-2025-12-15-belarus'
    """
    return graph.rsplit("/graph/", 1)[-1].removesuffix(RESTRICTED_SUFFIX)


def is_meta(graph: str) -> bool:
    return graph.endswith("/" + META)


def is_vocabulary(graph: str) -> bool:
    return graph.endswith("/" + VOCABULARY)


def is_restricted(graph: str) -> bool:
    return graph.endswith(RESTRICTED_SUFFIX)


def is_derived(graph: str) -> bool:
    """True for a graph the build derives (never validated as a source: it is computed from them)."""
    return graph.endswith("/derived")


def is_source_view(graph: str) -> bool:
    """True for a per-source derived graph (``<base>graph/<source>/derived``): seen only when that
    source is chosen (``--source``, ``FROM``), never in the default union of all sources."""
    return graph.endswith("/derived") and not graph.endswith("/" + DERIVED)
