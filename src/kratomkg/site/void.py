"""The dataset description: VoID for linked-data crawlers, DCAT for data catalogues.

One graph says what the release is (title, licence, version), how big it is (triples in
all and per named graph, entities per class, triples per property), where its IRIs live,
which vocabularies it uses, and where every release file can be downloaded, with its media
type and size. The static site writes it as ``void.ttl``; the server answers it at
``/.well-known/void``, with its own address as ``base`` and its SPARQL endpoint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Final

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD, split_uri
from rdflib.term import Node

from kratomkg._version import __version__
from kratomkg.namespaces import GRAPH_ONTOLOGY, KID, KKG, ONTOLOGY_IRI, PREFIXES
from kratomkg.site.paths import SITE_BASE

__all__ = [
    "DATASET_FRAGMENT",
    "DATA_LICENSE",
    "IANA_MEDIA_TYPES",
    "RDF_DUMPS",
    "media_type",
    "void_graph",
]

IANA_MEDIA_TYPES: Final = "https://www.iana.org/assignments/media-types/"

# The knowledge graph and the ontology are published under CC BY 4.0 (the code under MIT);
# the ontology's own dcterms:license says so, and is read first.
DATA_LICENSE: Final = URIRef("https://creativecommons.org/licenses/by/4.0/")

DATASET_FRAGMENT: Final = "void.ttl#kratomkg"

_TITLE: Final = "kratomkg"
_DESCRIPTION: Final = (
    "An evidence-first knowledge graph of kratom (Mitragyna speciosa): compounds, receptors, "
    "effects, claims, evidence and risks, in RDF with SHACL guarantees. Every claim carries "
    "its evidence and its risks; certainty and status are derived by GRADE-style rules."
)
_KEYWORDS: Final = ("kratom", "knowledge graph", "pharmacology", "evidence", "RDF", "SHACL")

# Registered media types by file ending, longest ending first. GraphML and GEXF have no
# registered type of their own: they are XML.
_MEDIA_TYPES: Final = (
    (".shapes.ttl", "text/turtle"),
    (".ttl", "text/turtle"),
    (".nt", "application/n-triples"),
    (".nq", "application/n-quads"),
    (".trig", "application/trig"),
    (".jsonld", "application/ld+json"),
    (".rdf", "application/rdf+xml"),
    (".csv", "text/csv"),
    (".cyjs", "application/json"),
    (".json", "application/json"),
    (".graphml", "application/xml"),
    (".gexf", "application/xml"),
    (".dot", "text/vnd.graphviz"),
    (".html", "text/html"),
    (".md", "text/markdown"),
)

# The release files that are the whole dataset in one RDF syntax (void:dataDump).
RDF_DUMPS: Final = frozenset(
    f"kratomkg.{ext}" for ext in ("ttl", "nt", "nq", "trig", "jsonld", "rdf")
)

SD: Final = Namespace("http://www.w3.org/ns/sparql-service-description#")
# DCAT 3 terms that rdflib's closed DCAT namespace does not list yet (dcat:version).
DCAT3: Final = Namespace(str(DCAT))


def media_type(name: str) -> str:
    """Return the registered media type of the release file ``name``."""
    for ending, kind in _MEDIA_TYPES:
        if name.endswith(ending):
            return kind
    return "application/octet-stream"


def _namespace(iri: URIRef) -> str | None:
    try:
        namespace, _local = split_uri(iri)
    except ValueError:
        return None
    return str(namespace)


def _fragment(text: str) -> str:
    """Return a fragment identifier for ``text`` (a CURIE or an IRI), safe in any IRI."""
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def _curie(iri: URIRef) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if str(iri).startswith(namespace):
            return f"{prefix}-{str(iri)[len(namespace) :]}"
    return str(iri)


def _example_resources(graph: Graph) -> list[URIRef]:
    """Return the first resource (in IRI order) of each main class, as examples."""
    examples: list[URIRef] = []
    for cls in ("Compound", "Claim", "Risk"):
        members = sorted(
            s
            for s in graph.subjects(RDF.type, KKG[cls])
            if isinstance(s, URIRef) and str(s).startswith(str(KID))
        )
        examples += members[:1]
    return examples


def void_graph(
    dataset: Dataset,
    files: Mapping[str, int],
    *,
    endpoint: str | None = None,
    base: str = SITE_BASE,
) -> Graph:
    """Return the VoID + DCAT description of ``dataset`` published at ``base``.

    ``files`` maps each release file name to its size in bytes; each is described as a
    distribution at ``{base}downloads/NAME``. The whole-dataset RDF files are also its
    ``void:dataDump``. ``endpoint`` is the SPARQL endpoint's URL, when there is one.
    """
    out = Graph()
    for prefix, namespace in (
        *PREFIXES.items(),
        ("void", VOID),
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("owl", OWL),
        ("xsd", XSD),
        ("sd", SD),
    ):
        out.bind(prefix, namespace, override=True, replace=True)
    document = URIRef(f"{base}void.ttl")
    ds = URIRef(f"{base}{DATASET_FRAGMENT}")
    out.add((document, RDF.type, VOID.DatasetDescription))
    out.add((document, DCTERMS.title, Literal(f"Description of the {_TITLE} dataset", lang="en")))
    out.add((document, FOAF.primaryTopic, ds))

    ontology = dataset.graph(GRAPH_ONTOLOGY)
    license_iri = next(
        (o for o in ontology.objects(ONTOLOGY_IRI, DCTERMS.license) if isinstance(o, URIRef)),
        DATA_LICENSE,
    )
    out.add((ds, RDF.type, VOID.Dataset))
    out.add((ds, RDF.type, DCAT.Dataset))
    out.add((ds, DCTERMS.title, Literal(_TITLE, lang="en")))
    out.add((ds, DCTERMS.description, Literal(_DESCRIPTION, lang="en")))
    out.add((ds, DCTERMS.license, license_iri))
    out.add((ds, OWL.versionInfo, Literal(__version__)))
    out.add((ds, DCAT3.version, Literal(__version__)))
    out.add((ds, FOAF.homepage, URIRef(base)))
    out.add((ds, DCAT.landingPage, URIRef(f"{base}index.html")))
    for keyword in _KEYWORDS:
        out.add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    out.add((ds, VOID.uriSpace, Literal(str(KID))))
    out.add((ds, VOID.rootResource, ONTOLOGY_IRI))

    named = sorted(
        (g for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)),
        key=lambda g: str(g.identifier),
    )
    whole = Graph()
    for graph in named:
        subset = graph.identifier
        out.add((ds, VOID.subset, subset))
        out.add((subset, RDF.type, VOID.Dataset))
        out.add((subset, RDF.type, SD.Graph))
        out.add((subset, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
        for triple in graph:
            whole.add(triple)
    out.add((ds, VOID.triples, Literal(len(whole), datatype=XSD.integer)))
    subjects = set(whole.subjects(unique=True))
    out.add((ds, VOID.entities, Literal(len(subjects), datatype=XSD.integer)))
    out.add((ds, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))

    classes: dict[URIRef, set[Node]] = {}
    for s, cls in whole.subject_objects(RDF.type):
        if isinstance(cls, URIRef):
            classes.setdefault(cls, set()).add(s)
    for cls in sorted(classes):
        part = URIRef(f"{base}void.ttl#class-{_fragment(_curie(cls))}")
        out.add((ds, VOID.classPartition, part))
        out.add((part, VOID["class"], cls))
        out.add((part, VOID.entities, Literal(len(classes[cls]), datatype=XSD.integer)))

    per_property = Counter(p for _s, p, _o in whole if isinstance(p, URIRef))
    for prop in sorted(per_property):
        part = URIRef(f"{base}void.ttl#property-{_fragment(_curie(prop))}")
        out.add((ds, VOID.propertyPartition, part))
        out.add((part, VOID.property, prop))
        out.add((part, VOID.triples, Literal(per_property[prop], datatype=XSD.integer)))
    out.add((ds, VOID.properties, Literal(len(per_property), datatype=XSD.integer)))
    out.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))

    vocabularies = {_namespace(p) for p in per_property} | {_namespace(c) for c in classes}
    known = set(PREFIXES.values())
    for namespace in sorted(v for v in vocabularies if v in known):
        out.add((ds, VOID.vocabulary, URIRef(namespace)))

    for example in _example_resources(whole):
        out.add((ds, VOID.exampleResource, example))

    for name in sorted(files):
        url = URIRef(f"{base}downloads/{name}")
        dist = URIRef(f"{base}void.ttl#download-{_fragment(name)}")
        out.add((ds, DCAT.distribution, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        out.add((dist, DCTERMS.title, Literal(name)))
        out.add((dist, DCAT.downloadURL, url))
        out.add((dist, DCAT.accessURL, url))
        out.add((dist, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + media_type(name))))
        out.add((dist, DCAT.byteSize, Literal(files[name], datatype=XSD.nonNegativeInteger)))
        out.add((dist, DCTERMS.license, license_iri))
        if name in RDF_DUMPS:
            out.add((ds, VOID.dataDump, url))

    if endpoint is not None:
        out.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
    return out
