"""Saved queries on a hand-written dataset, parameter binding and result formatting."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql import prepareQuery

from kg.queries import (
    QueryError,
    bind_parameters,
    list_queries,
    load_query,
    values_clause,
)
from kg.results import QueryResult, run_query, to_csv, to_json
from kg.store import load_store
from kg.vocab import DEFAULT_BASE_IRI

FIXTURE = Path(__file__).parent / "fixtures" / "query_sample.trig"

RIAD = "In Saudi-Arabien trifft US-Außenminister Rubio erstmals auf seinen russischen Kollegen Lawrow."
ANKARA = "In Ankara traf Selenskyj den türkischen Präsidenten Recep Tayyip Erdogan."
CALL = "Im Telefonat zwischen Rubio und Lawrow war das Treffen vorbereitet worden."
AGREE_1 = "Washington und Moskau vereinbarten Gespräche über ein Ende des Ukraine-Kriegs."
AGREE_2 = "Kiew und Ankara einigten sich auf einen Gefangenenaustausch unter türkischer Vermittlung."
DEMAND_1 = 'Moskau fordert "Wahlen im Nachbarland", heißt es im Kreml.'
DEMAND_2 = "Selenskyj sagte, die Ukraine und Europa müssten mit am Verhandlungstisch sitzen."
DEMAND_3 = "Kiew verlangt den Abzug aller Truppen."

MEETINGS = [
    ("Marco Rubio", "Sergej Lawrow", "2025-02-18", "Riad", "001_riad", RIAD),
    ("Mike Waltz", "Sergej Lawrow", "2025-02-18", "Riad", "001_riad", RIAD),
    ("Russland", "USA", "2025-02-18", "Riad", "001_riad", RIAD),
    ("Recep Tayyip Erdogan", "Wolodymyr Selenskyj", "", "Ankara", "002_ankara", ANKARA),
    ("Türkei", "Ukraine", "", "Ankara", "002_ankara", ANKARA),
]

# column names fixed by the specification (the evaluation reads them)
SPEC_COLUMNS = {
    "meetings": ["actor1_label", "actor2_label", "date", "place_label", "doc", "evidence"],
    "agreements": ["party_label", "content", "date", "doc", "evidence"],
    "demands": ["actor_label", "content", "addressee_label", "doc", "evidence"],
    "actors": ["actor", "label", "type", "doc"],
}

HOSTILE = [
    '"',
    "'",
    ">",
    "}",
    "\n",
    '"} ; DROP ALL #',
    "<x> } UNION { ?s ?p ?o",
    "\\",
    '\\u0022',
    "') } UNION { ?s ?p ?o . FILTER('",
    '""" } ',
    "# comment\n} SELECT * WHERE { ?s ?p ?o }",
]
hostile_values = st.builds(
    lambda prefix, attack, suffix: prefix + attack + suffix,
    st.sampled_from(["", "Lawrow", "Riad", "https://", "<", "urn:"]),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store([FIXTURE])


def rows(store: ox.Store, name: str, **params: str) -> list[tuple[str, ...]]:
    result = run_query(store, load_query(name), params)
    return [tuple(row[c] for c in result.columns) for row in result.rows]


def actor_iri(key: str) -> str:
    return f"<{DEFAULT_BASE_IRI}actor/{key}>"


# --------------------------------------------------------------------------- loading


def test_saved_queries_are_listed_with_headers() -> None:
    saved = {q.name: q for q in list_queries()}
    required = {
        "meetings", "agreements", "demands", "actors", "actor", "agreements-between",
        "meetings-without", "demands-on", "meetings-by-place",
    }
    assert required <= set(saved)
    for query in saved.values():
        assert query.summary, query.name
        assert "\n" not in query.summary
        assert query.path.suffix == ".rq"
    assert [p.name for p in saved["actor"].params] == ["actor"]
    assert saved["actor"].params[0].description == "label, alias, IRI or Wikidata QID (Q159) of the actor"
    assert [p.name for p in saved["agreements-between"].params] == ["actor1", "actor2"]
    assert [p.name for p in saved["meetings-by-place"].params] == ["place"]
    assert saved["meetings"].params == []


def _queries_and_tables() -> list[Path]:
    from kg.resources import network_query_dir

    return [q.path for q in list_queries()] + sorted(network_query_dir().glob("*.rq"))


@pytest.mark.parametrize("path", _queries_and_tables(), ids=lambda p: p.name)
def test_no_subquery_is_distinct_or_grouped(path) -> None:
    """Virtuoso 7 drops rows of a DISTINCT or grouped subquery joined to other patterns once
    the store is big (10,000 documents: 191 of 1,071 rows of demands-on; the seed graph
    shows nothing), so only the outermost query may be DISTINCT or grouped."""
    import re

    text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))  # no comments
    outermost = re.search(r"^SELECT\b", text, re.MULTILINE)
    assert outermost, path
    inner = text[:outermost.start()] + text[outermost.end():]
    assert not re.search(r"\bSELECT\s+(DISTINCT|REDUCED)\b", inner), path
    depth, grouped_inside = 0, False
    for token in re.finditer(r"[{}]|\bGROUP\s+BY\b", text):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
        elif depth > 0:
            grouped_inside = True
    assert not grouped_inside, path


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_saved_query_parses_with_rdflib_too(query) -> None:
    # pyoxigraph already parsed it on load; a second parser guards portability to endpoints
    prepareQuery(query.text)


