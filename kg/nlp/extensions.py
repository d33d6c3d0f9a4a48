"""The attributes kg's components write on Docs and Spans (spaCy custom extensions).

Registered by the component factories (and by ``register``), not at import time.

Span (actor, place and date mentions):
- ``kg_kind``: name | metonym | role_alias | collective | role | new | ner | adjective
  (actors), state (a state as a place);
- ``kg_value``: of a date: ("abs", "YYYY-MM-DD") | ("weekday", n) | ("rel", days) |
  ("daymonth", (d, m));
- ``kg_genitive``: the mention is a genitive form ("Putins", "Russlands"), an attribute;
Doc:
- ``kg_new_actors``: key -> NewActor for actors the registry does not know;
- ``kg_published`` (publication date) and ``kg_boxes`` (character ranges of background
  boxes): set before the pipeline runs, read by extraction;
- ``kg_extraction``: what the relation rules found (kg.extract);
- ``kg_lead``: (news date, place) of the article's opening; a piece of a long document
  (kg.pieces) is given its article's, any other Doc gets its own written here.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_EXTENSIONS = {"kg_kind": None, "kg_value": None, "kg_genitive": False}
DOC_EXTENSIONS = {"kg_new_actors": None, "kg_published": None, "kg_boxes": (), "kg_extraction": None, "kg_lead": None}


def register() -> None:
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
