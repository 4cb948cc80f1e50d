"""The pipeline, one folder per stage; data flows one way, imports go down.

    sources (YAML/JSON) -> ingest -> store -> ask / network -> publish / web / viz

* ``ingest/``   read and check source files, records -> RDF quads, SHACL validation, the build,
                synthetic data, lists imported as sources (sources.py safeyaml.py records.py dataset.py
                shacl.py validate.py build.py synth.py lists.py)
* ``store/``    the embedded Oxigraph store and its generations on disk, remote SPARQL servers
* ``ask/``      saved queries (queries/*.rq) and their execution, status over time, statistics,
                the dataset description, citations
* ``network/``  the store projected into NetworkX, the analyses, network file formats
* ``publish/``  exports (RDF, CSV) and push to a SPARQL server
* ``web/``      the SPARQL 1.1 endpoint, entity pages, the query page
* ``viz/``      the offline explorer pages and still pictures

Foundation modules every stage may import (they import no stage): ``errors`` (the one exception
hierarchy), ``iris`` (graph names and the base), ``dates`` (dates as stated), ``formats`` (RDF and
result formats, content negotiation), ``sparql`` (query text), ``terms`` (RDF terms -> Python),
``names`` (the one folding of names across scripts and spellings), ``resolution`` (the one score of
"may be one person" that both `repnet match` modes use),
``output`` and ``csvsafe`` (rows as text), ``files`` (outputs written whole), ``progress``.
``api`` is the library face that ``import repnet`` exposes.
"""