def test_load_query_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("#+ summary: all graphs\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    query = load_query(str(path))
    assert query.name == "mine"
    assert query.summary == "all graphs"
    assert query.params == []


def test_unknown_query_name() -> None:
    with pytest.raises(QueryError, match="unknown query 'no-such-query'.*meetings"):
        load_query("no-such-query")


def test_missing_query_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.rq"
    with pytest.raises(QueryError, match="absent.rq"):
        load_query(str(path))


def test_malformed_query_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: broken\nSELECT ?s WHERE { ?s ?p \n")
    with pytest.raises(QueryError, match=r"broken\.rq"):
        load_query(str(path))


def test_unreadable_query_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes(b"SELECT * WHERE { ?s ?p \"\xe4\" }")
    with pytest.raises(QueryError, match=r"latin1\.rq"):
        load_query(str(path))


def test_documented_parameter_must_be_used(tmp_path: Path) -> None:
    path = tmp_path / "undeclared.rq"
    path.write_text("#+ params:\n#+   - who: somebody\nSELECT ?s WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"undeclared\.rq.*who"):
        load_query(str(path))


def test_parameter_must_be_projected(tmp_path: Path) -> None:
    path = tmp_path / "hidden.rq"
    path.write_text("SELECT ?s WHERE { ?s ?p ?o FILTER(?o = ?_value) }\n")
    with pytest.raises(QueryError, match=r"hidden\.rq.*SELECT"):
        load_query(str(path))


def test_variables_in_strings_iris_and_comments_are_not_parameters(tmp_path: Path) -> None:
    path = tmp_path / "quoted.rq"
    path.write_text(
        "# ?_notaparam in a comment\n"
        'SELECT ?_real ?s WHERE { ?s <http://example.org/?_x> "?_y" . FILTER(?s != ?_real) }\n'
    )
    assert [p.name for p in load_query(str(path)).params] == ["real"]


# --------------------------------------------------------------------------- results


def test_meetings_rows(store: ox.Store) -> None:
    assert rows(store, "meetings") == MEETINGS


def test_meetings_pair_sides_and_parties_but_never_one_side(store: ox.Store) -> None:
    pairs = {frozenset(r[:2]) for r in rows(store, "meetings")}
    assert frozenset({"Marco Rubio", "Sergej Lawrow"}) in pairs
    assert frozenset({"USA", "Russland"}) in pairs
    assert frozenset({"Marco Rubio", "Mike Waltz"}) not in pairs
    assert frozenset({"Marco Rubio", "USA"}) not in pairs
    # each unordered pair once per meeting
    assert len(pairs) == len(rows(store, "meetings"))


def test_phone_calls_are_not_meetings(store: ox.Store) -> None:
    assert all(r[5] != CALL for r in rows(store, "meetings"))


def test_agreements_rows(store: ox.Store) -> None:
    content_1 = "Gespräche über ein Ende des Ukraine-Kriegs"
    content_2 = "einen Gefangenenaustausch unter türkischer Vermittlung"
    assert rows(store, "agreements") == [
        ("Russland", content_1, "2025-02-18", "001_riad", AGREE_1),
        ("USA", content_1, "2025-02-18", "001_riad", AGREE_1),
        ("Türkei", content_2, "", "002_ankara", AGREE_2),
        ("Ukraine", content_2, "", "002_ankara", AGREE_2),
    ]


def test_demands_rows(store: ox.Store) -> None:
    assert rows(store, "demands") == [
        ("Russland", "Wahlen im Nachbarland", "Ukraine", "001_riad", DEMAND_1),
        ("Ukraine", "den Abzug aller Truppen", "Russland", "002_ankara", DEMAND_3),
        (
            "Wolodymyr Selenskyj",
            "einen Platz am Verhandlungstisch für die Ukraine und Europa",
            "",
            "002_ankara",
            DEMAND_2,
        ),
    ]


def test_actors_rows(store: ox.Store) -> None:
    found = rows(store, "actors")
    assert len(found) == 11  # one row per actor and document that mentions it
    assert (f"{DEFAULT_BASE_IRI}actor/sergej-lawrow", "Sergej Lawrow", "Person", "001_riad") in found
    assert (f"{DEFAULT_BASE_IRI}actor/russland", "Russland", "State", "002_ankara") in found
    assert {r[2] for r in found} == {"Person", "State"}
    assert found == sorted(found, key=lambda r: (r[3], r[1], r[0]))


def test_actor_by_alias_label_or_iri(store: ox.Store) -> None:
    expected = [
        ("affiliated-with", "USA", "", "", "", "", ""),
        ("role", "", "Außenminister", "", "", "", ""),
        ("mentioned-in", "", "", "", "", "001_riad", ""),
        ("met-with", "Sergej Lawrow", "", "2025-02-18", "Riad", "001_riad", RIAD),
        ("phone-call", "Sergej Lawrow", "", "", "", "001_riad", CALL),
    ]
    assert rows(store, "actor", actor="rubio") == expected
    assert rows(store, "actor", actor="Marco Rubio") == expected
    assert rows(store, "actor", actor=actor_iri("marco-rubio")) == expected
    assert rows(store, "actor", actor=actor_iri("marco-rubio")[1:-1]) == expected
    assert rows(store, "actor", actor="Nobody") == []


def test_actor_relations_of_a_state(store: ox.Store) -> None:
    relations = {(r[0], r[1], r[5]) for r in rows(store, "actor", actor="Moskau")}
    assert relations == {
        ("has-member", "Sergej Lawrow", ""),
        ("agreed-to", "USA", "001_riad"),
        ("demanded", "Ukraine", "001_riad"),
        ("met-with", "USA", "001_riad"),
        ("phone-call", "USA", "001_riad"),
        ("mentioned-in", "", "001_riad"),
        ("demanded-by", "Ukraine", "002_ankara"),
        ("mentioned-in", "", "002_ankara"),
    }


def test_parameter_columns_are_hidden(store: ox.Store) -> None:
    result = run_query(store, load_query("actor"), {"actor": "Lawrow"})
    assert result.columns == [
        "relation", "other_label", "content", "date", "place_label", "doc", "evidence",
    ]


def test_agreements_between(store: ox.Store) -> None:
    content = "Gespräche über ein Ende des Ukraine-Kriegs"
    assert rows(store, "agreements-between", actor1="Washington", actor2="russland") == [
        ("USA", "Russland", content, "2025-02-18", "001_riad", AGREE_1)
    ]
    assert rows(store, "agreements-between", actor1="kiew", actor2=actor_iri("tuerkei")) == [
        ("Ukraine", "Türkei", "einen Gefangenenaustausch unter türkischer Vermittlung",
         "", "002_ankara", AGREE_2)
    ]
    assert rows(store, "agreements-between", actor1="USA", actor2="Ukraine") == []
    assert rows(store, "agreements-between", actor1="USA", actor2="USA") == []


def test_meetings_without(store: ox.Store) -> None:
    ankara = ("Recep Tayyip Erdogan; Wolodymyr Selenskyj", "", "Ankara", "002_ankara", ANKARA)
    riad = ("Marco Rubio; Mike Waltz; Sergej Lawrow", "2025-02-18", "Riad", "001_riad", RIAD)
    assert rows(store, "meetings-without", actor="Lawrow") == [ankara]
    assert rows(store, "meetings-without", actor="waltz") == [ankara]  # a member of a side
    assert rows(store, "meetings-without", actor="Russland") == [ankara]  # a side party
    assert rows(store, "meetings-without", actor="Türkei") == [riad]
    assert rows(store, "meetings-without", actor=actor_iri("wolodymyr-selenskyj")) == [riad]
    assert rows(store, "meetings-without", actor="Nobody") == [riad, ankara]
    result = run_query(store, load_query("meetings-without"), {"actor": "x"})
    assert result.columns == ["participants", "date", "place_label", "doc", "evidence"]


def test_demands_on(store: ox.Store) -> None:
    assert rows(store, "demands-on", actor="Kiew") == [
        ("Russland", "Wahlen im Nachbarland", "Ukraine", "001_riad", DEMAND_1)
    ]
    assert rows(store, "demands-on", actor=actor_iri("russland")) == [
        ("Ukraine", "den Abzug aller Truppen", "Russland", "002_ankara", DEMAND_3)
    ]
    assert rows(store, "demands-on", actor="Rubio") == []


def test_meetings_by_place(store: ox.Store) -> None:
    assert rows(store, "meetings-by-place", place="RIAD") == MEETINGS[:3]
    assert rows(store, "meetings-by-place", place="ankara") == MEETINGS[3:]
    assert rows(store, "meetings-by-place", place=f"<{DEFAULT_BASE_IRI}place/riad>") == MEETINGS[:3]
    assert rows(store, "meetings-by-place", place="Berlin") == []
    assert run_query(store, load_query("meetings-by-place"), {"place": "Riad"}).columns == (
        SPEC_COLUMNS["meetings"]
    )


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize("name", sorted(SPEC_COLUMNS))
def test_csv_header_is_exact(store: ox.Store, name: str) -> None:
    text = to_csv(run_query(store, load_query(name)))
    assert text.split("\n", 1)[0] == ",".join(SPEC_COLUMNS[name])
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed and all(list(row) == SPEC_COLUMNS[name] for row in parsed)


def test_csv_quoting_and_plain_terms(store: ox.Store) -> None:
    text = to_csv(run_query(store, load_query("demands")))
    assert "\r" not in text
    first = next(csv.DictReader(io.StringIO(text)))
    assert first["evidence"] == DEMAND_1  # the embedded quotes survive the round trip
    # no IRI brackets, no literal quotes, no language tags or datatypes
    assert "@de" not in text and "^^" not in text and "<http" not in text


def test_json_output(store: ox.Store) -> None:
    result = run_query(store, load_query("meetings"))
    data = json.loads(to_json(result))
    assert [tuple(item.values()) for item in data] == MEETINGS
    assert list(data[0]) == SPEC_COLUMNS["meetings"]


def test_table_output(store: ox.Store) -> None:
    from kg.render import result_table

    table = result_table(run_query(store, load_query("meetings")))
    assert [c.header for c in table.columns] == SPEC_COLUMNS["meetings"]
    assert table.row_count == len(MEETINGS)


def test_unbound_values_are_empty_strings(tmp_path: Path) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("1")))
    path = tmp_path / "inline.rq"
    path.write_text("SELECT ?s ?missing WHERE { ?s ?p ?o }")
    assert run_query(store, load_query(str(path)), {}) == QueryResult(
        ["s", "missing"], [{"s": "http://example.org/s", "missing": ""}]
    )


# --------------------------------------------------------------------------- parameters


def test_values_become_iris_or_literals() -> None:
    query = load_query("actor")
    [(variable, term)] = bind_parameters(query, {"actor": "Lawrow"}).items()
    assert variable == ox.Variable("_actor")
    assert term == ox.Literal("Lawrow")
    for value, iri in [
        ("<https://example.org/a>", "https://example.org/a"),
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org/a", "http://example.org/a"),
        ("urn:kg:a", "urn:kg:a"),
        ("<tag:example.org,2025:a>", "tag:example.org,2025:a"),
    ]:
        assert bind_parameters(query, {"actor": value})[ox.Variable("_actor")] == ox.NamedNode(iri)


@pytest.mark.parametrize(
    "value",
    ["<https://example.org/a b>", "https://example.org/<a>", 'https://e.org/"x', "https://e.org/{x}",
     "https://e.org/a|b", "https://e.org/^", "https://e.org/`", "https://e.org/\n", "<no-scheme>",
     "urn:x\x00"],
)
def test_invalid_iris_are_rejected(value: str) -> None:
    with pytest.raises(QueryError, match="parameter 'actor': invalid IRI"):
        bind_parameters(load_query("actor"), {"actor": value})


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(QueryError, match="no parameter.*bogus"):
        bind_parameters(load_query("actor"), {"actor": "x", "bogus": "y"})
    with pytest.raises(QueryError, match="no parameter.*actor"):
        bind_parameters(load_query("meetings"), {"actor": "x"})


def test_missing_parameter_is_named() -> None:
    with pytest.raises(QueryError, match="needs parameter.*actor2"):
        bind_parameters(load_query("agreements-between"), {"actor1": "USA"})
    with pytest.raises(QueryError, match="needs parameter.*actor"):
        run_query(ox.Store(), load_query("actor"), {})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile_values, name=st.sampled_from(["actor", "demands-on", "meetings-without",
                                                     "meetings-by-place", "agreements-between"]))
