"""What the command line prints: query results, the saved queries, statistics, actor
profiles and timelines as rich renderables for a terminal of any width.

Ids and dates are never cut: in a table their columns do not wrap, and when the columns
of a result do not fit beside a readable text column, each row becomes a short block
(its short values on one line, the long text wrapped below).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from kg.model import Relation
from kg.network import TimelineEvent
from kg.profile import DEMANDED_BY, ActorProfile, Candidate
from kg.queries import SavedQuery
from kg.results import QueryResult
from kg.stats import GraphStats

#: a console markup tag with the backslashes before it (the pattern rich itself uses)
MARKUP_TAG = re.compile(r"(\\*)\[([a-z#/@][^[]*?)]")


def plain_text(markup: str) -> str:
    """The text of a line of console markup as rich prints it into a file or a pipe (less
    emoji codes), at a tenth of rich's cost: timeline writes 100,000 lines on 10,000
    documents."""
    parts, position = [], 0
    for match in MARKUP_TAG.finditer(markup):
        parts.append(markup[position:match.start()].replace("\\[", "["))
        backslashes, escaped = divmod(len(match.group(1)), 2)
        parts.append("\\" * backslashes + (f"[{match.group(2)}]" if escaped else ""))
        position = match.end()
    parts.append(markup[position:].replace("\\[", "["))
    return "".join(parts)


LONG_COLUMNS = frozenset({"evidence", "content", "participants", "description"})
MIN_TEXT_WIDTH = 30  # narrowest column a sentence of evidence is still readable in


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 document', '2 documents' (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


# ------------------------------------------------------------------ query results

def result_view(result: QueryResult, title: str, width: int) -> RenderableType:
    """A table when it fits ``width`` columns with a readable text column, else blocks."""
    short = [c for c in result.columns if c not in LONG_COLUMNS]
    long = [c for c in result.columns if c in LONG_COLUMNS]
    natural = {c: max([len(c)] + [len(row.get(c, "")) for row in result.rows]) for c in short}
    needed = sum(w + 3 for w in natural.values()) + len(long) * (MIN_TEXT_WIDTH + 3) + 1
    if needed <= width or not result.rows:
        return result_table(result, title)
    return Group(Text(f"{title}  ({' · '.join(short)}{' / ' + ', '.join(long) if long else ''})", style="bold"),
                 *_blocks(result, short, long))


def result_table(result: QueryResult, title: str | None = None) -> Table:
    table = Table(title=title)
    for column in result.columns:
        if column in LONG_COLUMNS:
            table.add_column(column, overflow="fold", ratio=1, min_width=MIN_TEXT_WIDTH)
        else:
            table.add_column(column, no_wrap=True)  # ids, dates and labels stay whole
    for row in result.rows:
        table.add_row(*(row.get(column, "") for column in result.columns))
    return table


def _blocks(result: QueryResult, short: list[str], long: list[str]) -> Iterator[RenderableType]:
    for row in result.rows:
        text = [Padding(Text(row[c], style="italic"), (0, 0, 0, 2)) for c in long if row.get(c)]
        yield Group(Text(" · ".join(row.get(c) or "–" for c in short)), *text)


def queries_table(saved: list[SavedQuery]) -> Table:
    table = Table(title="saved queries")
    table.add_column("name", no_wrap=True)
    table.add_column("summary")
    table.add_column("parameters")
    for item in saved:
        params = "\n".join(
            (p.name if p.required else f"{p.name} (optional)") + (f": {p.description}" if p.description else "")
            for p in item.params
        )
        table.add_row(item.name, item.summary, params)
    return table


def stats_view(stats: GraphStats) -> list[RenderableType]:
    by_class = Table(title="instances by class")
    by_class.add_column("class")
    by_class.add_column("count", justify="right")
    for name, count in stats.by_class.items():
        by_class.add_row(name, str(count))
    keys = list(dict.fromkeys(key for counts in stats.by_document.values() for key in counts))
    by_document = Table(title="by document")
    by_document.add_column("doc", no_wrap=True)
    for key in keys:
        by_document.add_column(key, justify="right")
    for doc, counts in sorted(stats.by_document.items()):
        by_document.add_row(doc, *(str(counts.get(key, 0)) for key in keys))
    return [
        f"quads: {stats.quads:,} in {plural(stats.graphs, 'named graph')} (+ {plural(stats.default_triples, 'triple')} in the default graph)",
        f"triples: {stats.triples:,} distinct in the union of all graphs",
        by_class,
        by_document,
    ]


# ------------------------------------------------------------------ actors

PROFILE_SECTIONS = (
    ("Meetings", Relation.MET_WITH.value, "with"),
    ("Phone calls", Relation.PHONE_CALL.value, "with"),
    ("Agreements", Relation.AGREED_TO.value, "with"),
    ("Demands", Relation.DEMANDED.value, "of"),
    ("Demands on it", DEMANDED_BY, "by"),
)


def candidates_view(name: str, candidates: list[Candidate]) -> Iterator[str]:
    yield f"[bold]{escape(name)}[/] fits {len(candidates)} actors; give one of these names or IRIs:"
    for c in candidates:
        where = f", {c.affiliation}" if c.affiliation else ""
        yield f"  {escape(c.label)} ({c.type or 'actor'}{escape(where)}, {plural(c.documents, 'document')})  {c.iri}"


def profile_view(profile: ActorProfile) -> Iterator[str]:
    """Console markup lines of ``kg show``."""
    who = profile.actor
    facts = [who.type or "actor"] + ([who.affiliation] if who.affiliation else [])
    yield f"[bold]{escape(who.label)}[/] ({escape(', '.join(facts))})  {who.iri}"
    if who.wikidata:
        yield f"Wikidata: {escape(who.wikidata.rsplit('/', 1)[-1])}  {escape(who.wikidata)}"
    if profile.roles:
        yield f"roles: {escape('; '.join(profile.roles))}"
    if profile.members:
        yield f"members: {escape(', '.join(profile.members))}"
    yield f"mentioned in {plural(len(profile.documents), 'document')}: {escape(', '.join(profile.documents))}"
    for title, relation, preposition in PROFILE_SECTIONS:
        events = profile.of(relation)
        if not events:
            continue
        yield f"\n[bold]{title}[/] ({len(events)})"
        for event in events:
            parts = [event.date or "undated"]
            if event.place:
                parts.append(f"in {event.place}")
            if event.others:
                parts.append(f"{preposition} {', '.join(event.others)}")
            if event.content:
                parts.append(f"„{event.content}“")
            yield f"  {escape(' · '.join(parts))}  [dim]\\[{escape(event.doc)}][/]"
            yield f"    [italic]{escape(event.evidence)}[/]"


# ------------------------------------------------------------------ timeline

def timeline_view(events: list[TimelineEvent], markup: bool = True) -> Iterator[str]:
    """Two lines per event, in console markup or (``markup=False``, for a file or a pipe)
    the plain text rich would print of it, written directly: 100,000 lines on 10,000
    documents."""
    esc = escape if markup else str
    bold, dim, italic, end = ("[bold]", "[dim]\\[", "[italic]", "[/]") if markup else ("", "[", "", "")
    for e in events:
        when = (e.date + ("*" if e.reported_only else "")) if e.date else "undated"
        who = ", ".join(e.actors) + (f" → {', '.join(e.addressees)}" if e.addressees else "")
        where = f" in {e.place}" if e.place else ""
        what = f" „{e.content}“" if e.content else ""
        yield f"{esc(when):<12} {bold}{e.relation:<9}{end} {esc(who + where + what)}  {dim}{esc(e.doc)}]{end}"
        yield f"{'':12}   {italic}{esc(e.evidence)}{end}"
    if any(e.reported_only for e in events):
        yield "* the date of the article; the text gives none for the event"


def timeline_rows(events: list[TimelineEvent]) -> list[dict[str, object]]:
    """One record per event for CSV and JSON."""
    return [{"date": e.date, "reported_only": e.reported_only, "relation": e.relation,
             "actors": "; ".join(e.actors), "addressees": "; ".join(e.addressees), "place": e.place,
             "content": e.content, "doc": e.doc, "evidence": e.evidence} for e in events]
