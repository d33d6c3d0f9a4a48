"""Push speed: `kg push` against a raw Graph Store PUT of the same triples (printed, not asserted).

usage: python bench/push_speed.py [--triples 100000] [--on-disk] [--via gsp|update]
                                  [--cli] [--repeat 3]

Generates a deterministic synthetic graph (N-Triples for curl, N-Quads with the graph name
for kg), starts an Oxigraph server on a free 127.0.0.1 port (in memory unless --on-disk;
needs `pip install oxigraph`, and the test extras since the server handling is shared
with tests/store_servers.py), then times, each into an emptied store:

  curl     curl -X PUT -H 'Content-Type: application/n-triples' --data-binary @FILE URL/store?graph=IRI
  kg push  push_dataset() on a store already holding the triples (or, with --cli, the
           `kg push FILE.nq` command including its start-up and file loading)

and prints the median of --repeat runs of each, their ratio, and the time of a re-push of
unchanged data (one state query per graph, nothing sent).
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

GRAPH = "https://kg.example.org/bench/graph/push-speed"
XSD = "http://www.w3.org/2001/XMLSchema#"


def synthetic_triples(count: int) -> list[ox.Triple]:
    """``count`` distinct triples shaped like kg output: typed, language-tagged and
    plain literals, IRIs; the same list on every run."""
    base = "https://kg.example.org/bench/"
    triples = []
    for i in range(count):
        subject = ox.NamedNode(f"{base}event/{i // 5}")
        kind = i % 5
        predicate = ox.NamedNode(f"{base}p{kind}")
        if kind == 0:
            obj = ox.Literal(f"Außenminister {i} sagte: \"Frieden\"", language="de")
        elif kind == 1:
            obj = ox.Literal(str(i), datatype=ox.NamedNode(XSD + "integer"))
        elif kind == 2:
            obj = ox.Literal(f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", datatype=ox.NamedNode(XSD + "date"))
        elif kind == 3:
            obj = ox.Literal(f"Satz {i}, aus dem das Ereignis stammt.")
        else:
            obj = ox.NamedNode(f"{base}actor/{i % 997}")
        triples.append(ox.Triple(subject, predicate, obj))
    return triples


def drop_all(url: str) -> None:
    request = urllib.request.Request(
        f"{url}/update", data=b"DROP ALL", method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


def count(url: str) -> int:
    query = urllib.parse.quote(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    request = urllib.request.Request(f"{url}/query?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return int(response.read().decode().split()[-1])


def time_curl(curl: str, url: str, nt_file: Path) -> float:
    target = f"{url}/store?graph={urllib.parse.quote(GRAPH, safe='')}"
    started = time.perf_counter()
    subprocess.run(
        [curl, "--silent", "--show-error", "--fail", "-X", "PUT",
         "-H", "Content-Type: application/n-triples", "--data-binary", f"@{nt_file}", target],
        check=True, stdout=subprocess.DEVNULL,
    )
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
            raise SystemExit(f"kg push failed: {bad[0].detail}")
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--on-disk", action="store_true", help="Oxigraph with --location (default: in memory)")
    ap.add_argument("--via", choices=("gsp", "update"), default="gsp")
    ap.add_argument("--cli", action="store_true", help="time the kg push command, not the library call")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    curl = shutil.which("curl")
    if curl is None:
        raise SystemExit("curl not found: it is the baseline this benchmark compares with")

    with tempfile.TemporaryDirectory(prefix="kg-push-speed-") as tmp:
        workdir = Path(tmp)
        triples = synthetic_triples(args.triples)
        nt_file = workdir / "graph.nt"
        nq_file = workdir / "graph.nq"
        ox.serialize(triples, str(nt_file), format=ox.RdfFormat.N_TRIPLES)
        graph = ox.NamedNode(GRAPH)
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        ox.serialize(store, str(nq_file), format=ox.RdfFormat.N_QUADS)

        server = OxigraphServer(workdir / "oxigraph", in_memory=not args.on_disk)
        with server:
            curl_times, kg_times = [], []
            remote_count = 0
            for _ in range(args.repeat):
                drop_all(server.url)
                curl_times.append(time_curl(curl, server.url, nt_file))
                drop_all(server.url)
                kg_times.append(time_kg(server.url, store, nq_file, args.via, args.cli))
                remote_count = count(server.url)
            repush = time_kg(server.url, store, nq_file, args.via, args.cli)

        curl_s, kg_s = statistics.median(curl_times), statistics.median(kg_times)
        what = "kg push (CLI)" if args.cli else "kg push (push_dataset)"
        print(f"{'data':<24}{args.triples:,} triples, one graph, "
              f"{nt_file.stat().st_size / 1e6:.1f} MB N-Triples")
        print(f"{'server':<24}oxigraph {'on disk' if args.on_disk else 'in memory'}, "
              f"median of {args.repeat}")
        print(f"{'curl PUT':<24}{curl_s:.2f} s  ({args.triples / curl_s:,.0f} triples/s)")
        print(f"{what:<24}{kg_s:.2f} s  ({args.triples / kg_s:,.0f} triples/s, via {args.via})")
        print(f"{'ratio kg/curl':<24}{kg_s / curl_s:.2f}")
        print(f"{'re-push unchanged':<24}{repush:.2f} s")
        print(f"{'remote triples':<24}{remote_count:,} in the graph after kg push "
              f"(kg adds its content hash and count)")


if __name__ == "__main__":
    main()
