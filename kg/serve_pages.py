"""The explorer pages of ``kg serve``, rendered on the server: the index (a form per saved
query and a SPARQL box), query results as tables, actor pages (the ``kg show`` profile with
links) and the timeline. Plain HTML: every value is escaped, nothing is fetched."""
from __future__ import annotations

import csv
import html
import io
from urllib.parse import urlencode

from kg.model import Relation
from kg.profile import DEMANDED_BY, ActorProfile, Candidate
from kg.queries import SavedQuery

_e = html.escape
_VERB = {Relation.MET_WITH.value: "met", Relation.PHONE_CALL.value: "phoned", Relation.AGREED_TO.value: "agreed with",
         Relation.DEMANDED.value: "demanded of", DEMANDED_BY: "was asked by"}
_NAV = ('<nav><a href="/">queries</a> · <a href="/editor">SPARQL editor</a> · <a href="/network">network</a> · '
        '<a href="/timeline">timeline</a> · <a href="/api/openapi.json">OpenAPI</a></nav>')


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            '<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}'
            'td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}'
            'li{margin:.3em 0}.evidence{color:#555}form{margin:1em 0}</style></head>'
            f'<body>{_NAV}<h1>{_e(title)}</h1>{body}</body></html>')


def actor_link(label: str) -> str:
    return f'<a href="/actor?{urlencode({"name": label})}">{_e(label)}</a>' if label else ""


def table(csv_text: str, actor_columns: tuple[str, ...] = ()) -> str:
    """A CSV result as a table; values of ``actor_columns`` link to their actor pages."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return "<p>no rows</p>"
    linked = {i for i, c in enumerate(rows[0]) if c in actor_columns}
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{actor_link(v) if i in linked else _e(v)}</td>" for i, v in enumerate(row))
                   + "</tr>" for row in rows[1:])
    return f"<p>{len(rows) - 1} rows</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def index(queries: list[SavedQuery]) -> str:
    forms = []
    for q in queries:
        fields = "".join(f'<label>{_e(p.name)} <input name="{_e(p.name)}"{" required" if p.required else ""}'
                         f' placeholder="{_e(p.description)}"></label> ' for p in q.params)
        forms.append(f'<form action="/api/{_e(q.name)}" method="get" id="query-{_e(q.name)}"><h3>{_e(q.name)}</h3>'
                     f'<p>{_e(q.summary)}</p>{fields}<input type="hidden" name="format" value="html">'
                     f'<button type="submit">run</button></form>')
    actor = ('<form action="/actor" method="get" id="actor-form"><h2>Actor</h2><label>name, alias or Wikidata QID '
             '<input name="name" required></label> <button type="submit">show</button></form>')
    sparql = ('<form action="/sparql" method="post" id="sparql-form"><h2>SPARQL</h2>'
              '<textarea name="query" rows="8" cols="90">SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10</textarea><br>'
              '<select name="format"><option>csv</option><option>json</option><option>xml</option>'
              '<option>tsv</option></select> <button type="submit">run</button></form>')
    return (f'<p>Read-only. <a href="/api/openapi.json">OpenAPI description</a> of the saved queries.</p>'
            f'{actor}{sparql}<h2>Saved queries</h2>{"".join(forms)}')


def profile_page(profile: ActorProfile) -> str:
    a = profile.actor
    facts = [f"<li>type: {_e(a.type)}</li>"]
    if a.wikidata:
        qid = a.wikidata.rsplit("/", 1)[-1]
        facts.append(f'<li>Wikidata: <a href="{_e(a.wikidata)}" rel="external">{_e(qid)}</a></li>')
    if profile.roles:
        facts.append(f"<li>role: {_e(', '.join(profile.roles))}</li>")
    for label, values in (("belongs to", profile.affiliations), ("members", profile.members)):
        if values:
            facts.append(f"<li>{label}: {', '.join(actor_link(v) for v in values)}</li>")
    facts.append(f"<li>mentioned in {len(profile.documents)} documents</li>")
    events = []
    for e in profile.events:
        others = ", ".join(actor_link(o) for o in e.others)
        what = f" — {_e(e.content)}" if e.content else ""
        where = f" in {_e(e.place)}" if e.place else ""
        events.append(f'<li data-relation="{_e(e.relation)}"><b>{_e(e.date or "undated")}</b> '
                      f'{_e(_VERB.get(e.relation, e.relation))} {others}{where}{what} '
                      f'<span class="evidence">({_e(e.doc)}: „{_e(e.evidence)}“)</span></li>')
    return (f'<ul>{"".join(facts)}</ul><h2>{len(profile.events)} events</h2>'
            f'<ol id="events">{"".join(events)}</ol>')


def candidates_page(name: str, candidates: list[Candidate]) -> str:
    items = "".join(f'<li><a href="/actor?{urlencode({"name": c.iri})}">{_e(c.label)}</a> '
                    f'({_e(c.type)}{", " + _e(c.affiliation) if c.affiliation else ""}; {c.documents} documents)</li>'
                    for c in candidates)
    return f"<p>'{_e(name)}' fits {len(candidates)} actors:</p><ul id='candidates'>{items}</ul>"


def timeline_page(rows: list[dict[str, object]]) -> str:
    items = []
    for r in rows:
        actors = ", ".join(actor_link(a) for a in str(r["actors"]).split("; ") if a)
        addressees = ", ".join(actor_link(a) for a in str(r["addressees"]).split("; ") if a)
        marker = "*" if r["reported_only"] else ""
        items.append(f'<li data-relation="{_e(str(r["relation"]))}"><b>{_e(str(r["date"]) or "undated")}{marker}</b> '
                     f'{_e(str(r["relation"]))}: {actors}{" → " + addressees if addressees else ""}'
                     f'{" in " + _e(str(r["place"])) if r["place"] else ""}'
                     f'{" — " + _e(str(r["content"])) if r["content"] else ""} '
                     f'<span class="evidence">({_e(str(r["doc"]))}: „{_e(str(r["evidence"]))}“)</span></li>')
    return (f'<form method="get"><label>from <input name="from" placeholder="YYYY-MM-DD"></label> '
            f'<label>to <input name="to" placeholder="YYYY-MM-DD"></label> <button>filter</button></form>'
            f'<p>{len(rows)} events (* dated by the article that reports them)</p><ol id="timeline">{"".join(items)}</ol>')


def editor_page() -> str:
    """YASGUI (bundled, kg/assets/vendor) on this server's /sparql; no request leaves it."""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kg: SPARQL editor</title>'
            '<link rel="stylesheet" href="/assets/vendor/yasgui/yasgui.min.css">'
            '<style>body{font-family:sans-serif;margin:1em 2em}</style></head>'
            f'<body>{_NAV}<div id="yasgui"></div>'
            '<script src="/assets/vendor/yasgui/yasgui.min.js"></script><script>'
            'const endpoint = new URL("/sparql", window.location.href).href;'
            'window.kgYasgui = new Yasgui(document.getElementById("yasgui"), {'
            ' requestConfig: {endpoint: endpoint, method: "POST"}, copyEndpointOnNewTab: true,'
            ' endpointCatalogueOptions: {getData: () => [{endpoint: endpoint}]},'
            ' persistenceId: null, yasqe: {value: "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"}});'
            'document.body.dataset.ready = "true";</script></body></html>')
