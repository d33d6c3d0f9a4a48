"""Extraction stage: relation rules over an annotated spaCy Doc.

Input: the Doc from kg.nlp (actor mentions, places, dates, sentences, morphology), the
publication date and the background boxes of the cleaned document. Output: an
``Extraction`` (kg.model) with meeting, phone call, agreement and demand records whose
actors are registry or new-actor keys, plus participation statements ("An dem Treffen
nahmen … teil") that kg.resolve attaches to the meeting they refer to.

The rules are linguistic constructions, not tuned to particular articles; each is described,
with sentences it must and must not fire on, in ``kg/data/rules.yaml``, and every word list
they use is in ``kg/data/lexicon.yaml``. The package, by concern:

- ``context``: read-only indexes over the Doc; ``discourse``: what the text said so far
  (the only state that changes);
- ``clauses``: clause segmentation; ``cues``: negation, hedges, plans, refusals, reported
  speech; ``attributes``: mentions that are not participants; ``participants``: actors of
  clauses and phrases; ``reference``: pronouns, group words, parties in context;
  ``speakers``: who says what; ``content``: what was agreed or demanded; ``setting``:
  date, place and evidence;
- one module per relation: ``meetings`` (and phone calls), ``agreements``, ``demands``;
- ``rules``: the rules file; ``engine``: the sentence loop and the spaCy component.
"""
from kg.extract.engine import IMPLEMENTED, RelationExtractor, extract_document
from kg.extract.rules import RuleBook, load_rules

__all__ = ["IMPLEMENTED", "RelationExtractor", "RuleBook", "extract_document", "load_rules"]
