"""The network page at scale: prints figures, asserts nothing.

usage: python bench/network_page.py [--store DIR] [--actors 5000] [--seed 7]

With --store (a store made by ``kg build --store``, e.g. by bench/big_corpus.py), the
page of that store's network is measured. The big-corpus generator recombines the test
articles and swaps in registry names, so its networks stop at about 1,400 actors; to
measure 5,000, --actors grows a network of that size from the store's (or, without a
store, from the seed corpus's): copies of its actors with numbered labels, each copy
linked like its original to copies and originals, every link keeping an event of the
original's with its evidence. For each page: its size, the time headless Chromium takes
from opening the file until the layout is done and the page is ready, the layout alone
(the page's own measurement), and whether an actor can then be dragged.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.network import Link, Network, load_network  # noqa: E402
from kg.results import run_query  # noqa: E402
from kg.viz import write_picture  # noqa: E402


def network_of(store_dir: Path | None) -> Network:
    if store_dir is not None:
        from kg.sources import query_runner

        return load_network(query_runner(store=store_dir))
    from kg.pipeline import build_dataset

    store = build_dataset([REPO / "corpus"]).store
    return load_network(lambda saved, params: run_query(store, saved, params))


def grown(network: Network, actors: int, seed: int) -> Network:
    """``network`` with copies of its linked actors until it has ``actors`` of them."""
    rng = random.Random(seed)
    linked = sorted({link.source for link in network.links} | {link.target for link in network.links})
    by_actor: dict[str, list[Link]] = {}
    for link in network.links:
        by_actor.setdefault(link.source, []).append(link)
    people = dict(network.actors)
    links = list(network.links)
    copy = 0
    while len({link.source for link in links} | {link.target for link in links}) < actors:
        copy += 1
        for iri in linked:
            original = network.actors[iri]
            twin = f"{iri}-copy{copy}"
            people[twin] = replace(original, iri=twin, label=f"{original.label} {copy}")
            for link in by_actor.get(iri, [])[:3]:
                target = link.target if rng.random() < 0.3 else f"{link.target}-copy{copy}"
                links.append(replace(link, event=f"{link.event}-copy{copy}", source=twin, target=target))
            if len(people) - len(network.actors) >= actors:
                break
    for link in links:  # copies of actors that no copy links to keep their originals' data
        for end in (link.source, link.target):
            if end not in people:
                base, _, number = end.rpartition("-copy")
                people[end] = replace(network.actors[base], iri=end, label=f"{network.actors[base].label} {number}")
    return replace(network, actors=people, links=links)


def measure(path: Path) -> str:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="kg-page-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1100", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        started = time.perf_counter()
        driver.get(path.as_uri())
        while driver.execute_script("return document.body.dataset.ready") != "true":
            if time.perf_counter() - started > 600:
                return "not ready after 600 s"
            time.sleep(0.1)
        ready = time.perf_counter() - started
        layout_ms = int(driver.execute_script("return document.getElementById('network').dataset.layoutMs"))
        counts = driver.execute_script("return [window.kgNetwork.cy.nodes().length, window.kgNetwork.cy.edges().length]")
        # an actor moved 20 times, one step per frame, as a drag does: the frames' mean time
        frame_ms = driver.execute_async_script(
            "const done = arguments[arguments.length - 1], n = window.kgNetwork.cy.nodes()[0];"
            "let step = 0, start = performance.now();"
            "function move() { const p = n.position(); n.position({x: p.x + 5, y: p.y + 3});"
            "  if (++step < 20) requestAnimationFrame(move); else requestAnimationFrame(() => done((performance.now() - start) / 20)); }"
            "requestAnimationFrame(move);")
        return (f"{counts[0]:,} actors, {counts[1]:,} lines; ready after {ready:.1f} s "
                f"(layout {layout_ms / 1000:.1f} s); dragging an actor: {frame_ms:.0f} ms per frame")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--actors", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-network-page-"))
    base = network_of(args.store)
    pages = [("the store's network" if args.store else "the seeds' network", base)]
    if args.actors:
        pages.append((f"grown to {args.actors:,} actors", grown(base, args.actors, args.seed)))
    for name, network in pages:
        out = write_picture(network, work / f"{len(network.actors)}.html")
        print(f"{name:28s} page {out.stat().st_size / 1e6:.1f} MB; {measure(out)}", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
