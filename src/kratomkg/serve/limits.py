"""What one request to the server may cost: time, rows, bytes.

A public endpoint answers anybody, so every query is bounded: it is stopped after
``timeout`` seconds (the local stores kill the worker process that evaluates it), its
answer is cut after ``max_rows`` rows or triples (the response says so in a header), and a
request whose query or body is larger than ``max_request_bytes`` is refused before it is
parsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kratomkg.errors import InputError

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    """The bounds every request to the server runs within."""

    #: Seconds a query may run before it is stopped.
    timeout: float = 10.0
    #: Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) an answer may hold.
    max_rows: int = 10_000
    #: Bytes a request's query string or body may take.
    max_request_bytes: int = 100_000

    def __post_init__(self) -> None:
        if not math.isfinite(self.timeout) or self.timeout <= 0:
            raise InputError(
                "--timeout", f"must be a number of seconds above 0 (got {self.timeout:g})"
            )
        if self.max_rows < 1:
            raise InputError("--max-rows", f"must be a whole number above 0 (got {self.max_rows})")
        if self.max_request_bytes < 1:
            raise InputError(
                "--max-request-bytes",
                f"must be a whole number above 0 (got {self.max_request_bytes})",
            )


#: The limits a server runs with unless told otherwise (a frozen value, safe to share).
DEFAULT_LIMITS = Limits()
