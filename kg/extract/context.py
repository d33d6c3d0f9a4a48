"""What every rule looks things up in: read-only indexes over one annotated document.

Built once per document from the Doc that kg.nlp annotated: actor mentions, places and
dates by token, sentences by token, the background boxes and the publication date. Nothing
here changes while the rules run; what the text has said so far lives in
``kg.extract.discourse``.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.clauses import Clause, split_clauses
from kg.extract.rules import RuleBook
from kg.lexicon import Lexicon
from kg.model import NewActor
from kg.registry import Registry


@dataclass
class DocContext:
    doc: Doc
    registry: Registry
    lex: Lexicon
    rules: RuleBook
    published: dt.date | None = None
    boxes: tuple[tuple[int, int], ...] = ()
    new_actors: dict[str, NewActor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        doc = self.doc
        self.limits = self.rules.limits
        # the tokens and their lower-cased words by index, built once: doc[i] builds a new
        # Token object on each call, and the rules look at every token many times
        self.tokens: list[Token] = list(doc)
        self.text = "".join([t.text_with_ws for t in self.tokens])  # Doc.text is rebuilt on every access
        self.lower: list[str] = [t.lower_ for t in self.tokens]
        self.mentions: list[Span] = list(doc.spans["kg_actors"])
        self.mention_at: dict[int, Span] = {i: m for m in self.mentions for i in range(m.start, m.end)}
        # (start, index) sorted: the mentions of a token range by bisection, not by a scan of
        # all mentions (which made long documents quadratic)
        self._mention_starts: list[tuple[int, int]] = sorted((m.start, k) for k, m in enumerate(self.mentions))
        self.places: list[Span] = list(doc.spans["kg_places"])
        self.place_at: dict[int, Span] = {i: p for p in self.places for i in range(p.start, p.end)}
        self.dates: list[Span] = list(doc.spans["kg_dates"])
        self.sentences: list[Span] = list(doc.sents)
        # sentence start token -> its text (Span.text joins the tokens again on each access)
        self._sentence_texts: dict[int, str] = {s.start: self.text[s.start_char:s.end_char] for s in self.sentences}
        self.sentence_starts: list[int] = [s.start_char for s in self.sentences if self.sent_text(s).strip()]
        # token index -> its sentence; computing Token.sent each time is slow in spaCy
        self.sent_at: list[Span] = [sent for sent in self.sentences for _ in range(len(sent))]
        self.sent_start_tokens: set[int] = {sent.start for sent in self.sentences}
        self.memo: dict[str, object] = {}  # values computed once per document (kg.extract.setting)
        self._clauses: dict[int, list[Clause]] = {}  # a memo: clauses are a function of the sentence

    # ------------------------------------------------------------------ sentences, clauses
    def clauses(self, sent: Span) -> list[Clause]:
        found = self._clauses.get(sent.start)
        if found is None:
            found = self._clauses[sent.start] = split_clauses(self, sent)
        return found

    def sent_text(self, sent: Span) -> str:
        """``sent.text`` of one of the document's sentences, without rebuilding it."""
        found = self._sentence_texts.get(sent.start)
        return found if found is not None and sent.end_char - sent.start_char == len(found) else sent.text

    def clauses_at(self, tok: Token) -> list[Clause]:
        return self.clauses(self.sent_at[tok.i])

    def sentences_between(self, start: int, end: int) -> int:
        """How many sentences start after character ``start`` up to ``end``."""
        return max(0, bisect.bisect_right(self.sentence_starts, end) - bisect.bisect_right(self.sentence_starts, start))

    def in_box(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.boxes)

    # ------------------------------------------------------------------ mentions
    def sent_mentions(self, sent: Span) -> list[Span]:
        return self.mentions_in([(sent.start, sent.end)])

    def mentions_in(self, ranges: list[tuple[int, int]]) -> list[Span]:
        """The mentions starting in any of ``ranges``, in the order of ``self.mentions``."""
        found: set[int] = set()
        for a, b in ranges:
            lo = bisect.bisect_left(self._mention_starts, (a, -1))
            hi = bisect.bisect_left(self._mention_starts, (b, -1))
            found.update(k for _, k in self._mention_starts[lo:hi])
        return [self.mentions[k] for k in sorted(found)]

    def words_in(self, ranges: list[tuple[int, int]]) -> list[Token]:
        return [t for a, b in ranges for t in self.tokens[a:b]]

    # ------------------------------------------------------------------ actors
    def type_of(self, key: str) -> str:
        entry = self.registry.get(key)
        if entry is not None:
            return entry.type
        new = self.new_actors.get(key)
        return new.type if new else "Organization"

    def roles_of(self, key: str) -> tuple[str, ...]:
        """The roles the registry (or the article, for a new person) gives an actor."""
        entry = self.registry.get(key)
        if entry is not None:
            return entry.roles_on(self.published.isoformat()) if self.published else entry.all_roles
        new = self.new_actors.get(key)
        return (new.role,) if new is not None and new.role else ()

    def party(self, key: str) -> str:
        """The side an actor belongs to: its state or organisation, or itself."""
        return self.registry.party_of(key, self.new_actors)
