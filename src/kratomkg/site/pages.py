"""The HTML pages of the linked-data site: one per resource and term, a landing page, search.

Every page is plain HTML rendered by Jinja (autoescape on) and readable with no JavaScript:
the claim page shows what the viewer's evidence panel shows (it reads the same fields, from
:func:`kratomkg.export.viewer.claim_details` and :func:`~kratomkg.export.viewer.risk_details`,
so the two never disagree), entity pages list and link the claims about their resource, and
every page ends with the resource's own triples and the triples pointing at it, each value
linked to its page. Links between pages are relative (``{root}id/NAME.html``), so the same
pages work from disk, at a host's root and below a sub-path. Each page embeds its schema.org
JSON-LD and links its Turtle and JSON-LD descriptions as alternates.

Pages depend on the graph only (no clock, no randomness, sorted everywhere), so the same
graph gives the same bytes, and a page rendered from the neighbourhood that
:data:`~kratomkg.site.describe.NEIGHBOURHOOD_QUERY` returns equals the one rendered from the
whole graph.

Rendering every page of the graph reuses one :class:`SiteContext` (the reader, the claim and
risk details, the kind of every resource), built once per graph and cached; the module's
functions are thin wrappers over it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from typing import Any, Final

import jinja2
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kratomkg._version import __version__
from kratomkg.export.projection import (
    CERTAINTY_COLORS,
    TYPE_COLORS,
    UNRATED,
    _Reader,
    certainty_color,
    local_name,
    node_key,
    rating,
)
from kratomkg.export.viewer import _source, claim_details, embed_json, risk_details
from kratomkg.namespaces import KID, KKG, ONTOLOGY_IRI
from kratomkg.site.paths import document_path, site_path
from kratomkg.site.schemaorg import doi_url, pmid_url, schema_jsonld_with

__all__ = [
    "KIND_ORDER",
    "SiteContext",
    "context_for",
    "render_index",
    "render_not_found",
    "render_resource",
    "render_search",
    "resources",
    "search",
    "search_index",
]

SCHEMA = "https://schema.org/"

# Kinds of resource, in the order the landing page lists them; each is a kratomkg class
# (its instances, subclasses included) except the three kinds of ontology term.
KIND_ORDER: Final[tuple[str, ...]] = (
    "Claim",
    "Compound",
    "Plant",
    "PlantProduct",
    "Receptor",
    "Effect",
    "Condition",
    "Risk",
    "Source",
    "Evidence",
    "EvidenceAppraisal",
    "ReceptorInteraction",
    "Measurement",
    "ClaimAppearance",
    "Resource",
    "Class",
    "Property",
    "Term",
)
_KIND_WORDS: Final[dict[str, tuple[str, str]]] = {
    "Claim": ("claim", "Claims"),
    "Compound": ("compound", "Compounds"),
    "Plant": ("plant", "Plants"),
    "PlantProduct": ("plant product", "Plant products"),
    "Receptor": ("receptor", "Receptors"),
    "Effect": ("effect", "Effects"),
    "Condition": ("condition", "Conditions"),
    "Risk": ("risk", "Risks"),
    "Source": ("source", "Sources"),
    "Evidence": ("evidence", "Evidence"),
    "EvidenceAppraisal": ("evidence appraisal", "Evidence appraisals"),
    "ReceptorInteraction": ("receptor interaction", "Receptor interactions"),
    "Measurement": ("measurement", "Measurements"),
    "ClaimAppearance": ("claim appearance", "Claim appearances"),
    "Resource": ("resource", "Other resources"),
    "Class": ("ontology class", "Ontology classes"),
    "Property": ("ontology property", "Ontology properties"),
    "Term": ("ontology term", "Other ontology terms"),
}
_DATA_KINDS: Final = KIND_ORDER[:-4]
_PROPERTY_TYPES: Final = (
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
)
# Registry identifiers shown on entity pages, with the page each one resolves to.
_IDENTIFIERS: Final[tuple[tuple[URIRef, str, Callable[[str], str] | None], ...]] = (
    (KKG.pubchemCid, "PubChem CID", lambda v: f"https://pubchem.ncbi.nlm.nih.gov/compound/{v}"),
    (KKG.inchiKey, "InChIKey", None),
    (KKG.molecularFormula, "Molecular formula", None),
    (
        KKG.chemblId,
        "ChEMBL",
        lambda v: f"https://www.ebi.ac.uk/chembl/compound_report_card/{v}/",
    ),
    (KKG.chebiId, "ChEBI", None),
    (KKG.unii, "UNII", None),
    (KKG.casNumber, "CAS number", None),
    (KKG.geneSymbol, "Gene symbol", None),
    (KKG.uniprotAccession, "UniProt", lambda v: f"https://www.uniprot.org/uniprotkb/{v}/entry"),
    (
        KKG.ncbiTaxonId,
        "NCBI Taxonomy",
        lambda v: f"https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={v}",
    ),
    (KKG.doi, "DOI", doi_url),
    (KKG.pmid, "PMID", pmid_url),
    (KKG.pmcid, "PMCID", lambda v: f"https://www.ncbi.nlm.nih.gov/pmc/articles/{v}/"),
)
# Literal properties searched besides the labels.
_SEARCHED: Final = (
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    KKG.statement,
    KKG.title,
    *(p for p, _, _ in _IDENTIFIERS),
)
_ALIGNMENTS: Final = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
_NUMBER_TYPES: Final = frozenset(
    {XSD.decimal, XSD.integer, XSD.int, XSD.long, XSD.double, XSD.float, XSD.nonNegativeInteger}
)
_SCHEMA_DOMAIN = URIRef(SCHEMA + "domainIncludes")
_SCHEMA_RANGE = URIRef(SCHEMA + "rangeIncludes")


def _safe_url(url: object) -> str | None:
    """Return the URL if it is http(s), else None (no ``javascript:`` or ``data:`` link)."""
    text = str(url)
    return text if text.lower().startswith(("https://", "http://")) else None


def _literal_text(value: Literal) -> str:
    """Return a literal as a page shows it, numbers in one canonical form.

    Stores disagree on the lexical form of a number (``1260.0`` or ``1260``), and a page
    must read the same whichever store its data came from.
    """
    number = value.toPython() if value.datatype in _NUMBER_TYPES else None
    if isinstance(number, Decimal):
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        return repr(number) if isinstance(number, float) else str(number)
    return " ".join(str(value).split())


@dataclass(frozen=True)
class _Link:
    """A resource as a page shows it: its label, and where it links (None: not linked)."""

    label: str
    href: str | None
    iri: str
    kind: str = ""


class SiteContext:
    """Everything the pages of one graph share, computed once and reused by every page.

    Build it once for a graph (or let :func:`context_for` cache it) and call its ``render_*``
    methods for as many pages as needed: rendering the whole site then costs one reader, one
    pass over the claims and risks, and one template per page. The graph must not change
    while the context is in use.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.reader = _Reader(graph)
        self._claims: dict[str, dict[str, Any]] | None = None
        self._risks: dict[str, dict[str, Any]] | None = None
        self._kinds: dict[Node, str] = {}
        self._classes = self.reader._members["Class"]
        self._properties = {s for t in _PROPERTY_TYPES for s in graph.subjects(RDF.type, t)}
        self._environment = _environment()
        self._search_index: list[dict[str, Any]] | None = None

    # -- what the graph holds ------------------------------------------------------------

    @property
    def claims(self) -> dict[str, dict[str, Any]]:
        """The viewer's details of every claim (rating, evidence, risks, appearances)."""
        if self._claims is None:
            self._claims = claim_details(self.reader)
        return self._claims

    @property
    def risks(self) -> dict[str, dict[str, Any]]:
        """The viewer's details of every risk (rating, evidence, claims)."""
        if self._risks is None:
            self._risks = risk_details(self.reader)
        return self._risks

    def resources(self) -> list[URIRef]:
        """Every kid: and kkg: IRI that is the subject of a triple, sorted."""
        found = {
            s
            for s in self.graph.subjects()
            if isinstance(s, URIRef)
            and str(s).startswith((str(KID), str(KKG)))
            and site_path(s) is not None
        }
        return sorted(found, key=str)

    def kind(self, node: Node) -> str:
        """Return the kind of ``node`` (a key of :data:`KIND_ORDER`)."""
        kind = self._kinds.get(node)
        if kind is None:
            if str(node).startswith(str(KKG)):
                if node in self._classes:
                    kind = "Class"
                elif node in self._properties:
                    kind = "Property"
                else:
                    kind = "Term"
            else:
                kind = self.reader.type_of(node, _DATA_KINDS)
            self._kinds[node] = kind
        return kind

    def kind_word(self, node: Node) -> str:
        """Return the kind of ``node`` in words ("compound", "ontology class")."""
        return _KIND_WORDS[self.kind(node)][0]

    def link(self, node: Node, root: str) -> _Link:
        """Return ``node`` as a link: to its page on this site, or out for an http(s) IRI."""
        path = document_path(node) if isinstance(node, URIRef) else None
        if path is not None:
            href: str | None = root + path
        elif isinstance(node, URIRef):
            href = _safe_url(node)
        else:
            href = None
        return _Link(self.reader.label(node), href, str(node), self.kind_word(node))

    # -- pages ---------------------------------------------------------------------------

    def render(self, template: str, **values: Any) -> str:
        """Render one of the package's templates (every page ends with a line break)."""
        page = self._environment.get_template(template).render(version=__version__, **values)
        return page if page.endswith("\n") else page + "\n"

    def render_resource(
        self, iri: URIRef, *, root: str = "../", endpoint: bool = False, local: bool = True
    ) -> str | None:
        """Return the page of ``iri``, or None when the graph has no triple about it.

        ``local`` is whether the viewer is beside the page: a server answering from a remote
        store has no whole graph to draw it from, so the page does not link to it.
        """
        if (iri, None, None) not in self.graph or site_path(iri) is None:
            return None
        kind = self.kind(iri)
        name = str(iri).rsplit("/", 1)[-1]
        values: dict[str, Any] = {
            "root": root,
            "endpoint": endpoint,
            "local": local,
            "iri": str(iri),
            "curie": node_key(iri),
            "title": self.reader.label(iri),
            "kind": kind,
            "kind_word": _KIND_WORDS[kind][0],
            "name": name,
            "types": [self.link(t, root) for t in self.reader.objects(iri, RDF.type)],
            "definition": self.reader.text(iri, SKOS.definition),
            "comments": self._texts(iri, RDFS.comment),
            "alternates": self._texts(iri, SKOS.altLabel),
            "jsonld": Markup(embed_json(schema_jsonld_with(self.reader, iri))),  # noqa: S704
            "properties": self._properties_of(iri, root),
            "incoming": self._incoming(iri, root),
            "identifiers": self._identifiers(iri),
        }
        if kind == "Claim":
            values["claim"] = self._claim(iri, root)
        elif kind == "Risk":
            values["risk"] = self._risk(iri, root)
        elif kind == "Source":
            values["source"] = self._source(iri, root)
        elif kind in ("Class", "Property", "Term"):
            values["term"] = self._term(iri, root)
        if kind in ("Compound", "Plant", "PlantProduct", "Effect", "Condition", "Receptor"):
            values["claims_about"] = self._claims_about(iri, root)
            values["risks_of"] = self._rated_list(
                sorted(set(self.graph.subjects(KKG.riskOf, iri)), key=str), root
            )
        if kind in ("Compound", "Receptor"):
            values["interactions"] = self._interactions(iri, root, kind)
        return self.render("resource.html.j2", **values)

    def render_index(
        self,
        *,
        root: str = "",
        endpoint: bool = False,
        downloads: Sequence[str] | None = None,
        local: bool = True,
    ) -> str:
        """Return the landing page: counts, search, links, every claim and every resource.

        With ``local`` false (a server over a remote store) the viewer and the downloads,
        which need the whole graph at hand, are not linked.
        """
        groups: dict[str, list[_Link]] = defaultdict(list)
        for iri in self.resources():
            groups[self.kind(iri)].append(self.link(iri, root))
        for links in groups.values():
            links.sort(key=lambda link: (link.label.casefold(), link.iri))
        claims = [
            {**self._rating_of(URIRef(c["iri"])), "link": self.link(URIRef(c["iri"]), root)}
            for c in self.claims.values()
        ]
        claims.sort(key=lambda c: (-c["rank"], c["link"].label.casefold(), c["link"].iri))
        ontology_label = self.reader.label(ONTOLOGY_IRI)
        return self.render(
            "index.html.j2",
            root=root,
            endpoint=endpoint,
            local=local,
            title="Home",
            counts=[(_KIND_WORDS[k][1], len(groups[k])) for k in KIND_ORDER if groups.get(k)],
            groups=[(k, _KIND_WORDS[k][1], groups[k]) for k in KIND_ORDER if groups.get(k)],
            claims=claims,
            downloads=list(downloads) if downloads is not None else None,
            ontology_label=ontology_label,
            triples=len(self.graph),
        )

    def render_search(
        self, q: str, *, root: str = "", endpoint: bool = False, local: bool = True
    ) -> str:
        """Return the search page with the hits for ``q`` (rendered by the server, no JS)."""
        hits = self.search(q) if q.strip() else []
        return self.render(
            "search.html.j2",
            root=root,
            endpoint=endpoint,
            local=local,
            title=f"Search: {q}" if q.strip() else "Search",
            q=q,
            hits=hits,
        )

    def search(self, q: str, limit: int = 50) -> list[dict[str, Any]]:
        """Return the resources matching ``q``, best first (exact label, prefix, anywhere)."""
        needle = " ".join(q.split()).casefold()
        if not needle:
            return []
        scored: list[tuple[int, str, str, dict[str, Any]]] = []
        for entry in self.search_index():
            label = str(entry["label"]).casefold()
            texts = [str(t).casefold() for t in entry["text"]]
            if label == needle:
                score = 0
            elif label.startswith(needle):
                score = 1
            elif needle in label:
                score = 2
            elif needle in texts:
                score = 3
            elif any(needle in t for t in texts):
                score = 4
            else:
                continue
            hit = {k: entry[k] for k in ("iri", "label", "kind", "path")}
            scored.append((score, label, str(entry["iri"]), hit))
        scored.sort(key=lambda item: item[:3])
        return [hit for *_, hit in scored[: max(limit, 0)]]

    def search_index(self) -> list[dict[str, Any]]:
        """Return one entry per page: iri, label, kind, path and the texts searched."""
        if self._search_index is not None:
            return [dict(entry) for entry in self._search_index]
        entries = []
        for iri in self.resources():
            texts = sorted(
                {
                    _literal_text(v)
                    for p in _SEARCHED
                    for v in self.graph.objects(iri, p)
                    if isinstance(v, Literal)
                }
            )
            entries.append(
                {
                    "iri": str(iri),
                    "label": self.reader.label(iri),
                    "kind": self.kind_word(iri),
                    "path": document_path(iri),
                    "text": texts,
                }
            )
        self._search_index = entries
        return [dict(entry) for entry in entries]

    # -- parts of pages ------------------------------------------------------------------

    def _texts(self, node: Node, predicate: URIRef) -> list[str]:
        return sorted(
            {
                _literal_text(v)
                for v in self.graph.objects(node, predicate)
                if isinstance(v, Literal)
            }
        )

    def _value(self, value: Node, root: str) -> dict[str, Any]:
        """One object of a triple as a page shows it: linked resource or literal text."""
        if isinstance(value, Literal):
            text = _literal_text(value)
            url = _safe_url(text) if value.datatype == XSD.anyURI else None
            extra = value.language or (local_name(value.datatype) if value.datatype else "")
            return {"text": text, "href": url, "note": extra}
        link = self.link(value, root)
        return {"text": link.label, "href": link.href, "note": "", "iri": link.iri}

    def _properties_of(self, iri: URIRef, root: str) -> list[dict[str, Any]]:
        grouped: dict[Node, list[Node]] = defaultdict(list)
        for p, o in self.graph.predicate_objects(iri):
            grouped[p].append(o)
        rows = []
        for predicate in sorted(grouped, key=lambda p: node_key(p)):
            values = sorted(set(grouped[predicate]), key=_term_order)
            rows.append(
                {
                    "predicate": self.link(predicate, root),
                    "curie": node_key(predicate),
                    "values": [self._value(v, root) for v in values],
                }
            )
        return rows

    def _incoming(self, iri: URIRef, root: str) -> list[dict[str, Any]]:
        grouped: dict[Node, set[Node]] = defaultdict(set)
        for s, p in self.graph.subject_predicates(iri):
            grouped[p].add(s)
        rows = []
        for predicate in sorted(grouped, key=lambda p: node_key(p)):
            subjects = sorted(grouped[predicate], key=_term_order)
            rows.append(
                {
                    "predicate": self.link(predicate, root),
                    "curie": node_key(predicate),
                    "values": [self._value(s, root) for s in subjects],
                }
            )
        return rows

    def _identifiers(self, iri: URIRef) -> list[dict[str, Any]]:
        rows = []
        for predicate, name, make in _IDENTIFIERS:
            for value in self.reader.objects(iri, predicate):
                if isinstance(value, Literal):
                    text = _literal_text(value)
                    rows.append({"name": name, "value": text, "href": make(text) if make else None})
        return rows

    def _rating_of(self, node: URIRef) -> dict[str, Any]:
        attrs = rating(self.reader, node)
        key = str(attrs["certainty_key"])
        return {
            "certainty": str(attrs["certainty"]),
            "certainty_key": key,
            "rank": int(attrs["certainty_rank"]),
            "status": str(attrs["status"]),
            "rating": str(attrs["rating"]),
            "color": certainty_color(key),
        }

    def _rated_list(self, nodes: Iterable[Node], root: str) -> list[dict[str, Any]]:
        rows = [
            {**self._rating_of(n), "link": self.link(n, root)}
            for n in nodes
            if isinstance(n, URIRef)
        ]
        rows.sort(key=lambda r: (-r["rank"], r["link"].label.casefold(), r["link"].iri))
        return rows

    def _claims_about(self, iri: URIRef, root: str) -> list[dict[str, Any]]:
        claims: set[Node] = set()
        for predicate in (KKG.claimSubject, KKG.claimedEffect, KKG.forCondition):
            claims |= set(self.graph.subjects(predicate, iri))
        claims = {c for c in claims if (c, RDF.type, KKG.Claim) in self.graph}
        return self._rated_list(claims, root)

    def _citation_links(self, citation: dict[str, Any]) -> list[dict[str, str]]:
        links = []
        if citation.get("doi"):
            links.append({"text": f"DOI {citation['doi']}", "href": doi_url(citation["doi"])})
        if citation.get("pmid"):
            links.append({"text": f"PMID {citation['pmid']}", "href": pmid_url(citation["pmid"])})
        url = _safe_url(citation.get("url", ""))
        if url and not links:
            links.append({"text": "web page", "href": url})
        return links

    def _lines(self, lines: list[dict[str, Any]], root: str) -> list[dict[str, Any]]:
        """Return the viewer's evidence lines, with their links resolved for this page."""
        out = []
        for line in lines:
            citations = [
                {
                    **c,
                    "link": self.link(URIRef(c["iri"]), root),
                    "links": self._citation_links(c),
                }
                for c in line["citations"]
            ]
            appraisal = line.get("appraisal")
            out.append(
                {
                    **line,
                    "link": self.link(URIRef(line["iri"]), root),
                    "citations": citations,
                    "appraisal": {
                        **appraisal,
                        "link": self.link(URIRef(appraisal["iri"]), root),
                        "color": certainty_color(appraisal["certainty_key"]),
                    }
                    if appraisal
                    else None,
                }
            )
        return out

    def _claim(self, iri: URIRef, root: str) -> dict[str, Any]:
        details = self.claims[str(iri)]
        g = self.reader
        risks = [
            {
                **r,
                "link": self.link(URIRef(r["iri"]), root),
                "color": certainty_color(r["certainty_key"]),
            }
            for r in details["risks"]
        ]
        appearances = []
        for a in details["appearances"]:
            appearances.append(
                {
                    **a,
                    "link": self.link(URIRef(a["iri"]), root),
                    "sources": [
                        {
                            **s,
                            "link": self.link(URIRef(s["iri"]), root),
                            "links": self._citation_links(s),
                        }
                        for s in a["sources"]
                    ],
                }
            )
        about = []
        for predicate, word in (
            (KKG.claimSubject, "Subject"),
            (KKG.claimedEffect, "Effect"),
            (KKG.forCondition, "For the condition"),
            (KKG.comparator, "Compared with"),
            (KKG.viaInteraction, "Through"),
        ):
            nodes = g.objects(iri, predicate)
            if nodes:
                about.append((word, [self.link(n, root) for n in nodes]))
        return {
            **details,
            "color": certainty_color(details["certainty_key"]),
            "about": about,
            "evidence": self._lines(details["evidence"], root),
            "risks": risks,
            "appearances": appearances,
        }

    def _risk(self, iri: URIRef, root: str) -> dict[str, Any]:
        details = self.risks[str(iri)]
        return {
            **details,
            "color": certainty_color(details["certainty_key"]),
            "evidence": self._lines(details["evidence"], root),
            "claims": self._rated_list([URIRef(c) for c in details["claims"]], root),
            "of": [self.link(n, root) for n in self.reader.objects(iri, KKG.riskOf)],
        }

    def _source(self, iri: URIRef, root: str) -> dict[str, Any]:
        info = _source(self.reader, iri)
        citing = sorted(set(self.graph.subjects(KKG.citation, iri)), key=str)
        claims: set[Node] = set()
        for node in citing:
            claims |= set(self.graph.subjects(KKG.hasEvidence, node))
        appearances = sorted(set(self.graph.subjects(KKG.appearsIn, iri)), key=str)
        asserted: set[Node] = {c for a in appearances for c in self.graph.objects(a, KKG.asserts)}
        return {
            **info,
            "links": self._citation_links(info),
            "citing": [self.link(n, root) for n in citing],
            "claims": self._rated_list(claims, root),
            "asserted": self._rated_list(asserted, root),
        }

    def _interactions(self, iri: URIRef, root: str, kind: str) -> list[dict[str, Any]]:
        g = self.reader
        own, other = (KKG.ligand, KKG.target) if kind == "Compound" else (KKG.target, KKG.ligand)
        rows: list[dict[str, Any]] = []
        for ri in sorted(set(self.graph.subjects(own, iri)), key=str):
            measures = []
            for m in g.objects(ri, KKG.hasMeasurement):
                kind_node = g.value(m, KKG.measureType)
                value, unit = g.value(m, KKG.value), g.value(m, KKG.unit)
                measures.append(
                    {
                        "link": self.link(m, root),
                        "kind": g.label(kind_node) if kind_node is not None else "value",
                        "value": _literal_text(value) if isinstance(value, Literal) else "?",
                        "unit": _literal_text(unit) if isinstance(unit, Literal) else "",
                    }
                )
            sources = g.objects(ri, KKG.citation)
            rows.append(
                {
                    "link": self.link(ri, root),
                    "other": [self.link(n, root) for n in g.objects(ri, other)],
                    "action": g.text(ri, KKG.action) or "",
                    "assay": g.text(ri, KKG.assay) or "",
                    "species": g.text(ri, KKG.species) or "",
                    "measurements": measures,
                    "sources": [self.link(s, root) for s in sources],
                }
            )
        rows.sort(key=lambda r: ([o.label for o in r["other"]], str(r["link"].iri)))
        return rows

    def _term(self, iri: URIRef, root: str) -> dict[str, Any]:
        g = self.graph

        def links(nodes: Iterable[Node]) -> list[_Link]:
            found = sorted(set(nodes), key=_term_order)
            return [self.link(n, root) for n in found if not isinstance(n, Literal)]

        instances = links(g.subjects(RDF.type, iri))
        return {
            "superclasses": links(g.objects(iri, RDFS.subClassOf)),
            "subclasses": links(g.subjects(RDFS.subClassOf, iri)),
            "superproperties": links(g.objects(iri, RDFS.subPropertyOf)),
            "subproperties": links(g.subjects(RDFS.subPropertyOf, iri)),
            "domain": links([*g.objects(iri, RDFS.domain), *g.objects(iri, _SCHEMA_DOMAIN)]),
            "range": links([*g.objects(iri, RDFS.range), *g.objects(iri, _SCHEMA_RANGE)]),
            "used_in_domain": links(
                [*g.subjects(RDFS.domain, iri), *g.subjects(_SCHEMA_DOMAIN, iri)]
            ),
            "used_in_range": links([*g.subjects(RDFS.range, iri), *g.subjects(_SCHEMA_RANGE, iri)]),
            "alignments": [
                (node_key(p), links(g.objects(iri, p))) for p in _ALIGNMENTS if (iri, p, None) in g
            ],
            "instances": sorted(instances, key=lambda link: (link.label.casefold(), link.iri)),
            "scope_notes": self._texts(iri, SKOS.scopeNote),
            "examples": self._texts(iri, SKOS.example),
        }


