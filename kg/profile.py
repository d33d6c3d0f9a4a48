"""One actor's profile: who it is, whom it met, what it agreed to and demanded.

``actor_profile`` finds the actor with the saved query ``actor-lookup`` (IRI, label or
alias; a part of a label when nothing matches exactly) and reads its relations with the
saved query ``actor``. A name that fits several actors raises ``AmbiguousActor`` with the
candidates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import ActorNotFound, InputError, KgError
from kg.network import QueryRunner
from kg.queries import load_query, text_problem

# the actor query's name for a demand seen from its addressee
DEMANDED_BY = "demanded-by"


@dataclass(frozen=True)
class Candidate:
    iri: str
    label: str
    type: str
    affiliation: str  # label of its state or organisation
    exact: bool
    documents: int
    wikidata: str = ""  # the Wikidata item's IRI, if the registry knows it


@dataclass(frozen=True)
class ProfileEvent:
    relation: str  # a kg.model.Relation value, or DEMANDED_BY
    others: tuple[str, ...]  # the other side's actors, the other parties, the addressees or the demander
    content: str
    date: str
    place: str
    doc: str
    evidence: str


@dataclass
class ActorProfile:
    actor: Candidate
    roles: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    events: list[ProfileEvent] = field(default_factory=list)

    def of(self, *relations: str) -> list[ProfileEvent]:
        return [e for e in self.events if e.relation in relations]


class UnknownActor(ActorNotFound):
    """No actor of the graph fits the name."""


class AmbiguousActor(KgError, LookupError):
    """The name fits several actors; ``candidates`` lists them."""

    exit_code = 1

    def __init__(self, name: str, candidates: list[Candidate]):
        super().__init__(f"'{name}' fits {len(candidates)} actors")
        self.name = name
        self.candidates = candidates


def find_actor(run: QueryRunner, name: str) -> Candidate:
    """The one actor ``name`` denotes: exact matches win over partial ones."""
    if not name.strip():
        raise UnknownActor("the actor name is empty")
    problem = text_problem(name)
    if problem:
        raise InputError(f"the actor name {name!r} {problem}")
    rows = run(load_query("actor-lookup"), {"name": name}).rows
    candidates = [Candidate(r["actor"], r["label"], r["type"], r["affiliation"], r["exact"] == "1",
                            int(r["documents"] or 0), r.get("wikidata", "")) for r in rows]
    exact = [c for c in candidates if c.exact]
    chosen = exact or candidates
    if not chosen:
        raise UnknownActor(f"no actor is called '{name}'")
    if len(chosen) > 1:
        raise AmbiguousActor(name, chosen)
    return chosen[0]


def actor_profile(run: QueryRunner, name: str) -> ActorProfile:
    actor = find_actor(run, name)
    profile = ActorProfile(actor)
    grouped: dict[tuple[str, str, str, str, str, str], list[str]] = {}
    for row in run(load_query("actor"), {"actor": f"<{actor.iri}>"}).rows:
        relation = row["relation"]
        if relation == "role":
            profile.roles.append(row["content"])
        elif relation == "affiliated-with":
            profile.affiliations.append(row["other_label"])
        elif relation == "has-member":
            profile.members.append(row["other_label"])
        elif relation == "mentioned-in":
            profile.documents.append(row["doc"])
        else:
            key = (relation, row["content"], row["date"], row["place_label"], row["doc"], row["evidence"])
            others = grouped.setdefault(key, [])
            if row["other_label"] and row["other_label"] not in others:
                others.append(row["other_label"])
    for (relation, content, date, place, doc, evidence), others in grouped.items():
        profile.events.append(ProfileEvent(relation, tuple(sorted(others, key=str.casefold)), content, date, place, doc, evidence))
    profile.events.sort(key=lambda e: (e.date == "", e.date, e.doc, e.relation, e.evidence))
    for values in (profile.roles, profile.affiliations, profile.members, profile.documents):
        values[:] = sorted(set(values), key=str.casefold)
    return profile
