"""The kratomkg exception hierarchy.

Every error a user can cause derives from :class:`KratomKGError` and carries a one-line
message that names the file, line, node or query at fault, so the CLI can print it without a
traceback. ``exit_code`` follows the CLI contract: 2 for usage or input errors, 1 when the
data violates the shapes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kratomkg.report import ValidationReport

__all__ = [
    "ExportError",
    "InputError",
    "KratomKGError",
    "ParseError",
    "QueryError",
    "UnknownFormatError",
    "ValidationFailedError",
]


class KratomKGError(Exception):
    """Base class of every error raised on purpose by kratomkg."""

    exit_code: int = 2


class InputError(KratomKGError, ValueError):
    """A file or argument the user gave cannot be used (missing, empty, binary, unsafe)."""

    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


class UnknownFormatError(InputError):
    """A file's extension or a requested format is not one kratomkg knows."""


class ParseError(InputError):
    """A file is not valid in its RDF syntax; ``line`` and ``column`` are 1-based when known."""

    def __init__(
        self,
        source: str | Path,
        reason: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.line = line
        self.column = column
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column is not None else "")
            where += ": "
        super().__init__(source, where + reason)
        self.reason = reason


class ValidationFailedError(KratomKGError):
    """The data violates the shapes; raised by steps (such as build) that need valid data."""

    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        n = report.violation_count
        super().__init__(
            f"the knowledge graph violates the shapes ({n} violation{'s' if n != 1 else ''}); "
            "run 'kratomkg validate' for details"
        )


class QueryError(KratomKGError):
    """A SPARQL query is malformed, unsafe, unknown or failed on the store."""


class ExportError(KratomKGError):
    """An export cannot be produced in the requested form or place."""
