"""Apache Jena's ``riot`` as an independent RDF validator for the tests (no server).

Jena comes from Debian (``libapache-jena-java`` 4.5, installed by .ci/run together with
``default-jre-headless``); see ../shared/STORES.md. The package ships jars only, without
a ``riot`` script and without Class-Path manifests, so the class path is put together
here from the jars in /usr/share/java:

* every unversioned ``jena-*.jar`` and the libraries the package depends on (one jar
  each, listed in ``LIBRARY_JARS``);
* one SLF4J binding, ``slf4j-simple``, so that riot's errors and warnings are printed
  (to stderr, as ``[main] ERROR org.apache.jena.riot - [line: 3, col: 2 ] ...``).
  ``libslf4j-java`` ships every binding and bridge; putting them all on the class path
  kills the JVM (``log4j-over-slf4j`` + ``slf4j-log4j12``);
* first of all, a directory holding the ``org/apache/jena/ext/xerces/**.properties``
  files of ``jena-core.jar`` copied to ``xerces/**``. As shipped, Debian's Jena 4.5 looks
  for these message bundles there and every command dies with
  ``ExceptionInInitializerError ... XSSimpleTypeDecl``. The directory is made once per
  ``jena-core.jar`` (keyed by its path, size and mtime) under the temp dir and reused.

JSON-LD: kg's context uses only JSON-LD 1.0 features (no ``"@version": 1.1``), so riot
reads it with its JSON-LD 1.0 reader (jsonld-java, ``--syntax=jsonld10``). The 1.1 reader
(titanium-json-ld) cannot run here: it needs a Jakarta JSON-P implementation (Eclipse
Parsson), which Debian 12 does not package (``libjsonp2-java`` is the API only).

When ``java`` or a jar is missing, ``classpath()`` raises ``JenaUnavailable`` with what
to install; the tests turn that into a failure, not a skip.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

# where Debian puts the jars; KG_JENA_JAR_DIR points elsewhere (same file names)
JAR_DIR = Path(os.environ.get("KG_JENA_JAR_DIR", "/usr/share/java"))
INSTALL_HINT = (
    "install them from Debian as .ci/run does: apt-get install -y --no-install-recommends "
    "default-jre-headless libapache-jena-java"
)
# jar -> Debian package, for libapache-jena-java's dependencies riot loads (the JSON-LD
# 1.0 reader needs httpclient-cache and, through httpclient, commons-logging)
LIBRARY_JARS = {
    "commons-cli": "libcommons-cli-java",
    "commons-codec": "libcommons-codec-java",
    "commons-compress": "libcommons-compress-java",
    "commons-csv": "libcommons-csv-java",
    "commons-io": "libcommons-io-java",
    "commons-lang3": "libcommons-lang3-java",
    "commons-logging": "libcommons-logging-java",
    "dexx.collection": "libdexx-java",
    "gson": "libgoogle-gson-java",
    "guava": "libguava-java",
    "httpclient": "libhttpclient-java",
    "httpclient-cache": "libhttpclient-java",
    "httpcore": "libhttpcore-java",
    "jackson-annotations": "libjackson2-annotations-java",
    "jackson-core": "libjackson2-core-java",
    "jackson-databind": "libjackson2-databind-java",
    "jakarta.json-api": "libjsonp2-java",
    "jsonld-java": "libjsonld-java",
    "protobuf": "libprotobuf-java",
    "thrift": "libthrift-java",
    "titanium-json-ld": "libtitanium-json-ld-java",
    "slf4j-api": "libslf4j-java",
    "slf4j-simple": "libslf4j-java",
}
# the Jena jars riot cannot start without (all unversioned jena-*.jar go on the path)
REQUIRED_JENA_JARS = ("jena-base", "jena-core", "jena-iri", "jena-arq", "jena-cmds")
XERCES_PREFIX = "org/apache/jena/ext/xerces/"
RIOT_TIMEOUT = 120.0  # seconds; one run takes ≈1.5 s

# riot's log lines (slf4j-simple: "[main] ERROR org.apache.jena.riot - ..."), and what a
# dying JVM prints
_PROBLEM_LINE = re.compile(r"\b(ERROR|WARN|FATAL)\b|Exception|Error\b")


class JenaUnavailable(RuntimeError):
    """Java or a Jena jar is missing, or the class-path fix cannot be prepared."""


def java_binary() -> str:
    java = shutil.which("java")
    if java is None:
        raise JenaUnavailable(f"no 'java' on PATH; {INSTALL_HINT}")
    return java


def jar_path(name: str) -> Path:
    path = JAR_DIR / f"{name}.jar"
    if not path.is_file():
        package = LIBRARY_JARS.get(name, "libapache-jena-java")
        raise JenaUnavailable(f"{path} is missing (Debian package {package}); {INSTALL_HINT}")
    return path


def jena_jars() -> list[Path]:
    """The unversioned jena-*.jar of JAR_DIR (Debian also has jena-core-4.5.0.jar etc.)."""
    for name in REQUIRED_JENA_JARS:
        jar_path(name)
    return sorted(
        path for path in JAR_DIR.glob("jena-*.jar") if not re.search(r"-\d[^/]*\.jar$", path.name)
    )


def xerces_fix_dir(cache_root: Path | None = None) -> Path:
    """The directory with jena-core's xerces message bundles copied to ``xerces/**``.

    Made once per jena-core.jar under ``cache_root`` (default: the temp dir): built in a
    fresh directory beside it and renamed into place, so concurrent runs never see a
    half-filled one.
    """
    core = jar_path("jena-core").resolve()
    stat = core.stat()
    key = hashlib.sha256(f"{core}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    root = Path(cache_root) if cache_root is not None else Path(tempfile.gettempdir())
    target = root / f"kg-jena-xerces-{os.getuid()}-{key}"
    marker = target / ".complete"
    if marker.is_file() and target.stat().st_uid == os.getuid():
        return target

    root.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(dir=root, prefix=f".{target.name}."))
    try:
        copied = 0
        with zipfile.ZipFile(core) as jar:
            for member in jar.namelist():
                if not (member.startswith(XERCES_PREFIX) and member.endswith(".properties")):
                    continue
                relative = Path("xerces", member[len(XERCES_PREFIX):])
                if ".." in relative.parts or relative.is_absolute():
                    continue
                destination = build / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(jar.read(member))
                copied += 1
        if copied == 0:
            raise JenaUnavailable(f"{core} holds no {XERCES_PREFIX}**.properties to copy")
        (build / ".complete").write_text(f"{core}\n", encoding="utf-8")
        if target.exists() and not marker.is_file():  # left half-made by an old layout
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(build, target)
        except OSError:
            # another run got there first, or something foreign is in the way
            if marker.is_file() and target.stat().st_uid == os.getuid():
                shutil.rmtree(build, ignore_errors=True)
                return target
            return build
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return target


def classpath(cache_root: Path | None = None) -> str:
    """The class path for Jena's commands: the xerces fix first, then Jena and its libraries."""
    java_binary()
    entries = [xerces_fix_dir(cache_root)]
    entries += jena_jars()
    entries += [jar_path(name) for name in LIBRARY_JARS]
    return os.pathsep.join(str(entry) for entry in entries)


