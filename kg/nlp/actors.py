"""Actor mentions, places and new actors on a Doc (``kg_actors``).

Registry names, metonyms ("Moskau", "der Kreml") and role epithets are matched by a
PhraseMatcher over every surface form of ``ontology/actors.yaml`` (with German genitives:
"Lawrows", "Moskaus"); group nouns with a nationality ("die russische Seite", "US-Vertreter")
become mentions of their state; a state after a locative preposition or in a dateline is a
place ("in Moskau"); kg.nlp.new_actors adds actors the registry does not know. Output:
``doc.spans["kg_actors"]`` (entity type in ``label_``, actor key in ``kb_id_``),
``doc.spans["kg_places"]`` and ``doc._.kg_new_actors``.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.lexicon import Lexicon, load_lexicon
from kg.model import NewActor
from kg.nlp import extensions
from kg.nlp.new_actors import NewActorRules, demonyms, first_names
from kg.registry import Registry, load_registry, normalise_role, slug

LOCATIVE_WINDOW = 5  # words between a locative preposition and its place ("in der Hauptstadt Riad")
COLLECTIVE_WINDOW = 6  # nationality adjectives joined before a group noun
# entity labels of a statistical NER (--spacy-model) kg takes as new actors
NER_TYPES = {"PER": "Person", "PERSON": "Person", "ORG": "Organization"}


class ActorAnnotator(NewActorRules):
    """Marks actor mentions, places and new (role-anchored) persons on a Doc."""

    def __init__(self, nlp: Language, registry: Registry, lexicon: Lexicon):
        self.registry = registry
        self.lex = lexicon
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        patterns: dict[str, list] = {}
        forms = dict(registry.surface_forms)
        self.genitive_forms = set(registry.genitive_forms)
        # German genitive of person names and single-word organisations: "Lawrows", "Putins"
        for form, (key, kind) in list(forms.items()):
            entry = registry.get(key)
            if entry and entry.type in ("Person", "Organization") and kind == "name" and form[-1] not in "sxzß.":
                if form + "s" not in forms:
                    forms[form + "s"] = (key, kind)
                    self.genitive_forms.add(form + "s")
        # metonyms in the genitive: "Washingtons", "Moskaus", "Kiews"
        for form, (key, kind) in list(forms.items()):
            if kind == "metonym" and form[-1] not in "sxzß." and " " not in form and form + "s" not in forms:
                forms[form + "s"] = (key, kind)
                self.genitive_forms.add(form + "s")
        # Swiss spelling writes "ss" for "ß": "im Weissen Haus", "Aussenminister"
        for form, value in list(forms.items()):
            if "ß" in form and form.replace("ß", "ss") not in forms:
                forms[form.replace("ß", "ss")] = value
                if form in self.genitive_forms:
                    self.genitive_forms.add(form.replace("ß", "ss"))
        self.forms = forms
        self.demonyms = demonyms(registry, lexicon)
        self.counterpart_stems = frozenset(normalise_role(w) for w in lexicon.counterpart_nouns)
        self.first_names = first_names(registry)
        self._taken_key: dict[int, str] = {}  # token -> actor key, during one call
        self._on: str | None = None  # the publication date of the Doc being annotated
        self._tokens: list = []  # the tokens of the Doc being annotated
        prefixes = "|".join(re.escape(p) for p in lexicon.arabic_name_prefixes)
        self._arabic_name = re.compile(rf"(?:{prefixes})-[A-ZÄÖÜ][\w\-]+")
        for form in forms:
            patterns.setdefault(form, nlp.make_doc(form))
        for form, pattern in patterns.items():
            self.matcher.add(form, [pattern])

    # -- helpers -----------------------------------------------------------------------
    def _state_prefix(self, text: str) -> str | None:
        """'US-Außenminister' -> 'usa'; 'Nato-Generalsekretär' -> 'nato' (prefix must name an actor)."""
        if "-" not in text:
            return None
        prefix = text.split("-", 1)[0]
        hit = self.forms.get(prefix) or self.forms.get(prefix.upper())
        if hit:
            entry = self.registry.get(hit[0])
            if entry and entry.type in ("State", "Organization"):
                return entry.key
        return self.registry.state_for_adjective(prefix)

    def adjective_state(self, tok: Token) -> str | None:
        """Nationality adjective ('russischen', 'Moskauer') -> state key."""
        word = tok.text
        if not word:
            return None
        if word[0].islower() or word.endswith("er"):
            hit = self.registry.state_for_adjective(word)
            if hit:
                return hit
        if word.endswith("er") and word[0].isupper():  # "Moskauer Seite", "Kiewer Führung"
            base = self.forms.get(word[:-2])
            if base and base[1] in ("metonym", "name"):
                entry = self.registry.get(base[0])
                if entry and entry.type == "State":
                    return entry.key
        return None

    def token_affiliation(self, tok: Token) -> str | None:
        return self._state_prefix(tok.text) if "-" in tok.text else self.adjective_state(tok)

    # -- the component -------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        self._on = doc._.kg_published  # offices are read at the publication date
        self._tokens = list(doc)  # the passes below share these (iterating a Doc makes new Tokens)
        for match_id, start, end in self.matcher(doc):
            form = doc.vocab.strings[match_id]
            key, kind = self.forms[form]
            if kind == "role_alias":
                # "die EU-Außenbeauftragte" names whoever held the office at the date
                key = self.registry.role_alias_holder(form, key, self._on)
                if key is None:
                    continue
            entry = self.registry.get(key)
            span = Span(doc, start, end, label="Place" if entry.type == "Place" else entry.type, kb_id=key)
            span._.kg_kind = kind
            span._.kg_genitive = form in self.genitive_forms
            spans.append(span)
        # "der EU-Außenbeauftragte Josep Borrell": the role belongs to the name that follows;
        # a named person is never replaced by another holder of the office
        named = {sp.start for sp in spans if sp._.kg_kind == "name" and sp.label_ == "Person"}
        spans = [sp for sp in spans if not (sp._.kg_kind == "role_alias" and sp.end in named)]
        spans.extend(self._collectives(doc))
        spans = filter_spans(spans)
        spans.extend(self._statistical_entities(doc, spans))
        taken = {i for s in spans for i in range(s.start, s.end)}
        # news agencies are sources: their names make no new actor ("Ria Nowosti")
        taken |= {i for i, tok in enumerate(self._tokens) if tok.text in self.lex.news_agencies}
        self._taken_key = {i: s.kb_id_ for s in spans for i in range(s.start, s.end)}
        new_actors: dict[str, NewActor] = {}
        for span in spans:
            if span._.kg_kind == "ner" and span.kb_id_ not in new_actors:
                role = doc[span.start - 1].text if span.start > 0 and self.lex.is_role(doc[span.start - 1].text) else None
                affiliation = self._role_affiliation(doc, span.start - 1) if role else None
                new_actors[span.kb_id_] = NewActor(span.kb_id_, " ".join(span.text.split()), span.label_, affiliation, role)
        spans.extend(self._role_anchored(doc, taken, new_actors, list(spans)))
        spans = filter_spans(spans)
        actors, places = self._split_places(doc, spans)
        places.extend(self._unseen_places(doc, {i for sp in spans for i in range(sp.start, sp.end)}))
        doc.spans["kg_actors"] = sorted(actors, key=lambda s: s.start)
        doc.spans["kg_places"] = sorted(places, key=lambda s: s.start)
        doc._.kg_new_actors = new_actors
        self._tokens, self._taken_key = [], {}  # no Doc outlives its call (memory zones)
        return doc

    def _unseen_places(self, doc: Doc, taken: set[int]) -> list[Span]:
        """'in Kasan', 'in Rio de Janeiro', 'südlich von San Francisco': a name the registry
        does not know after a locative preposition is a place (its key comes from its text)."""
        out = []
        for i, tok in enumerate(self._tokens[:-1]):
            if tok.text not in self.lex.unseen_place_prepositions:
                continue
            j = i + 1
            # "in der russischen Stadt Kasan": article, adjectives and a place noun first
            k = j
            while k < len(doc) and (doc[k].lower_ in self.lex.locative_articles or (doc[k].text[:1].islower() and doc[k].text.endswith(self.lex.weak_adjective_endings))):
                k += 1
            if k < len(doc) and k > j and (doc[k].text in self.lex.place_heads or (doc[k].text[:1].isupper() and doc[k].text.lower().endswith(self.lex.place_head_suffixes))):
                i, j = k, k + 1
            elif k > j:
                continue
            while j < len(doc) and j not in taken and (doc[j].tag_ == "NE" or (j > i + 1 and doc[j].text in self.lex.name_particles and j + 1 < len(doc) and doc[j + 1].tag_ == "NE")):
                j += 1
            if j == i + 1 or any(k in taken for k in range(i + 1, j)) or (j < len(doc) and (doc[j].text in {"'s", "’"} or doc[j].tag_ == "NN")):
                continue  # nothing, or the start of a longer noun phrase ("in Trumps Amtszeit")
            if doc[j - 1].text.endswith("s") and j < len(doc) and doc[j].text[:1].isupper():
                continue  # a genitive ("in Putins Datscha")
            label = " ".join(doc[i + 1 : j].text.split())
            if len(label) < 3 or not label[:1].isupper():
                continue
            span = Span(doc, i + 1, j, label="Place", kb_id=slug(label))
            span._.kg_kind = "unseen"
            out.append(span)
        return out

    def _statistical_entities(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Persons and organisations found by a statistical NER (``--spacy-model``) that the
        registry does not know. Their keys come from their text, like role-anchored names."""
        taken = {i for s in spans for i in range(s.start, s.end)}
        out = []
        for ent in doc.ents:
            kind = NER_TYPES.get(ent.label_)
            if kind is None or any(i in taken for i in range(ent.start, ent.end)):
                continue
            label = " ".join(ent.text.split())
            span = Span(doc, ent.start, ent.end, label=kind, kb_id=slug(label))
            span._.kg_kind = "ner"
            out.append(span)
        return out

    def _collectives(self, doc: Doc) -> list[Span]:
        """'die russische Seite', 'US-Vertretern', 'US- und russische Beamte' -> the state."""
        out: list[Span] = []
        for i, tok in enumerate(self._tokens):
            text = tok.text
            if "-" in text and not text.endswith("-"):
                head = text.rsplit("-", 1)[1]
                key = self._state_prefix(text)
                if key and self.lex.is_group(head):
                    out.append(self._mention(doc, i, i + 1, key, "collective"))
                continue
            if text.endswith("-") and text.count("-") >= 2 and i + 2 < len(doc) and doc[i + 1].lower_ in self.lex.coordinators:
                # "die G7-Staats- und Regierungschefs": a truncated compound of an actor's leaders
                key = self._state_prefix(text)
                if key and (self.lex.is_role(doc[i + 2].text) or self.lex.is_group(doc[i + 2].text)):
                    out.append(self._mention(doc, i, i + 3, key, "collective"))
                continue
            if not self.lex.is_group(text):
                continue
            if i + 2 < len(doc) and self._name_like(doc[i + 1]) and self._name_like(doc[i + 2]) and doc[i + 1].text not in self.lex.name_particles:
                continue  # "der estnische Unterhändler Jaan Kask": a role before a name
            # walk left over nationality adjectives joined by "und"/"," ("US- und russische")
            j = i - 1
            while j >= 0:
                left = doc[j]
                key = self.token_affiliation(left) if (left.text.endswith("-") or left.text[:1].islower() or left.text.endswith("er")) else None
                if left.text.endswith("-"):
                    key = self._state_prefix(left.text + "x")
                if key:
                    out.append(self._mention(doc, j, i + 1 if j == i - 1 else j + 1, key, "collective"))
                    j -= 1
                elif left.text in self.lex.coordinators or (left.text[:1].islower() and left.text.endswith(self.lex.weak_adjective_endings)):
                    j -= 1
                else:
                    break
                if i - j > COLLECTIVE_WINDOW:
                    break
        return out

    def _mention(self, doc: Doc, start: int, end: int, key: str, kind: str) -> Span:
        entry = self.registry.get(key)
        span = Span(doc, start, end, label=entry.type if entry else "State", kb_id=key)
        span._.kg_kind = kind
        return span

    def _split_places(self, doc: Doc, spans: list[Span]) -> tuple[list[Span], list[Span]]:
        """A state or capital after a locative preposition is where something happens."""
        actors, places = [], []
        for span in spans:
            entry = self.registry.get(span.kb_id_)
            if span.end < len(doc) and doc[span.end].text in self.lex.outlet_words:
                continue  # "der New York Times zufolge": an outlet, neither place nor actor
            if span.label_ == "Place":
                places.append(span)
                continue
            venue = entry is not None and entry.type == "Organization" and self._after_locative(doc, span.start) and doc[span.start - 1].lower_ in self.lex.venue_articles
            if venue or (entry and entry.type == "State" and span._.kg_kind in ("name", "metonym") and (self._after_locative(doc, span.start) or self._dateline(doc, span))):
                # "in Moskau", "im Kreml", "in der Knesset": where something happens
                # a capital that is also a registered place keeps its own identity ("Paris")
                place_key = self.registry.place_forms.get(span.text) or self.registry.place_forms.get(span.text.replace("ss", "ß"), span.kb_id_)
                place = Span(doc, span.start, span.end, label="Place", kb_id=place_key)
                place._.kg_kind = "state"
                places.append(place)
                continue
            actors.append(span)
        return actors, places

    @staticmethod
    def _dateline(doc: Doc, span: Span) -> bool:
        """'Rom/Teheran (AFP/dpa) – …', 'Moskau (dpa) - …': where the report was filed."""
        if not (span.start == 0 or doc[span.start].is_sent_start or doc[span.start - 1].text in {"/"}):
            return False
        nxt = doc[span.end] if span.end < len(doc) else None
        return nxt is not None and nxt.text in {"(", "/", "–", "—"}

    def _after_locative(self, doc: Doc, start: int) -> bool:
        j = start - 1
        steps = 0
        while j >= 0 and steps < LOCATIVE_WINDOW:
            t = doc[j].text
            if t in self.lex.locative_prepositions:
                return True
            if t in self.lex.locative_articles or t in self.lex.place_heads or (t[:1].isupper() and t.lower().endswith(self.lex.place_head_suffixes)) or (t[:1].islower() and t.endswith(self.lex.weak_adjective_endings)):
                j -= 1
                steps += 1
                continue
            return False
        return False


@Language.factory("kg_actors", default_config={"registry_path": None, "lexicon_path": None})
def make_actor_annotator(nlp: Language, name: str, registry_path: str | None, lexicon_path: str | None):
    extensions.register()
    return ActorAnnotator(nlp, load_registry(registry_path), load_lexicon(lexicon_path))
