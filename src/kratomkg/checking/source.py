"""Read an article (plain text, Markdown or HTML) into the plain text that is checked.

Spans in a report index this extracted text, which the report carries, so a reader can
always find the quoted sentence. HTML is reduced with the standard library's parser:
scripts, styles and the head (but its title) are dropped, block elements become paragraph
breaks. Markdown keeps its words; link targets, emphasis marks and heading or quote
markers are removed. Nothing is fetched: an article's links are never followed.
"""

from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kratomkg.errors import InputError

__all__ = [
    "MAX_BYTES",
    "Article",
    "article_from_bytes",
    "html_text",
    "markdown_text",
    "read_article",
]

#: Larger inputs are refused, not truncated: 10 MB is some 1,500 pages of prose.
MAX_BYTES = 10 * 1024 * 1024

_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2",
     "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote", "pre", "figure",
     "figcaption", "dl", "dt", "dd", "form", "title", "address", "details", "summary"}
)  # fmt: skip
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas"}
)


@dataclass(frozen=True)
class Article:
    """The text to check and where it came from."""

    name: str
    text: str
    format: str


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("• ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            self.parts.append("\n\n")
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip == 0 or self.in_title:
            self.parts.append(re.sub(r"\s+", " ", data))


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_text(markup: str) -> str:
    """Return the readable text of an HTML page."""
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def markdown_text(markdown: str) -> str:
    """Return Markdown without its markup (links keep their words)."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>\n]+>", "", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^\s{0,3}>\s?", "", text, flags=re.M)
    text = re.sub(r"^(\s*)[-*+]\s+", r"\1• ", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    # headings become their own paragraph so they never run into the next sentence
    return _tidy(text)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(
                name, "starts like UTF-16 text but does not decode as UTF-16"
            ) from None
    if b"\x00" in raw[:8192]:
        raise InputError(name, "is a binary file, not text (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            name,
            f"line {line}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start});"
            " re-save it as UTF-8",
        ) from None


def _format(name: str, text: str, declared: str | None) -> str:
    if declared:
        return declared
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown", ".mdown"):
        return "markdown"
    head = text[:512].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


def article_from_bytes(
    raw: bytes, name: str, *, format: str | None = None, max_bytes: int = MAX_BYTES
) -> Article:
    """Decode and extract an article, refusing what is not text."""
    if len(raw) > max_bytes:
        raise InputError(
            name,
            f"is {len(raw) / 1_048_576:.1f} MB;"
            f" check reads at most {max_bytes / 1_048_576:.0f} MB of text",
        )
    text = _decode(raw, name)
    kind = _format(name, text, format)
    if kind == "html":
        text = html_text(text)
    elif kind == "markdown":
        text = markdown_text(text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"[\x00-\x08\x0e-\x1f]", text[:65536]):
        raise InputError(name, "contains control characters; it does not look like text")
    return Article(name, text, kind)


def read_article(
    path: str | Path, *, format: str | None = None, max_bytes: int = MAX_BYTES
) -> Article:
    """Read ``path`` (``-`` for standard input) as an article."""
    name = str(path)
    if name == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
        return article_from_bytes(raw, "-", format=format, max_bytes=max_bytes)
    file = Path(path)
    if not file.exists():
        raise InputError(name, "no such file")
    if file.is_dir():
        raise InputError(name, "is a folder, not an article")
    try:
        with file.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    return article_from_bytes(raw, file.name, format=format, max_bytes=max_bytes)
