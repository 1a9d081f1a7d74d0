"""schema.org markup of one resource, embedded in its page as JSON-LD.

Search engines and generic harvesters read schema.org, not the kratomkg ontology, so every
page also says what its resource is in schema.org terms where one fits: a compound is a
``MolecularEntity`` (with its InChIKey and formula), a receptor a ``Protein``, the plant a
``Taxon``, a condition a ``MedicalCondition``, a source a ``ScholarlyArticle`` (or
``WebPage``, ``SocialMediaPosting``, ``CreativeWork``), a claim a ``Claim`` with its
appearances and the graph's rating of it as a ``ClaimReview``; ontology terms are
``DefinedTerm``s of the ontology's ``DefinedTermSet``, and anything else a ``Thing``.

The context is inline (``@vocab`` is schema.org), never the remote schema.org context, so a
JSON-LD processor expands the markup offline, and :data:`SCHEMA_TERMS` lists every type and
property the markup may use (each a term schema.org defines), so a test can check that the
markup uses no other.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kratomkg.export.projection import _Reader, local_name, rating
from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI

__all__ = [
    "CONTEXT",
    "SCHEMA_TERMS",
    "doi_url",
    "pmid_url",
    "schema_jsonld",
    "schema_jsonld_with",
]

CONTEXT: Final[dict[str, Any]] = {
    "@vocab": "https://schema.org/",
    # As in schema.org's own context: these take IRIs, so they expand to nodes, not strings.
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}
"""The inline JSON-LD context: schema.org terms, no remote document to fetch."""

SCHEMA_TERMS: Final[frozenset[str]] = frozenset(
    {
        # types
        "Claim",
        "ClaimReview",
        "CreativeWork",
        "DefinedTerm",
        "DefinedTermSet",
        "MedicalCondition",
        "MedicalEntity",
        "MolecularEntity",
        "Organization",
        "Periodical",
        "Protein",
        "PropertyValue",
        "Rating",
        "ScholarlyArticle",
        "SocialMediaPosting",
        "Substance",
        "Taxon",
        "Thing",
        "WebPage",
        # properties
        "about",
        "alternateName",
        "appearance",
        "author",
        "bestRating",
        "citation",
        "datePublished",
        "description",
        "headline",
        "identifier",
        "inChIKey",
        "inDefinedTermSet",
        "isPartOf",
        "molecularFormula",
        "name",
        "propertyID",
        "ratingExplanation",
        "ratingValue",
        "review",
        "reviewRating",
        "sameAs",
        "termCode",
        "text",
        "url",
        "value",
        "worstRating",
    }
)
"""Every schema.org type and property :func:`schema_jsonld` may write (local names)."""

_AUTHOR: Final[dict[str, Any]] = {
    "@type": "Organization",
    "name": "kratomkg",
    "url": "https://w3id.org/kratomkg",
}
_BEST_RATING = 4
_WORST_RATING = 0

# kratomkg class (local name) -> schema.org type, most specific first.
_TYPES: Final = (
    ("Claim", "Claim"),
    ("Compound", "MolecularEntity"),
    ("Receptor", "Protein"),
    ("Plant", "Taxon"),
    ("PlantProduct", "Substance"),
    ("Condition", "MedicalCondition"),
    ("Effect", "MedicalEntity"),
    ("Risk", "MedicalEntity"),
    ("ScholarlyArticle", "ScholarlyArticle"),
    ("WebPage", "WebPage"),
    ("SocialMediaArticle", "SocialMediaPosting"),
    ("Source", "CreativeWork"),
)
_SOURCE_TYPES: Final = frozenset(
    {"ScholarlyArticle", "WebPage", "SocialMediaPosting", "CreativeWork"}
)
# Registry identifiers: (property, name written as propertyID).
_IDENTIFIERS: Final = (
    (KKG.pubchemCid, "PubChem CID"),
    (KKG.chemblId, "ChEMBL"),
    (KKG.unii, "UNII"),
    (KKG.casNumber, "CAS"),
    (KKG.uniprotAccession, "UniProt"),
    (KKG.geneSymbol, "gene symbol"),
    (KKG.ncbiTaxonId, "NCBI Taxonomy"),
    (KKG.chebiId, "ChEBI"),
    (KKG.doi, "DOI"),
    (KKG.pmid, "PMID"),
    (KKG.pmcid, "PMCID"),
)


def doi_url(doi: str) -> str:
    """Return the resolver link of a DOI (``https://doi.org/<doi>``), percent-encoded."""
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def pmid_url(pmid: str) -> str:
    """Return the PubMed page of a PMID."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid.strip(), safe='')}/"


def _external_links(reader: _Reader, node: Node) -> list[str]:
    """Return the resolvable pages about ``node`` elsewhere (registry records, DOI, PubMed)."""
    links: list[str] = []
    for predicate, make in (
        (KKG.doi, doi_url),
        (KKG.pmid, pmid_url),
        (KKG.pubchemCid, lambda v: f"https://pubchem.ncbi.nlm.nih.gov/compound/{quote(v)}"),
        (KKG.uniprotAccession, lambda v: f"https://www.uniprot.org/uniprotkb/{quote(v)}/entry"),
        (KKG.chemblId, lambda v: f"https://www.ebi.ac.uk/chembl/compound_report_card/{quote(v)}/"),
    ):
        for value in reader.objects(node, predicate):
            if isinstance(value, Literal):
                links.append(make(str(value)))
    for match in reader.objects(node, SKOS.exactMatch):
        if isinstance(match, URIRef):
            links.append(str(match))
    return links


def _schema_type(reader: _Reader, node: Node) -> str:
    if str(node).startswith(str(KKG)):
        return "DefinedTerm"
    for name, schema_type in _TYPES:
        if (node, RDF.type, KKG[name]) in reader.graph:
            return schema_type
    for name, schema_type in _TYPES:
        classes = {KKG[name], *reader.graph.transitive_subjects(RDFS.subClassOf, KKG[name])}
        if any((node, RDF.type, c) in reader.graph for c in classes):
            return schema_type
    return "Thing"


def _text(reader: _Reader, node: Node, predicate: URIRef) -> str | None:
    return reader.text(node, predicate)


def _work(reader: _Reader, source: Node) -> dict[str, Any]:
    """Return a source as a schema.org creative work (title, year, venue, identifiers)."""
    schema_type = _schema_type(reader, source)
    work: dict[str, Any] = {
        "@id": str(source),
        "@type": schema_type if schema_type in _SOURCE_TYPES else "CreativeWork",
        "name": reader.label(source),
    }
    title = _text(reader, source, KKG.title)
    if title:
        work["headline"] = title
    year = reader.value(source, KKG.year)
    if isinstance(year, Literal):
        work["datePublished"] = str(year)
    venue = _text(reader, source, KKG.venue)
    if venue:
        work["isPartOf"] = {"@type": "Periodical", "name": venue}
    links = _external_links(reader, source)
    url = reader.value(source, KKG.url)
    if isinstance(url, Literal) and str(url).lower().startswith(("https://", "http://")):
        work["url"] = str(url)
    if links:
        work["sameAs"] = links if len(links) > 1 else links[0]
    return work


def _identifiers(reader: _Reader, node: Node) -> list[dict[str, Any]]:
    values = []
    for predicate, name in _IDENTIFIERS:
        for value in reader.objects(node, predicate):
            if isinstance(value, Literal):
                values.append({"@type": "PropertyValue", "propertyID": name, "value": str(value)})
    return values


def _claim(reader: _Reader, claim: Node, item: dict[str, Any]) -> None:
    statement = reader.text(claim, KKG.statement)
    if statement:
        item["text"] = statement
    about = [
        {"@id": str(n), "name": reader.label(n)}
        for p in (KKG.claimSubject, KKG.claimedEffect, KKG.forCondition)
        for n in reader.objects(claim, p)
    ]
    if about:
        item["about"] = about
    appearances = []
    for appearance in reader.appearances(claim):
        work: dict[str, Any] = {"@type": "CreativeWork", "@id": str(appearance)}
        quote_text = reader.text(appearance, KKG.quote)
        if quote_text:
            work["text"] = quote_text
        sources = [_work(reader, s) for s in reader.objects(appearance, KKG.appearsIn)]
        if sources:
            work["isPartOf"] = sources if len(sources) > 1 else sources[0]
        appearances.append(work)
    if appearances:
        item["appearance"] = appearances
    cited = {
        s for e in reader.objects(claim, KKG.hasEvidence) for s in reader.objects(e, KKG.citation)
    }
    if cited:
        item["citation"] = [_work(reader, s) for s in sorted(cited, key=str)]
    attrs = rating(reader, claim)
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "author": dict(_AUTHOR),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": int(attrs["certainty_rank"]),
            "bestRating": _BEST_RATING,
            "worstRating": _WORST_RATING,
            "alternateName": str(attrs["rating"]),
        },
    }
    if attrs["explanation"]:
        review["reviewRating"]["ratingExplanation"] = str(attrs["explanation"])
    item["review"] = review


def schema_jsonld_with(reader: _Reader, iri: URIRef) -> dict[str, Any]:
    """Like :func:`schema_jsonld`, from an existing reader (the site builds one per graph)."""
    if (iri, None, None) not in reader.graph:
        return {}
    schema_type = _schema_type(reader, iri)
    item: dict[str, Any] = {"@context": dict(CONTEXT), "@id": str(iri), "@type": schema_type}
    if schema_type in _SOURCE_TYPES:
        item.update({k: v for k, v in _work(reader, iri).items() if k not in ("@id", "@type")})
    else:
        item["name"] = reader.label(iri)
    if str(iri).startswith(str(KID)):
        item["url"] = str(iri)
    description = reader.text(iri, SKOS.definition)
    if description:
        item["description"] = description
    alternates = sorted(
        {str(v) for v in reader.objects(iri, SKOS.altLabel) if isinstance(v, Literal)}
    )
    if alternates:
        item["alternateName"] = alternates
    if schema_type == "DefinedTerm":
        item["termCode"] = local_name(iri)
        item["inDefinedTermSet"] = {
            "@type": "DefinedTermSet",
            "@id": str(ONTOLOGY_IRI),
            "name": reader.label(ONTOLOGY_IRI),
        }
    elif schema_type == "Claim":
        _claim(reader, iri, item)
    elif schema_type not in _SOURCE_TYPES:
        identifiers = _identifiers(reader, iri)
        if identifiers:
            item["identifier"] = identifiers
        links = _external_links(reader, iri)
        if links:
            item["sameAs"] = links if len(links) > 1 else links[0]
    if schema_type in _SOURCE_TYPES:
        identifiers = _identifiers(reader, iri)
        if identifiers:
            item["identifier"] = identifiers
    if schema_type == "MolecularEntity":
        for predicate, key in (
            (KKG.inchiKey, "inChIKey"),
            (KKG.molecularFormula, "molecularFormula"),
        ):
            value = reader.text(iri, predicate)
            if value:
                item[key] = value
    return item


def schema_jsonld(graph: Graph, iri: URIRef) -> dict[str, Any]:
    """Return the schema.org JSON-LD of ``iri`` (``{}`` when it has no triples)."""
    from kratomkg.site.pages import context_for

    return schema_jsonld_with(context_for(graph).reader, iri)
