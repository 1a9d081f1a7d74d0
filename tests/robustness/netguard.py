"""A loopback listener that counts connections, so a test can prove nothing went online.

Untrusted input names remote things (a JSON-LD ``@context``, a DTD, an ``owl:imports``
IRI, a SPARQL ``SERVICE``); every such reference in the robustness cases points at this
listener, and the proxy variables of the command under test point at it too, so any HTTP
request to anywhere lands here. The listener answers nothing and hangs up at once: a
command that did try to fetch fails fast instead of waiting for a reply, and the count
says it tried.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

__all__ = ["NetGuard", "guarded_env", "netguard"]

PROXY_VARIABLES = (
    "http_proxy",
    "https_proxy",
    "ftp_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "ALL_PROXY",
)


class NetGuard:
    """Accept TCP connections on 127.0.0.1 (a random free port) and count them."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self._count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="netguard", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL every remote reference of a case is pointed at."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return self._count

    def reset(self) -> None:
        """Start counting again from zero (one count a case)."""
        with self._lock:
            self._count = 0

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            with self._lock:
                self._count += 1
            connection.close()

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> NetGuard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def guarded_env(base: dict[str, str], guard: NetGuard) -> dict[str, str]:
    """Return ``base`` with every proxy variable pointing at ``guard`` and no bypass list."""
    env = dict(base)
    for name in PROXY_VARIABLES:
        env[name] = guard.url
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


@contextmanager
def netguard() -> Iterator[NetGuard]:
    """A listener for the length of a block."""
    guard = NetGuard()
    try:
        yield guard
    finally:
        guard.close()
