"""The command line as a new user meets it: readable tables at 80-100 columns, dates that
cannot exist, sources named in errors, articles given where graphs belong, a store in use,
closed pipes, Ctrl-C with workers, counts that say what they count."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kg.cli import app
from kg.export import write_dataset
from kg.queries import load_query
from kg.render import result_view
from kg.results import run_query

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
runner = CliRunner()


def kg(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(result, *fragments: str, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    from kg.pipeline import build_dataset

    return write_dataset(build_dataset([REPO / "corpus"]).store, tmp_path_factory.mktemp("seed") / "seed.trig")


def shell(command: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, **kwargs)


# ---------------------------------------------------------------------------- tables

@pytest.mark.parametrize("width", [80, 100, 160])
def test_query_output_keeps_ids_and_dates_whole_at_any_width(seed, width):
    result = run_query(ox_store(seed), load_query("meetings"))
    console = Console(width=width, record=True)
    console.print(result_view(result, "meetings", width))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    for row in result.rows:
        assert row["doc"] in text and (not row["date"] or row["date"] in text)
    words = set(text.split())
    longest = max((row["evidence"] for row in result.rows), key=len)
    assert len(longest) > width and longest.split()[-1] in words  # the evidence is wrapped, not cut with an ellipsis
    assert "…" not in text


def ox_store(path: Path):
    from kg.store import load_store

    return load_store([path])


def test_the_meetings_command_of_the_readme_at_100_columns(seed, tmp_path):
    done = shell(f"COLUMNS=100 kg query meetings --data {seed}", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "000_fc93f5a8c8ff296e" in done.stdout and "2025-02-18" in done.stdout
    assert "202…" not in done.stdout and "00…" not in done.stdout


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--from", "2025-13"], "no month 13"),
        (["--from", "2025-02-30"], "has no day 30"),
        (["--to", "2025-2"], "not a date"),
        (["--from", "2025-03", "--to", "2025-02"], "after --to"),
        (["--relation", "visited"], "unknown relation"),
    ],
)
def test_impossible_timeline_bounds_are_errors(seed, args, fragment):
    one_line_error(kg("timeline", "--data", seed, *args), fragment)


def test_a_missing_source_names_all_three_options():
    for command in (["query", "meetings"], ["show", "Lawrow"], ["timeline"]):
        one_line_error(kg(*command), "--data", "--store", "--endpoint")
    one_line_error(kg("viz", "--out", "x.html"), "GRAPH", "--store", "--endpoint")
    one_line_error(kg("query", "meetings", "--data", "a.ttl", "--store", "s"), "not --data and --store")


def test_an_article_where_a_graph_belongs_says_build_it_first(tmp_path):
    article = REPO / "corpus" / "000_fc93f5a8c8ff296e.txt"
    for command in (["query", "meetings", "--data", article], ["stats", article], ["validate", article],
                    ["show", "Lawrow", "--data", article]):
        one_line_error(kg(*command), str(article), "run kg build first")


def test_a_store_in_use_is_named_with_its_holder(tmp_path):
    from kg.pipeline import open_store_for_build

    holder = open_store_for_build(tmp_path / "store")  # this process builds into it
    try:
        line = one_line_error(kg("build", REPO / "corpus", "--store", tmp_path / "store"), "in use", f"pid {os.getpid()}")
        assert "IO error" not in line and "LOCK" not in line
    finally:
        del holder
    # queries read the store while a build holds it
    result = kg("query", "meetings", "--store", tmp_path / "store", "--format", "csv")
    assert result.exit_code == 0, result.output


def test_counts_say_what_they_count(tmp_path, seed):
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(REPO / "corpus" / "000_fc93f5a8c8ff296e.txt", one)
    result = kg("build", one, "--out", tmp_path / "g.trig")
    assert result.exit_code == 0, result.output
    assert "kg build: 1 document, " in result.stderr and "quads in 2 named graphs, 0 failures" in result.stderr  # its own and the actors graph
    result = kg("build", one, "--out", tmp_path / "g.ttl")
    assert "triples (the union of 2 named graphs)" in result.stderr
    stats = kg("stats", seed)
    assert stats.exit_code == 0, stats.output
    quads = len(ox_store(seed))  # counted by pyoxigraph, independently of kg stats
    assert f"quads: {quads:,} in 6 named graphs" in stats.stdout and "distinct in the union" in stats.stdout


# ---------------------------------------------------------------------------- processes

def test_a_reader_that_stops_early_is_no_failure(tmp_path, seed):
    """`kg … | head -1` with more output than a pipe holds: status 0, nothing on stderr."""
    big = tmp_path / "big.nt"
    with big.open("w") as out:
        for i in range(30_000):
            out.write(f'<urn:kg:s{i}> <urn:kg:p> "a value long enough to fill the pipe {i}" .\n')
    everything = tmp_path / "all.rq"
    everything.write_text("SELECT ?s ?o WHERE { ?s ?p ?o }\n")
    for command in (f"kg query {everything} --data {big} --format csv | head -1",
                    f"COLUMNS=100 kg query {everything} --data {big} | head -1",
                    f"kg show Lawrow --data {seed} | head -1"):
        done = shell(command, tmp_path)
        assert done.returncode == 0, (command, done.returncode, done.stderr)
        assert done.stderr == "" and len(done.stdout.splitlines()) == 1, (command, done.stderr)


def test_ctrl_c_with_workers_prints_one_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sources = sorted(REPO.glob("tests/*/corpus/*.txt")) + sorted((REPO / "corpus").glob("*.txt"))
    for copy in range(12):
        for source in sources:
            (corpus / f"{copy:02d}_{source.name}").write_text(source.read_text(encoding="utf-8") + f"\n\nKopie {copy}.\n")
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    build = subprocess.Popen(["kg", "build", str(corpus), "--store", str(tmp_path / "store"), "--workers", "2"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(build.pid)) < 2:
        time.sleep(0.2)
    time.sleep(2)  # the workers are extracting
    assert build.poll() is None, "the build ended before it could be interrupted"
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 130, stderr
    assert stderr.strip() == "kg: interrupted", stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().split(") ", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.parametrize("text", [
    "plain words", "Preis [EUR] und [1]", "x \\[bold] y", "\\\\[bold]q[/]", "ends with \\",
    "[bold]met-with[/] A, B  [dim]\\[doc_1][/]", "a \\\\\\[b] c", "[italic]„Waffenruhe [sofort]“[/]",
])
def test_lines_into_a_pipe_are_what_rich_prints_to_a_file(text, tmp_path):
    """kg writes plain text itself when stdout is no terminal (rich took 30 s for a
    timeline of 10,000 documents); the text must be the one rich would have written."""
    from rich.markup import escape

    from kg.render import plain_text

    for markup in (text, escape(text), f"[bold]{escape(text)}[/] [dim]\\[{escape(text)}][/]"):
        with open(tmp_path / "rich.txt", "w") as out:
            Console(file=out, soft_wrap=True, emoji=False).print(markup)
        assert plain_text(markup) + "\n" == (tmp_path / "rich.txt").read_text(), markup


def test_timeline_and_profile_into_a_pipe_match_rich(seed):
    from kg.render import plain_text

    for args in (["timeline", "--data", seed], ["show", "Lawrow", "--data", seed]):
        result = kg(*args)
        assert result.exit_code == 0, result.output
        assert result.stdout.count("\n") > 10 and "[/]" not in result.stdout and "[bold]" not in result.stdout
    assert plain_text("[dim]\\[000_x][/]") == "[000_x]"


# not "ends with \\": rich shows a text's last backslash twice when markup follows it (its
# escape() doubles it), the plain timeline keeps the text's one
@pytest.mark.parametrize("text", ["plain words", "Preis [EUR] und [1]", "x \\[bold] y", "\\\\[bold]q[/]",
                                  "a \\\\\\[b] c", "[italic]„Waffenruhe [sofort]“[/]", "mid \\ slash"])
def test_the_plain_timeline_is_what_rich_prints_of_its_markup(text, tmp_path):
    """Into a pipe kg timeline writes its lines without markup (100,000 lines on 10,000
    documents); they must be what rich prints of the styled lines."""
    from kg.network import TimelineEvent
    from kg.render import timeline_view

    events = [TimelineEvent(event="e1", relation="met-with", date="2025-02-18", reported_only=False, actors=(text, "B"),
                            addressees=(), place=text, content=text, doc=f"doc[{text}]", evidence=text),
              TimelineEvent(event="e2", relation="demanded", date="2025-02", reported_only=True, actors=("A",),
                            addressees=(text,), place="", content="", doc="d", evidence=f"[{text}]")]
    with open(tmp_path / "rich.txt", "w") as out:
        console = Console(file=out, soft_wrap=True, emoji=False)
        for line in timeline_view(events):
            console.print(line)
    plain = "".join(f"{line}\n" for line in timeline_view(events, markup=False))
    assert plain == (tmp_path / "rich.txt").read_text()
