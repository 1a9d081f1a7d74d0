"""The single source of the kratomkg version (package, ontology versionIRI, build manifest)."""

__version__ = "0.1.0"
