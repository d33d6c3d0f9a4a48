"""Push speed: `kg push` against raw curl Graph Store requests of the same triples
(printed, not asserted).

usage: python bench/push_speed.py [--graphs 1000] [--triples N] [--no-actors] [--on-disk]
                                  [--via gsp|update] [--cli] [--repeat 3]

The data is deterministic and shaped like kg output. By default it is what a real push
sends: --graphs document graphs of about 350 triples each (a document, its actors'
mentions, meetings with sides, places, evidence spans and provenance) plus the merged
actors graph (<base>graph/shared/actors: labels and types of the actors the documents share).
--graphs 1 is one big graph of --triples triples (default 100,000) and no actors graph.

An Oxigraph server is started on a free 127.0.0.1 port (in memory unless --on-disk; needs
`pip install oxigraph`, and the test extras since the server handling is shared with
tests/store_servers.py). Each run starts from an emptied store and times:

  curl     ONE curl process driven by a config file: per document graph a
           `PUT /store?graph=IRI` of its N-Triples (`--next` between transfers, so the
           keep-alive connection is reused), and a `POST` (Graph Store merge) of the actors
           graph. Content-Type application/n-triples, `Expect:` off, bodies read from
           files written beforehand. This is the fastest raw curl can be: no per-graph
           process start, no query, no verification.
  kg push  push_dataset() on a store already holding the triples (or, with --cli, the
           `kg push FILE.nq` command including its start-up and file loading): it
           serialises, asks the store which graphs are there already, sends, and verifies
           the triple counts.

The order of curl and kg alternates between runs. It prints the median of --repeat runs
of each, their ratio, and the time of a re-push of unchanged data (kg's state queries
only, nothing sent).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
# the server start/stop code is the tests' (tests/store_servers.py): same binary lookup,
# readiness polling and clean shutdown
sys.path.insert(0, str(REPO / "tests"))

from store_servers import OxigraphServer

from kg.remote import endpoint_for, push_dataset

BASE = "https://kg.example.org/id/"
ONE_GRAPH = f"{BASE}graph/push-speed"
ACTORS_GRAPH = f"{BASE}graph/shared/actors"
ONT = "https://kg.example.org/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
DCT = "http://purl.org/dc/terms/"
ACTOR_POOL = 600  # actors shared by all documents
PER_GRAPH = 350


# ---------------------------------------------------------------------------------------
# data


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(value, datatype=_n(XSD + datatype))
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def _actor(k: int) -> ox.NamedNode:
    return _n(f"{BASE}actor/akteur-{k % ACTOR_POOL}")


def document_triples(d: int, count: int) -> list[ox.Triple]:
    """Document ``d``: ``count`` distinct kg-shaped triples (events until enough)."""
    doc = _n(f"{BASE}doc/artikel-{d:05d}")
    out: list[tuple] = [
        (doc, _n(RDF_TYPE), _n(ONT + "Document")), (doc, _n(ONT + "docId"), _lit(f"artikel-{d:05d}")),
        (doc, _n(DCT + "title"), _lit(f"Außenminister treffen sich in Genf ({d})")),
        (doc, _n(DCT + "date"), _lit(f"2025-{1 + d % 12:02d}-{1 + d % 28:02d}", "date")),
        (doc, _n(DCT + "publisher"), _lit("Tagesblatt")),
    ]
    out += [(_actor(d * 7 + k), _n(ONT + "mentionedIn"), doc) for k in range(8)]
    e = 0
    while len(out) < count:
        out += _meeting(doc, d, e)
        e += 1
    return [ox.Triple(*t) for t in dict.fromkeys(out)][:count]


def _meeting(doc: ox.NamedNode, d: int, e: int) -> list[tuple]:
    event = _n(f"{BASE}event/artikel-{d:05d}/meeting-{e:04x}")
    a, b = _actor(d * 7 + e), _actor(d * 7 + e + 3)
    out: list[tuple] = [(event, _n(RDF_TYPE), _n(ONT + "Meeting"))]
    for party, member in (("a", a), ("b", b)):
        side = _n(f"{event.value}/side/{party}")
        out += [(event, _n(ONT + "hasSide"), side), (side, _n(RDF_TYPE), _n(ONT + "Side")),
                (side, _n(ONT + "sideParty"), member), (side, _n(ONT + "sideMember"), member),
                (event, _n(ONT + "participant"), member)]
    place = _n(f"{BASE}place/ort-{e % 40}")
    out += [(event, _n(ONT + "date"), _lit(f"2025-{1 + e % 12:02d}-{1 + d % 28:02d}", "date")),
            (event, _n(ONT + "place"), place), (place, _n(RDF_TYPE), _n(ONT + "Place")),
            (place, _n(RDFS_LABEL), _lit(f"Ort {e % 40}")),
            (a, _n(ONT + "metWith"), b), (b, _n(ONT + "metWith"), a)]
    for k, start in enumerate((100 * e, 100 * e + 50)):
        span = _n(f"{doc.value}#char={start},{start + 42}")
        out += [(event, _n(ONT + ("evidence" if k == 0 else "alsoAttestedBy")), span),
                (span, _n(RDF_TYPE), _n(ONT + "EvidenceSpan")),
                (span, _n(NIF + "beginIndex"), _lit(str(start), "integer")),
                (span, _n(NIF + "endIndex"), _lit(str(start + 42), "integer")),
                (span, _n(NIF + "anchorOf"), _lit(f"traf sich am {e}. mit \"Kollegen\" in Genf")),
                (span, _n(PROV + "wasDerivedFrom"), doc)]
    out += [(event, _n(PROV + "wasDerivedFrom"), doc), (event, _n(ONT + "extractedBy"), _lit("met-with-v2")),
            (event, _n(ONT + "confidence"), _lit("0.85", "decimal"))]
    return out


def actor_triples() -> list[ox.Triple]:
    """The merged actors graph: type and labels of every actor of the pool."""
    out = []
    for k in range(ACTOR_POOL):
        node, label = _actor(k), f"Akteur Nummer {k}"
        out += [ox.Triple(node, _n(RDF_TYPE), _n(ONT + ("Person" if k % 3 else "State"))),
                ox.Triple(node, _n(SKOS + "prefLabel"), _lit(label)),
                ox.Triple(node, _n(RDFS_LABEL), _lit(label)),
                ox.Triple(node, _n(SKOS + "altLabel"), _lit(f"A. {k}"))]
    return out


def one_graph_triples(count: int) -> list[ox.Triple]:
    """``count`` kg-shaped triples of consecutive documents, as one graph."""
    out: dict[ox.Triple, None] = {}
    d = 0
    while len(out) < count:
        out.update(dict.fromkeys(document_triples(d, PER_GRAPH)))
        d += 1
    return list(out)[:count]


def dataset(graphs: int, total: int, actors: bool) -> dict[str, list[ox.Triple]]:
    """Graph IRI -> triples; the actors graph (if any) last."""
    if graphs == 1:
        return {ONE_GRAPH: one_graph_triples(total)}
    per_graph = max(1, total // graphs)
    data = {f"{BASE}graph/artikel-{d:05d}": document_triples(d, per_graph) for d in range(graphs)}
    if actors:
        data[ACTORS_GRAPH] = actor_triples()
    return data


# ---------------------------------------------------------------------------------------
# runs


def store_url(server_url: str, graph: str) -> str:
    return f"{server_url}/store?graph={urllib.parse.quote(graph, safe='')}"


def curl_config(server_url: str, files: dict[str, Path], path: Path) -> Path:
    """One transfer block per graph, separated by `next`: one process, one connection."""
    blocks = []
    for graph, file in files.items():
        method = "POST" if graph == ACTORS_GRAPH else "PUT"
        blocks.append("\n".join([
            f'url = "{store_url(server_url, graph)}"', f"request = {method}",
            'header = "Content-Type: application/n-triples"', 'header = "Expect:"',
            f'data-binary = "@{file}"', "fail", "output = /dev/null",
        ]))
    path.write_text("silent\nshow-error\nfail-early\n" + "\nnext\n".join(blocks) + "\n", encoding="utf-8")
    return path


def sparql(server_url: str, path: str, body: str, accept: str = "text/csv") -> str:
    kind = "application/sparql-update" if path == "update" else "application/sparql-query"
    request = urllib.request.Request(f"{server_url}/{path}", data=body.encode(), method="POST",
                                     headers={"Content-Type": kind, "Accept": accept})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read().decode()


def drop_all(server_url: str) -> None:
    sparql(server_url, "update", "DROP ALL")


def remote_triples(server_url: str) -> int:
    answer = sparql(server_url, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(answer.split()[-1])


def time_curl(curl: str, config: Path) -> float:
    started = time.perf_counter()
    subprocess.run([curl, "--config", str(config)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_kg(url: str, store: ox.Store, nq_file: Path, via: str, cli: bool) -> float:
    started = time.perf_counter()
    if cli:
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "push", str(nq_file), "--endpoint", url,
             "--server", "oxigraph", "--via", via],
            check=True, stderr=subprocess.DEVNULL,
        )
    else:
        reports = push_dataset(store, endpoint_for(url, "oxigraph", timeout=300), via=via)
        bad = [r for r in reports if r.status == "failed"]
        if bad:
            raise SystemExit(f"kg push failed: {bad[0].graph}: {bad[0].detail}")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--graphs", type=int, default=1000, help="document graphs (1: one big graph)")
    ap.add_argument("--triples", type=int, default=None,
                    help=f"triples in all document graphs (default {PER_GRAPH} per graph; 100,000 with --graphs 1)")
    ap.add_argument("--no-actors", action="store_true", help="leave out the merged actors graph")
    ap.add_argument("--on-disk", action="store_true", help="Oxigraph with --location (default: in memory)")
    ap.add_argument("--via", choices=("gsp", "update"), default="gsp")
    ap.add_argument("--cli", action="store_true", help="time the kg push command, not the library call")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.graphs < 1:
        raise SystemExit("--graphs must be at least 1")
    total = args.triples or (100_000 if args.graphs == 1 else PER_GRAPH * args.graphs)

    curl = shutil.which("curl")
    if curl is None:
        raise SystemExit("curl not found: it is the baseline this benchmark compares with")

    with tempfile.TemporaryDirectory(prefix="kg-push-speed-") as tmp:
        workdir = Path(tmp)
        data = dataset(args.graphs, total, actors=not args.no_actors)
        files = {}
        for i, (graph, triples) in enumerate(data.items()):
            files[graph] = workdir / f"g{i:05d}.nt"
            ox.serialize(triples, str(files[graph]), format=ox.RdfFormat.N_TRIPLES)
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _n(g)) for g, ts in data.items() for t in ts)
        nq_file = workdir / "data.nq"
        ox.serialize(store, str(nq_file), format=ox.RdfFormat.N_QUADS)
        size = sum(f.stat().st_size for f in files.values())
        triples = sum(len(ts) for ts in data.values())

        server = OxigraphServer(workdir / "oxigraph", in_memory=not args.on_disk)
        with server:
            config = curl_config(server.url, files, workdir / "curl.cfg")
            curl_times, kg_times = [], []
            remote_count = 0
            for run in range(args.repeat):
                # the order alternates: an on-disk store is slower right after a DROP ALL of
                # much data, and neither side should always come second
                for side in (("curl", "kg") if run % 2 == 0 else ("kg", "curl")):
                    drop_all(server.url)
                    if side == "curl":
                        curl_times.append(time_curl(curl, config))
                    else:
                        kg_times.append(time_kg(server.url, store, nq_file, args.via, args.cli))
                        remote_count = remote_triples(server.url)
            drop_all(server.url)
            time_kg(server.url, store, nq_file, args.via, args.cli)
            repush = time_kg(server.url, store, nq_file, args.via, args.cli)

        curl_s, kg_s = statistics.median(curl_times), statistics.median(kg_times)
        what = "kg push (CLI)" if args.cli else "kg push (push_dataset)"
        shape = ("one graph" if len(data) == 1 else
                 f"{args.graphs:,} graphs of ~{total // args.graphs} triples"
                 + (f" + actors graph ({len(data[ACTORS_GRAPH]):,})" if ACTORS_GRAPH in data else ""))
        print(f"{'data':<24}{triples:,} triples, {shape}, {size / 1e6:.1f} MB N-Triples")
        print(f"{'server':<24}oxigraph {'on disk' if args.on_disk else 'in memory'}, "
              f"median of {args.repeat}")
        print(f"{'curl (one process)':<24}{curl_s:.2f} s  ({triples / curl_s:,.0f} triples/s)")
        print(f"{what:<24}{kg_s:.2f} s  ({triples / kg_s:,.0f} triples/s, via {args.via})")
        print(f"{'ratio kg/curl':<24}{kg_s / curl_s:.2f}")
        print(f"{'re-push unchanged':<24}{repush:.2f} s")
        print(f"{'remote triples':<24}{remote_count:,} in named graphs after kg push "
              f"(kg adds a content hash and count to each document graph)")


if __name__ == "__main__":
    main()
