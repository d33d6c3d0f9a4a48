"""The documentation is true: every command has help, and every kg command the README shows
runs as shown (its printed lines appear in the real output), against real programs: the
seed corpus, a real Oxigraph server for the endpoint examples, and the Python example."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kg.cli import app

pytest_plugins = ["store_servers"]

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def commands() -> dict[str, typer.models.CommandInfo]:
    return {c.name: c for c in typer.main.get_command(app).commands.values()}


# ---------------------------------------------------------------------------- help

@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_help(name):
    command = commands()[name]
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    summary = (command.help or "").strip().splitlines()[0]
    assert summary and " ".join(summary.split()) in " ".join(result.output.split()), (name, summary)
    for param in command.params:
        if isinstance(param, typer.core.TyperOption):
            assert param.help, f"kg {name} {param.opts[0]} has no help text"


def test_the_command_list_names_every_command():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in commands():
        assert name in result.output


# ---------------------------------------------------------------------------- README

def readme_blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(README.read_text(encoding="utf-8"))]


def readme_examples() -> list[tuple[str, list[str], int]]:
    """(command line, lines the README prints after it, number of its block) for every kg
    command of the README."""
    examples: list[tuple[str, list[str], int]] = []
    for block, (lang, text) in enumerate(readme_blocks()):
        if lang not in ("", "bash", "console"):
            continue
        current: list[str] | None = None
        prompted = any(line.startswith("$ ") for line in text.splitlines())
        for line in text.splitlines():
            if line.startswith("$ "):
                command = line[2:].strip()
                current = [] if command.startswith("kg ") else None
                if current is not None:
                    examples.append((command, current, block))
                continue
            plain = re.sub(r"^machine \d+: ", "", line.strip())
            if not prompted and plain.startswith("kg "):  # a block of commands without output
                examples.append((re.sub(r"\s+#.*$", "", plain), [], block))
                current = None
            elif current is not None and line.strip() and line.strip() != "…":
                current.append(line.strip())
    return examples


def test_the_readme_starts_with_the_two_commands():
    blocks = [text.strip() for lang, text in readme_blocks() if lang == "bash"][:2]
    assert blocks[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e .")
    assert "kg build corpus --out graph.ttl" in blocks[0]
    assert blocks[1] == "bash .ci/run"
    assert subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")]).returncode == 0


def test_the_readme_shows_commands_of_every_kind():
    shown = {command.split()[1] for command, _, _ in readme_examples()}
    assert {"build", "query", "show", "timeline", "viz", "push"} <= shown


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A user's folder: the seed corpus, a copy as 'scraped/', and two halves of it."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "corpus", work / "corpus")
    shutil.copytree(REPO / "corpus", work / "scraped")
    files = sorted((REPO / "corpus").glob("*.txt"))
    for n, part in enumerate((files[: len(files) // 2], files[len(files) // 2 :]), start=1):
        (work / f"part{n}").mkdir()
        for file in part:
            shutil.copy(file, work / f"part{n}" / file.name)
    return work


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               COLUMNS="100", NETRC=str(cwd / "no-netrc"))
    env.pop("KG_USER", None)
    env.pop("KG_PASSWORD", None)
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_readme_command_runs_as_shown(workdir, oxigraph_server):
    """In README order (later examples read what earlier ones wrote). Endpoint URLs point at
    the test's own Oxigraph server, emptied before each example block that uses it; a
    command may end with status 1 only where the README shows why (an ambiguous name)."""
    first = [part.strip() for part in readme_blocks()[0][1].split("&&") if part.strip().startswith("kg ")]
    examples = [(c, [], 0) for c in first] + readme_examples()
    assert len(examples) >= 15
    emptied = set()
    for command, shown, block in examples:
        if "7878" in command and block not in emptied:
            emptied.add(block)
            drop = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
            urllib.request.urlopen(f"{oxigraph_server.url}/update", data=drop, timeout=30).close()
        command = re.sub(r"http://(127\.0\.0\.1|store):7878", oxigraph_server.url, command)
        done = run_shell(command, workdir)
        output = done.stdout + done.stderr
        assert "Traceback" not in output, (command, output)
        expected_status = 1 if any("fits" in line and "actors" in line for line in shown) else 0
        assert done.returncode == expected_status, (command, done.returncode, output[-2000:])
        for line in shown:
            line = re.sub(r"http://127\.0\.0\.1:7878", oxigraph_server.url, line)
            assert squash(line) in squash(output), f"README shows {line!r} after `{command}`; kg printed:\n{output[-3000:]}"


def test_the_python_example_of_the_readme():
    [code] = [text for lang, text in readme_blocks() if lang == "python"]
    statements = [line for line in code.splitlines() if line.strip()]
    *setup, last = statements
    expression, _, comment = last.partition("#")
    namespace: dict = {}
    exec("\n".join(setup), namespace)  # noqa: S102 - the README's own example
    assert repr(eval(expression, namespace)) == comment.strip()  # noqa: S307
