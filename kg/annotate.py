"""Annotation stage: a German spaCy pipeline assembled from registered components.

    kg_sentencizer -> lemmatizer (lookup tables) -> kg_actors -> kg_dates

Components are configured by data (the actor registry and kg/lexicon.yaml) and write only
to the Doc: sentence starts, lemmas, ``doc.spans["kg_actors"]`` (actor mentions, entity
type in ``label_``, actor key in ``kb_id_``), ``doc.spans["kg_places"]`` and
``doc.spans["kg_dates"]``. Actors first seen in the document (role-anchored names such as
"der finnische Präsident Alexander Stubb") are described in ``doc._.kg_new_actors``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.lexicon import Lexicon, load_lexicon
from kg.model import NewActor
from kg.registry import Registry, load_registry, normalise_role, slug


if not Span.has_extension("kg_kind"):
    # kind of an actor mention: name | metonym | role_alias | collective | role | new
    Span.set_extension("kg_kind", default=None)
    # for dates: ("abs", "YYYY-MM-DD") | ("weekday", n) | ("rel", days) | ("daymonth", (d, m))
    Span.set_extension("kg_value", default=None)
    Span.set_extension("kg_label", default=None)
    # the mention is a genitive form ("Putins", "Russlands"): an attribute of a noun
    Span.set_extension("kg_genitive", default=False)
if not Doc.has_extension("kg_new_actors"):
    Doc.set_extension("kg_new_actors", default=None)


def default_lexicon() -> Lexicon:
    return load_lexicon()


# --------------------------------------------------------------------------- sentences

_MONTH_NAMES = set(load_lexicon().months)
_CLOSING_QUOTES = {"“", "”", '"', "»", "«", "'", "’", ")"}


@Language.factory("kg_sentencizer")
def make_sentencizer(nlp: Language, name: str):
    return sentencize


def sentencize(doc: Doc) -> Doc:
    """Sentence starts from line breaks and sentence-final punctuation.

    Line breaks always end a sentence (headlines, captions and list items stand alone);
    '.', '!', '?' end one when the next word starts upper-case, a digit or a quote.
    Initials ("Sergej W. Lawrow") and ordinals ("18. Februar") stay single tokens in spaCy's
    German tokenizer, so they never reach the punctuation rule.
    """
    n = len(doc)
    starts = [False] * n
    if n:
        starts[0] = True
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            starts[i + 1] = True
        elif re.fullmatch(r"\d{1,2}\.", tok.text) and i > 0 and doc[i - 1].lower_ in _MONTH_NAMES and nxt.text[:1].isupper():
            starts[i + 1] = True  # "… on February 12. Secretary Rubio …"
        elif tok.text in {".", "!", "?"}:
            j = i + 1
            # a quote glued to the full stop closes the sentence; after a space it opens the next
            while j < n and doc[j].text in _CLOSING_QUOTES and not doc[j - 1].whitespace_:
                j += 1
            if j < n and (doc[j].text[:1].isupper() or doc[j].text[:1].isdigit() or doc[j].text[:1] in "„\"«»"):
                starts[j] = True
    for i, tok in enumerate(doc):
        tok.is_sent_start = starts[i]
    return doc


# --------------------------------------------------------------------------- morphology

# HanTa's STTS variant -> (STTS tag, Universal POS, morphological features)
_HANTA_TAGS = {
    "ADJ(A)": ("ADJA", "ADJ", ""), "ADJ(D)": ("ADJD", "ADJ", ""), "ADV": ("ADV", "ADV", ""),
    "APPO": ("APPO", "ADP", "AdpType=Post"), "APPR": ("APPR", "ADP", "AdpType=Prep"),
    "APPRART": ("APPRART", "ADP", "AdpType=Prep|PronType=Art"), "APZR": ("APZR", "ADP", "AdpType=Circ"),
    "ART": ("ART", "DET", "PronType=Art"), "CARD": ("CARD", "NUM", "NumType=Card"), "FM": ("FM", "X", "Foreign=Yes"),
    "ITJ": ("ITJ", "INTJ", ""), "KOKOM": ("KOKOM", "CCONJ", ""), "KON": ("KON", "CCONJ", ""),
    "KOUI": ("KOUI", "SCONJ", ""), "KOUS": ("KOUS", "SCONJ", ""), "NE": ("NE", "PROPN", ""),
    "NN": ("NN", "NOUN", ""), "NNA": ("NN", "NOUN", ""), "NNI": ("NN", "NOUN", "VerbForm=Inf"),
    "PDAT": ("PDAT", "DET", "PronType=Dem"), "PDS": ("PDS", "PRON", "PronType=Dem"),
    "PIAT": ("PIAT", "DET", "PronType=Ind"), "PIS": ("PIS", "PRON", "PronType=Ind"),
    "PPER": ("PPER", "PRON", "PronType=Prs"), "PPOSAT": ("PPOSAT", "DET", "Poss=Yes|PronType=Prs"),
    "PPOSS": ("PPOSS", "PRON", "Poss=Yes|PronType=Prs"), "PRELAT": ("PRELAT", "DET", "PronType=Rel"),
    "PRELS": ("PRELS", "PRON", "PronType=Rel"), "PRF": ("PRF", "PRON", "PronType=Prs|Reflex=Yes"),
    "PROAV": ("PROAV", "ADV", "PronType=Dem"), "PTKA": ("PTKA", "PART", ""), "PTKANT": ("PTKANT", "PART", ""),
    "PTKNEG": ("PTKNEG", "PART", "Polarity=Neg"), "PTKVZ": ("PTKVZ", "ADP", "PartType=Vbp"),
    "PTKZU": ("PTKZU", "PART", "PartType=Inf"), "PWAT": ("PWAT", "DET", "PronType=Int"),
    "PWAV": ("PWAV", "ADV", "PronType=Int"), "PWS": ("PWS", "PRON", "PronType=Int"),
    "TRUNC": ("TRUNC", "X", "Hyph=Yes"), "XY": ("XY", "X", ""),
    "$(": ("$(", "PUNCT", ""), "$,": ("$,", "PUNCT", ""), "$.": ("$.", "PUNCT", ""),
}
for _verb, _upos in (("VA", "AUX"), ("VM", "AUX"), ("VV", "VERB")):
    _HANTA_TAGS.update({
        f"{_verb}(FIN)": (f"{_verb}FIN", _upos, "VerbForm=Fin"),
        f"{_verb}(IMP)": (f"{_verb}IMP", _upos, "Mood=Imp|VerbForm=Fin"),
        f"{_verb}(INF)": (f"{_verb}INF", _upos, "VerbForm=Inf"),
        f"{_verb}(IZU)": (f"{_verb}IZU", _upos, "VerbForm=Inf"),
        f"{_verb}(PP)": (f"{_verb}PP", _upos, "Aspect=Perf|VerbForm=Part"),
    })


class HanTaMorphology:
    """POS (STTS + UD), lemma and verb form on every token from HanTa's TIGER-trained model.

    Tags come from HanTa's HMM over the sentence; lemmas are looked up once per
    (word, tag) and kept, and a sentence seen before (repeated paragraphs, boilerplate)
    is not tagged again. Tokens HanTa cannot analyse keep the lookup-table lemma.
    """

    def __init__(self, nlp: Language, model: str, sentence_cache: int):
        from HanTa import HanoverTagger

        self.tagger = HanoverTagger.HanoverTagger(model)
        self.sentence_cache_size = sentence_cache
        self._sentences: dict[tuple[str, ...], list[str]] = {}
        self._lemmas: dict[tuple[str, str], str] = {}

    def _tags(self, words: tuple[str, ...]) -> list[str]:
        tags = self._sentences.get(words)
        if tags is None:
            tags = self.tagger.tag_sent(list(words), taglevel=0)
            if len(self._sentences) >= self.sentence_cache_size:
                self._sentences.clear()  # bounded memory on big corpora
            self._sentences[words] = tags
        return tags

    def _lemma(self, word: str, tag: str) -> str:
        key = (word, tag)
        lemma = self._lemmas.get(key)
        if lemma is None:
            try:
                lemma = self.tagger.analyze(word, pos=tag, taglevel=1)[0]
            except (IndexError, KeyError, ValueError):
                lemma = ""
            self._lemmas[key] = lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        for sent in doc.sents:
            tokens = [t for t in sent if not t.is_space]
            if not tokens:
                continue
            tags = self._tags(tuple(t.text for t in tokens))
            for tok, tag in zip(tokens, tags):
                stts, upos, feats = _HANTA_TAGS.get(tag, (tag, "X", ""))
                tok.tag_ = stts
                tok.pos_ = upos
                if feats:
                    tok.set_morph(feats)
                if upos in ("PUNCT", "NUM", "PROPN"):
                    continue
                lemma = self._lemma(tok.text, tag)
                if lemma:
                    tok.lemma_ = lemma
        for tok in doc:
            if tok.is_space:
                tok.pos_ = "SPACE"
        return doc


@Language.factory("kg_morph", default_config={"model": "morphmodel_ger.pgz", "sentence_cache": 20000})
def make_morphology(nlp: Language, name: str, model: str, sentence_cache: int):
    return HanTaMorphology(nlp, model, sentence_cache)


# --------------------------------------------------------------------------- actors

_NAME_PARTICLES = {"bin", "bint", "al", "Al", "al-", "Al-", "von", "van", "de", "da", "der", "ibn", "Abu", "el", "El"}
_CAPITALISED_STOP = {
    "Die", "Der", "Das", "Den", "Dem", "Des", "Ein", "Eine", "Einen", "In", "Im", "Am", "Auf", "Bei", "Für", "Mit",
    "Nach", "Von", "Vom", "Zu", "Zum", "Zur", "Und", "Er", "Sie", "Es", "Wir", "Ich", "The", "A", "An", "And",
    "Mr", "Mrs", "Ms", "Dr", "Herr", "Frau",
}
_FORMER = {"frühere", "früheren", "früherer", "ehemalige", "ehemaligen", "ehemaliger", "vorige", "vorigen",
           "damalige", "damaligen", "einstige", "einstigen", "former", "Ex"}


def _name_like(tok: Token) -> bool:
    t = tok.text
    if t in _NAME_PARTICLES:
        return True
    if t in _CAPITALISED_STOP:
        return False
    if not t[:1].isupper():
        return bool(re.fullmatch(r"(?:al|el|ad|as|at|az|ar|asch|ibn|bin)-[A-ZÄÖÜ][\w\-]+", t))
    # names are letters, hyphens and apostrophes; "W." initials and Arabic "al-Dschubair" count
    return (bool(re.fullmatch(r"[A-ZÄÖÜÀ-Ý][\w'’\-]*\.?", t)) and not t.isupper()) or bool(re.fullmatch(r"[A-Z]\.", t)) \
        or bool(re.fullmatch(r"(?:al|el|ad|as|at|az|ar|asch|ibn|bin)-[A-ZÄÖÜ][\w\-]+", t))


class ActorAnnotator:
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
        self.forms = forms
        self.demonyms = demonyms(registry)
        self.first_names = first_names(registry)
        self._taken_key: dict[int, str] = {}
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
        for match_id, start, end in self.matcher(doc):
            form = doc.vocab.strings[match_id]
            key, kind = self.forms[form]
            entry = self.registry.get(key)
            span = Span(doc, start, end, label="Place" if entry.type == "Place" else entry.type, kb_id=key)
            span._.kg_kind = kind
            span._.kg_genitive = form in self.genitive_forms
            spans.append(span)
        spans.extend(self._collectives(doc))
        spans = filter_spans(spans)
        spans.extend(self._statistical_entities(doc, spans))
        taken = {i for s in spans for i in range(s.start, s.end)}
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
        doc.spans["kg_actors"] = sorted(actors, key=lambda s: s.start)
        doc.spans["kg_places"] = sorted(places, key=lambda s: s.start)
        doc._.kg_new_actors = new_actors
        return doc

    def _statistical_entities(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Persons and organisations found by a statistical NER (``--spacy-model``) that the
        registry does not know. Their keys come from their text, like role-anchored names."""
        taken = {i for s in spans for i in range(s.start, s.end)}
        out = []
        for ent in doc.ents:
            kind = _NER_TYPES.get(ent.label_)
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
        for i, tok in enumerate(doc):
            text = tok.text
            if "-" in text and not text.endswith("-"):
                head = text.rsplit("-", 1)[1]
                key = self._state_prefix(text)
                if key and self.lex.is_group(head):
                    out.append(self._mention(doc, i, i + 1, key, "collective"))
                continue
            if text.endswith("-") and text.count("-") >= 2 and i + 2 < len(doc) and doc[i + 1].lower_ == "und":
                # "die G7-Staats- und Regierungschefs": a truncated compound of an actor's leaders
                key = self._state_prefix(text)
                if key and (self.lex.is_role(doc[i + 2].text) or self.lex.is_group(doc[i + 2].text)):
                    out.append(self._mention(doc, i, i + 3, key, "collective"))
                continue
            if not self.lex.is_group(text):
                continue
            if i + 2 < len(doc) and _name_like(doc[i + 1]) and _name_like(doc[i + 2]) and doc[i + 1].text not in _NAME_PARTICLES:
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
                elif left.text in {"und", ",", "sowie"} or (left.text[:1].islower() and left.text.endswith(("e", "en", "er"))):
                    j -= 1
                else:
                    break
                if i - j > 6:
                    break
        return out

    def _mention(self, doc: Doc, start: int, end: int, key: str, kind: str) -> Span:
        entry = self.registry.get(key)
        span = Span(doc, start, end, label=entry.type if entry else "State", kb_id=key)
        span._.kg_kind = kind
        return span

    def _name_end(self, doc: Doc, start: int, taken: set[int]) -> int:
        """End of a run of up to four name-like tokens starting at ``start`` (no particle at
        either end, nothing already an actor, no line break)."""
        j = start
        while j < len(doc) and j - start < 4 and j not in taken and _name_like(doc[j]) and "\n" not in doc[j].text and doc[j].pos_ != "NOUN" or (j < len(doc) and j > start and doc[j].text in _NAME_PARTICLES and j not in taken and j - start < 4):
            j += 1
        while j > start and doc[j - 1].text in _NAME_PARTICLES:
            j -= 1
        if j > start and doc[start].text in _NAME_PARTICLES:
            return start
        return j

    def _new_person(self, doc, start, end, role, affiliation, new_actors, taken) -> Span:
        label = " ".join(doc[start:end].text.split())
        key = slug(label)
        if key not in new_actors:
            new_actors[key] = NewActor(key, label, "Person", affiliation, role)
        span = Span(doc, start, end, label="Person", kb_id=key)
        span._.kg_kind = "new"
        taken.update(range(start, end))
        return span

    def _role_anchored(self, doc: Doc, taken: set[int], new_actors: dict[str, NewActor], known: list[Span]) -> list[Span]:
        """Persons the registry does not know, and roles that name a known office-holder.

        - role + name: "der finnische Präsident Alexander Stubb", "NATO-Generalsekretär Mark
          Rutte", "Der Amerikaner Tom Becker";
        - role + genitive + apposition: "der Chef der Afrikanischen Entwicklungsbank, Samuel
          Mensah";
        - a known first name + name: "Nigel Gould-Davies";
        - a role alone: "der ukrainische Präsident" -> the unique holder of that office;
        - later mentions by surname resolve to the same person.
        """
        out: list[Span] = []
        for i, tok in enumerate(doc):
            if i in taken:
                continue
            text = tok.text
            head = text.rsplit("-", 1)[-1] if "-" in text else text
            demonym = self.demonyms.get(text)
            if not (self.lex.is_role(head) or text in self.lex.english_roles or demonym):
                continue
            affiliation = demonym or self._role_affiliation(doc, i)
            end = self._name_end(doc, i + 1, taken)
            n = end - (i + 1)
            single_ok = n == 1 and end < len(doc) and doc[end].text in {",", ".", "und"} and len(doc[i + 1]) > 2 and doc[i + 1].text not in _CAPITALISED_STOP and doc[i + 1].pos_ in ("PROPN", "X", "")
            if n >= 2 or single_ok:
                if end < len(doc) and end in taken:
                    continue  # "Präsident Donald Trump": the registry has it
                out.append(self._new_person(doc, i + 1, end, None if demonym else head, affiliation, new_actors, taken))
                continue
            apposition = self._genitive_apposition(doc, i, taken)
            if apposition is not None:
                a_start, a_end, org_key = apposition
                if not any(k in taken for k in range(a_start, a_end)):
                    out.append(self._new_person(doc, a_start, a_end, head, affiliation or org_key, new_actors, taken))
                continue
            if n or (i + 1 < len(doc) and (i + 1) in taken):
                continue
            # role without a name: "der ukrainische Präsident" -> the unique office-holder
            if affiliation and not demonym and not self._is_former(doc, i):
                holders = self.registry.persons_with_role(affiliation, head)
                if len(holders) == 1:
                    start = i - 1 if i > 0 and self.token_affiliation(doc[i - 1]) == affiliation else i
                    if start in taken:
                        start = i
                    out.append(self._mention(doc, start, i + 1, holders[0], "role"))
        out.extend(self._unknown_organisations(doc, taken, new_actors))
        # a first name the lexicon knows, followed by a name: "Nigel Gould-Davies"
        for i, tok in enumerate(doc):
            if i in taken or tok.text not in self.first_names or i + 1 >= len(doc):
                continue
            end = self._name_end(doc, i, taken)
            if end - i >= 2 and doc[end - 1].pos_ in ("PROPN", "X") and (end >= len(doc) or end not in taken):
                out.append(self._new_person(doc, i, end, None, None, new_actors, taken))
        # "Der Kanzler pochte …": the last person mentioned before who holds that role
        persons_so_far = sorted(out + [sp for sp in known if sp.label_ == "Person"], key=lambda sp: sp.start)
        for i, tok in enumerate(doc):
            if i in taken or i == 0 or doc[i - 1].lower_ not in {"der", "die"} or not self.lex.is_role(tok.text):
                continue
            if i + 1 < len(doc) and (_name_like(doc[i + 1]) or doc[i + 1].pos_ in ("NOUN", "PROPN")):
                continue
            stem = normalise_role(tok.text)
            before = [sp for sp in persons_so_far if sp.end <= i - 1 and stem in self._roles_of(sp.kb_id_)]
            if before:
                out.append(self._mention(doc, i - 1, i + 1, before[-1].kb_id_, "role"))
                out[-1].label_ = "Person"
                taken.update((i - 1, i))
        # "Der Amerikaner sagte …": the last person of that nationality mentioned before
        persons_so_far = sorted(out, key=lambda sp: sp.start)
        for i, tok in enumerate(doc):
            state = self.demonyms.get(tok.text)
            if not state or i in taken or i == 0 or doc[i - 1].lower_ not in {"der", "dem", "den"}:
                continue
            if i + 1 < len(doc) and doc[i + 1].pos_ not in ("VERB", "AUX", "PUNCT"):
                continue
            before = [sp for sp in persons_so_far if sp.end <= i and self.registry.affiliation_of(sp.kb_id_, new_actors) == state]
            if before:
                out.append(self._mention(doc, i - 1, i + 1, before[-1].kb_id_, "role"))
                out[-1].label_ = "Person"
                taken.update((i - 1, i))
        # later mentions of a new person by surname ("Stubb", "Stubbs")
        surnames = {a.label.split()[-1]: k for k, a in new_actors.items() if a.type == "Person" and len(a.label.split()) >= 2}
        covered = {i for s in out for i in range(s.start, s.end)} | taken
        for i, tok in enumerate(doc):
            key = surnames.get(tok.text) or (surnames.get(tok.text[:-1]) if tok.text.endswith("s") else None)
            if key and i not in covered:
                span = self._mention(doc, i, i + 1, key, "new")
                span.label_ = "Person"
                span._.kg_genitive = tok.text not in surnames
                out.append(span)
        return out

    def _unknown_organisations(self, doc: Doc, taken: set[int], new_actors: dict[str, NewActor]) -> list[Span]:
        """Capitalised adjectives before an organisation head: 'die Afrikanische
        Entwicklungsbank', 'des Internationalen Währungsfonds' -> a new organisation whose
        label is the nominative ('Internationaler Währungsfonds')."""
        out = []
        for i, tok in enumerate(doc):
            if i in taken or not tok.text[:1].isupper() or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            low = tok.lower_
            gender = next((g for head, g in self.lex.org_head_gender.items() if low.endswith(head)), None)
            if gender is None:
                continue
            j = i
            while j > 0 and (j - 1) not in taken and doc[j - 1].text[:1].isupper() and doc[j - 1].text[-1:] in "enrsm" and (doc[j - 1].pos_ == "ADJ" or doc[j - 1].lower_.endswith(("ische", "ischen", "ischer", "ale", "alen", "aler", "ale"))):
                j -= 1
            if j == i or doc[j].is_sent_start and j == i - 1 and doc[j].pos_ != "ADJ":
                continue
            ending = {"feminine": "e", "masculine": "er", "neuter": "es"}[gender]
            words = [re.sub(r"(e|en|er|es|em)$", ending, t.text) for t in doc[j:i]] + [_nominative(tok.text)]
            label = " ".join(words)
            key = slug(label)
            if self.registry.get(key) is None and key not in new_actors:
                new_actors[key] = NewActor(key, label, "Organization", None, None)
            target = key if self.registry.get(key) is None else key
            span = Span(doc, j, i + 1, label="Organization", kb_id=target)
            span._.kg_kind = "new"
            taken.update(range(j, i + 1))
            out.append(span)
        return out

    def _roles_of(self, key: str) -> set[str]:
        entry = self.registry.get(key)
        return {normalise_role(r) for r in entry.roles} if entry is not None else set()

    def _genitive_apposition(self, doc: Doc, i: int, taken: set[int]) -> tuple[int, int, str | None] | None:
        """'der Chef der Afrikanischen Entwicklungsbank, Samuel Mensah' -> (start, end, org)."""
        j = i + 1
        if j >= len(doc) or doc[j].lower_ not in {"der", "des"}:
            return None
        j += 1
        org_key = None
        while j < len(doc) and j - i < 8 and doc[j].text not in {",", "."}:
            if j in taken:
                org_key = org_key or next((s for s in [self._taken_key.get(j)] if s), None)
            if doc[j].pos_ in ("VERB", "AUX") or "\n" in doc[j].text:
                return None
            j += 1
        if j + 1 >= len(doc) or doc[j].text != ",":
            return None
        end = self._name_end(doc, j + 1, taken)
        if end - (j + 1) >= 2:
            return j + 1, end, org_key
        return None

    def _role_affiliation(self, doc: Doc, i: int) -> str | None:
        """Where the holder of a role belongs: 'US-Außenminister', 'der finnische Präsident',
        'Russlands Präsident', 'Präsident Finnlands'."""
        tok = doc[i]
        if "-" in tok.text:
            key = self._state_prefix(tok.text)
            if key:
                return key
        # left: only the role's own adjectives, or a genitive state right before it
        for j in range(i - 1, max(-1, i - 4), -1):
            left = doc[j]
            key = self.adjective_state(left) if left.text[:1].islower() or left.text.endswith("er") else None
            if key:
                return key
            hit = self.forms.get(left.text)
            if hit and left.text in self.genitive_forms and self.registry.get(hit[0]).type == "State":
                return hit[0]
            if not (left.text[:1].islower() and left.text.isalpha()) or left.lower_ in {"und", "oder", "sowie", "mit", "von", "zwischen"}:
                break
        # genitive after the role: "Präsident Finnlands"
        if i + 1 < len(doc):
            hit = self.forms.get(doc[i + 1].text)
            if hit and doc[i + 1].text in self.genitive_forms and self.registry.get(hit[0]).type == "State":
                return hit[0]
        return None

    @staticmethod
    def _is_former(doc: Doc, i: int) -> bool:
        return any(doc[j].text in _FORMER or doc[j].text.startswith("Ex-") for j in range(max(0, i - 3), i + 1))

    def _split_places(self, doc: Doc, spans: list[Span]) -> tuple[list[Span], list[Span]]:
        """A state or capital after a locative preposition is where something happens."""
        actors, places = [], []
        for span in spans:
            entry = self.registry.get(span.kb_id_)
            if span.label_ == "Place":
                places.append(span)
                continue
            venue = entry is not None and entry.type == "Organization" and self._after_locative(doc, span.start) and doc[span.start - 1].lower_ in {"der", "dem", "im"}
            if venue or (entry and entry.type == "State" and span._.kg_kind in ("name", "metonym") and (self._after_locative(doc, span.start) or self._dateline(doc, span))):
                # "in Moskau", "im Kreml", "in der Knesset": where something happens
                # a capital that is also a registered place keeps its own identity ("Paris")
                place_key = self.registry.place_forms.get(span.text, span.kb_id_)
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
        while j >= 0 and steps < 5:
            t = doc[j].text
            if t in self.lex.locative_prepositions:
                return True
            if t in {"der", "die", "den", "dem", "des", "the"} or t in self.lex.place_heads or (t[:1].islower() and t.endswith(("e", "en", "er"))):
                j -= 1
                steps += 1
                continue
            return False
        return False


