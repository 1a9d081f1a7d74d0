"""Content negotiation: pick the media type a client prefers among those the server offers.

HTTP ``Accept`` (RFC 9110, section 12.5.1) lists media ranges with optional ``q`` weights;
the most specific range that matches an offer gives its weight (``text/turtle`` beats
``text/*``, which beats ``*/*``), and ``q=0`` rules an offer out. Among offers of equal
weight the server's order decides, so the first offer is the default. This is small enough
to write here, and every route of the server (the endpoint, the entity pages) uses it, so
they all read a header the same way. The conditional-request check (``ETag`` and
``If-None-Match``) lives here for the same reason: every route that revalidates reads that
header alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["entity_tag", "negotiate", "none_match", "parse_accept"]


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0


def parse_accept(accept: str) -> list[tuple[str, str, dict[str, str], float]]:
    """Read an ``Accept`` header into (type, subtype, parameters, q) ranges.

    Malformed ranges are ignored rather than refused: a client with a sloppy header still
    gets an answer.
    """
    ranges: list[tuple[str, str, dict[str, str], float]] = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        kind, _, subtype = parts[0].lower().partition("/")
        if not kind or not subtype:
            continue
        params: dict[str, str] = {}
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                q = _weight(value)
                break  # what follows q are accept-extensions, not media-type parameters
            if name:
                params[name] = value
        ranges.append((kind, subtype, params, q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, dict[str, str], float]]) -> float:
    """Return the weight the most specific matching range gives ``offer`` (0 when none matches)."""
    kind, _, subtype = offer.lower().partition("/")
    best: tuple[int, float] | None = None
    for r_kind, r_subtype, _params, q in ranges:
        if r_kind == "*" and r_subtype == "*":
            specificity = 0
        elif r_kind == kind and r_subtype == "*":
            specificity = 1
        elif r_kind == kind and r_subtype == subtype:
            # Media-type parameters (charset, a JSON-LD profile) are not matched: the offers
            # carry none, and a client naming a profile would rather get the type than a 406.
            specificity = 2
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return 0.0 if best is None else best[1]


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """Return the offer the ``Accept`` header prefers, or None if it accepts none of them.

    No header (or an empty one) accepts anything, so the first offer is chosen.
    """
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen


def entity_tag(body: bytes) -> str:
    """Return the strong ``ETag`` of ``body``: a hash, so it changes exactly when it does."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Tell whether an ``If-None-Match`` header names ``etag``, so a 304 may answer it.

    The comparison is the weak one RFC 9110 (13.1.2) prescribes for ``If-None-Match``: a
    ``W/`` prefix is ignored, the header may list several tags, and ``*`` matches any.
    """
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}
