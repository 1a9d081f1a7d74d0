"""Cut the schema.org vocabulary down to the terms the ClaimReview markup uses.

The tests check every type and property of ``kratomkg.checking.claimreview`` against the real
schema.org vocabulary, but the full release is 1.5 MB; this keeps the used classes (with all
their superclasses, so subclass reasoning works), the used properties (with their domains,
ranges and super-properties) and the data types their ranges name. Run it on a release file
to refresh the subset (see README.md):

    python tests/data/schemaorg/make_subset.py schemaorg-current-https.jsonld 30.0 <commit>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLASSES = ("ClaimReview", "Claim", "CreativeWork", "Organization", "Rating", "ScholarlyArticle")
PROPERTIES = (
    "alternateName",
    "appearance",
    "author",
    "bestRating",
    "citation",
    "claimReviewed",
    "datePublished",
    "firstAppearance",
    "itemReviewed",
    "name",
    "ratingExplanation",
    "ratingValue",
    "reviewRating",
    "sameAs",
    "text",
    "url",
    "worstRating",
)
KEEP = (
    "@id",
    "@type",
    "rdfs:label",
    "rdfs:comment",
    "rdfs:subClassOf",
    "rdfs:subPropertyOf",
    "schema:domainIncludes",
    "schema:rangeIncludes",
    "schema:isPartOf",
    "schema:supersededBy",
)


def _ids(value: Any) -> list[str]:
    """Return the @ids of a JSON-LD value that is one node reference or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [item["@id"] for item in items if isinstance(item, dict) and "@id" in item]


def subset(release: dict[str, Any], version: str, commit: str) -> dict[str, Any]:
    """Return the subset document: the used terms, their superclasses and range data types."""
    nodes = {node["@id"]: node for node in release["@graph"]}
    wanted: list[str] = []

    def add(term: str) -> None:
        if term in wanted or term not in nodes:
            return
        wanted.append(term)
        for parent in _ids(nodes[term].get("rdfs:subClassOf")):
            add(parent)
        for parent in _ids(nodes[term].get("rdfs:subPropertyOf")):
            add(parent)

    for name in CLASSES:
        add(f"schema:{name}")
    for name in PROPERTIES:
        add(f"schema:{name}")

    def is_data_type(term: str) -> bool:
        node = nodes.get(term, {})
        types = node.get("@type", [])
        if "schema:DataType" in (types if isinstance(types, list) else [types]):
            return True
        return any(is_data_type(parent) for parent in _ids(node.get("rdfs:subClassOf")))

    for term in list(wanted):
        for ranged in _ids(nodes[term].get("schema:rangeIncludes")):
            if is_data_type(ranged):
                add(ranged)
    add("schema:DataType")
    missing = [n for n in (*CLASSES, *PROPERTIES) if f"schema:{n}" not in nodes]
    if missing:
        raise SystemExit(f"not in this release: {', '.join(missing)}")
    context = {k: release["@context"][k] for k in ("rdf", "rdfs", "schema")}
    graph = [{k: nodes[t][k] for k in KEEP if k in nodes[t]} for t in sorted(wanted)]
    return {
        "@context": context,
        "@id": f"https://schema.org/version/{version}/",
        "rdfs:comment": (
            f"Subset of schema.org release {version} (schemaorg-current-https.jsonld, "
            f"github.com/schemaorg/schemaorg commit {commit}) made by make_subset.py."
        ),
        "@graph": graph,
    }


def main(argv: list[str]) -> None:
    """Write schemaorg-subset.jsonld next to this script."""
    source, version, commit = argv
    release = json.loads(Path(source).read_text(encoding="utf-8"))
    text = json.dumps(subset(release, version, commit), indent=1, ensure_ascii=False)
    (HERE / "schemaorg-subset.jsonld").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
