"""kg: German diplomacy news -> RDF knowledge graph."""

__version__ = "0.2.0"
