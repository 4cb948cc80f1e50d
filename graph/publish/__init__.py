"""Publishing the graph.

* ``export.py`` linked data (TriG, N-Quads, JSON-LD, Turtle, N-Triples, RDF/XML) and CSV tables;
* ``push.py`` the store's graphs to a SPARQL 1.1 server (Graph Store Protocol or SPARQL Update).
"""