def _term_order(term: Node) -> tuple[int, str, str]:
    if isinstance(term, Literal):
        return (1, str(term), f"{term.language or ''}|{term.datatype or ''}")
    return (0, str(term), "")


def _environment() -> jinja2.Environment:
    """Build the Jinja environment of the pages: autoescape on, templates from the package."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        certainty_colors=CERTAINTY_COLORS,
        type_colors=TYPE_COLORS,
        unrated=UNRATED,
    )
    return environment


def _load_template(name: str) -> str:
    """Read a template shipped in the package (works from a wheel and from the tree)."""
    return (files("kratomkg.site") / "templates" / name).read_text(encoding="utf-8")


# -- one context per graph -----------------------------------------------------------------

_CACHE: list[tuple[Graph, int, SiteContext]] = []
_CACHE_SIZE = 4


def context_for(graph: Graph) -> SiteContext:
    """Return the :class:`SiteContext` of ``graph``, built on first use and then reused.

    Keyed by the graph object and its size, so a graph that grows or shrinks gets a fresh
    context; a graph edited in place without changing its size must not be reused (build a
    new :class:`SiteContext` instead).
    """
    size = len(graph)
    for cached, cached_size, context in _CACHE:
        if cached is graph and cached_size == size:
            return context
    context = SiteContext(graph)
    _CACHE[:] = [entry for entry in _CACHE if entry[0] is not graph][-(_CACHE_SIZE - 1) :]
    _CACHE.append((graph, size, context))
    return context


def resources(graph: Graph) -> list[URIRef]:
    """Return every IRI that gets a page: kid: and kkg: subjects of ``graph``, sorted."""
    return context_for(graph).resources()


def render_resource(
    graph: Graph, iri: URIRef, *, root: str = "../", endpoint: bool = False, local: bool = True
) -> str | None:
    """Return the HTML page of ``iri`` (None when ``graph`` has no triple about it).

    ``local`` false leaves out the link to the viewer, for a server without the whole graph.
    """
    return context_for(graph).render_resource(iri, root=root, endpoint=endpoint, local=local)


def render_index(
    graph: Graph,
    *,
    root: str = "",
    endpoint: bool = False,
    downloads: Sequence[str] | None = None,
    local: bool = True,
) -> str:
    """Return the landing page; ``downloads`` names the release files to link, if known.

    ``local`` false leaves out the viewer and the downloads, for a server without the whole
    graph (it serves neither).
    """
    return context_for(graph).render_index(
        root=root, endpoint=endpoint, downloads=downloads, local=local
    )


def render_search(
    graph: Graph, q: str, *, root: str = "", endpoint: bool = False, local: bool = True
) -> str:
    """Return the search page with the hits for ``q``, rendered without JavaScript."""
    return context_for(graph).render_search(q, root=root, endpoint=endpoint, local=local)


def search(graph: Graph, q: str, limit: int = 50) -> list[dict[str, Any]]:
    """Return up to ``limit`` hits for ``q``: dicts with ``iri``, ``label``, ``kind``, ``path``."""
    return context_for(graph).search(q, limit)


def search_index(graph: Graph) -> list[dict[str, Any]]:
    """Return what the static site writes as ``search.json`` for its client-side search."""
    return context_for(graph).search_index()


def render_not_found(
    path: str, *, root: str = "", endpoint: bool = False, local: bool = True
) -> str:
    """Return the page for a path the site has no document at, with ways on from there."""
    template = _environment().get_template("not_found.html.j2")
    page = template.render(
        version=__version__,
        root=root,
        endpoint=endpoint,
        local=local,
        title="Not found",
        path=path,
    )
    return page if page.endswith("\n") else page + "\n"
