"""``kratomkg serve``: the knowledge graph as linked data and a SPARQL 1.1 endpoint.

Everything here needs the ``[serve]`` extra (starlette, uvicorn), which is imported only when
an app is built or run, so ``import kratomkg.serve`` stays cheap and works without it.

* :func:`create_app`: the ASGI app (endpoint at ``/sparql``, editor, entity pages);
* :func:`serve`: build it and run it with uvicorn, as the command line does;
* :class:`Limits`: what one request may cost.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kratomkg.errors import InputError, KratomKGError
from kratomkg.serve.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["DEFAULT_LIMITS", "SERVE_EXTRA_MESSAGE", "Limits", "create_app", "serve"]

SERVE_EXTRA_MESSAGE = "kratomkg serve needs the serve extra: pip install 'kratomkg[serve]'"


class MissingExtraError(KratomKGError):
    """The ``[serve]`` extra (starlette, uvicorn) is not installed."""


def _require_extra() -> None:
    import importlib.util

    if any(importlib.util.find_spec(name) is None for name in ("starlette", "uvicorn")):
        raise MissingExtraError(SERVE_EXTRA_MESSAGE)


def create_app(
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    kb: bool | None = None,
    backend: str | None = None,
    user: str | None = None,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Starlette:
    """Build the server's ASGI app; see :func:`kratomkg.serve.app.create_app`."""
    _require_extra()
    from kratomkg.serve.app import create_app as build

    return build(paths, kb=kb, backend=backend, user=user, password=password, limits=limits)


def _port_free(host: str, port: int) -> None:
    """Refuse a port something already listens on, before minutes of loading are spent."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError("--host", f"unknown host {host} ({exc.strerror})") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError("--port", f"cannot listen on {host}:{port} ({exc.strerror})") from None


def serve(
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    kb: bool | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    backend: str | None = None,
    user: str | None = None,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Load the graph (or connect to ``backend``) and answer HTTP on ``host:port`` until stopped.

    ``ready`` is called with the server's URL once it listens (the command line prints it).
    """
    _require_extra()
    if not 0 < port < 65536:
        raise InputError("--port", f"must be between 1 and 65535 (got {port})")
    _port_free(host, port)
    app = create_app(paths, kb=kb, backend=backend, user=user, password=password, limits=limits)

    import socket

    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and ready is not None:
                ready(url)

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = _Server(config)
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind (logging the reason first)
        raise InputError("--port", f"cannot listen on {host}:{port}") from None
