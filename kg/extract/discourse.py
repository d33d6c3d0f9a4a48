"""What the article has said so far: the only state that changes while the rules run.

Pronouns ("er", "sie", "die beiden", "beide Seiten") and indirect speech that runs over
several sentences are read against it. Rules never change it themselves: they return the
actors a pronoun or a group word stands for, and the sentence loop records them here with
``refer``; after each sentence ``close_sentence`` moves what the sentence was about into
the recent actors.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Discourse:
    last_sentence_persons: list[str] = field(default_factory=list)  # of the last sentence that named persons
    last_sentence_actors: list[str] = field(default_factory=list)
    last_named_person: str | None = None  # the person named last, attributes included ("Dieser")
    recent_persons: list[str] = field(default_factory=list)  # distinct, most recent last
    recent_actors: list[str] = field(default_factory=list)
    speaker: str | None = None  # who spoke last, for indirect speech in the next sentences
    sentence_refs: list[str] = field(default_factory=list)  # actors this sentence names by pronoun or group word

    def open_sentence(self, new_paragraph: bool) -> None:
        self.sentence_refs = []
        if new_paragraph:
            self.speaker = None  # indirect speech does not cross paragraphs

    def refer(self, keys: list[str]) -> list[str]:
        """Record that this sentence names ``keys`` through a pronoun or group word."""
        self.sentence_refs.extend(keys)
        return keys

    def close_sentence(self, persons: list[str], actors: list[str], last_named: str | None = None) -> None:
        """``persons``/``actors``: what the sentence was about, in order of mention;
        ``last_named``: the last person the sentence names at all."""
        if last_named:
            self.last_named_person = last_named
        for key in persons:
            if key in self.recent_persons:
                self.recent_persons.remove(key)
            self.recent_persons.append(key)
        for key in actors:
            if key in self.recent_actors:
                self.recent_actors.remove(key)
            self.recent_actors.append(key)
        if persons:
            self.last_sentence_persons = persons
        if actors:
            self.last_sentence_actors = actors

    def most_recent(self, n: int) -> list[str]:
        """The last ``n`` persons mentioned (else actors), most recent last."""
        recent = [k for k in reversed(self.recent_persons) if k][:n] or [k for k in reversed(self.recent_actors)][:n]
        return list(reversed(recent))
