"""Sources in, a validated store out.

* ``sources.py`` + ``safeyaml.py`` read source files safely (size, depth, aliases) with line numbers;
* ``records.py`` checks records against ``ontology/mapping.yaml`` and turns them into quads;
* ``dataset.py`` one named graph per source, provenance and access rights in the meta graph;
* ``shacl.py`` + ``validate.py`` SHACL per source and across sources (compiled SPARQL or pySHACL);
* ``build.py`` the whole build into a new store generation; ``synth.py`` synthetic test data.
"""
