"""repnet: a knowledge graph of political-repression networks.

Importing the package has no side effects (pytest imports the repo root twice); the
pipeline lives in :mod:`repnet.graph` and the vocabulary in :mod:`repnet.ontology`.
"""

__version__ = "0.1.0"
