"""`repnet serve` and the pages it answers. The map, top down (each imports only those below it):

* ``serve``: :func:`serve` runs the endpoint (and re-exports ``Settings``, ``query_refusal``);
* ``server``: ``Settings``, the HTTP ``Server`` and ``Handler``, static files, service description;
* ``pool``: the pool of query worker processes, its lanes and limits; ``worker``: one worker (opens
  the store read-only, answers queries, saved queries and pages); ``protocol``: their pipe frames;
* ``results``: SPARQL result serializers; ``dataset``: the graphs a request sees; ``pages``: entity
  pages and the dataset description; ``limits``: sizes, timeouts, ``query_refusal``;
* ``loadtest``: a load test of a running endpoint; ``static/``: the query page (HTML, JS, CSS).
"""
