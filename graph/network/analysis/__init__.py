"""Network analyses over a projection (:mod:`repnet.graph.network.project`), each returning a :class:`Table`.

One algorithm family per module; this package re-exports their public API (``analysis.centrality(G)``)::

    common        Table, undirected (the simple graph beneath a projection), label/class/rank helpers
    centralities  centrality, betweenness (exact or sampled, on sparse arrays), betweenness_samples
    louvain       partition (Louvain on sparse arrays), communities, brokers
    connections   shortest_paths, paths, ego_network, ego
    pairs         shared (pairs of persons sharing entities), SHARED_KINDS
    sentences     judges, stats (sentence years by court, judge, charge, year)
    change        as_of, diff (who was released, added, removed or changed between two days)
    accountability  accountability (officials' posts ranked, with who sanctions them; from the officials query)

Every function takes the projected ``networkx.MultiDiGraph`` (or any view of it) and returns rows of
plain values, ready for ``--format table|json|csv``. Structural measures (centrality, communities,
brokers, paths, ego networks) work on the undirected simple graph beneath the projection
(:func:`undirected`): two entities are linked when any fact links them, whatever its direction, and
each linked pair counts once. At 100,000 synthetic persons (about 100,000 nodes and 420,000 links)
every analysis finishes in under a minute on 2 cores; see :mod:`tests.benchmarks.analysis`.
"""

from __future__ import annotations

from ..project import NODE_CLASSES
from .accountability import ACCOUNTABILITY_BY, accountability
from .centralities import (
                           BETWEENNESS_SAMPLES,
                           BETWEENNESS_SAMPLES_RANGE,
                           BETWEENNESS_WORK,
                           EXACT_BETWEENNESS_MAX_NODES,
                           betweenness,
                           betweenness_samples,
                           centrality,
)
from .change import as_of, diff
from .common import DEFAULT_SEED, Table, undirected
from .connections import ego, ego_network, paths, shortest_paths
from .louvain import brokers, communities, partition
from .pairs import DEFAULT_SHARED, SHARED_KINDS, SHARED_MAX_PAIRS, shared
from .sentences import STATS_BY, judges, stats

__all__ = ["Table", "undirected", "centrality", "partition", "communities", "brokers", "shortest_paths", "paths",
           "ego_network", "ego", "shared", "judges", "stats", "as_of", "diff", "NODE_CLASSES", "SHARED_KINDS",
           "DEFAULT_SHARED", "SHARED_MAX_PAIRS", "STATS_BY", "DEFAULT_SEED", "EXACT_BETWEENNESS_MAX_NODES",
           "BETWEENNESS_SAMPLES", "BETWEENNESS_SAMPLES_RANGE", "BETWEENNESS_WORK", "betweenness", "betweenness_samples",
           "accountability", "ACCOUNTABILITY_BY"]
