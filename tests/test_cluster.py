"""Extraction on a real Dask cluster (kg.cluster): worker processes started by
distributed.LocalCluster on 127.0.0.1, nothing mocked."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import dask
import pyoxigraph
import pytest
from conftest import REPO
from distributed import Client, LocalCluster
from store_servers import free_port

import kg.pipeline
from kg.cluster import (
    CHUNKS_PER_WORKER,
    ClusterError,
    check_scheduler,
    cluster_results,
    worker_state,
)
from kg.model import SourceDocument
from kg.pipeline import build_dataset
from kg.rdf import GraphWriter
from kg.read import read_documents
from kg.vocab import DEFAULT_BASE_IRI

CORPORA = [REPO / "corpus", REPO / "tests" / "blind" / "corpus"]
DASHBOARD = "127.0.0.1:0"  # a free port on loopback (not 8787, which another cluster may hold)


def start_cluster(workers: int) -> LocalCluster:
    # spawned worker processes, one thread each, as `dask worker --nthreads 1` runs them
    return LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                        dashboard_address=DASHBOARD)


@pytest.fixture(scope="module")
def cluster():
    with start_cluster(2) as running:
        yield running


def documents(folder: Path) -> list[SourceDocument]:
    return [item for item in read_documents([folder]) if isinstance(item, SourceDocument)]


def by_document(items) -> dict[str, tuple]:
    """doc_id -> the rest of its item, each N-Quads text or list of lines as a sorted list
    (each process orders its sets of strings its own way); the item's first field is the
    doc_id, the other fields are compared whatever they are."""
    found = {}
    for doc_id, *fields in items:
        assert doc_id not in found, f"{doc_id} came back twice"
        found[doc_id] = tuple(sorted(f.splitlines()) if isinstance(f, bytes) else sorted(f) if isinstance(f, list) else f
                              for f in fields)
    return found


def local_items(extractor, folder: Path) -> list[tuple]:
    """What a local pool worker returns for each document, extracted in this process."""
    before = kg.pipeline._worker
    kg.pipeline._worker = (extractor, GraphWriter(DEFAULT_BASE_IRI))
    try:
        return kg.pipeline._extract_chunk_to_nquads(list(documents(folder)))
    finally:
        kg.pipeline._worker = before


def quads(store: pyoxigraph.Store) -> set:
    return set(store.quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize("folder", CORPORA, ids=lambda folder: folder.parent.name if folder.name == "corpus" and folder.parent != REPO else "corpus")
def test_cluster_gives_the_local_results(cluster, extractor, folder):
    # chunks of 2: both workers get some
    items = list(cluster_results(documents(folder), cluster.scheduler_address, None, DEFAULT_BASE_IRI, chunk=2))
    expected = by_document(local_items(extractor, folder))
    assert len(expected) >= 5
    assert by_document(items) == expected


def test_a_build_on_the_cluster_gives_the_store_of_a_local_build(cluster, tmp_path):
    on_cluster = build_dataset([REPO / "corpus"], store_dir=tmp_path / "store", scheduler=cluster.scheduler_address)
    assert on_cluster.documents == 5 and not on_cluster.failures
    assert quads(on_cluster.store) == quads(build_dataset([REPO / "corpus"], store_dir=tmp_path / "local").store)


def test_each_worker_loads_the_pipeline_once(cluster):
    base_iri = "https://kg.example.org/once/"  # a pipeline key no other test uses
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        before = client.run(worker_state)
        chunks = 0
        for _ in range(2):  # two builds, a chunk per document
            chunks += len(list(cluster_results(documents(REPO / "corpus"), cluster.scheduler_address, None, base_iri, chunk=1)))
        after = client.run(worker_state)
    assert set(after) == set(before) and len(after) == 2
    worked = {w: after[w]["chunks"] - before[w]["chunks"] for w in after}
    loaded = {w: after[w]["loads"] - before[w]["loads"] for w in after}
    assert sum(worked.values()) == chunks == 10
    assert loaded == {w: int(worked[w] > 0) for w in after}, (worked, loaded)
    assert all(after[w]["pipeline"] == (None, base_iri) for w in after if worked[w])


def test_documents_are_read_only_as_fast_as_workers_take_them(cluster):
    pulled = 0
    source = documents(REPO / "corpus")

    def many():
        nonlocal pulled
        for n in range(200):
            pulled += 1
            original = source[n % len(source)]
            yield SourceDocument(doc_id=f"{original.doc_id}-{n}", text=original.text, date=original.date)

    results = cluster_results(many(), cluster.scheduler_address, None, DEFAULT_BASE_IRI, chunk=1)
    next(results)
    # the chunks in flight, and the one sent when the first came back
    assert pulled <= CHUNKS_PER_WORKER * 2 + 1
    results.close()  # cancels the rest


def test_a_kg_error_on_a_worker_is_one_line(cluster):
    with pytest.raises(ClusterError, match=r"^--scheduler tcp://\S+: on a worker: --spacy-model 'kg_no_such_model' cannot be loaded") as caught:
        list(cluster_results(documents(REPO / "corpus"), cluster.scheduler_address, "kg_no_such_model", DEFAULT_BASE_IRI))
    assert "\n" not in str(caught.value)


def test_an_unreachable_scheduler_fails_at_once():
    started = time.monotonic()
    with pytest.raises(ClusterError, match=r"^--scheduler tcp://127\.0\.0\.1:\d+: connection refused") as caught:
        list(cluster_results(documents(REPO / "corpus"), f"127.0.0.1:{free_port()}", None, DEFAULT_BASE_IRI))
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value)


def test_a_scheduler_without_workers_fails_after_the_wait():
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=DASHBOARD) as empty:
        with pytest.raises(ClusterError, match=r"no workers joined within 1 s; start some with: dask worker tcp://"):
            list(cluster_results(documents(REPO / "corpus"), empty.scheduler_address, None, DEFAULT_BASE_IRI,
                                 worker_timeout=1))


def test_a_worker_dying_mid_chunk_is_one_line():
    # no retries on other workers: the first death is final (by default a chunk is tried
    # on three workers before the scheduler gives up on it)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), start_cluster(1) as one:
        with Client(one.scheduler_address, set_as_default=False) as client:
            [pid] = client.run(os.getpid).values()
        source = documents(REPO / "corpus")
        many = [SourceDocument(doc_id=f"{d.doc_id}-{n}", text=d.text, date=d.date) for n in range(40) for d in source]
        results = cluster_results(many, one.scheduler_address, None, DEFAULT_BASE_IRI, chunk=4)
        next(results)  # the worker is busy with the next chunk now
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(ClusterError, match=r"^--scheduler tcp://\S+: workers died extracting the chunk that starts with document") as caught:
            list(results)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize("address", [
    "http://10.0.0.5:8786", "10.0.0.5", "tcp://10.0.0.5", "tcp://10.0.0.5:", "tcp://10.0.0.5:99999",
    "tcp://10.0.0.5:0", "tcp://10.0.0.5:8786/path", "tcp://:8786", "", "tcp://user@host:8786", "host:port",
])
def test_a_malformed_address_is_rejected(address):
    with pytest.raises(ClusterError, match=r"^--scheduler must look like tcp://HOST:PORT"):
        check_scheduler(address)


def test_addresses_are_normalised():
    assert check_scheduler("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler(" tcp://scheduler.example.org:08786 ") == "tcp://scheduler.example.org:8786"
    assert check_scheduler("[::1]:8786") == "tcp://[::1]:8786"
