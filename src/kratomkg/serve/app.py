"""The ASGI application behind ``kratomkg serve``: endpoint, editor and linked-data pages.

:func:`create_app` is all a host needs: it returns a Starlette app that any ASGI server runs
and any ASGI app can mount (``Mount("/kg", app=create_app())``; every page links relatively,
so the app works below a sub-path). Starlette is imported here and nowhere above, so
``import kratomkg`` and the rest of the command line never load it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from kratomkg.serve.limits import DEFAULT_LIMITS, Limits
from kratomkg.serve.source import Source, local_source, remote_source
from kratomkg.serve.sparql import TRUNCATED_HEADER, sparql_routes

__all__ = ["create_app", "create_app_for"]


def create_app_for(source: Source, *, limits: Limits = DEFAULT_LIMITS) -> Starlette:
    """Build the app over an already opened ``source`` (what :func:`create_app` opens)."""
    from kratomkg.serve.editor import editor_routes
    from kratomkg.serve.linked import linked_routes

    source = dataclasses.replace(source, timeout=limits.timeout)  # pages obey the query limit
    routes: list[BaseRoute] = [*sparql_routes(source, limits), *editor_routes()]
    # The linked-data routes end with a catch-all not-found page, so they come last.
    routes += linked_routes(source)
    # Open data: any web page may query the endpoint and read the pages from a browser.
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=[TRUNCATED_HEADER],
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.source = source
    app.state.limits = limits
    return app


def create_app(
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    kb: bool | None = None,
    backend: str | None = None,
    user: str | None = None,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Starlette:
    """Build the server's app over ``paths`` (and the shipped graph), or over ``backend``.

    Without ``backend`` the files are loaded and derived now, into the embedded store;
    with it every query goes to that SPARQL 1.1 server (which holds a pushed release),
    after the same checks a local query gets.
    """
    if backend is not None:
        source = remote_source(backend, user, password)
    else:
        source = local_source(paths, kb=kb)
    return create_app_for(source, limits=limits)
