"""Extraction on a Dask distributed cluster: ``kg build --scheduler tcp://HOST:8786``.

Documents go to the cluster's workers in chunks; every worker process loads the
extraction pipeline once and keeps it for all the chunks it gets, like a worker of the
local process pool. The results (one item per document, exactly what
``kg.pipeline._extract_chunk_to_nquads`` returns) come back to this process, which loads them
like a local multi-process build, so --store, incremental builds and --out all work the
same. Only a bounded number of chunks is in flight, so memory stays flat on big corpora.

dask and distributed are an optional extra (``pip install 'kg[cluster]'``) and are only
imported once a cluster is really used: other commands start without them.
"""
from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from kg import __version__
from kg.errors import KgError
from kg.model import SourceDocument

#: seconds to wait for the scheduler to take the connection
CONNECT_TIMEOUT = 10.0
#: seconds to wait for at least one worker (at the start, and when all workers are gone)
WORKER_TIMEOUT = 60.0
#: chunks in flight per worker: enough to keep every worker busy while results travel
CHUNKS_PER_WORKER = 4
#: seconds between looks at the workers while no chunk finishes
POLL_SECONDS = 2.0
#: seconds closing the connection may take (after an error it must not hide the error)
CLOSE_TIMEOUT = 5.0
INSTALL_HINT = "pip install 'kg[cluster]'"

_ADDRESS = re.compile(r"(?:tcp://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})")


class ClusterError(KgError):
    """The Dask cluster given with --scheduler cannot be used (bad address, unreachable,
    no workers, workers died, kg missing or of another version on the workers)."""


# ---------------------------------------------------------------------------- client side