def riot_validate(
    path: Path, syntax: str | None = None, cp: str | None = None, timeout: float = RIOT_TIMEOUT
) -> tuple[int, str]:
    """Run ``riotcmd.riot --validate path``: (exit code, stdout and stderr together).

    The syntax comes from the file's suffix unless ``syntax`` (riot's ``--syntax``) is
    given. riot exits 1 on any error and, with ``--validate``, on any warning.
    """
    command = [java_binary(), "-cp", cp if cp is not None else classpath(), "riotcmd.riot", "--validate"]
    if syntax is not None:
        command.append(f"--syntax={syntax}")
    command.append(str(path))
    try:
        completed = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed java by then
        raise JenaUnavailable(f"riot did not finish within {timeout:.0f} s on {path}") from exc
    return completed.returncode, completed.stdout.decode("utf-8", errors="replace")


def riot_convert(path: Path, syntax: str | None = None, cp: str | None = None, timeout: float = RIOT_TIMEOUT) -> str:
    """What riot reads from ``path``, written as N-Quads; riot's complaints raise ValueError."""
    command = [java_binary(), "-cp", cp if cp is not None else classpath(), "riotcmd.riot", "--output=nquads"]
    if syntax is not None:
        command.append(f"--syntax={syntax}")
    command.append(str(path))
    try:
        completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise JenaUnavailable(f"riot did not finish within {timeout:.0f} s on {path}") from exc
    errors = completed.stderr.decode("utf-8", errors="replace")
    if completed.returncode != 0 or problem_lines(errors):
        raise ValueError(f"riot could not read {path} (exit {completed.returncode}):\n{errors}")
    return completed.stdout.decode("utf-8")


def problem_lines(output: str) -> list[str]:
    """riot's error and warning lines (and a dying JVM's) in ``output``."""
    return [line for line in output.splitlines() if _PROBLEM_LINE.search(line)]
