"""The sentence loop: every rule over every sentence of one annotated document.

Per sentence the passes run in a fixed order, because an earlier pass takes actors from a
later one: nominal agreements and calls take the actors of their phrases before meetings
look for participants, and a sentence that reports an agreement has no modal demand ("…
seien sich einig, dass die Gespräche fortgesetzt werden müssten").

``extract_document`` is the library entry point; ``kg_relations`` is the same as a spaCy
component (factory config: registry, lexicon and rules files) that stores the
``Extraction`` in ``doc._.kg_extraction``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract import agreements, demands, meetings
from kg.extract.attributes import is_genitive_attribute, is_source_or_excluded
from kg.extract.clauses import Clause
from kg.extract.context import DocContext
from kg.extract.discourse import Discourse
from kg.extract.reference import numbered_group, pronoun_antecedents, role_group
from kg.extract.rules import RuleBook, load_rules
from kg.extract.setting import evidence_of, lead_date, lead_place, parse_date
from kg.extract.speakers import note_speaker
from kg.lexicon import Lexicon, load_lexicon
from kg.model import Evidence, Extraction
from kg.nlp import extensions
from kg.registry import Registry, load_registry

#: the rule ids the code implements; kg/data/rules.yaml must describe exactly these
IMPLEMENTED = meetings.RULES | agreements.RULES | demands.RULES

# mention kinds whose text is a name of the actor (kept as alternative labels)
NAMING_KINDS = ("name", "metonym", "new", "role_alias")


@dataclass
class Scope:
    """One sentence being read: where the rules look and which actors they have taken."""

    ctx: DocContext
    disc: Discourse
    out: Extraction
    sent: Span
    clauses: list[Clause]
    evidence: Evidence
    consumed: set[int] = field(default_factory=set)  # token indices of mentions a nominal trigger owns
    handled_nouns: set[int] = field(default_factory=set)  # agreement nouns that are no meeting nouns

    @property
    def tokens(self) -> list[Token]:
        """The sentence's tokens (shared Token objects, cheaper to walk than the Span)."""
        return self.ctx.tokens[self.sent.start:self.sent.end]

    def consume(self, members: list[Span]) -> None:
        self.consumed.update(i for m in members for i in range(m.start, m.end))

    def refer_pronouns(self, ranges: list[tuple[int, int]], verb_i: int) -> list[str]:
        """Resolve the pronouns in ``ranges`` and record that the sentence refers to them."""
        return self.disc.refer(pronoun_antecedents(self.ctx, self.disc, ranges, verb_i))

    def refer_roles(self, before: Token) -> list[str]:
        """Resolve 'die Außenminister' before ``before`` and record the reference."""
        return self.disc.refer(role_group(self.ctx, self.out, self.sent, before))

    def refer_group(self, before: Token) -> list[str]:
        """Resolve 'die beiden'/'alle drei' before ``before`` and record the reference."""
        group = numbered_group(self.ctx, self.disc, self.sent, before)
        self.disc.refer(group[::-1])  # most recent first, the order they were looked up in
        return group


def extract_sentence(s: Scope) -> None:
    agreements.nominal_agreements(s)  # agree.noun: its actors are not meeting participants
    meetings.nominal_calls(s)  # call.noun
    meetings.verbal_calls(s)  # call.verb
    meetings.nominal_meetings(s)  # meet.noun
    meetings.verbal_meetings(s)  # meet.verb, meet.participation
    meetings.english_phrase_meetings(s)  # meet.en.phrase
    before = len(s.out.agreements)
    agreements.verbal_agreements(s)  # agree.verb, meet.delegations-agreed
    demands.demands(s, modal=len(s.out.agreements) == before)  # demand.*


def extract_document(doc: Doc, registry: Registry, lexicon: Lexicon, rules: RuleBook,
                     published: str | None = None, boxes: tuple[tuple[int, int], ...] = (),
                     lead: tuple | None = None) -> Extraction:
    """Run every rule over an annotated Doc (see kg.nlp). ``published`` (YYYY-MM-DD)
    resolves relative dates; ``boxes`` are character ranges that yield no events; ``lead``
    is the (news date, place) of the article's opening when the Doc is a later piece of it."""
    new_actors = dict(doc._.kg_new_actors or {})
    ctx = DocContext(doc, registry, lexicon, rules, parse_date(published), tuple(boxes), new_actors)
    if lead is not None:
        ctx.memo["lead_date"], ctx.memo["lead_place"] = lead
    out = Extraction(new_actors=new_actors)
    for m in ctx.mentions:
        if ctx.in_box(m.start_char):
            continue
        forms = out.mentioned.setdefault(m.kb_id_, set())
        if m._.kg_kind in NAMING_KINDS and not m._.kg_genitive:
            forms.add(" ".join(m.text.split()))
    disc = Discourse()
    for sent in ctx.sentences:
        text = ctx.sent_text(sent).strip()
        if not text or ctx.in_box(sent.start_char):
            continue
        disc.open_sentence(new_paragraph="\n\n" in ctx.text[max(0, sent.start_char - 3) : sent.start_char + 1])
        scope = Scope(ctx, disc, out, sent, ctx.clauses(sent), evidence_of(sent, ctx.sent_text(sent)))
        if not text.rstrip("“”\"»« )").endswith("?"):
            extract_sentence(scope)
        note_speaker(scope)
        # what the sentence was about, for pronouns in the next one (not genitive attributes)
        about = [m for m in ctx.sent_mentions(sent) if not is_genitive_attribute(ctx, m) and not is_source_or_excluded(ctx, m)]
        persons = list(dict.fromkeys([m.kb_id_ for m in about if m.label_ == "Person"] + [k for k in disc.sentence_refs if ctx.type_of(k) == "Person"]))
        actors = list(dict.fromkeys([m.kb_id_ for m in about] + disc.sentence_refs))
        named = [m.kb_id_ for m in ctx.sent_mentions(sent) if m.label_ == "Person" and not is_source_or_excluded(ctx, m)]
        disc.close_sentence(persons, actors, named[-1] if named else None)
    if lead is None:
        doc._.kg_lead = (lead_date(ctx), lead_place(ctx))  # what later pieces of the article read
    return out


class RelationExtractor:
    """The spaCy component: ``doc._.kg_extraction`` from the annotated Doc, reading the
    publication date from ``doc._.kg_published`` and the boxes from ``doc._.kg_boxes``."""

    def __init__(self, registry: Registry, lexicon: Lexicon, rules: RuleBook):
        self.registry, self.lexicon, self.rules = registry, lexicon, rules

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_extraction = extract_document(doc, self.registry, self.lexicon, self.rules,
                                               doc._.kg_published, doc._.kg_boxes or (), doc._.kg_lead)
        return doc


@Language.factory("kg_relations", default_config={"registry_path": None, "lexicon_path": None, "rules_path": None})
def make_relation_extractor(nlp: Language, name: str, registry_path: str | None, lexicon_path: str | None,
                            rules_path: str | None) -> RelationExtractor:
    extensions.register()
    return RelationExtractor(load_registry(registry_path), load_lexicon(lexicon_path), load_rules(rules_path, IMPLEMENTED))