def _nominative(noun: str) -> str:
    """Drop a genitive -s/-es from an organisation head ('Währungsfonds' stays, 'Amtes' -> 'Amt')."""
    for suffix in ("es", "s"):
        if noun.endswith(suffix) and not noun.endswith(("fonds", "ss", "us")) and len(noun) > 6:
            if noun.lower().endswith(("amtes", "rates", "bundes", "gerichtes", "dienstes", "instituts", "komitees", "ministeriums", "parlaments", "zentrums", "amts", "rats", "dienstes", "verbands", "kongresses", "ausschusses", "büros", "forums", "bündnisses", "programms", "netzwerks", "sekretariats", "gerichtshofs")):
                return noun[: -len(suffix)] if not noun.endswith("sses") else noun[:-2]
    return noun


_NER_TYPES = {"PER": "Person", "PERSON": "Person", "ORG": "Organization"}


def demonyms(registry: Registry) -> dict[str, str]:
    """'Amerikaner', 'Russe', 'Ukrainerin' -> state key, derived from the adjective stems,
    plus the irregular ones listed in the lexicon ('Franzose', 'Pole', 'Israeli')."""
    out: dict[str, str] = {k: v for k, v in load_lexicon().irregular_demonyms.items() if registry.get(v)}
    for entry in registry.entries.values():
        if entry.type != "State":
            continue
        for adjective in entry.adjectives:
            base = adjective[:-4] if adjective.endswith("isch") else adjective
            if len(base) < 3 or "-" in base:
                continue
            base = base[0].upper() + base[1:]
            for ending in ("er", "erin", "e", "in"):
                out.setdefault(base + ending, entry.key)
    return out


