"""SPARQL for kratomkg users: named competency queries on rdflib, Oxigraph or any server.

* :mod:`~kratomkg.querying.engine`: :func:`query`, the API behind ``kratomkg query``;
* :mod:`~kratomkg.querying.named`: the shipped queries (``kratomkg/queries/*.rq``);
* :mod:`~kratomkg.querying.stores`: memory (rdflib), oxigraph (pyoxigraph) and endpoint;
* :mod:`~kratomkg.querying.safety`: parse errors with line and column, no network, no update;
* :mod:`~kratomkg.querying.results`: W3C SPARQL results formats and a table;
* :mod:`~kratomkg.querying.pushing`: the Graph Store Protocol upload behind ``kratomkg push``.
"""
