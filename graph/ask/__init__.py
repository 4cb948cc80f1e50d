"""Asking the store.

* ``query.py`` + ``queries/*.rq`` saved queries (stable names and columns), inline SPARQL, parameters;
* ``status.py`` each person's status over time: computed at build, read by queries, analyses, pages;
* ``citations.py`` per-fact citations and wording as reported; ``stats.py`` counts;
* ``describe.py`` the VoID/DCAT description of the dataset.
"""
