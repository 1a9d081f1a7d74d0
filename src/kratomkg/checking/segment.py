"""Paragraphs, sentences, clauses and tokens, each with its character span in the text.

The splitter is a small set of regular expressions rather than pysbd: pysbd took 8.5 s for
1 MB of text on a 2-core machine, four times the budget of a whole check, and articles are
plain prose where a full stop, question or exclamation mark followed by a capital, a digit
or a quote ends a sentence. Known abbreviations ("e.g.", "Dr.", "vs.") do not.

Tokens are lowercased words with a light suffix-stripping stem ("relieves", "relieving" and
"relieve" share one), applied alike to the lexicon and to the text, so one label covers its
inflections. Spans always index the original text, so reports can quote it exactly.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "Clause",
    "Sentence",
    "Token",
    "exact_words",
    "normalise",
    "sentences",
    "stem",
    "tokens",
]

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n+")
# A sentence ends at . ! ? (with closing quotes or brackets) followed by white space and a
# capital, digit or opening quote; or at a line break inside a paragraph when the line is a
# heading or a list item (Markdown, extracted HTML).
_END = re.compile(r"""[.!?]+['"’”)\]]*(?=\s+['"‘“(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "dr", "mr", "mrs", "ms", "prof", "vs", "etc", "al", "fig", "no", "approx",
        "st", "jr", "sr", "inc", "ltd", "co", "u.s", "mg", "ca", "cf",
    }
)  # fmt: skip
_LINE_BREAK = re.compile(r"\n")
_CLAUSE = re.compile(
    r";|:\s|,\s+(?=(?:while|whereas|but|although|though|yet|however)\b)|\s+but\s+"
    r"|\bhowever,\s",
    re.IGNORECASE,
)
_LEADING_CLAUSE = re.compile(r"\s*(?:while|although|though|whereas|even though)\b[^,]*,", re.I)


class Token(NamedTuple):
    """A word of the text: its stem and its span (a tuple: a 1 MB text has 150,000)."""

    stem: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """A part of a sentence that can carry a claim of its own."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence, its paragraph number and its clauses."""

    index: int
    paragraph: int
    start: int
    end: int
    clauses: tuple[Clause, ...]


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common English suffixes so inflections of one word compare equal."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    # plural or third person first, then -ing / -ed, then a final e
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("xes", "zes", "ches", "shes", "sses")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("es") and len(w) > 4 and not w.endswith(("sses", "ies")):
        w = w[:-2] if w[-3] in "xzh" else w[:-1]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Return the word tokens of ``text[start:end]`` with spans in ``text``."""
    stop = len(text) if end is None else end
    make = tuple.__new__  # a NamedTuple without its keyword-parsing constructor: 150,000 a MB
    cache = _STEMS
    found = []
    for m in _WORD.finditer(text, start, stop):
        word = m.group()
        stemmed = cache.get(word)
        if stemmed is None:
            if len(cache) > 500_000:  # a long-running process must not grow without bound
                cache.clear()
            stemmed = cache[word] = stem(word)
        found.append(make(Token, (stemmed, *m.span())))
    return found


_STEMS: dict[str, str] = {}


def normalise(label: str) -> tuple[str, ...]:
    """Return the stems of a lexicon label (parenthesised asides dropped)."""
    label = re.sub(r"\([^)]*\)", " ", label)
    return tuple(t.stem for t in tokens(label))


def exact_words(label: str) -> tuple[str, ...]:
    """Return the lowercased words of ``label`` (no stemming), apostrophes straightened."""
    return tuple(m.group().lower().replace("’", "'") for m in _WORD.finditer(label))


_ABBREVIATION_TAIL = re.compile(r"(?<![A-Za-z])([A-Za-z.]+)$")
_BLOCK_START = re.compile(r"\s*(?:#{1,6}\s|[-*+•]\s|\d+[.)]\s|>\s?)")
_CLOSED = re.compile(r"[.!?:,;]['\"’”)]*\s*$")


def _is_abbreviation(text: str, end: int) -> bool:
    """Tell whether the full stop at ``end`` closes an abbreviation ("Dr.", "e.g.")."""
    match = _ABBREVIATION_TAIL.search(text[max(0, end - 12) : end])
    if match is None:
        return False
    word = match.group(1).lower().strip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a paragraph at line breaks that end a heading or a list item."""
    begin = line_start = start
    for match in _LINE_BREAK.finditer(text, start, end):
        line = text[line_start : match.start()]  # this line only, not the paragraph so far
        line_start = match.end()
        # only the start of the next line matters: never copy the rest of the paragraph
        following = text[match.end() : min(end, match.end() + 16)].lstrip()
        if _BLOCK_START.match(line) or _BLOCK_START.match(following) or not line.strip():
            yield begin, match.start()
            begin = match.end()
        elif _CLOSED.search(line) is None and len(line.strip()) < 60 and following[:1].isupper():
            # A short line with no closing punctuation, followed by a capital, is a title.
            yield begin, match.start()
            begin = match.end()
    yield begin, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clauses(text: str, start: int, end: int) -> tuple[Clause, ...]:
    cuts = [start]
    lead = _LEADING_CLAUSE.match(text, start, end)
    if lead is not None:
        cuts.append(lead.end())
    for match in _CLAUSE.finditer(text, start, end):
        if match.start() > cuts[-1]:
            cuts.append(match.start())
    cuts.append(end)
    parts = []
    for a, b in itertools.pairwise(cuts):
        a, b = _trim(text, a, b)
        if b > a:
            parts.append(Clause(a, b))
    return tuple(parts) or (Clause(start, end),)


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences (with clauses), keeping spans into ``text``."""
    found: list[Sentence] = []
    paragraph = 0
    cursor = 0
    for match in [*_PARAGRAPH.finditer(text), None]:
        stop = len(text) if match is None else match.start()
        for line_start, line_end in _lines(text, cursor, stop):
            begin = line_start
            for end_match in _END.finditer(text, line_start, line_end):
                if text[end_match.start()] == "." and _is_abbreviation(text, end_match.start()):
                    continue
                a, b = _trim(text, begin, end_match.end())
                if b > a:
                    found.append(Sentence(len(found), paragraph, a, b, _clauses(text, a, b)))
                begin = end_match.end()
            a, b = _trim(text, begin, line_end)
            if b > a:
                found.append(Sentence(len(found), paragraph, a, b, _clauses(text, a, b)))
        paragraph += 1
        cursor = len(text) if match is None else match.end()
    return found
