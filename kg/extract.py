"""Extraction stage: relation rules over an annotated spaCy Doc.

Input: the Doc from kg.annotate and the CleanDocument (for the publication date and the
background boxes). Output: an ``Extraction`` with meeting / phone call / agreement / demand
records whose actors are registry or new-actor keys, plus participation statements
("An dem Treffen nahmen … teil", "Rubio wurde begleitet von …") that the resolve stage
attaches to the meeting they refer to.

The rules are linguistic, not tuned to particular articles:
- a clause is the unit: sentence split at commas that open subordinate or relative clauses;
- verbal triggers take the actors of their clause, nominal triggers ("Treffen zwischen X und
  Y", "Gespräche von X mit Y", "Vereinbarung zwischen …") the actors inside their phrase;
- genitive attributes ("Berater Putins"), attributions ("nach Angaben Washingtons") and
  locations ("in Moskau") are not participants;
- plans, announcements, negations, questions, willingness, hypotheses and generic
  statements yield nothing (lexicon.yaml lists the cues).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.annotate import Lexicon, NewActor, default_lexicon
from kg.model import (
    AgreementRecord,
    CleanDocument,
    DemandRecord,
    Evidence,
    MeetingRecord,
    Place,
)
from kg.registry import Registry

PERSON_MEETING_VERBS = {"besuchen", "besuchte", "besuchten", "besucht", "begrüßen", "begrüßte", "begrüßten",
                        "begrüßt", "sprechen", "sprach", "sprachen", "gesprochen"}
PROHIBITION_MODALS = {"darf", "dürfe", "dürfen", "dürften", "must", "cannot"}
REPORTED_IMPERATIVES = {"solle", "sollen"}  # Konjunktiv I in reported speech: "Kiew solle verzichten"
AGREEMENT_SUPPORT_VERBS = {"erzielen", "erzielt", "erzielten", "erzielte", "schließen", "schlossen", "schloss",
                           "geschlossen", "abschließen", "abgeschlossen", "treffen", "getroffen", "trafen",
                           "reached", "signed", "struck", "concluded"}
AGREEMENT_HEDGES = {
    "soll", "sollen", "sollte", "sollten", "will", "wollen", "wollte", "wollten", "wolle", "möchte", "möchten",
    "könnte", "könnten", "würde", "würden", "dürfte", "dürften", "bereit", "Bereitschaft", "hoffen", "hofft",
    "hoffte", "plant", "planen", "planten", "beabsichtigt", "Absicht", "angestrebt", "anstreben",
}
MEDIATION_WORDS = {"Vermittlung", "Vermittler", "Vermittlern", "Mediation", "mediated", "brokered", "Schirmherrschaft"}
PAIR_NOUNS = {"Nachbarn", "Nachbarländer", "Nachbarstaaten", "Konfliktparteien", "Kriegsparteien", "Verhandlungspartner", "Seiten"}
COLLECTIVE_NOUNS = {"Seiten", "Regierungen", "Länder", "Ländern", "Staaten", "Delegationen", "Parteien",
                    "Verhandlungspartner", "Verhandlungspartnern"}
NUMBER_WORDS = {"beiden": 2, "beide": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6}
AUX_WORDS = {
    "beide", "beiden", "Beide", "man", "demnach", "grundsätzlich", "erst", "dabei", "Regierungen", "Seiten",
    "darauf", "dazu", "auf", "sie",
    "haben", "hat", "hatte", "hatten", "habe", "sich", "auch", "nun", "darauf", "dazu", "darüber", "worden",
    "sei", "seien", "wurde", "wurden", "ist", "sind", "war", "waren", ",", "dass", "zudem", "bereits", "jetzt",
    "zunächst", "außerdem", "schon", "to", ":", "that", "have", "has", "had", "nach", "eigenen", "Angaben",
}
GENITIVE_ARTICLES = {"des", "der"}
SOURCE_WORDS = {"Angaben", "laut", "Laut", "zufolge", "according", "berichtete", "berichteten", "meldete"}
EXCLUSION_WORDS = {"ohne", "without", "weder", "noch"}
HOST_NOUNS = {"Einladung", "Leitung", "Vorsitz"}
TIME_NOUNS = {"abend", "morgen", "vormittag", "nachmittag", "mittag", "wochenende", "rande", "anschluss",
              "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "nacht"}  # "auf Einladung des Präsidenten X": X takes part
ENGLISH_CUTS = {"as", "following", "after", "before", "to", "for", "about", "on", "–", "-", "—", ";"}


@dataclass
class Participation:
    """Actors who took part in a meeting that the text names elsewhere."""

    members: list[str]
    evidence: Evidence
    offset: int
    names_meeting: bool = False  # "nahm an dem Treffen teil": the meeting is named, not implied


@dataclass
class Extraction:
    meetings: list[MeetingRecord] = field(default_factory=list)
    agreements: list[AgreementRecord] = field(default_factory=list)
    demands: list[DemandRecord] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    mentioned: dict[str, set[str]] = field(default_factory=dict)  # actor key -> surface forms
    new_actors: dict[str, NewActor] = field(default_factory=dict)


@dataclass(frozen=True)
class Clause:
    start: int  # token index in the Doc
    end: int
    subordinate: bool
    group: int = 0  # main-clause pieces with one group id form one clause

class DocumentExtractor:
    """Runs every relation rule over one annotated document."""

    def __init__(self, doc: Doc, clean: CleanDocument, registry: Registry, lexicon: Lexicon | None = None):
        self.doc = doc
        self.clean = clean
        self.registry = registry
        self.lex = lexicon or default_lexicon()
        d = self.lex.data
        trig = d["triggers"]
        self.meet_verbs = set(trig["meet"]["verbs"])
        self.meet_separable = trig["meet"]["separable"]
        self.meet_english = set(trig["meet"]["english"])
        self.meet_support = set(trig["meet"]["support_verbs"])
        self.meet_nouns = set(trig["meet"]["nouns"])
        self.meet_suffixes = tuple(trig["meet"]["noun_suffixes"])
        self.meet_phrases = [p.split() for p in trig["meet"]["english_phrases"]]
        self.part_separable = trig["participate"]["separable"]
        self.part_verbs = set(trig["participate"]["verbs"])
        self.part_english = set(trig["participate"]["english"])
        self.phone_verbs = set(trig["phone"]["verbs"])
        self.phone_nouns = set(trig["phone"]["nouns"])
        self.phone_separable = trig["phone"].get("separable", {})
        self.agree_verbs = set(trig["agree"]["verbs"])
        self.agree_separable = trig["agree"]["separable"]
        self.agree_english = set(trig["agree"]["english"])
        self.agree_nouns = set(trig["agree"]["nouns"])
        self.demand_verbs = set(trig["demand"]["verbs"])
        self.demand_separable = trig["demand"]["separable"]
        self.demand_nouns = set(trig["demand"]["nouns"])
        self.demand_prepositional = set(trig["demand"]["prepositional"])
        self.english_call = set(trig["demand"]["english_call"])
        self.modals = set(trig["demand"]["modals"])
        self.necessity = set(trig["demand"]["necessity"])
        self.want = set(trig["demand"]["english_want"])
        self.speech = set(d["speech_verbs"])
        self.plan = set(d["plan_cues"])
        self.negation = set(d["negation_cues"])
        self.generic = set(d["generic_cues"])
        self.refusals = set(d["refusal_cues"])
        self.rumours = set(d["rumour_cues"])
        self.endorsements = set(d["endorsement_verbs"])
        self.np_words = set(d["np_function_words"])
        self.subordinators = set(d["subordinators"])
        self.relatives = set(d["relative_pronouns"])
        self.collectives = [c.split() for c in d["collective_pronouns"]]
        self.first_plural = set(d["first_person_plural"])
        self.generic_subjects = set(d["generic_subjects"])
        self.pub_date = _parse_date(clean.source.date)
        self.mentions: list[Span] = list(doc.spans["kg_actors"])
        self.mention_at: dict[int, Span] = {i: m for m in self.mentions for i in range(m.start, m.end)}
        self.places: list[Span] = list(doc.spans["kg_places"])
        self.place_at: dict[int, Span] = {i: p for p in self.places for i in range(p.start, p.end)}
        self.dates: list[Span] = list(doc.spans["kg_dates"])
        self.new_actors: dict[str, NewActor] = dict(doc._.kg_new_actors or {})
        self.out = Extraction(new_actors=self.new_actors)
        self._last_sentence_persons: list[str] = []
        self._last_sentence_actors: list[str] = []
        self._recent_persons: list[str] = []  # distinct, most recent last
        self._recent_actors: list[str] = []
        self._sentence_refs: list[str] = []  # actors this sentence names through pronouns/"die vier"
        self._previous_speaker: str | None = None
        self._text = doc.text  # Doc.text is rebuilt on every access
        self._sentences: list[Span] = list(doc.sents)
        self._sentence_starts: list[int] = [s_.start_char for s_ in self._sentences if s_.text.strip()]
        # token index -> its sentence; computing Token.sent each time is slow in spaCy
        self._sent_at: list[Span] = [sent for sent in self._sentences for _ in range(len(sent))]
        self._sent_start_tokens = {sent.start for sent in self._sentences}
        self._clause_cache: dict[int, list[Clause]] = {}

    # ------------------------------------------------------------------ public
    def run(self) -> Extraction:
        for m in self.mentions:
            if not self._in_box(m.start_char):
                if m._.kg_kind in ("name", "metonym", "new", "role_alias") and not m._.kg_genitive:
                    self.out.mentioned.setdefault(m.kb_id_, set()).add(" ".join(m.text.split()))
                else:
                    self.out.mentioned.setdefault(m.kb_id_, set())
        for sent in self._sentences:
            text = sent.text.strip()
            if not text or self._in_box(sent.start_char):
                continue
            self._sentence_refs = []
            if "\n\n" in self._text[max(0, sent.start_char - 3) : sent.start_char + 1]:
                self._previous_speaker = None  # indirect speech does not cross paragraphs
            if not text.rstrip("“”\"»« )").endswith("?"):
                self._sentence(sent)
            self._note_speaker(sent)
            # what the sentence was about, for pronouns in the next one (not genitive attributes)
            about = [m for m in self._sent_mentions(sent) if not self._is_genitive_attribute(m) and not self._is_source_or_excluded(m)]
            persons = list(dict.fromkeys([m.kb_id_ for m in about if m.label_ == "Person"] + [k for k in self._sentence_refs if self._type(k) == "Person"]))
            actors = list(dict.fromkeys([m.kb_id_ for m in about] + self._sentence_refs))
            for key in persons:
                if key in self._recent_persons:
                    self._recent_persons.remove(key)
                self._recent_persons.append(key)
            for key in actors:
                if key in self._recent_actors:
                    self._recent_actors.remove(key)
                self._recent_actors.append(key)
            if persons:
                self._last_sentence_persons = persons
            if actors:
                self._last_sentence_actors = actors
        return self.out

    # ------------------------------------------------------------------ sentence
    def _sentence(self, sent: Span) -> None:
        clauses = self._clauses(sent)
        evidence = self._evidence(sent)
        consumed: set[int] = set()  # token indices of mentions owned by a nominal trigger
        handled_nouns: set[int] = set()

        # nominal agreements and phone calls first: their actors are not meeting participants
        for tok in sent:
            if tok.text in self.agree_nouns and not self._support_verb_for(tok, sent, clauses, agree=True):
                self._nominal_agreement(tok, sent, clauses, evidence, consumed)
                handled_nouns.add(tok.i)
            elif tok.text in self.phone_nouns:
                members, end = self._np_participants(tok, sent)
                consumed.update(i for m in members for i in range(m.start, m.end))
                if len({self._party(m.kb_id_) for m in members}) >= 2:
                    self._add_meeting("PhoneCall", [m.kb_id_ for m in members], sent, tok, evidence, "call.noun", 0.8)
        # phone verbs
        for tok in sent:
            clause = self._clause_of(tok, clauses)
            later = {self.doc[i].lower_ for i in range(tok.i + 1, clause.end)}
            separable = any((tok.lemma_.lower() == v or tok.lower_ == v) and p in later for v, p in self.phone_separable.items())
            if tok.lower_ in self.phone_verbs or tok.lemma_ in self.phone_verbs or separable:
                if self._non_factual(clause, tok, meeting=True):
                    continue
                members = self._bag(clause, consumed)
                consumed.update(i for m in members for i in range(m.start, m.end))
                if len({self._party(m.kb_id_) for m in members}) >= 2:
                    self._add_meeting("PhoneCall", [m.kb_id_ for m in members], sent, tok, evidence, "call.verb", 0.85)
        # nominal meetings
        for tok in sent:
            if self._is_meet_noun(tok) and tok.i not in handled_nouns and not self._support_verb_for(tok, sent, clauses):
                self._nominal_meeting(tok, sent, clauses, evidence, consumed)
        # verbal meetings and participation
        for tok in sent:
            kind = self._meet_verb_kind(tok, sent, clauses)
            if kind:
                self._verbal_meeting(tok, kind, sent, clauses, evidence, consumed)
        for phrase in self.meet_phrases:
            idx = _find_phrase(sent, phrase)
            if idx is not None:
                self._english_phrase_meeting(idx, len(phrase), sent, evidence, consumed)
        # agreements and demands
        agreements_before = len(self.out.agreements)
        self._verbal_agreements(sent, clauses, evidence, consumed)
        # "… seien sich einig, dass die Gespräche fortgesetzt werden müssten": the modal
        # belongs to what was agreed, it is nobody's demand
        self._demands(sent, clauses, evidence, consumed, modal=len(self.out.agreements) == agreements_before)

    # ------------------------------------------------------------------ clauses
    def _clauses(self, sent: Span) -> list[Clause]:
        cached = self._clause_cache.get(sent.start)
        if cached is None:
            cached = self._clause_cache[sent.start] = self._split_clauses(sent)
        return cached

    def _split_clauses(self, sent: Span) -> list[Clause]:
        """Split a sentence into clauses at commas, semicolons, colons and dashes.

        Each clause knows whether it is subordinate, and main-clause pieces that a relative
        or subordinate clause interrupts share a ``group`` ("Rubio, der sich in Istanbul
        aufhielt, traf …"); a new main clause ("…, eine Einigung gab es aber nicht") starts
        a new group.
        """
        toks = list(sent)
        # (start, subordinate, new main group?)
        cuts: list[tuple[int, bool, bool]] = [(sent.start, self._opens_subordinate(sent, 0), True)]
        for k, tok in enumerate(toks[:-1]):
            if not (tok.text in {",", ";", ":", "–", "—"} or (tok.text == "-" and tok.whitespace_)):
                continue
            nxt = k + 1
            here = sent.start + nxt
            previous = toks[cuts[-1][0] - sent.start : k]
            if tok.text in {";", ":", "–", "—", "-"}:
                cuts.append((here, False, True))
            elif self._opens_subordinate(sent, nxt):
                cuts.append((here, True, False))
            elif any(t.lower_ in self.speech or t.lemma_ in self.speech for t in previous) and not toks[nxt].is_punct:
                # "sagte über das Treffen, bei möglichen Gesprächen müssten …": reported speech
                cuts.append((here, True, False))
            elif toks[nxt].text[:1].islower() and self._segment_is_finite_main(sent, nxt):
                cuts.append((here, False, True))  # ", sagte er", ", teilte … mit"
            elif not cuts[-1][1] and toks[nxt].pos_ not in ("VERB", "AUX") and self._has_finite(previous) and self._has_finite(toks[nxt : self._segment_end(sent, nxt)]):
                cuts.append((here, False, True))  # two main clauses joined by a comma
            elif cuts[-1][1] and k > 0 and toks[k - 1].text[:1].islower() and toks[k - 1].is_alpha:
                cuts.append((here, False, False))  # the main clause resumes after a relative clause
        clauses = []
        group = -1
        for idx, (start, sub, new_group) in enumerate(cuts):
            end = cuts[idx + 1][0] if idx + 1 < len(cuts) else sent.end
            if not sub and (new_group or group < 0):
                group += 1
            clauses.append(Clause(start, end, sub, group if not sub else -1 - idx))
        return clauses

    def _segment_end(self, sent: Span, k: int) -> int:
        toks = list(sent)
        j = k
        while j < len(toks) and toks[j].text not in {",", ";", ":"}:
            j += 1
        return j

    def _opens_subordinate(self, sent: Span, k: int) -> bool:
        toks = list(sent)
        if k >= len(toks):
            return False
        first = toks[k]
        if k == 0:
            # a sentence opening with a conjunction: "Nachdem …, …"; "Während" may be a preposition
            word = first.lower_
            if word in {"noch"} and len(toks) > 1:
                first, k = toks[1], 1
                word = first.lower_
            if word in self.subordinators and word not in {"um", "seit", "bis", "wie", "als"}:
                end = self._segment_end(sent, k)
                return end < len(toks) and self._verb_final(toks[k:end])
            return False
        word = first.lower_
        if word in self.subordinators:
            return True
        if first.pos_ == "ADP" and k + 2 < len(toks) and toks[k + 1].lower_ in self.relatives and toks[k + 2].pos_ not in ("NOUN", "ADJ", "PROPN"):
            return True  # "…, auf das sich London und Mauritius verständigt hatten"
        if word in self.relatives:
            # "…, der USA und der Türkei": an article before a noun, not a relative pronoun
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is not None and (nxt.text[:1].isupper() or (nxt.text[:1].islower() and nxt.text.endswith(("e", "en", "er")) and k + 2 < len(toks) and toks[k + 2].text[:1].isupper())):
                return False
            end = self._segment_end(sent, k)
            return self._verb_final(toks[k:end])
        return False

    def _has_finite(self, segment: list[Token]) -> bool:
        """A finite verb outside any name ("Mosaad bin Mohammad": 'bin' is no verb here)."""
        return any(t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm") and t.i not in self.mention_at for t in segment)

    @staticmethod
    def _verb_final(segment: list[Token]) -> bool:
        words = [t for t in segment if not t.is_punct and not t.is_space and t.text not in {"„", "“", "”"}]
        if len(words) < 2:
            return False
        last = words[-1].text
        return last[:1].islower() and last.isalpha()

    def _segment_is_finite_main(self, sent: Span, k: int) -> bool:
        # ", sagte er", ", teilten beide Seiten mit", ", betonte aber, dass": a new main clause
        toks = list(sent)
        return toks[k].lower_ in self.speech or toks[k].lemma_ in self.speech

    @staticmethod
    def _clause_of(tok: Token, clauses: list[Clause]) -> Clause:
        for c in clauses:
            if c.start <= tok.i < c.end:
                return c
        return clauses[-1]

    def _main_tokens(self, clauses: list[Clause]) -> list[tuple[int, int]]:
        return [(c.start, c.end) for c in clauses if not c.subordinate]

    def _clause_span(self, tok: Token, clauses: list[Clause]) -> list[tuple[int, int]]:
        c = self._clause_of(tok, clauses)
        if c.subordinate:
            return [(c.start, c.end)]
        return [(x.start, x.end) for x in clauses if not x.subordinate and x.group == c.group]

    # ------------------------------------------------------------------ cues
    def _window_words(self, ranges: list[tuple[int, int]]) -> list[Token]:
        return [self.doc[i] for a, b in ranges for i in range(a, b)]

    def _in_indirect_question(self, tok: Token) -> bool:
        """'Ob …, blieb offen', 'whether …': the trigger sits in an open question."""
        sent = self._sent_at[tok.i]
        for c in self._clauses(sent):
            if c.start <= tok.i < c.end:
                first = self.doc[c.start]
                if first.lower_ == "noch" and c.start + 1 < c.end:
                    first = self.doc[c.start + 1]
                return first.lower_ in {"ob", "whether", "falls", "wenn", "if", "sofern"}
        return False

    def _non_factual(self, clause_ranges, trigger: Token, meeting: bool) -> bool:
        if isinstance(clause_ranges, Clause):
            clause_ranges = [(clause_ranges.start, clause_ranges.end)]
        if self._in_indirect_question(trigger):
            return True
        words = self._window_words(clause_ranges)
        texts = {t.text for t in words}
        negation = self.negation
        if meeting:
            # a meeting "ohne Einigung"/"ergebnislos" still happened; "kein(e)" negates only the
            # noun it stands before ("kein Treffen", not "dauerten keine zwei Stunden")
            negation = negation - {"ergebnislos", "gescheitert", "ohne", "without", "kein", "keine", "keinen", "keiner", "keinem", "keines", "no"}
            if trigger.i >= 1 and self.doc[max(0, trigger.i - 2)].lower_.startswith("kein") or (trigger.i >= 1 and self.doc[trigger.i - 1].lower_.startswith("kein")):
                return True
        if texts & self.plan or texts & negation or texts & self.generic or texts & self.rumours:
            return True
        lowers = {t.lower_ for t in words}
        if lowers & {"plans", "planned", "will", "would", "could", "might", "may", "expected", "not", "never"}:
            return True
        prev = self.doc[trigger.i - 1] if trigger.i > 0 else None
        if prev is not None and prev.lower_ in {"zu", "to"}:
            return True  # infinitive: "um … zu beraten", "to meet"
        if meeting:
            if any(t.lower_ in {"wird", "werden", "werde", "würde"} for t in words) and trigger.lower_ == trigger.lemma_.lower():
                return True  # future "wird … treffen"
            # "trafen … ein": arrived
            if any(t.lower_ == "ein" and t.i > trigger.i and (t.i + 1 >= len(self.doc) or self.doc[t.i + 1].is_punct) for t in words):
                return True
            if "gab" in texts and "es" in lowers or ("gibt" in texts and "es" in lowers):
                return True
        return False

    # ------------------------------------------------------------------ mentions
    def _sent_mentions(self, sent: Span) -> list[Span]:
        return [m for m in self.mentions if sent.start <= m.start < sent.end]

    def _mentions_in(self, ranges: list[tuple[int, int]]) -> list[Span]:
        return [m for m in self.mentions if any(a <= m.start < b for a, b in ranges)]

    def _is_genitive_attribute(self, m: Span) -> bool:
        """'Berater Putins', 'des russischen Präsidenten Wladimir Putin', 'Angaben Washingtons'."""
        doc = self.doc
        i = m.start
        prev = doc[i - 1] if i > 0 else None
        is_s_genitive = bool(m._.kg_genitive)
        if m.label_ == "Person":
            if is_s_genitive and prev is not None and (prev.text[:1].isupper() or prev.lower_ in self.np_words - {"und", ","}):
                return True
            # followed by a noun phrase of its own: "Putins außenpolitischer Berater Juri Uschakow"
            if is_s_genitive and i + 1 < len(doc) and (doc[i + 1].text[:1].islower() or self.lex.is_role(doc[i + 1].text)):
                return True
            if is_s_genitive and (i == 0 or (i - 1) in self._sent_start_tokens or prev.is_punct):
                nxt = doc[m.end] if m.end < len(doc) else None
                if nxt is not None and (nxt.text[:1].isupper() and not nxt.i in self.mention_at or nxt.text[:1].islower()):
                    return True
            # role phrase opened by a genitive article: "des russischen Präsidenten Wladimir Putin"
            j = i - 1
            while j >= 0 and (self.lex.is_role(doc[j].text) or (doc[j].text[:1].islower() and doc[j].text.endswith(("en", "er", "e")) and doc[j].lower_ not in self.np_words)):
                j -= 1
            if j < i - 1 and j >= 0 and doc[j].lower_ in {"des"} and not self._host_context(j):
                return True
            # attributive "von": "der Schwiegersohn von Präsident Donald Trump"
            j = i - 1
            while j >= 0 and self.lex.is_role(doc[j].text):
                j -= 1
            if j >= 1 and doc[j].lower_ in {"von", "vom"} and self._attributive_von(j):
                return True
            if j >= 1 and doc[j].lower_ == "für" and doc[j - 1].text[:1].isupper() and doc[j - 1].i not in self.mention_at and (j - 1) not in self._sent_start_tokens:
                return True  # "die Trauerfeier für Papst Franziskus": the beneficiary of a noun
            if i + 1 < len(doc) and doc[i + 1].text in {"’s", "'s"}:
                return True
            return False
        # states and organisations
        if i + 1 < len(doc) and doc[i + 1].text in {"’s", "'s"}:
            return True
        if i >= 2 and prev.text[:1].isupper() and prev.i not in self.mention_at and not self.lex.is_group(prev.text):
            k = i - 2
            while k > 0 and _adjective(doc[k]):
                k -= 1
            if doc[k].lower_ in GENITIVE_ARTICLES:
                return True  # "des Staatsfonds RDIF", "der südostasiatischen Staatengemeinschaft ASEAN"
        if is_s_genitive and m.end < len(doc) and (self.lex.is_role(doc[m.end].text) or (doc[m.end].text[:1].islower() and doc[m.end].text.endswith(("e", "en", "er", "es", "em")) and doc[m.end].lower_ not in self.np_words)):
            return True  # "Russlands Präsident Wladimir Putin": affiliation, not a participant
        if prev is not None and prev.lower_ in GENITIVE_ARTICLES and i >= 2:
            before = doc[i - 2]
            j = i - 2
            while j > 0 and doc[j].text[:1].islower() and doc[j].text.endswith(("e", "en", "er", "es", "em")):
                j -= 1  # "des staatlichen russischen Investitionsfonds"
            before = doc[j] if doc[j].text[:1].isupper() else before
            if before.text[:1].isupper() and before.i not in self.mention_at and not self.lex.is_group(before.text) and before.i not in self._sent_start_tokens and not self._is_meet_noun(before):
                if not self.lex.is_role(before.text) or m.label_ == "Organization":
                    return True
        if is_s_genitive and prev is not None and prev.text[:1].isupper() and prev.i not in self.mention_at and not self.lex.is_group(prev.text) and not self.lex.is_role(prev.text):
            return True
        return False

    def _attributive_von(self, von: int) -> bool:
        """'der Schwiegersohn von Präsident Trump', 'eines Ultimatums von Trump': 'von' after a
        common noun phrase belongs to that noun. After a place or a time expression ('in
        Ankara von Erdogan empfangen', 'am Mittwoch von Trump') it names a passive agent."""
        doc = self.doc
        prev = doc[von - 1]
        if not prev.text[:1].isupper() or prev.i in self._sent_start_tokens or prev.text in HOST_NOUNS:
            return False
        if prev.i in self.mention_at or prev.i in self.place_at or prev.lower_ in TIME_NOUNS:
            return False
        k = von - 2
        while k > 0 and _adjective(doc[k]):
            k -= 1
        if k >= 0 and doc[k].lower_ in {"im", "in", "am", "beim", "auf", "vor", "an"} and any(
            t.lower_ in {"wurde", "wurden", "worden", "wird"} for t in self._sent_at[prev.i]
        ):
            return False  # "wurde im Finanzministerium von Bessent empfangen": the passive agent
        if any(d.start <= prev.i < d.end for d in self.dates):
            return False
        if self._is_meet_noun(prev) or prev.text in self.agree_nouns:
            return False  # "Gespräche von X mit Y": the phrase of a trigger
        return True

    def _host_context(self, j: int) -> bool:
        return j >= 1 and self.doc[j - 1].text in HOST_NOUNS

    def _is_source_or_excluded(self, m: Span) -> bool:
        doc = self.doc
        window = [doc[k] for k in range(max(0, m.start - 3), m.start)]
        after = doc[m.end] if m.end < len(doc) else None
        if any(t.text in SOURCE_WORDS for t in window) or (after is not None and after.text in {"zufolge"}):
            return True
        if any(t.lower_ in EXCLUSION_WORDS for t in window[-2:]) or any(t.text == "Beteiligung" for t in window):
            return True
        # "unter Vermittlung Katars, Ägyptens und der USA", "mediated by the United States"
        k = m.start - 1
        while k >= 0 and m.start - k < 12 and (doc[k].text in {",", "und", "and", "der", "des", "the", "by"} or k in self.mention_at):
            k -= 1
        if k >= 0 and (doc[k].text in MEDIATION_WORDS or doc[k].lower_ in MEDIATION_WORDS):
            return True
        # "nicht X" / "weder X noch Y"
        return False

    def _bag(self, clause_ranges, consumed: set[int]) -> list[Span]:
        if isinstance(clause_ranges, Clause):
            clause_ranges = [(clause_ranges.start, clause_ranges.end)]
        out = []
        for m in self._mentions_in(clause_ranges):
            if m.start in consumed or self._is_genitive_attribute(m) or self._is_source_or_excluded(m):
                continue
            out.append(m)
        return out

    def _resolve_pronouns(self, ranges: list[tuple[int, int]], before: int) -> list[str]:
        """Pronouns in the clause -> the persons the previous sentence was about.

        'er'/'sie' (singular) -> the first fitting person of this or the previous sentence;
        'sie'/'Sie'/'they' with a plural verb ("Dort trafen sie …") -> all of them."""
        verb = self.doc[before]
        plural_verb = verb.text.endswith("en") or verb.lower_ in {"met", "agreed", "joined"}
        keys = []
        for a, b in ranges:
            for i in range(a, b):
                t = self.doc[i]
                if (t.lower_ == "sie" and plural_verb) or t.lower_ == "they":
                    # the actors of the sentence before ("Die SOZ-Staaten einigten sich … Zum
                    # Abschluss unterzeichneten sie …"), people and bodies alike
                    keys.extend(self._last_sentence_actors)
                elif t.lower_ in {"er", "he", "ihn", "ihm"} or (t.text == "sie" and t.i not in self._sent_start_tokens):
                    gender = "f" if t.lower_ in {"sie", "she"} else "m"
                    # a pronoun never means a co-argument of its own clause ("Trump empfing ihn")
                    own = self._clause_of(t, self._clauses(self._sent_at[t.i]))
                    cands = [m for m in self.mentions if m.end <= t.i and m.label_ == "Person" and self._sent_at[m.start].start == self._sent_at[t.i].start and not self._is_genitive_attribute(m) and not (own.start <= m.start < own.end)]
                    if cands:
                        keys.append(cands[0].kb_id_)
                        continue
                    for key in self._last_sentence_persons:
                        entry = self.registry.get(key)
                        if entry is None or entry.gender in (None, gender):
                            keys.append(key)
                            break
        keys = list(dict.fromkeys(keys))
        self._sentence_refs.extend(keys)
        return keys

    # ------------------------------------------------------------------ parties
    def _affiliation(self, key: str) -> str | None:
        entry = self.registry.get(key)
        if entry is not None:
            return entry.affiliation
        new = self.new_actors.get(key)
        return new.affiliation if new else None

    def _type(self, key: str) -> str:
        entry = self.registry.get(key)
        if entry is not None:
            return entry.type
        new = self.new_actors.get(key)
        return new.type if new else "Organization"

    def _party(self, key: str) -> str:
        """The side an actor belongs to: its state/organisation, or itself."""
        seen = set()
        while True:
            aff = self._affiliation(key)
            if not aff or aff in seen or self.registry.get(aff) is None:
                return key
            seen.add(key)
            entry = self.registry.get(aff)
            # persons belong to states/organisations; an organisation to its state
            key = aff
            if entry.type == "State":
                return key

    def _sides(self, keys: list[str], allies: dict[str, str] | None = None) -> dict[str, set[str]]:
        sides: dict[str, set[str]] = {}
        for key in dict.fromkeys(keys):
            party = self._party(key)
            sides.setdefault((allies or {}).get(party, party), set()).add(key)
        return sides

    def _sentences_between(self, start: int, end: int) -> int:
        return sum(1 for s_ in self._sentence_starts if start < s_ <= end)

    def _context_parties(self, before_offset: int, place: Place | None = None) -> list[str]:
        """'beide Seiten', 'die Seiten', 'we': the parties of the meeting in context.

        The candidate meetings are those reported before the sentence (at the named place,
        if any); among them the one the article reports most often wins, then the latest."""
        candidates = [m for m in self.out.meetings if m.kind == "Meeting" and m.evidence[0].start < before_offset]
        if place is not None:
            at_place = [m for m in candidates if m.place and m.place.key == place.key]
            candidates = at_place or candidates
        if candidates:
            latest = max(candidates, key=lambda m: m.evidence[0].start)
            if self._sentences_between(latest.evidence[0].start, before_offset) <= 2:
                return sorted(latest.sides)  # the meeting just reported
            weight: dict[frozenset, int] = {}
            for m in candidates:
                weight[frozenset(m.sides)] = weight.get(frozenset(m.sides), 0) + 1
            meeting = max(candidates, key=lambda m: (weight[frozenset(m.sides)], m.evidence[0].start))
            return sorted(meeting.sides)
        if self.out.agreements:
            return list(self.out.agreements[-1].parties)
        return []

    # ------------------------------------------------------------------ evidence, dates, places
    def _evidence(self, sent: Span) -> Evidence:
        text = sent.text
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        start = sent.start_char + lead
        return Evidence(start=start, end=start + len(stripped), text=" ".join(stripped.split()))

    def _date_in(self, ranges: list[tuple[int, int]], tok: Token) -> str | None:
        """The date expression of the trigger's clause or phrase nearest to the trigger."""
        spans = [d for d in self.dates if any(a <= d.start < b for a, b in ranges)]
        if not spans:
            return None
        best = min(spans, key=lambda d: abs(d.start - tok.i))
        return _resolve_date(best._.kg_value, self.pub_date)

    def _place_in(self, ranges: list[tuple[int, int]]) -> Place | None:
        """The place of an event: a location phrase inside its clause or phrase.

        Directional phrases ("Einmarsch in die Ukraine", "reiste nach Riad") are not where
        the event happened; a city or venue beats a country."""
        spans = [p for p in self.places if any(a <= p.start < b for a, b in ranges) and not self._directional(p)]
        if not spans:
            # "…, wo er Erdogan traf": the place is the antecedent of "wo"
            for a, b in ranges:
                if self.doc[a].lower_ == "wo":
                    before = [m for m in self.mentions if m.end <= a and self._sent_at[m.start].start == self._sent_at[a].start and m.label_ == "State"]
                    if before:
                        entry = self.registry.get(before[-1].kb_id_)
                        return Place(key=entry.key, label=entry.label)
            return None
        spans.sort(key=lambda p: (self._type(p.kb_id_) == "State", p.start))
        entry = self.registry.get(spans[0].kb_id_)
        return Place(key=entry.key, label=entry.label) if entry else None

    def _with_governing_clause(self, ranges: list[tuple[int, int]], sent: Span) -> list[tuple[int, int]]:
        """A 'wo'/relative clause takes its date from the clause it hangs on
        ("Station am Dienstag war die Türkei, wo er Erdogan traf")."""
        if len(ranges) == 1 and self.doc[ranges[0][0]].lower_ in {"wo", "als"} | self.relatives:
            a = ranges[0][0]
            return ranges + [(sent.start, a)]
        return ranges

    def _directional(self, place: Span) -> bool:
        doc = self.doc
        j = place.start - 1
        while j >= 0 and (doc[j].lower_ in {"der", "die", "den", "dem", "the"} or doc[j].text in self.lex.place_heads or (doc[j].text[:1].islower() and doc[j].text.endswith(("e", "en", "er")) and doc[j].lower_ not in {"in", "nach"})):
            if doc[j].lower_ == "die" and j >= 1 and doc[j - 1].lower_ == "in":
                return True
            j -= 1
        return j >= 0 and doc[j].lower_ in {"nach", "ins", "to", "into"}

    # ------------------------------------------------------------------ meetings
    def _is_meet_noun(self, tok: Token) -> bool:
        t = tok.text
        if t in self.meet_nouns:
            return True
        if t in {"Besuch", "Besuchs", "Staatsbesuch", "Staatsbesuchs"} and tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ == "bei":
            return True  # visiting a person ("bei seinem Besuch bei Xi") is meeting them
        low = t.lower()
        return t[:1].isupper() and len(t) > 8 and low.endswith(self.meet_suffixes) and "-" not in t[:3]

    def _support_verb_for(self, noun: Token, sent: Span, clauses: list[Clause], agree: bool = False) -> bool:
        """'Gespräche führen', 'eine Einigung erzielen': the verb carries the event."""
        clause = self._clause_of(noun, clauses)
        words = [self.doc[i] for i in range(clause.start, clause.end)]
        verbs = {"erzielen", "erzielten", "erzielt", "erreichten", "erreicht", "unterzeichneten", "unterzeichnet"} if agree else self.meet_support
        if any(w.lower_ in verbs or w.lemma_ in verbs for w in words if w.i != noun.i):
            # only when the noun is not followed by its own participant phrase ("zwischen", "mit")
            if agree:
                return True
            return not (noun.i + 1 < len(self.doc) and self.doc[noun.i + 1].lower_ in {"zwischen", "von"})
        return False

    def _np_participants(self, noun: Token, sent: Span) -> tuple[list[Span], int]:
        """Actors inside the phrase a meeting/agreement noun heads.

        Right: "der Minister X und Y", "zwischen X und Y", "von X mit Y", "Lawrows mit Blinken".
        Left: nationality adjectives ("russisch-amerikanischen Gespräche") and a prenominal
        genitive ("Putins Treffen mit …")."""
        doc = self.doc
        found: list[Span] = []
        i = noun.i + 1
        while i < sent.end:
            t = doc[i]
            m = self.mention_at.get(i)
            if m is not None:
                if m.label_ != "Place" and not self._is_source_or_excluded(m):
                    if not (m._.kg_genitive and m.label_ == "State" and m.end < len(doc) and self.lex.is_role(doc[m.end].text)):
                        found.append(m)
                i = m.end
                continue
            if t.lower_ in {"unter", "um"} or t.text in HOST_NOUNS or (t.text[:1].isupper() and i > 0 and doc[i - 1].lower_ in {"des", "der"} and self.lex.is_role(doc[i - 2].text)):
                i += 1  # "Delegation unter Leitung von X", "um den Leiter des Präsidialamts, X"
                continue
            if t.lower_ in self.np_words or self.lex.is_role(t.text) or self.lex.is_group(t.text):
                if t.text == "," and i + 1 < sent.end and not (doc[i + 1].lower_ in self.np_words - {","} or doc[i + 1].i in self.mention_at or self.lex.is_role(doc[i + 1].text)):
                    break
                i += 1
                continue
            if t.text[:1].isupper() and t.text.endswith(("e", "en", "er")) and i + 1 < sent.end and (self.lex.is_role(doc[i + 1].text) or self.lex.is_group(doc[i + 1].text)):
                i += 1  # capitalised adjective in a title: "dem Nationalen Sicherheitsberater"
                continue
            if t.text[:1].islower() and t.text.isalpha() and _adjective(t) and t.lower_ not in self.subordinators:
                i += 1  # adjective ("vorigen", "russischen")
                continue
            if "-" in t.text and self.lex.is_role(t.text.rsplit("-", 1)[1]):
                i += 1
                continue
            break
        # left modifiers
        j = noun.i - 1
        steps = 0
        while j >= sent.start and steps < 4:
            t = doc[j]
            m = self.mention_at.get(j)
            if m is not None:
                if m.label_ != "Place":
                    found.append(m)
                break
            parts = [p for p in t.text.split("-") if p]
            keys = [self.registry.state_for_adjective(p) or self._prefix_key(p) for p in parts]
            keys = [k for k in keys if k]
            if keys and (t.text[:1].islower() or "-" in t.text):
                for k in keys:
                    found.append(self._synthetic_mention(j, k))
                j -= 1
                steps += 1
                continue
            break
        return found, i

    def _prefix_key(self, word: str) -> str | None:
        entry_key = self.registry.surface_forms.get(word)
        if entry_key and self.registry.get(entry_key[0]).type in ("State", "Organization"):
            return entry_key[0]
        return None

    def _synthetic_mention(self, i: int, key: str) -> Span:
        span = Span(self.doc, i, i + 1, label=self._type(key), kb_id=key)
        span._.kg_kind = "adjective"
        return span

    def _nominal_meeting(self, noun: Token, sent, clauses, evidence, consumed) -> None:
        members, end = self._np_participants(noun, sent)
        consumed.update(i for m in members for i in range(m.start, m.end))
        clause = self._clause_of(noun, clauses)
        if len({self._party(m.kb_id_) for m in members}) < 2 and self._framed_by_subject(noun):
            # "Bei einem Treffen mit Starmer unterzeichnete Trump …", "fuhren Putin und Modi zu
            # ihrem bilateralen Treffen": the clause's subject is the other participant
            np_range = range(noun.i - 3, end)
            subjects = [m for m in self._bag(self._clause_span(noun, clauses), consumed)
                        if m.start not in np_range and not self._after_preposition(m)]
            members = members + subjects
        if len({self._party(m.kb_id_) for m in members}) < 2:
            return
        prev = [self.doc[k] for k in range(max(sent.start, noun.i - 3), noun.i)]
        if any(t.text in self.plan or t.lower_ in {"vorbereitung", "vorbereitungen"} for t in prev):
            return
        if self._non_factual(clause, noun, meeting=True):
            return
        if prev and prev[-1].lower_ in {"ein", "eine", "einen", "einem", "einer", "a", "an"} and not any(t.lower_ in {"bei", "at", "nach"} for t in prev):
            return  # "ein Treffen": not a particular meeting
        # the phrase, a location right after it ("Treffen der Minister X und Y in Riad") and a
        # relative clause on it ("…, die am Dienstag stattfanden")
        ranges = [(noun.i, min(end + 8, clause.end))]
        following = next((c for c in clauses if c.start >= clause.end), None)
        if following is not None and following.subordinate and self.doc[following.start].lower_ in self.relatives:
            ranges.append((following.start, following.end))
        self._add_meeting("Meeting", [m.kb_id_ for m in members], sent, noun, evidence, "meet.noun", 0.75, ranges=ranges)

    def _after_preposition(self, m: Span) -> bool:
        """'für ganz Europa', 'mit dem Präsidenten X': the mention sits in a prepositional phrase."""
        k = m.start - 1
        while k >= 0 and (self.doc[k].pos_ in ("DET", "ADJ", "ADV") or self.lex.is_role(self.doc[k].text)) and m.start - k < 5:
            k -= 1
        return k >= 0 and self.doc[k].pos_ == "ADP"

    def _framed_by_subject(self, noun: Token) -> bool:
        """'bei einem Treffen mit X', 'zu ihrem Treffen', 'während seines Besuchs bei X'."""
        doc = self.doc
        prev = [doc[k] for k in range(max(self._sent_at[noun.i].start, noun.i - 4), noun.i)]
        possessive = any(t.lower_ in {"seinem", "seinen", "seines", "seiner", "ihrem", "ihren", "ihres", "ihrer", "sein", "ihr"} for t in prev[-3:])
        framing = any(t.lower_ in {"bei", "beim", "nach", "während", "zu", "zum", "am"} for t in prev)
        return possessive or (framing and noun.i + 1 < len(doc) and doc[noun.i + 1].lower_ in {"mit", "bei", "with"})

    def _meet_verb_kind(self, tok: Token, sent: Span, clauses: list[Clause]) -> str | None:
        low, lemma = tok.lower_, tok.lemma_.lower()
        if tok.text[:1].isupper() and tok.i not in self._sent_start_tokens:
            return None  # nouns ("Treffen") are handled as nominal triggers
        clause = self._clause_of(tok, clauses)
        words = [self.doc[i] for i in range(clause.start, clause.end)]
        later = {w.lower_ for w in words if w.i > tok.i}
        for table, kind in ((self.part_separable, "participate"), (self.meet_separable, "meet")):
            for verb, particle in table.items():
                if (lemma == verb or low == verb) and particle in later:
                    return kind
        if low in self.meet_verbs or lemma in self.meet_verbs:
            if lemma == "treffen" and "ein" in later:
                return None
            return "meet"
        if lemma in {"sprechen", "begrüßen"} or low in {"sprach", "sprachen", "begrüßte", "begrüßten", "begrüßt"}:
            # talking in person: "sprach am Rande des Gipfels mit X", "wurde von X begrüßt"
            in_person = "rande" in {w.lower_ for w in words} or any(p.start > tok.i and any(c.start <= p.start < c.end for c in clauses) for p in self.places if self._sent_at[p.start].start == sent.start)
            if lemma == "sprechen" and ("mit" in later or "with" in later) and in_person and not later & {"telefonisch", "telefon", "video", "videoschalte"}:
                return "meet"
            if lemma == "begrüßen" and self.doc[tok.i - 1].lower_ != "zu":
                return "meet"
        return self._other_meet_kind(tok, low, lemma, words, later)

    def _other_meet_kind(self, tok, low, lemma, words, later) -> str | None:
        if low in self.meet_english and any(w.lower_ in {"with"} for w in words if w.i > tok.i) | (low in {"hosted", "received"}):
            return "meet"
        if low in self.meet_support or lemma in self.meet_support:
            if any(self._is_meet_noun(w) for w in words if w.i != tok.i):
                return "meet"
        if low in self.part_verbs or lemma in self.part_verbs:
            if lemma in {"zählen", "gehören"} or low in {"zählten", "gehörten"}:
                return "participate" if any(w.lower_.endswith(("delegation", "abordnung", "verhandlungsteam")) for w in words) else None
            return "participate"
        if low in self.part_english and any(w.lower_ == "by" for w in words if w.i > tok.i):
            return "participate"
        return None

    def _verbal_meeting(self, tok: Token, kind: str, sent, clauses, evidence, consumed) -> None:
        ranges = self._clause_span(tok, clauses)
        if self._non_factual(ranges if kind == "meet" else self._clause_of(tok, clauses), tok, meeting=True):
            return
        if tok.lower_ in self.meet_english or tok.lower_ in self.part_english:
            members = self._english_bag(tok, sent, consumed)
        else:
            members = self._bag(ranges, consumed)
        lemma = tok.lemma_.lower()
        if lemma in PERSON_MEETING_VERBS or tok.lower_ in PERSON_MEETING_VERBS:
            # "besuchte Kiew" is a visit to a country, "begrüßte den Vorschlag" no meeting:
            # these verbs meet people, so states and organisations after the verb do not count
            members = [m for m in members if m.start < tok.i or m.label_ == "Person"]
        keys = [m.kb_id_ for m in members] + self._resolve_pronouns(ranges, tok.i) + self._numbered_group(sent, tok)
        keys = list(dict.fromkeys(keys))
        allies = self._allied_states(members, ranges)
        if kind == "participate":
            if keys:
                clause = self._clause_of(tok, clauses)
                names_meeting = any(self._is_meet_noun(self.doc[i]) for i in range(clause.start, clause.end))
                self.out.participations.append(Participation(keys, evidence, evidence.start, names_meeting))
            if len({self._party(k) for k in keys}) < 2:
                return
        if len({self._party(k) for k in keys}) < 2:
            return
        rule = "meet.participation" if kind == "participate" else ("meet.verb." + (tok.lemma_ or tok.lower_))
        self._add_meeting("Meeting", keys, sent, tok, evidence, rule, 0.85, ranges=ranges, allies=allies)

    def _allied_states(self, members: list[Span], ranges) -> dict[str, str]:
        """'Die Sicherheitsberater Deutschlands, Frankreichs und Großbritanniens kamen mit der
        ukrainischen Delegation zusammen': states coordinated on one side of a "mit" phrase
        meet the partner, not each other. Returns state key -> key of the side it joins."""
        doc = self.doc
        mit = [i for a, b in ranges for i in range(a, b) if doc[i].lower_ in {"mit", "with"}]
        if not mit:
            return {}
        cut = mit[0]
        groups = ([m for m in members if m.start < cut], [m for m in members if m.start > cut])
        allies: dict[str, str] = {}
        for group in groups:
            states = [m.kb_id_ for m in group if m.label_ in ("State", "Organization") and self._party(m.kb_id_) == m.kb_id_]
            states = list(dict.fromkeys(states))
            if len(states) >= 2 and not any(m.label_ == "Person" for m in group):
                for key in states[1:]:
                    allies[key] = states[0]
        return allies

    def _english_bag(self, tok: Token, sent: Span, consumed: set[int]) -> list[Span]:
        """English SVO: subject before the verb, objects after 'with'/'by' until a cut word."""
        doc = self.doc
        # the subject: mentions between the previous clause break and the verb
        left = tok.i - 1
        while left > sent.start and doc[left].text not in {",", ";", ":", "–", "—"}:
            left -= 1
        members = [m for m in self._sent_mentions(sent) if left <= m.start and m.end <= tok.i and m.start not in consumed and not self._is_genitive_attribute(m)]
        i = tok.i + 1
        while i < sent.end and doc[i].lower_ not in ENGLISH_CUTS:
            if doc[i].text == "," and i + 1 < sent.end and doc[i + 1].lower_ != "and" and (i + 1) not in self.mention_at:
                break  # ", the team chosen by …": an apposition, not another participant
            m = self.mention_at.get(i)
            if m is not None:
                if not self._is_genitive_attribute(m) and m.label_ != "Place":
                    members.append(m)
                i = m.end
                continue
            i += 1
        return members

    def _english_phrase_meeting(self, idx: int, length: int, sent, evidence, consumed) -> None:
        tok = self.doc[idx]
        before = [m for m in self._sent_mentions(sent) if m.end <= idx and m.start not in consumed and not self._is_genitive_attribute(m)]
        keys = list(dict.fromkeys(m.kb_id_ for m in before))
        if len({self._party(k) for k in keys}) >= 2:
            self._add_meeting("Meeting", keys, sent, tok, evidence, "meet.en.phrase", 0.8, ranges=[(sent.start, sent.end)])

    def _add_meeting(self, kind, keys, sent, tok, evidence, rule, confidence, ranges=None, allies=None) -> None:
        sides = self._sides(keys, allies or {})
        if len(sides) < 2:
            return
        self.out.meetings.append(
            MeetingRecord(
                kind=kind,
                sides=sides,
                evidence=[evidence],
                date=self._date_in(self._with_governing_clause(ranges, sent) if ranges else [(sent.start, sent.end)], tok),
                place=self._place_in(ranges or [(sent.start, sent.end)]),
                rule=rule,
                confidence=confidence,
            )
        )

    # ------------------------------------------------------------------ agreements
    def _nominal_agreement(self, noun: Token, sent, clauses, evidence, consumed) -> None:
        members, end = self._np_participants(noun, sent)
        consumed.update(i for m in members for i in range(m.start, m.end))
        if not members:
            return
        prev = [self.doc[k] for k in range(max(sent.start, noun.i - 3), noun.i)]
        if any(t.text in self.plan or t.text in self.negation for t in prev):
            return
        if prev and prev[-1].lower_ in {"ein", "eine", "einen", "einem", "einer", "a", "an"}:
            return  # "sich auf eine Vereinbarung einlassen": no particular agreement
        clause = self._clause_of(noun, clauses)
        if self._non_factual(clause, noun, meeting=False):
            return
        content = self._content_after(end, sent, skip_leading=True, clause_only=True)
        if not content:
            return
        parties = self._with_states([m.kb_id_ for m in members])
        self.out.agreements.append(
            AgreementRecord(parties, content, [evidence], self._date_in([(noun.i, end)], noun), "agree.noun", 0.7)
        )

    def _agree_trigger(self, tok: Token, clauses: list[Clause]) -> bool:
        low, lemma = tok.lower_, tok.lemma_.lower()
        if low in self.agree_english:
            return True
        if tok.text[:1].isupper() and tok.i not in self._sent_start_tokens:
            return False
        if low in self.agree_verbs or lemma in self.agree_verbs:
            return True
        clause = self._clause_of(tok, clauses)
        later = {self.doc[i].lower_ for i in range(tok.i + 1, clause.end)}
        if (low in AGREEMENT_SUPPORT_VERBS or lemma in AGREEMENT_SUPPORT_VERBS) and any(
            self.doc[i].text in self.agree_nouns for i in range(clause.start, clause.end)
        ):
            return True  # "erzielten eine Einigung über …", "schlossen ein Abkommen"
        if low == "einig" and tok.i > clause.start and any(self.doc[i].lower_ == "sich" for i in range(clause.start, tok.i)):
            return True  # "Beide Seiten seien sich einig, dass …"
        if lemma == "verpflichten" and tok.i + 1 < clause.end and self.doc[tok.i + 1].lower_ == "sich":
            return True  # "verpflichten sich beide Staaten, …" (kept only with two sides)
        return any((lemma == v or low == v) and p in later for v, p in self.agree_separable.items())

    def _verbal_agreements(self, sent, clauses, evidence, consumed) -> None:
        for tok in sent:
            if not self._agree_trigger(tok, clauses):
                continue
            if tok.i > sent.start and self.doc[tok.i - 1].lower_ in {"zu", "to"}:
                continue
            clause = self._clause_of(tok, clauses)
            ranges = self._clause_span(tok, clauses)
            # negation and hedges in the trigger's own clause only (content may be hedged)
            own = [(clause.start, clause.end)]
            if self._agreement_blocked(own, tok):
                continue
            members = [m for m in self._bag(own if clause.subordinate else ranges, consumed) if m.end <= tok.i or clause.subordinate or self.doc[tok.i - 1].lower_ in {"haben", "hat", "hatten"} or m.start < tok.i + 4]
            keys = [m.kb_id_ for m in members if m.start < tok.i or self._subject_after_verb(m, tok)]
            collective = self._collective_subject(sent, tok)
            if collective or not keys or self._first_plural_before(sent, tok):
                context = self._context_parties(evidence.start, self._place_in([(sent.start, sent.end)]))
                keys = context if (collective or self._first_plural_before(sent, tok) or self._impersonal(sent, tok)) else keys
            group = self._numbered_group(sent, tok)
            if group:
                keys = group
            if collective:
                # "beide Länder" when the sentence itself names two sides ("Die Außenminister
                # Bairamow und Mirsojan paraphierten …, auf den sich beide Länder verständigt hatten")
                own = list(dict.fromkeys(m.kb_id_ for m in self._bag([(sent.start, sent.end)], consumed) if m.start < tok.i))
                if len({self._party(k) for k in own}) >= 2:
                    keys = own
            if not keys:
                keys = self._resolve_pronouns([(clause.start, min(clause.end, tok.i + 3))], tok.i)
            if not keys:
                continue
            if not self._agreeing_sides(keys, tok, collective):
                continue  # "Trump unterzeichnete ein Dekret": one side signing is no agreement
            contents = self._agreement_contents(tok, sent, clauses)
            parties = self._with_states(keys)
            for content in contents:
                self.out.agreements.append(
                    # the date of the agreeing, not a date inside what was agreed ("ab Mittwoch")
                    AgreementRecord(parties, content, [evidence], self._date_in([(clause.start, tok.i + 1)], tok), "agree.verb." + (tok.lemma_ or tok.lower_), 0.8)
                )
            if any("Delegation" in self.doc[i].text for a, b in ranges for i in range(a, b) if i < tok.i):
                self._add_meeting("Meeting", keys, sent, tok, evidence, "meet.delegations-agreed", 0.7, ranges=ranges)

    def _agreeing_sides(self, keys: list[str], tok: Token, collective: str | None) -> bool:
        """An agreement needs two sides, or a body whose members agree among themselves."""
        if collective or len({self._party(k) for k in keys}) >= 2:
            return True
        if tok.lemma_.lower() in {"verpflichten"} or tok.lower_.startswith("verpflicht"):
            return False  # a one-sided pledge
        return any(self._type(k) == "Organization" for k in keys)  # "Die SOZ-Staaten einigten sich"

    def _agreement_blocked(self, ranges, tok: Token) -> bool:
        """Negated or only intended agreeing. What was agreed may well lie in the future
        ("auf ein Gipfeltreffen in den kommenden Tagen geeinigt"), so only modal and
        intention words count, not future adjectives."""
        words = self._window_words(ranges)
        before = [w for w in words if w.i <= tok.i + 1]
        texts = {w.text for w in before}
        if texts & self.negation or texts & AGREEMENT_HEDGES or texts & self.rumours:
            return True
        if any(w.lower_ in {"would", "could", "will", "can", "may", "might"} for w in before):
            return True
        return False

    def _subject_after_verb(self, m: Span, tok: Token) -> bool:
        # V2 with inversion: "Gestern vereinbarten die USA und Russland …"
        return m.start > tok.i and m.start - tok.i <= 3

    def _collective_subject(self, sent: Span, tok: Token) -> str | None:
        for phrase in self.collectives:
            idx = _find_phrase(sent, phrase)
            if idx is not None and idx < tok.i + 3:
                return " ".join(phrase).lower()
        for t in sent:
            if t.i >= tok.i + 7:
                break
            nxt = self.doc[t.i + 1] if t.i + 1 < len(self.doc) else None
            near = t.i < tok.i + 3 or self.doc[t.i - 1].lower_ == "zwischen"  # "… vereinbarten Abkommens zwischen beiden Ländern"
            if near and t.lower_ in {"beide", "beiden"} and nxt is not None and nxt.text in COLLECTIVE_NOUNS:
                return "beide seiten"
            if t.lower_ == "die" and nxt is not None and nxt.text in PAIR_NOUNS and abs(nxt.i - tok.i) <= 3:
                return "beide seiten"  # "einigten sich die Nachbarn darauf"
        first = sent[0].text if len(sent) else ""
        if first == "Sie" and tok.i - sent.start <= 2:
            return "sie"
        return None

    def _numbered_group(self, sent: Span, before: Token) -> list[str]:
        """'die beiden', 'beide', 'die vier', 'alle drei' -> the last N actors mentioned."""
        for t in sent:
            if t.i >= before.i + 3:
                break
            n = NUMBER_WORDS.get(t.lower_)
            if n is None:
                continue
            prev = self.doc[t.i - 1].lower_ if t.i > sent.start else ""
            nxt = self.doc[t.i + 1] if t.i + 1 < len(self.doc) else None
            # "beide unterzeichneten", "die beiden Präsidenten" name persons; "beide Seiten",
            # "beide Regierungen" name the parties (see _collective_subject)
            standalone = nxt is None or not nxt.text[:1].isupper() or nxt.i == before.i or (self.lex.is_role(nxt.text) and nxt.text not in COLLECTIVE_NOUNS)
            if (prev in {"die", "alle"} or t.lower_ == "beide") and standalone:
                recent = [k for k in reversed(self._recent_persons) if k][:n] or [k for k in reversed(self._recent_actors)][:n]
                if len(recent) >= 2:
                    self._sentence_refs.extend(recent)
                    return list(reversed(recent))
        return []

    def _first_plural_before(self, sent: Span, tok: Token) -> bool:
        """'wir/we' or impersonal 'man' as the subject: the parties in context agreed."""
        return any(t.text in self.first_plural or t.lower_ == "man" for t in sent if t.i < tok.i)

    def _impersonal(self, sent: Span, tok: Token) -> bool:
        # "Es wurde vereinbart", "Vereinbart worden sei", "wurde … vereinbart"
        window = {self.doc[i].lower_ for i in range(max(sent.start, tok.i - 6), min(sent.end, tok.i + 3))}
        return bool(window & {"wurde", "worden", "wurden"}) or tok.i == sent.start

    def _agreement_contents(self, tok: Token, sent: Span, clauses: list[Clause]) -> list[str]:
        doc = self.doc
        start = tok.i + 1
        clause = self._clause_of(tok, clauses)
        # separable particle ("kamen überein"): content starts after the particle
        for i in range(tok.i + 1, clause.end):
            if doc[i].lower_ in {"überein"}:
                start = i + 1
                break
        antecedent = self._relative_antecedent(clause)
        if antecedent:
            # "das Chagos-Abkommen, auf das sich London und Mauritius verständigt hatten"
            return [antecedent]
        after = self._content_after(start, sent, skip_leading=True)
        before = self._content_before(tok, clause)
        verb_final = start >= sent.end or doc[start].is_punct or start >= clause.end
        opens_content = start + 1 < sent.end and (doc[start + 1].lower_ in {"dass", "that"} or self._zu_infinitive_follows(start, sent))
        if before and verb_final and not opens_content:
            # "… auf Regeln für Patrouillen verständigt, wo es 2020 …": the object precedes
            # the verb; what follows the comma is another clause
            return [before]
        if after and after.rstrip(":").strip():
            return [after]
        # verb-final: "… haben … Gespräche über X vereinbart"
        if before:
            return [before]
        # "We agreed to:" followed by list items in the next sentences
        if sent.text.rstrip().endswith(":"):
            return self._list_items_after(sent)
        return []

    def _zu_infinitive_follows(self, start: int, sent: Span) -> bool:
        """', X zu tun' / ', X aufzunehmen' right after the verb: the agreed content
        (not ', wo es zu Zusammenstößen kam', where 'zu' is a preposition)."""
        nxt = self.doc[start + 1] if start + 1 < sent.end else None
        if nxt is None or nxt.lower_ in self.subordinators or nxt.lower_ in self.relatives and nxt.pos_ == "PRON":
            return False
        for w in self.doc[start + 1 : min(sent.end, start + 25)]:
            if w.text in {",", ";"} and w.i > start + 1:
                return False
            if w.tag_ in ("PTKZU", "VVIZU") or (not w.tag_ and w.lower_ == "zu"):
                return True
        return False

    def _relative_antecedent(self, clause: Clause) -> str:
        """A relative clause 'auf das/den/die …' names what was agreed before its comma."""
        doc = self.doc
        if not clause.subordinate or clause.end - clause.start < 3:
            return ""
        first, second = doc[clause.start], doc[clause.start + 1]
        if first.lower_ not in {"auf", "über"} or second.lower_ not in self.relatives:
            return ""
        k = clause.start - 1
        if k < 0 or doc[k].text != ",":
            return ""
        j = k - 1
        while j > doc[k].sent.start and k - j < 8 and not doc[j].is_punct and doc[j].pos_ not in ("VERB", "AUX", "ADP") :
            j -= 1
        words = [t for t in doc[j + 1 : k] if not t.is_space]
        # one noun is enough here: "das Chagos-Abkommen"
        return _join(words) if words and any(t.pos_ in ("NOUN", "PROPN") for t in words) else ""

    def _content_before(self, tok: Token, clause: Clause) -> str:
        """Verb-final clauses: '… haben sich … auf X geeinigt' -> X (after the auxiliary or the
        last participant, whichever is later; genitive attributes stay inside X)."""
        doc = self.doc
        start = clause.start
        for k in range(tok.i - 1, clause.start - 1, -1):
            m = self.mention_at.get(k)
            if (m is not None and not m._.kg_genitive) or doc[k].lower_ in {"haben", "hat", "hatten", "hatte", "habe", "seien", "sei", "wurde", "ist"}:
                start = k + 1
                break
        words = [doc[k] for k in range(start, tok.i)]
        while words and (words[0].text in AUX_WORDS or words[0].is_punct):
            words = words[1:]
        text = _join(words)
        return text if len(words) >= 2 else ""

    def _content_after(self, start: int, sent: Span, skip_leading: bool, clause_only: bool = False) -> str:
        doc = self.doc
        words = [doc[k] for k in range(start, sent.end)]
        if words and (words[0].lower_ in self.speech or words[0].lemma_ in self.speech):
            return ""  # "…geeinigt, sagte Medinski": nothing follows the trigger
        for k, w in enumerate(words):
            if w.text == "," and k + 1 < len(words) and (words[k + 1].lower_ in self.speech or words[k + 1].lemma_ in self.speech):
                words = words[:k]
                break
        if skip_leading:
            while words and (words[0].text in AUX_WORDS or words[0].is_punct or words[0].is_space):
                words = words[1:]
        if clause_only:
            # stop where the next clause begins: ", führten …"
            for k, w in enumerate(words):
                if w.text == "," and k + 1 < len(words) and words[k + 1].text[:1].islower() and words[k + 1].lower_ not in self.np_words and words[k + 1].lower_ not in {"um", "einschließlich"}:
                    words = words[:k]
                    break
        # cut a trailing attribution: ", teilten beide Seiten mit", ", sagte Uschakow"
        for k, w in enumerate(words):
            if w.text == "," and k + 1 < len(words) and (words[k + 1].lower_ in self.speech or words[k + 1].lemma_ in self.speech or words[k + 1].lower_ in {"obwohl", "hieß"}):
                words = words[:k]
                break
        return _trim(words)

    def _list_items_after(self, sent: Span) -> list[str]:
        items = []
        started = False
        for s in self.doc.sents:
            if not started:
                started = s.start == sent.start
                continue
            text = s.text.strip()
            if not text:
                continue
            first = text.split()[0]
            if first in {"The", "We", "This", "Our", "It", "They", "Die", "Der", "Das", "Wir"} or len(items) >= 8:
                break
            items.append(" ".join(text.split()))
        return items

    def _with_states(self, keys: list[str]) -> list[str]:
        """Persons agreeing for their state make the state a party too."""
        out = list(dict.fromkeys(keys))
        for key in list(out):
            if self._type(key) == "Person":
                party = self._party(key)
                if party != key and party not in out:
                    out.append(party)
        return out

    # ------------------------------------------------------------------ demands
    def _demands(self, sent, clauses, evidence, consumed, modal: bool = True) -> None:
        doc = self.doc
        done = False
        for tok in sent:
            low, lemma = tok.lower_, tok.lemma_.lower()
            clause = self._clause_of(tok, clauses)
            later = {doc[i].lower_ for i in range(tok.i + 1, clause.end)}
            whole = {doc[i].lower_ for i in range(clause.start, clause.end)}
            prepositional = (low in self.demand_prepositional or lemma in self.demand_prepositional) and bool(whole & {"auf", "darauf"})
            is_verb = (low in self.demand_verbs or lemma in self.demand_verbs or prepositional or any((lemma == v or low == v) and p in later for v, p in self.demand_separable.items())) and not (tok.text[:1].isupper() and tok.i not in self._sent_start_tokens)
            if low in self.english_call and tok.i + 1 < sent.end and (self.doc[tok.i + 1].lower_ in {"on", "upon"} or tok.lower_.startswith("urge")):
                done |= self._english_want(tok, sent, evidence, consumed)
            elif is_verb:
                # "…, forderte er": nothing follows, the modal clause before is the demand
                done |= bool(self._lexical_demand(tok, sent, clauses, evidence, consumed))
            elif tok.text in self.demand_nouns:
                self._nominal_demand(tok, sent, clauses, evidence, consumed)
                done = True
            elif low in self.want and tok.i + 1 < sent.end:
                done |= self._english_want(tok, sent, evidence, consumed)
            elif low in {"will", "wolle", "wollen", "wollte", "wollten"} and tok.i + 2 < sent.end and self.doc[tok.i + 1].text == "," and self.doc[tok.i + 2].lower_ == "dass":
                done |= self._wants_that(tok, sent, clauses, evidence, consumed)
            elif low in {"called", "calls", "call", "pressed", "presses"} and tok.i + 1 < sent.end and self.doc[tok.i + 1].lower_ == "for":
                done |= self._english_called_for(tok, sent, evidence, consumed)
        if not done and modal:
            self._modal_demand(sent, clauses, evidence, consumed)

    def _demanders(self, tok: Token, sent: Span, clauses, consumed) -> list[str]:
        """Who demands: the subject before the verb, else a pronoun ("forderten sie X auf"),
        else the subject after the verb (V2 inversion)."""
        ranges = self._clause_span(tok, clauses)
        bag = self._bag(ranges, consumed)
        before = [m for m in bag if m.start < tok.i]
        if before:
            return [before[0].kb_id_]
        clause = self._clause_of(tok, clauses)
        pron = self._resolve_pronouns([(clause.start, min(tok.i + 3, sent.end))], tok.i) or self._numbered_group(sent, tok)
        if pron:
            return pron
        after = [m for m in bag if m.start > tok.i][:1]
        if after:
            return [after[0].kb_id_]
        return self._resolve_pronouns(ranges, tok.i)[:1]

    def _lexical_demand(self, tok, sent, clauses, evidence, consumed) -> None:
        clause = self._clause_of(tok, clauses)
        words = self._window_words([(clause.start, clause.end)])
        near = [w for w in words if w.i < tok.i or w.i <= tok.i + 2]
        if {w.lower_ for w in near} & {"nicht", "nie", "niemals", "not", "never", "kein", "keine", "keinen"} or {w.lower_ for w in words if w.i < tok.i} & {"will", "wollen", "könnte", "würde"}:
            return
        if self._refusal(clause) or self._in_indirect_question(tok):
            return
        if tok.i > sent.start and self.doc[tok.i - 1].lower_ in {"zu", "to"}:
            return
        demanders = self._demanders(tok, sent, clauses, consumed)
        if not demanders:
            return
        # addressee: "fordert X auf", "verlangt von X", "appelliert an X", and in a verb-final
        # clause the object before the verb ("hatte Trump Putin aufgefordert")
        addressee = None
        between = [m for m in self._mentions_in([(clause.start, tok.i)]) if m.kb_id_ not in demanders and not self._is_genitive_attribute(m)]
        if between and tok.i + 1 < sent.end and self.doc[tok.i + 1].text == ",":
            addressee = between[-1].kb_id_
        for m in self._mentions_in([(tok.i + 1, clause.end)]) if addressee is None else []:
            prev = self.doc[m.start - 1].lower_ if m.start > 0 else ""
            if m.kb_id_ not in demanders and (prev in {"von", "vom", "an"} or m.start - tok.i <= 3) and not self._is_genitive_attribute(m):
                addressee = m.kb_id_
                break
        start = tok.i + 1
        # "fordert Russland auf, … zuzustimmen": the demand follows the separable particle
        for i in range(tok.i + 1, clause.end):
            if self.doc[i].lower_ == "auf" and i + 1 < sent.end and self.doc[i + 1].text in {",", "."}:
                start = i + 1
                break
        # "forderten die G7-Staats- und Regierungschefs, die Lösung müsse …": after V2
        # inversion the subject stands between verb and demand
        first = self.mention_at.get(start) or (self.mention_at.get(start + 1) if start + 1 < sent.end and self.doc[start].lower_ in {"der", "die", "das", "den", "dem"} else None)
        if first is not None and first.kb_id_ in demanders and first.end < sent.end and self.doc[first.end].text == ",":
            start = first.end + 1
        colon = next((t.i for t in self.doc[start : sent.end] if t.text == ":"), None)
        rest = [t for t in self.doc[start : colon or sent.end] if not t.is_punct and not t.is_space and t.i not in self.mention_at and t.lower_ not in {"der", "die", "das"}]
        if not rest:
            return False  # "…, forderte der Franzose.": the demand is the clause before
        content = self._content_after(start, self.doc[sent.start : colon] if colon else sent, skip_leading=True)
        if not content or (start < sent.end and self.doc[start].is_punct and not self._zu_infinitive_follows(start, sent)):
            # verb-final: "hatte beide Seiten zu maximaler Zurückhaltung aufgerufen"
            zu = next((t.i for t in self.doc[clause.start : tok.i] if t.lower_ in {"zu", "zur", "zum", "auf"} and t.pos_ == "ADP"), None)
            before = _trim([t for t in self.doc[zu : tok.i] if not t.is_space]) if zu is not None else ""
            content = before or content
        if not content:
            return False
        for demander in demanders:
            self.out.demands.append(DemandRecord(demander, content, [evidence], addressee, "demand.verb." + (tok.lemma_ or tok.lower_), 0.85))
        return True

    def _nominal_demand(self, tok, sent, clauses, evidence, consumed) -> None:
        clause = self._clause_of(tok, clauses)
        words = self._window_words([(clause.start, tok.i)])
        if {w.text for w in words} & self.negation or self._refusal(clause):
            return  # "Der Kreml wies die Forderung zurück"
        if any(w.lower_ in self.endorsements or w.lemma_.lower() in self.endorsements for w in self._window_words([(clause.start, clause.end)])):
            return  # "Trump unterstütze die Forderung nach …": someone else's demand
        # "Forderung nach X", "Notwendigkeit, X zu tun": the demanded content must follow;
        # a genitive right after the noun is the demander ("die Forderung Russlands nach …")
        start = tok.i + 1
        genitive = self.mention_at.get(start)
        if genitive is not None and genitive._.kg_genitive:
            start = genitive.end
        if not (start < sent.end and (self.doc[start].lower_ in {"nach", ","} or tok.text == "Notwendigkeit")):
            return
        demanders = [genitive.kb_id_] if genitive is not None and genitive._.kg_genitive else self._demanders(tok, sent, clauses, consumed)
        if not demanders:
            return
        start += 1
        content = self._content_after(start, sent, skip_leading=True)
        finite = next((t for t in self.doc[start : sent.end] if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm") and t.i not in self.mention_at), None)
        if finite is not None and content:
            # "Die Forderung Polens nach X stieß auf Kritik": the phrase ends at the verb
            content = _trim([t for t in self.doc[start : finite.i] if not t.is_space])
        if content:
            for demander in demanders:
                self.out.demands.append(DemandRecord(demander, content, [evidence], None, "demand.noun." + tok.text.lower(), 0.8))

    def _without_attribution(self, words: list[Token]) -> list[Token]:
        """Drop 'Laut X', 'X zufolge' and ', so X' from a demand's content."""
        drop: set[int] = set()
        for w in words:
            m = self.mention_at.get(w.i)
            if m is None or w.i != m.start:
                continue
            prev = self.doc[m.start - 1] if m.start > 0 else None
            after = self.doc[m.end] if m.end < len(self.doc) else None
            if prev is not None and prev.lower_ == "laut":
                drop |= set(range(prev.i, m.end))
            elif after is not None and after.lower_ == "zufolge":
                drop |= set(range(m.start, after.i + 1))
            elif prev is not None and prev.lower_ == "so" and m.start >= 2 and self.doc[m.start - 2].text == ",":
                drop |= set(range(m.start - 2, m.end))
        return [w for w in words if w.i not in drop]

    def _reported_speech(self, clause: Clause) -> bool:
        """Konjunktiv I/II modals mark indirect speech ("müsse", "müssten", "dürfe", "solle")."""
        return any(self.doc[i].lower_ in {"müsse", "müssten", "dürfe", "solle", "sei", "seien", "habe", "könne", "werde"} for i in range(clause.start, clause.end))

    def _note_speaker(self, sent: Span) -> None:
        """Remember who spoke in this sentence, for indirect speech in the next ones."""
        clauses = self._clauses(sent)
        for t in sent:
            if t.lower_ in self.speech or t.lemma_ in self.speech:
                clause = self._clause_of(t, clauses)
                own = [m for m in self._mentions_in([(clause.start, clause.end)]) if not self._is_genitive_attribute(m)]
                pron = self._resolve_pronouns([(clause.start, clause.end)], t.i) if not own else []
                if own or pron:
                    self._previous_speaker = own[0].kb_id_ if own else pron[0]
                    return
        source = self._attributed_source(sent)
        if source is not None:
            self._previous_speaker = source

    def _attributed_source(self, sent: Span) -> str | None:
        """'Laut Lawrow müsse …', 'Wang Yi zufolge muss …', '…, so Rutte.', 'Merz: …'"""
        doc = self.doc
        first = self.mention_at.get(sent.start)
        if first is not None and first.end < sent.end and doc[first.end].text == ":":
            return first.kb_id_
        for m in self._sent_mentions(sent):
            prev = doc[m.start - 1] if m.start > sent.start else None
            prev2 = doc[m.start - 2] if m.start - 1 > sent.start else None
            after = doc[m.end] if m.end < sent.end else None
            if (prev is not None and prev.lower_ == "laut") or (after is not None and after.lower_ == "zufolge"):
                return m.kb_id_
            if prev is not None and prev.lower_ == "so" and prev2 is not None and prev2.text == ",":
                return m.kb_id_
        return None

    def _trailing_speaker(self, sent: Span) -> str | None:
        """The actor of a closing attribution: '…", Zelensky said.' / '…, sagte Merz.'"""
        speech = [t for t in sent if t.lower_ in self.speech or t.lemma_ in self.speech]
        if not speech:
            return None
        last = speech[-1]
        comma = max((t.i for t in sent if t.text == "," and t.i < last.i), default=None)
        if comma is None:
            return None
        after = [m for m in self.mentions if comma < m.start < sent.end and not self._is_genitive_attribute(m)]
        return after[0].kb_id_ if after else None

    def _wants_that(self, tok, sent, clauses, evidence, consumed) -> bool:
        """'Trump will, dass Europa mehr zahlt': the subject demands the dass-clause."""
        demanders = [m.kb_id_ for m in self._bag(self._clause_span(tok, clauses), consumed) if m.start < tok.i][:1]
        content = self._content_after(tok.i + 3, sent, skip_leading=True)
        if not demanders or not content:
            return False
        self.out.demands.append(DemandRecord(demanders[0], content, [evidence], None, "demand.verb.wollen-dass", 0.7))
        return True

    def _english_called_for(self, tok, sent, evidence, consumed) -> bool:
        """'Macron called for a ceasefire': the subject demands the object of 'for'."""
        left = tok.i - 1
        while left > sent.start and self.doc[left].text not in {",", ";", ":"}:
            left -= 1
        subject = [m for m in self._sent_mentions(sent) if left <= m.start and m.end <= tok.i and not self._is_genitive_attribute(m)]
        content = self._content_after(tok.i + 2, sent, skip_leading=False)
        if not subject or not content:
            return False
        self.out.demands.append(DemandRecord(subject[-1].kb_id_, content, [evidence], None, "demand.en.called-for", 0.75))
        return True

    def _refusal(self, clause: Clause) -> bool:
        words = [self.doc[i] for i in range(clause.start, clause.end)]
        lowers = {w.lower_ for w in words} | {w.lemma_.lower() for w in words}
        if lowers & self.refusals:
            return True
        # separable refusals: "wies … zurück", "lehnt … ab"
        return any(w.lemma_.lower() in {"weisen", "lehnen"} or w.lower_ in {"wies", "wiesen", "lehnt", "lehnte", "lehnten"} for w in words) and bool(lowers & {"zurück", "ab"})

    def _english_want(self, tok, sent, evidence, consumed) -> bool:
        """'Russia wants NATO to disavow …, and for Ukraine to agree to neutrality'."""
        doc = self.doc
        subject = [m for m in self._sent_mentions(sent) if m.end <= tok.i and not self._is_genitive_attribute(m)]
        if subject:
            demander = subject[-1].kb_id_
        elif tok.i > sent.start and doc[tok.i - 1].text in {"We", "we", "I", "They", "they"}:
            # a quoted "We want …", attributed by "Zelensky said": the speaker demands
            demander = self._trailing_speaker(sent)
            if demander is None:
                return False
        else:
            return False
        found = False
        i = tok.i + 1
        if i < sent.end and doc[i].lower_ in {"on", "upon"}:
            i += 1  # "called on Russia to …"
        while i < sent.end:
            m = self.mention_at.get(i)
            if m is not None and m.end < sent.end and doc[m.end].lower_ == "to":
                j = m.end
                k = j + 1
                while k < sent.end and not (doc[k].text == "," and k + 2 < sent.end and doc[k + 1].lower_ == "and" and doc[k + 2].lower_ == "for") and not (doc[k].text == "," and k + 1 < sent.end and (doc[k + 1].lower_ in self.speech or doc[k + 1].text[:1].isupper())):
                    k += 1
                content = _trim([doc[x] for x in range(j, k)])
                if content:
                    self.out.demands.append(DemandRecord(demander, content, [evidence], m.kb_id_, "demand.en.wants", 0.8))
                    found = True
                i = k + 1
                continue
            i += 1
        return found

    def _modal_demand(self, sent, clauses, evidence, consumed) -> None:
        """'Es müsse … erreicht werden, teilte das Ministerium mit': the speaker demands."""
        doc = self.doc
        for clause in clauses:
            words = [doc[i] for i in range(clause.start, clause.end)]
            lowers = [w.lower_ for w in words]
            modal = next((w for w in words if w.lower_ in self.modals or w.lower_ in self.necessity or w.lower_ in REPORTED_IMPERATIVES
                          or (w.lower_ in {"have", "has"} and w.i + 1 < len(doc) and doc[w.i + 1].lower_ == "to")), None)
            prohibition = next((w for w in words if w.lower_ in PROHIBITION_MODALS), None)
            if prohibition is not None and ({"nicht", "kein", "keine", "keinen", "nie", "niemals", "never", "not"} & set(lowers) or prohibition.lower_ == "cannot"):
                modal = prohibition  # "Die Ukraine dürfe nicht der NATO beitreten": a demand not to
            elif prohibition is not None and modal is None:
                continue
            if modal is None:
                continue
            if modal.lower_ in REPORTED_IMPERATIVES and not any(w.i in self.mention_at for w in words if w.i < modal.i):
                continue  # "danach solle ein Treffen folgen" reports a plan; "Kiew solle verzichten" demands
            texts = {w.text for w in words}
            if texts & self.first_plural or texts & self.generic_subjects or "noch" in lowers:
                continue  # self-exhortation ("Wir müssen handeln") or progress assessment ("noch … nötig")
            if modal is not prohibition and texts & {"nicht", "kein", "keine", "not"}:
                continue
            speaker = self._speaker(sent, clauses, clause, consumed)
            if speaker is None:
                continue
            # the demand runs on through its own subordinate clauses up to the attribution
            end = sent.end
            for later in clauses:
                if later.start > clause.start and any(self.doc[i].lower_ in self.speech or self.doc[i].lemma_ in self.speech for i in range(later.start, min(later.start + 2, later.end))):
                    end = later.start
                    break
            words = [doc[i] for i in range(clause.start, max(end, clause.end))]
            start = 0
            while start < len(words) and (words[start].lower_ in self.subordinators or words[start].is_punct or words[start].text in {"„", "“", "\""}):
                start += 1
            content = _trim(self._without_attribution(words[start:]))
            if len(content.split()) < 3:
                continue
            self.out.demands.append(DemandRecord(speaker, content, [evidence], None, "demand.modal." + modal.lower_, 0.7))
            return

    def _speaker(self, sent, clauses, modal_clause: Clause, consumed) -> str | None:
        """The actor whose speech verb governs the sentence ("sagte X", "X betonte, dass").

        Indirect speech runs on over sentences: a sentence in Konjunktiv I without its own
        attribution ("Russland müsse die Waffenruhe akzeptieren.", "…, hieß es weiter.")
        belongs to the speaker of the sentence before."""
        speech_tokens = [t for t in sent if (t.lower_ in self.speech or t.lemma_ in self.speech) and not (modal_clause.start <= t.i < modal_clause.end and t.i > modal_clause.start + 1)]
        impersonal = any(t.lower_ == "hieß" for t in sent) or not speech_tokens
        if impersonal:
            source = self._attributed_source(sent)
            if source is None and self._reported_speech(modal_clause) and self._previous_speaker is not None:
                return self._previous_speaker
            return source
        tok = speech_tokens[0]
        clause = self._clause_of(tok, clauses)
        own = [m for m in self._bag(clause, consumed) if not (modal_clause.start <= m.start < modal_clause.end)]
        if own:
            return own[0].kb_id_
        pron = self._resolve_pronouns([(clause.start, clause.end)], tok.i)
        if pron:
            return pron[0]
        main = [m for m in self._bag(self._main_tokens(clauses), consumed) if not (modal_clause.start <= m.start < modal_clause.end)]
        return main[0].kb_id_ if main else None

    def _in_box(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.clean.boxes)


# ---------------------------------------------------------------------- helpers

def _adjective(tok: Token) -> bool:
    """An adjective by its POS tag, or by its ending where no tagger ran."""
    if tok.pos_:
        return tok.pos_ == "ADJ"
    return tok.text.endswith(("e", "en", "er", "es", "em")) and tok.lower_ not in {"gab", "hatten", "sind", "waren"}


def _trim(words: list[Token]) -> str:
    """Content text without leading/trailing punctuation and quotes."""
    while words and (words[-1].is_punct or words[-1].is_space or words[-1].text in {"„", "“", "”", "\"", "«", "»"}) and words[-1].text != ")":
        words = words[:-1]
    while words and (words[0].is_punct or words[0].is_space or words[0].text in {"„", "“", "”", "\""}):
        words = words[1:]
    return _join(words) if len(words) >= 2 else ""


def _join(tokens: list[Token]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip().replace("\n", " ")


def _find_phrase(sent: Span, phrase: list[str]) -> int | None:
    toks = [t.lower_ for t in sent]
    n = len(phrase)
    low = [p.lower() for p in phrase]
    for k in range(len(toks) - n + 1):
        if toks[k : k + n] == low:
            return sent.start + k
    return None


def _parse_date(value: str | None) -> dt.date | None:
    if not value or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _resolve_date(value, pub: dt.date | None) -> str | None:
    kind, v = value
    if kind == "abs":
        return v
    if pub is None:
        return None
    if kind == "rel":
        return (pub + dt.timedelta(days=v)).isoformat()
    if kind == "weekday":
        # news report past events: the latest such weekday on or before publication
        delta = (pub.weekday() - v) % 7
        return (pub - dt.timedelta(days=delta)).isoformat()
    if kind == "daymonth":
        day, month = v
        year = pub.year if month <= pub.month else pub.year - 1
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


def extract_document(doc: Doc, clean: CleanDocument, registry: Registry) -> Extraction:
    return DocumentExtractor(doc, clean, registry).run()