def check_scheduler(address: str) -> str:
    """The scheduler address as ``tcp://HOST:PORT``; fails early (before any extraction) on
    an address of another form, or when dask's distributed package is not installed."""
    match = _ADDRESS.fullmatch(address.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ClusterError(f"--scheduler must look like tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), not {address!r}")
    # find_spec looks for the package without importing it (dask takes a second to import)
    if importlib.util.find_spec("distributed") is None:
        raise ClusterError(f"--scheduler needs dask's distributed package: {INSTALL_HINT}")
    return f"tcp://{match['host']}:{int(match['port'])}"


def cluster_results(
    documents: Iterable[SourceDocument],
    scheduler: str,
    spacy_model: str | None,
    base_iri: str,
    chunk: int = 16,  # kg.pipeline.WORKER_CHUNK
    *,
    worker_timeout: float = WORKER_TIMEOUT,
) -> Iterator[tuple]:
    """Extract ``documents`` on the cluster whose scheduler is at ``scheduler``, yielding
    for each document the item ``kg.pipeline._extract_chunk_to_nquads`` returns.

    Items come in the order chunks of ``chunk`` documents finish (in input order within a
    chunk), not in input order. ``documents`` is read lazily, only as fast as the workers
    take chunks. Being a generator, it connects when the first item is asked for (call
    check_scheduler before for an early check of the address), and closes the connection
    when it ends, fails or is closed. Errors of the cluster, and kg's own errors raised on
    a worker, are ClusterError; any other exception on a worker is a bug and is re-raised
    here with its traceback.
    """
    if chunk < 1:
        raise ClusterError(f"chunk size must be at least 1, not {chunk}")
    address = check_scheduler(scheduler)
    _probe(address)
    client = _connect(address)
    try:
        _wait_for_workers(client, address, worker_timeout)
        _check_workers(client, address)
        from kg.pipeline import chunked  # the caller, kg.pipeline, is loaded already

        yield from _collect(client, address, chunked(documents, chunk), spacy_model, base_iri, worker_timeout)
    finally:
        _close(client)


def _probe(address: str) -> None:
    """A plain TCP connection first: dask's own client retries a refused connection until
    its timeout, this says at once that nothing listens or the host is unknown."""
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except socket.gaierror:
        raise ClusterError(f"--scheduler {address}: unknown host {host}") from None
    except ConnectionRefusedError:
        raise ClusterError(f"--scheduler {address}: connection refused; is 'dask scheduler' running there?") from None
    except TimeoutError:
        raise ClusterError(f"--scheduler {address}: no answer within {CONNECT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise ClusterError(f"--scheduler {address}: cannot connect ({exc.strerror or exc})") from None


def _connect(address: str) -> Any:  # -> distributed.Client
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(f"--scheduler needs dask's distributed package ({exc}): {INSTALL_HINT}") from None
    _handshake(address)
    try:
        # not the default client: dask computations elsewhere in this process stay local
        return Client(address, timeout=f"{CONNECT_TIMEOUT:g}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"--scheduler {address}: not a Dask scheduler, or it does not answer ({_line(exc)})") from None


def _handshake(address: str) -> None:
    """Dask's greeting with a deadline of our own: a client that reaches a server of another
    kind (a web server on that port) waits for its greeting for ever."""
    from distributed.comm import connect

    async def greet() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT + 1)
        await comm.close()

    try:
        asyncio.run(greet())
    except (OSError, TimeoutError) as exc:
        detail = f" ({_line(exc)})" if not isinstance(exc, TimeoutError) else ""
        raise ClusterError(f"--scheduler {address}: not a Dask scheduler, or it does not answer{detail}") from None


def _close(client: Any) -> None:
    # closing cancels the client's attempts to reconnect to a scheduler that went away, which
    # it logs with a traceback; the error that ended the build is already the one line to show
    quiet = logging.getLogger("distributed.client")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        client.close(timeout=CLOSE_TIMEOUT)
    except Exception:  # a scheduler already gone must not hide the error that ended the build
        pass
    finally:
        quiet.setLevel(level)


def _worker_count(client: Any, address: str) -> int:
    try:
        return len(client.nthreads())
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"--scheduler {address}: lost the connection to the scheduler ({_line(exc)})") from None


def _wait_for_workers(client: Any, address: str, timeout: float, started: bool = False) -> int:
    """The number of workers, once there is at least one; fails after ``timeout`` seconds
    (``started``: the build had workers, all of them are gone)."""
    deadline = time.monotonic() + timeout
    while (workers := _worker_count(client, address)) == 0:
        if time.monotonic() > deadline:
            what = "all workers left during the build and none came back" if started else "no workers joined"
            raise ClusterError(f"--scheduler {address}: {what} within {timeout:g} s; "
                               f"start some with: dask worker {address} --nworkers 1 --nthreads 1")
        time.sleep(0.2)
    return workers


def _check_workers(client: Any, address: str) -> None:
    """Every worker there now can import kg and runs this version of it. Checked up front
    because a worker without kg dies on the first chunk it is sent (it cannot even read
    the task), and the scheduler would only report that after several deaths."""
    answers = client.run(_same_kg, __version__, on_error="return")
    for worker, answer in sorted(answers.items()):
        # an error in unpickling the check comes back as a plain Exception carrying its repr
        if isinstance(answer, ImportError) or "No module named" in str(answer):
            raise ClusterError(f"--scheduler {address}: the worker {worker} cannot import kg; "
                               f"install kg on every worker machine: {INSTALL_HINT}")
        if isinstance(answer, BaseException):
            raise ClusterError(f"--scheduler {address}: {_line(answer)} ({worker})")


def _collect(client: Any, address: str, chunks: Iterator[list[SourceDocument]], spacy_model: str | None,
             base_iri: str, worker_timeout: float) -> Iterator[tuple]:
    from distributed import wait

    in_flight: dict[Any, str] = {}  # future -> first doc_id of its chunk (for messages)

    def submit_more() -> None:
        limit = CHUNKS_PER_WORKER * max(1, _worker_count(client, address))
        while len(in_flight) < limit and (part := next(chunks, None)) is not None:
            # pure=False: two equal chunks (same documents twice) are still two tasks
            future = client.submit(_extract_chunk, part, spacy_model, base_iri, __version__, pure=False)
            in_flight[future] = part[0].doc_id

    try:
        submit_more()
        while in_flight:
            try:
                with client.as_current():  # wait() takes the current client, and ours is not the default
                    done, _ = wait(list(in_flight), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                # nothing finished for a while: fine while workers work, an error once all are gone
                _wait_for_workers(client, address, worker_timeout, started=True)
                continue
            except Exception as exc:  # FuturesCancelledError: the scheduler dropped them
                if not _is_dask_error(exc):
                    raise
                raise _cluster_error(exc, address, next(iter(in_flight.values()))) from None
            for future in done:
                first = in_flight.pop(future)
                items = _result(future, address, first)
                submit_more()  # keep the workers busy while this process loads the results
                yield from items
    finally:
        if in_flight:  # stopped early: the scheduler can drop what nobody will collect
            try:
                client.cancel(list(in_flight))
            except Exception:  # the scheduler may be gone; closing follows anyway
                pass


def _result(future: Any, address: str, first: str) -> list[tuple]:
    try:
        items = future.result()
    except ClusterError as exc:  # raised on a worker: it runs another kg version
        raise ClusterError(f"--scheduler {address}: {_line(exc)}") from None
    except KgError as exc:  # raised on a worker, e.g. it lacks the --spacy-model
        raise ClusterError(f"--scheduler {address}: on a worker: {_line(exc)}") from None
    except ModuleNotFoundError as exc:
        raise ClusterError(f"--scheduler {address}: a worker cannot import {exc.name or 'kg'}; "
                           f"install kg on every worker machine: {INSTALL_HINT}") from None
    except Exception as exc:  # dask's own errors become one line, kg's bugs keep their traceback
        if not _is_dask_error(exc):
            raise
        raise _cluster_error(exc, address, first) from None
    future.release()  # the worker may forget the result now
    return items


def _is_dask_error(exc: BaseException) -> bool:
    """KilledWorker, cancelled futures, a lost scheduler: errors of the cluster, not of kg."""
    module = type(exc).__module__ or ""
    return module.startswith(("distributed", "dask")) or isinstance(exc, asyncio.CancelledError)


def _cluster_error(exc: BaseException, address: str, first: str) -> ClusterError:
    name = type(exc).__name__
    if name == "KilledWorker":
        return ClusterError(f"--scheduler {address}: workers died extracting the chunk that starts with "
                            f"document {first!r} (out of memory? see the workers' logs)")
    if "connection-lost" in str(exc) or "lost the connection" in str(exc):
        return ClusterError(f"--scheduler {address}: lost the connection to the scheduler during the build")
    if "Cancelled" in name:
        return ClusterError(f"--scheduler {address}: the scheduler cancelled the work (was it restarted?)")
    return ClusterError(f"--scheduler {address}: {name}: {_line(exc)}")


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# ---------------------------------------------------------------------------- worker side

# One pipeline per worker process, kept between tasks: loading it takes seconds, a chunk
# a fraction of that. Only the pipeline of the latest (spacy_model, base_iri) is kept, so a
# worker serving builds with different models holds one at a time.
_pipeline: tuple[tuple[str | None, str], Any] | None = None
_loads = 0  # pipelines loaded by this process (tests check it stays 1)
_chunks_done = 0
# a worker started with several threads runs tasks side by side; the pipeline and
# kg.pipeline._worker are one per process, so chunks take turns
_lock = threading.Lock()


def _same_kg(version: str) -> bool:
    """Run on every worker before a build (``client.run``), and with every chunk (for
    workers that join later): the graphs depend on the kg version."""
    if version != __version__:
        raise ClusterError(f"a worker runs kg {__version__}, this kg is {version}; install the same kg everywhere")
    return True


def _extract_chunk(documents: list[SourceDocument], spacy_model: str | None, base_iri: str,
                   version: str) -> list[tuple]:
    """A task: extract a chunk of documents with this worker's pipeline."""
    global _pipeline, _loads, _chunks_done
    _same_kg(version)
    import kg.pipeline as pipeline  # on the worker only: the client never loads spaCy
    from kg.rdf import GraphWriter

    with _lock:
        key = (spacy_model, base_iri)
        if _pipeline is None or _pipeline[0] != key:
            _pipeline = pipeline._worker = None  # the old pipeline goes before the new one loads
            # what kg.pipeline._init_worker builds, without its SIGINT handler: a dask
            # worker's signals belong to its nanny
            _pipeline = (key, (pipeline.Extractor(spacy_model=spacy_model), GraphWriter(base_iri)))
            _loads += 1
        pipeline._worker = _pipeline[1]
        items = pipeline._extract_chunk_to_nquads(documents)
        _chunks_done += 1
        return items


def worker_state() -> dict[str, Any]:
    """What this worker process has done (``client.run(worker_state)``): pipelines loaded,
    chunks extracted, and the (spacy_model, base_iri) of the pipeline it holds."""
    return {"loads": _loads, "chunks": _chunks_done, "pipeline": _pipeline[0] if _pipeline else None}
