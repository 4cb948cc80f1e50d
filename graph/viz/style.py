"""How the explorer and the still picture encode the network: colours, shapes and sizes.

One table per encoding, shared by the page (:mod:`repnet.graph.viz.page`, drawn by vis-network)
and the picture (:mod:`repnet.graph.viz.overview`, drawn by matplotlib), so both read the same way.
"""

from __future__ import annotations

import math

# colour, vis-network shape, matplotlib marker
CLASS_STYLE: dict[str, tuple[str, str, str]] = {
    "Person": ("#4e79a7", "dot", "o"),
    "Judge": ("#8c564b", "triangle", "^"),
    "Prosecutor": ("#b07aa1", "triangleDown", "v"),
    "Organization": ("#f28e2b", "square", "s"),
    "Court": ("#6b4c9a", "diamond", "D"),
    "Government": ("#e6b422", "hexagon", "h"),
    "Facility": ("#5c5c5c", "square", "s"),
    "Offence": ("#ff9da7", "triangle", "^"),
    "Article": ("#c44e8a", "diamond", "D"),
    "ReleaseRound": ("#17becf", "star", "*"),
    "Country": ("#76b7b2", "hexagon", "h"),
    "Place": ("#a0a0a0", "dot", "o"),
    "Unknown": ("#dddddd", "dot", "x"),
}
RELATION_COLOR: dict[str, str] = {
    "member_of": "#f28e2b",
    "sentenced_by": "#6b4c9a",
    "sentenced_in": "#9467bd",
    "prosecuted_by": "#b07aa1",
    "held_at": "#5c5c5c",
    "charged_under": "#e377c2",
    "defined_by": "#c44e8a",
    "co_defendant": "#4e79a7",
    "released_in": "#2ca02c",
    "released_by": "#17becf",
    "negotiated_by": "#e6b422",
    "government_of": "#76b7b2",
}
OTHER_RELATION_COLOR = "#8a94a3"
"""The colour of a relation missing from :data:`RELATION_COLOR` on a page."""
UNDIRECTED_RELATIONS = frozenset({"co_defendant"})
STATUS_STYLE = {"held": "#d62728", "released": "#2ca02c"}
"""The ring of a person whose status period says held, or released (in exile counts as released)."""


def node_class(cls: object) -> str:
    """The class a node is drawn as: its own when it has a style, else "Unknown".

    >>> node_class("Court"), node_class(None), node_class("Spaceship")
    ('Court', 'Unknown', 'Unknown')
    """
    return cls if isinstance(cls, str) and cls in CLASS_STYLE else "Unknown"


def node_size(score: float, top: float) -> float:
    """A node's size (vis-network units) for its centrality ``score`` when the highest is ``top``.

    >>> node_size(4.0, 4.0), node_size(1.0, 4.0), node_size(0.0, 0.0)
    (40.0, 25.0, 12.0)
    """
    return round(10.0 + 30.0 * math.sqrt(score / top), 1) if top > 0 else 12.0
