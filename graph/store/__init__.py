"""Stores: where the graph lives, behind one read interface.

* :mod:`.embedded` the default, an Oxigraph store (``EmbeddedStore``, ``read_dataset``, ``memory_store``);
* :mod:`.layout` its directory on disk: generations, the atomic swap of a build, locks, cleanup;
* :mod:`.readahead` SELECTs evaluated ahead by worker processes on the same generation (``ReadAhead``);
* :mod:`.remote` any SPARQL 1.1 server as a store (``RemoteStore``), over :mod:`.http`;
* :mod:`.base` the `Store` protocol both satisfy: what queries, analyses, exports and pages read;
* :func:`open_store` opens either from a spec (a directory, or an http(s) endpoint URL).
"""

from __future__ import annotations

import os

import pyoxigraph as ox

from ..errors import StoreError
from .base import Store
from .embedded import EmbeddedStore
from .layout import current_path, is_remote, no_store, remove_stale, resolve
from .remote import RemoteStore


def open_store(spec: str | os.PathLike[str] | None = None, include_restricted: bool = False) -> Store:
    """Open the current generation of a built store, read-only; public graphs only unless asked.

    A spec that is an http(s) URL opens a :class:`RemoteStore` on that SPARQL endpoint instead.
    """
    if is_remote(spec):
        return RemoteStore(str(spec), public_only=not include_restricted)
    root = resolve(spec)
    path = current_path(root)
    if path is None:
        raise no_store(root)
    remove_stale(root)
    try:
        return EmbeddedStore(ox.Store.read_only(str(path)), root, public_only=not include_restricted, generation=path)
    except OSError as e:
        raise StoreError(f"cannot open the store at {path}: {e}.\nRebuild it with `repnet build`.") from e
