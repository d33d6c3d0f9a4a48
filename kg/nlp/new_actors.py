"""Actors the registry does not know, and mentions that name a known actor by a role.

- role + name: "der finnische Präsident Alexander Stubb", "NATO-Generalsekretär Mark Rutte",
  "Der Amerikaner Tom Becker";
- role + genitive + apposition: "der Chef der Afrikanischen Entwicklungsbank, Samuel Mensah";
- a known first name + name: "Nigel Gould-Davies";
- a role alone: "der ukrainische Präsident" -> the unique holder of that office;
- "Der Kanzler pochte …", "Der Amerikaner sagte …": the last person of that role/nationality;
- capitalised adjectives before an organisation head: "die Afrikanische Entwicklungsbank";
- later mentions of a new person by surname ("Stubb", "Stubbs").

``NewActorRules`` is mixed into kg.nlp.actors.ActorAnnotator, whose indexes it uses.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

from kg.lexicon import Lexicon
from kg.model import NewActor
from kg.registry import Registry, normalise_role, slug

MAX_NAME_WORDS = 4  # a name after a role has at most this many words
APPOSITION_WINDOW = 8  # "der Chef der …, Name": words up to the comma
AFFILIATION_WINDOW = 3  # nationality adjectives before a role
FORMER_WINDOW = 3  # "der frühere …": words before a role


def plural_role(doc: Doc, i: int, lex) -> bool:
    """'Die Außenminister', 'die Staatsoberhäupter', 'beide Präsidenten': a role noun in the
    plural (a feminine singular 'die Präsidentin' is not)."""
    tok = doc[i]
    if i == 0 or doc[i - 1].lower_ not in lex.plural_role_articles or not lex.is_role(tok.text):
        return False
    if tok.text.endswith("in"):
        return False
    verb = next((t for t in doc[i + 1 : i + 6] if t.pos_ in ("VERB", "AUX") and "Fin" in t.morph.get("VerbForm")), None)
    plural_form = tok.text.endswith(("en", "äupter", "chefs", "ter")) or "Plur" in tok.morph.get("Number")
    return doc[i - 1].lower_ != "die" or plural_form or (verb is not None and verb.text.endswith("en"))


class NewActorRules:
    """Finds new persons and organisations and role mentions of known persons."""

    def _name_like(self, tok: Token) -> bool:
        t = tok.text
        if t in self.lex.name_particles:
            return True
        if t in self.lex.capitalised_non_names:
            return False
        if not t[:1].isupper():
            return bool(self._arabic_name.fullmatch(t))
        # names are letters, hyphens and apostrophes; "W." initials and Arabic "al-Dschubair" count
        return (bool(re.fullmatch(r"[A-ZÄÖÜÀ-Ý][\w'’\-]*\.?", t)) and not t.isupper()) or bool(re.fullmatch(r"[A-Z]\.", t)) \
            or bool(self._arabic_name.fullmatch(t))

    def _name_end(self, doc: Doc, start: int, taken: set[int]) -> int:
        """End of a run of up to four name-like tokens starting at ``start`` (no particle at
        either end, nothing already an actor, no line break)."""
        j = start
        while j < len(doc) and j - start < MAX_NAME_WORDS and j not in taken and self._name_like(doc[j]) and "\n" not in doc[j].text and doc[j].pos_ != "NOUN" or (j < len(doc) and j > start and doc[j].text in self.lex.name_particles and j not in taken and j - start < MAX_NAME_WORDS):
            j += 1
        while j > start and doc[j - 1].text in self.lex.name_particles:
            j -= 1
        if j > start and doc[start].text in self.lex.name_particles:
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
        for i, tok in enumerate(self._tokens):
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
            single_ok = n == 1 and end < len(doc) and doc[end].text in self.lex.name_list_breaks and len(doc[i + 1]) > 2 and doc[i + 1].text not in self.lex.capitalised_non_names and doc[i + 1].pos_ in ("PROPN", "X", "")
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
                holders = self.registry.persons_with_role(affiliation, head, self._on)
                if not holders and normalise_role(head) in self.counterpart_stems:
                    holders = self._counterparts(doc, i, affiliation, known + out)
                if len(holders) == 1:
                    start = i - 1 if i > 0 and self.token_affiliation(doc[i - 1]) == affiliation else i
                    if start in taken:
                        start = i
                    out.append(self._mention(doc, start, i + 1, holders[0], "role"))
        out.extend(self._unknown_organisations(doc, taken, new_actors))
        # a first name the lexicon knows, followed by a name: "Nigel Gould-Davies"
        for i, tok in enumerate(self._tokens):
            if i in taken or tok.text not in self.first_names or i + 1 >= len(doc):
                continue
            end = self._name_end(doc, i, taken)
            if end - i >= 2 and doc[end - 1].pos_ in ("PROPN", "X") and (end >= len(doc) or end not in taken):
                out.append(self._new_person(doc, i, end, None, None, new_actors, taken))
        # "Der Kanzler pochte …": the last person mentioned before who holds that role
        persons_so_far = sorted(out + [sp for sp in known if sp.label_ == "Person"], key=lambda sp: sp.start)
        for i, tok in enumerate(self._tokens):
            if i in taken or i == 0 or doc[i - 1].lower_ not in self.lex.definite_role_articles or not self.lex.is_role(tok.text):
                continue
            if plural_role(doc, i, self.lex):
                continue  # "Die Außenminister vereinbarten": a group (kg.extract.reference)
            stem = normalise_role(tok.text)
            named = next((sp for sp in known if sp.start == i + 1 and sp.label_ == "Person"), None)
            other_office = named is not None and self._roles_of(named.kb_id_) and stem not in self._roles_of(named.kb_id_)
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            particle = nxt is not None and nxt.text in self.lex.name_particles and not (i + 2 < len(doc) and doc[i + 2].pos_ == "PROPN")
            if nxt is not None and not particle and (self._name_like(nxt) or nxt.pos_ in ("NOUN", "PROPN")) and not other_office:
                continue  # "der Kanzler Scholz" (but "bat der Kanzler Xi, …": Xi holds no such office)
            before = [sp for sp in persons_so_far if sp.end <= i - 1 and stem in self._roles_of(sp.kb_id_)]
            if before:
                out.append(self._mention(doc, i - 1, i + 1, before[-1].kb_id_, "role"))
                out[-1].label_ = "Person"
                taken.update((i - 1, i))
        # "Der Amerikaner sagte …": the last person of that nationality mentioned before
        persons_so_far = sorted(out, key=lambda sp: sp.start)
        for i, tok in enumerate(self._tokens):
            state = self.demonyms.get(tok.text)
            if not state or i in taken or i == 0 or doc[i - 1].lower_ not in self.lex.demonym_articles:
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
        for i, tok in enumerate(self._tokens):
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
        for i, tok in enumerate(self._tokens):
            if i in taken or not tok.text[:1].isupper() or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            low = tok.lower_
            gender = next((g for head, g in self.lex.org_head_gender.items() if low.endswith(head)), None)
            if gender is None:
                continue
            j = i
            while j > 0 and (j - 1) not in taken and doc[j - 1].text[:1].isupper() and doc[j - 1].text[-1:] in "enrsm" and (doc[j - 1].pos_ == "ADJ" or doc[j - 1].lower_.endswith(self.lex.organisation_adjective_endings)):
                j -= 1
            if j == i or doc[j].is_sent_start and j == i - 1 and doc[j].pos_ != "ADJ":
                continue
            ending = self.lex.organisation_label_endings[gender]
            words = [re.sub(r"(e|en|er|es|em)$", ending, t.text) for t in doc[j:i]] + [_nominative(tok.text, self.lex)]
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

    def _counterparts(self, doc: Doc, i: int, affiliation: str, spans: list[Span]) -> list[str]:
        """'Macron empfing seinen chinesischen Amtskollegen': the holders, in that state, of an
        office the person named last before holds."""
        sentence = doc[i].sent.start
        before = sorted((sp for sp in spans if sp.label_ == "Person" and sp.end <= i and sp.start >= sentence), key=lambda sp: sp.start)
        if not before:
            return []
        entry = self.registry.get(before[-1].kb_id_)
        for role in entry.roles_on(self._on) if entry is not None else ():
            holders = self.registry.persons_with_role(affiliation, role, self._on)
            if holders:
                return holders
        return []

    def _roles_of(self, key: str) -> set[str]:
        entry = self.registry.get(key)
        if entry is None:
            return set()
        # an undated article may speak of any time: a person it named keeps all their offices
        return {normalise_role(r) for r in (entry.roles_on(self._on) if self._on else entry.all_roles)}

    def _genitive_apposition(self, doc: Doc, i: int, taken: set[int]) -> tuple[int, int, str | None] | None:
        """'der Chef der Afrikanischen Entwicklungsbank, Samuel Mensah' -> (start, end, org)."""
        j = i + 1
        if j >= len(doc) or doc[j].lower_ not in self.lex.genitive_articles:
            return None
        j += 1
        org_key = None
        while j < len(doc) and j - i < APPOSITION_WINDOW and doc[j].text not in {",", "."}:
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
        for j in range(i - 1, max(-1, i - AFFILIATION_WINDOW - 1), -1):
            left = doc[j]
            key = self.adjective_state(left) if left.text[:1].islower() or left.text.endswith("er") else None
            if key:
                return key
            hit = self.forms.get(left.text)
            if hit and left.text in self.genitive_forms and self.registry.get(hit[0]).type == "State":
                return hit[0]
            if not (left.text[:1].islower() and left.text.isalpha()) or left.lower_ in self.lex.affiliation_breaks:
                break
        # genitive after the role: "Präsident Finnlands"
        if i + 1 < len(doc):
            hit = self.forms.get(doc[i + 1].text)
            if hit and doc[i + 1].text in self.genitive_forms and self.registry.get(hit[0]).type == "State":
                return hit[0]
        return None

    def _is_former(self, doc: Doc, i: int) -> bool:
        return any(doc[j].text in self.lex.former_markers or doc[j].text.startswith(self.lex.former_prefixes)
                   for j in range(max(0, i - FORMER_WINDOW), i + 1))


def _nominative(noun: str, lex: Lexicon) -> str:
    """Drop a genitive -s/-es from an organisation head ('Währungsfonds' stays, 'Amtes' -> 'Amt')."""
    for suffix in ("es", "s"):
        if noun.endswith(suffix) and not noun.endswith(lex.genitive_s_exceptions) and len(noun) > 6:
            if noun.lower().endswith(lex.organisation_genitives):
                return noun[: -len(suffix)] if not noun.endswith("sses") else noun[:-2]
    return noun


def demonyms(registry: Registry, lex: Lexicon) -> dict[str, str]:
    """'Amerikaner', 'Russe', 'Ukrainerin' -> state key, derived from the adjective stems,
    plus the irregular ones listed in the lexicon ('Franzose', 'Pole', 'Israeli')."""
    out: dict[str, str] = {k: v for k, v in lex.irregular_demonyms.items() if registry.get(v)}
    for entry in registry.entries.values():
        if entry.type != "State":
            continue
        for adjective in entry.adjectives:
            base = adjective[:-4] if adjective.endswith("isch") else adjective
            if len(base) < 3 or "-" in base:
                continue
            base = base[0].upper() + base[1:]
            for ending in lex.demonym_endings:
                out.setdefault(base + ending, entry.key)
    return out


@lru_cache(maxsize=1)
def _lexicon_first_names() -> frozenset[str]:
    """First names listed in german-nouns (Wiktionary: pos 'Vorname')."""
    try:
        data = (resources.files("german_nouns") / "nouns.csv").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    # only the lines that mention the word are parsed: reading all 100,000 rows as CSV
    # took a third of a second at every start
    lines, pos = [], data.find(b"\n") + 1  # after the header
    while (hit := data.find(b"Vorname", pos)) != -1:
        start = data.rfind(b"\n", 0, hit) + 1
        end = data.find(b"\n", hit)
        end = len(data) if end == -1 else end
        lines.append(data[start:end].decode("utf-8"))
        pos = end
    return frozenset(row[0] for row in csv.reader(lines) if len(row) > 1 and "Vorname" in row[1])


def first_names(registry: Registry) -> frozenset[str]:
    """First names from the lexicon and from the registry's persons (international names)."""
    from_registry = {e.label.split()[0] for e in registry.entries.values() if e.type == "Person" and len(e.label.split()) >= 2}
    return _lexicon_first_names() | frozenset(n for n in from_registry if n[:1].isupper() and len(n) > 2)
