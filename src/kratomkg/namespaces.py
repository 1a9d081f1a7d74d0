"""IRIs of the kratomkg vocabularies and named graphs.

Terms live under ``https://w3id.org/kratomkg/ontology/`` (prefix ``kkg``) and resources
under ``https://w3id.org/kratomkg/id/`` (prefix ``kid``): persistent w3id addresses, as
published ontologies use, so that the IRIs outlive any particular host.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

__all__ = [
    "GRAPH_DERIVED",
    "GRAPH_KB",
    "GRAPH_ONTOLOGY",
    "GRAPH_USER",
    "KID",
    "KKG",
    "KKS",
    "ONTOLOGY_IRI",
    "PREFIXES",
]

KKG = Namespace("https://w3id.org/kratomkg/ontology/")
KID = Namespace("https://w3id.org/kratomkg/id/")
KKS = Namespace("https://w3id.org/kratomkg/shapes/")
ONTOLOGY_IRI = URIRef("https://w3id.org/kratomkg/ontology")

_GRAPHS = "https://w3id.org/kratomkg/graph/"
GRAPH_ONTOLOGY = URIRef(_GRAPHS + "ontology")
GRAPH_KB = URIRef(_GRAPHS + "kb")
GRAPH_USER = URIRef(_GRAPHS + "user")
GRAPH_DERIVED = URIRef(_GRAPHS + "derived")

# The prefix map used for every serialization and every CURIE shown to a user; kept in one
# place so that Turtle, TriG, JSON-LD and reports agree.
PREFIXES: dict[str, str] = {
    "kkg": str(KKG),
    "kid": str(KID),
    "kks": str(KKS),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "obo": "http://purl.obolibrary.org/obo/",
}