@lru_cache(maxsize=1)
def _lexicon_first_names() -> frozenset[str]:
    """First names listed in german-nouns (Wiktionary: pos 'Vorname')."""
    import csv
    from importlib import resources

    names = set()
    try:
        with (resources.files("german_nouns") / "nouns.csv").open(encoding="utf-8") as handle:
            rows = csv.reader(handle)
            next(rows, None)
            for row in rows:
                if len(row) > 1 and "Vorname" in row[1]:
                    names.add(row[0])
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    return frozenset(names)


def first_names(registry: Registry) -> frozenset[str]:
    """First names from the lexicon and from the registry's persons (international names)."""
    from_registry = {e.label.split()[0] for e in registry.entries.values() if e.type == "Person" and len(e.label.split()) >= 2}
    return _lexicon_first_names() | frozenset(n for n in from_registry if n[:1].isupper() and len(n) > 2)


@Language.factory("kg_actors", default_config={"registry_path": None})
def make_actor_annotator(nlp: Language, name: str, registry_path: str | None):
    return ActorAnnotator(nlp, load_registry(registry_path), default_lexicon())


# --------------------------------------------------------------------------- dates

_MONTHS = load_lexicon().months
_WEEKDAYS = load_lexicon().weekdays
_REL_DAYS = load_lexicon().relative_days
_MONTH_RE = "|".join(sorted((m.capitalize() for m in _MONTHS), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted((w.capitalize() for w in _WEEKDAYS), key=len, reverse=True))
_DATE_PATTERNS = [
    ("dmy_num", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("d_month_y", re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH_RE})(?:\s+(\d{{4}}))?\b")),
    ("month_d_y", re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?\b")),
    ("weekday", re.compile(rf"\b(?:am|vom|on|seit|last)?\s*(?:\(?heutigen\)?\s+)?({_WEEKDAY_RE})\b")),
    ("relday", re.compile(r"\b(heute|heutigen|today|gestern|gestrigen|yesterday|vorgestern)\b", re.IGNORECASE)),
]


@Language.factory("kg_dates")
def make_date_annotator(nlp: Language, name: str):
    return annotate_dates


def annotate_dates(doc: Doc) -> Doc:
    """Marks date expressions with a normalised value; relative ones are resolved later
    against the publication date (extract stage), because the Doc does not know it."""
    found: list[Span] = []
    text = doc.text
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            span = doc.char_span(m.start(), m.end(), label="DATE", alignment_mode="expand")
            if span is None:
                continue
            g = m.groups()
            if kind == "dmy_num":
                value = ("abs", f"{int(g[2]):04d}-{int(g[1]):02d}-{int(g[0]):02d}")
            elif kind == "iso":
                value = ("abs", f"{g[0]}-{g[1]}-{g[2]}")
            elif kind == "d_month_y":
                month = _MONTHS[g[1].lower()]
                value = ("abs", f"{int(g[2]):04d}-{month:02d}-{int(g[0]):02d}") if g[2] else ("daymonth", (int(g[0]), month))
            elif kind == "month_d_y":
                month = _MONTHS[g[0].lower()]
                value = ("abs", f"{int(g[2]):04d}-{month:02d}-{int(g[1]):02d}") if g[2] else ("daymonth", (int(g[1]), month))
            elif kind == "weekday":
                value = ("weekday", _WEEKDAYS[g[0].lower()])
            else:
                value = ("rel", _REL_DAYS[g[0].lower()])
            span._.kg_value = value
            found.append(span)
    doc.spans["kg_dates"] = sorted(filter_spans(found), key=lambda s: s.start)
    return doc


# --------------------------------------------------------------------------- pipeline

def build_pipeline(registry_path: str | None = None, spacy_model: str | None = None) -> Language:
    """The kg annotation pipeline.

    Without ``spacy_model`` a blank German pipeline is used. With it, any installed German
    spaCy pipeline (name or path, e.g. ``de_core_news_lg``) is loaded and the kg components
    are added after its own, so its parser/NER annotations are available to the rules.
    """
    if spacy_model:
        try:
            nlp = spacy.load(spacy_model)
        except (OSError, ValueError) as exc:
            raise ValueError(f"--spacy-model {spacy_model!r} cannot be loaded: {exc}") from exc
        if nlp.lang != "de":
            raise ValueError(f"--spacy-model {spacy_model!r} is a '{nlp.lang}' pipeline, not German")
        if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
            nlp.add_pipe("kg_sentencizer", first=True)
        if not {"tagger", "morphologizer"} & set(nlp.pipe_names):
            # the model brings no POS: HanTa supplies POS and lemmas after its own components
            nlp.add_pipe("kg_morph", after="kg_sentencizer" if "kg_sentencizer" in nlp.pipe_names else None)
    else:
        nlp = spacy.blank("de")
        nlp.add_pipe("kg_sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("kg_morph")
        nlp.initialize()
    nlp.add_pipe("kg_actors", config={"registry_path": registry_path})
    nlp.add_pipe("kg_dates")
    import kg.extract  # noqa: F401 - registers the kg_relations factory

    nlp.add_pipe("kg_relations", config={"registry_path": registry_path})
    return nlp
