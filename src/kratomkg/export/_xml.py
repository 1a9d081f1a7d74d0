"""XML escaping shared by the RDF/XML, GraphML and GEXF writers.

The writers build their XML as text (so that attribute and element order is fixed and the
output is byte-identical between runs); these helpers make every value safe to put there.
"""

from __future__ import annotations

import re

from kratomkg.errors import ExportError

__all__ = ["check_xml_chars", "xml_attr", "xml_text"]

# Characters that XML 1.0 cannot carry at all, not even as character references.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        # A parser normalises raw whitespace in attribute values to spaces; references keep it.
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def check_xml_chars(value: str, where: str) -> str:
    """Return ``value``, or raise when it holds a character XML 1.0 cannot represent."""
    bad = _FORBIDDEN.search(value)
    if bad:
        raise ExportError(
            f"{where}: character U+{ord(bad.group()):04X} cannot be written in XML 1.0"
        )
    return value


def xml_text(value: str, where: str = "value") -> str:
    """Escape ``value`` for element content."""
    return check_xml_chars(value, where).translate(_TEXT)


def xml_attr(value: str, where: str = "value") -> str:
    """Escape ``value`` for a double-quoted attribute."""
    return check_xml_chars(value, where).translate(_ATTR)