def test_hostile_values_are_data_not_query_text(store: ox.Store, value: str, name: str) -> None:
    query = load_query(name)
    before = len(store)
    params = {p.name: value for p in query.params}
    try:
        result = run_query(store, query, params)
    except QueryError as exc:
        assert "invalid IRI" in str(exc)  # the only acceptable refusal
    else:
        if name == "meetings-without":
            # nobody has that name, so every meeting is one without that actor
            assert len(result.rows) == 2
        else:
            assert result.rows == []
    assert len(store) == before


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(hostile_values, st.text()))
def test_values_clause_round_trips(value: str) -> None:
    bindings = {ox.Variable("_v"): ox.Literal(value)}
    text = "SELECT ?_v WHERE { } " + values_clause(bindings)
    assert [s["_v"] for s in ox.Store().query(text)] == [ox.Literal(value)]


@pytest.mark.parametrize("value", HOSTILE + ["\\U0001F600", "\\\\u0041", "a\x00b\x7f"])
def test_values_clause_round_trips_in_rdflib(value: str) -> None:
    from rdflib import Graph

    bindings = {ox.Variable("_v"): ox.Literal(value)}
    text = "SELECT ?_v WHERE { } " + values_clause(bindings)
    assert [str(row[0]) for row in Graph().query(text)] == [value]


def test_values_clause_terms() -> None:
    from rdflib.namespace import XSD  # imported here: pytest's collector trips over it

    bindings = bind_parameters(load_query("agreements-between"),
                               {"actor1": "<https://example.org/a>", "actor2": 'Kiew "x"'})
    assert values_clause(bindings) == (
        'VALUES (?_actor1 ?_actor2) { (<https://example.org/a> "Kiew \\"x\\"") }\n'
    )
    typed = {
        ox.Variable("a"): ox.Literal("Riad", language="de"),
        ox.Variable("b"): ox.Literal("3", datatype=ox.NamedNode(str(XSD.integer))),
    }
    assert values_clause(typed) == f'VALUES (?a ?b) {{ ("Riad"@de "3"^^<{XSD.integer}>) }}\n'

    assert values_clause({}) == ""
