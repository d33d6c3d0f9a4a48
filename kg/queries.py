"""Saved SPARQL queries: loading and parameter binding (kg.results runs them).

Saved queries are ``.rq`` files with grlc-style headers::

    #+ summary: one line
    #+ description: >
    #+   longer text, may run over several lines
    #+ params:
    #+   - actor: label, alias or IRI of the actor

Parameters follow the grlc naming convention in the query body: ``?_name`` is a required
parameter, ``?__name`` an optional one. Values are never pasted into the query text:
locally they are bound through pyoxigraph's ``substitutions=`` (SEP-0007); for remote
endpoints :func:`values_clause` renders them as an escaped ``VALUES`` block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import pyoxigraph as ox

from kg.errors import QueryError
from kg.resources import queries_dir
from kg.vocab import QID, WIKIDATA, XSD

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple]

QUERY_SUFFIX = ".rq"
_XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class QueryParam:
    name: str  # without the "?_" prefix, as given on the command line
    description: str = ""
    required: bool = True

    @property
    def variable(self) -> str:
        """The SPARQL variable name (without "?") that carries this parameter."""
        return ("_" if self.required else "__") + self.name


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: list[QueryParam]
    text: str


# ---------------------------------------------------------------------------------------
# loading


def list_queries() -> list[SavedQuery]:
    """Every saved query in the queries folder, sorted by name."""
    paths = sorted(queries_dir().glob("*" + QUERY_SUFFIX), key=lambda path: path.stem)
    return [_load_file(path) for path in paths]


def query_names() -> list[str]:
    return sorted(p.stem for p in queries_dir().glob("*" + QUERY_SUFFIX))


def load_query(name_or_path: str | Path) -> SavedQuery:
    """A saved query by name (``meetings``) or any ``.rq`` file by path."""
    value = str(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, Path)
        or value.endswith(QUERY_SUFFIX)
        or "/" in value
        or "\\" in value
    )
    if looks_like_path:
        path = Path(value)
        if not path.is_file():
            raise QueryError(f"query file not found: {path}")
        return _load_file(path)
    path = queries_dir() / (value + QUERY_SUFFIX)
    if not path.is_file():
        available = ", ".join(query_names()) or "none"
        raise QueryError(f"unknown query '{value}' (saved queries: {available})")
    return _load_file(path)


def _load_file(path: Path) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read query file {path}: {exc}") from exc
    header = _parse_header(text)
    body_params = _parameter_variables(text)
    declared = _declared_params(header.get("params"))
    unknown = [name for name in declared if name not in body_params]
    if unknown:
        raise QueryError(
            f"{path}: the header documents parameter(s) {', '.join(unknown)} "
            f"that the query does not use (expected ?_{unknown[0]} in the query)"
        )
    # header order first (that is how authors document them), then undocumented ones
    ordered = list(declared) + [name for name in body_params if name not in declared]
    params = [
        QueryParam(name=name, description=declared.get(name, ""), required=body_params[name])
        for name in ordered
    ]
    _check_parses(path, text, params)
    return SavedQuery(
        name=path.stem,
        path=path,
        summary=_scalar(header.get("summary")),
        description=_scalar(header.get("description")),
        params=params,
        text=text,
    )


def _check_parses(path: Path, text: str, params: list[QueryParam]) -> None:
    """Prepare the query on an empty store with placeholder parameters.

    pyoxigraph is the local executor, so its parser is the one that matters. Preparing
    with substitutions also catches a parameter missing from the SELECT clause (which
    substitution requires). Results are evaluated lazily and are not iterated, so a
    SERVICE call in the query is not made here.
    """
    substitutions = {ox.Variable(p.variable): ox.Literal("") for p in params}
    try:
        ox.Store().query(text, substitutions=substitutions or None)
    except SyntaxError as exc:
        raise QueryError(f"{path}: SPARQL syntax error: {exc}") from exc
    except (RuntimeError, ValueError, OSError) as exc:
        hint = ""
        if "projection" in str(exc):
            hint = " (a parameter variable must be listed in the SELECT clause)"
        raise QueryError(f"{path}: {exc}{hint}") from exc


# -- header ------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
HeaderValue = Union[str, list[str]]


def _parse_header(text: str) -> dict[str, HeaderValue]:
    """The ``#+`` lines of the leading comment block as {key: text or list of items}.

    A small line parser rather than YAML: descriptions contain colons and quotes that a
    YAML loader would trip over, and only summary/description/params are used here.
    """
    header: dict[str, HeaderValue] = {}
    key: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break  # the header is the comment block before the query
        if not line.startswith("#+"):
            continue
        content = raw.lstrip()[2:]
        if content.startswith(" "):
            content = content[1:]
        match = _KEY_LINE.match(content)
        if match and not content[:1].isspace():
            key, value = match.group(1), match.group(2).strip()
            header[key] = "" if value in ("|", ">", "|-", ">-") else value
            continue
        if key is None:
            continue
        item = content.strip()
        previous = header.get(key, "")
        if item.startswith("- "):
            items = previous if isinstance(previous, list) else []
            items.append(item[2:].strip())
            header[key] = items
        elif isinstance(previous, list):
            if previous:  # continuation of the last list item
                previous[-1] = f"{previous[-1]} {item}"
        else:
            header[key] = f"{previous} {item}".strip()
    return header


def _scalar(value: HeaderValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]  # a quoted YAML scalar
    return value


def _declared_params(value: HeaderValue | None) -> dict[str, str]:
    """``- name: description`` items of the params header, in order."""
    if not value:
        return {}
    items = value if isinstance(value, list) else [value]
    declared: dict[str, str] = {}
    for item in items:
        name, _, description = item.partition(":")
        name = name.strip().lstrip("?$").lstrip("_")
        if name:
            declared[name] = description.strip()
    return declared


# -- parameter variables -----------------------------------------------------------------

# Strings, IRIs and comments are matched (and skipped) so that "?_x" inside them is not
# taken for a variable. "<" followed by a space is the less-than operator, not an IRI.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*"
    r"|(?P<var>[?$]\w+)",
    re.DOTALL,
)


def _parameter_variables(text: str) -> dict[str, bool]:
    """Parameter names used in the query body -> required (``?_x``) or optional (``?__x``)."""
    found: dict[str, bool] = {}
    for match in _TOKENS.finditer(text):
        var = match.group("var")
        if not var:
            continue
        name = var[1:]
        if name.startswith("__") and len(name) > 2:
            found.setdefault(name[2:], False)
        elif name.startswith("_") and len(name) > 1 and not name.startswith("__"):
            found[name[1:]] = True
    return found


# ---------------------------------------------------------------------------------------
# parameters

# Characters that may not appear in an IRI reference (RFC 3987 / the SPARQL IRIREF rule).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_PREFIXES = ("http://", "https://", "urn:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def text_problem(value: str, controls: bool = True) -> str | None:
    """Why a text from the command line cannot be used, or None: bytes that are not UTF-8
    (Python keeps them in argv as lone surrogates) or, if ``controls``, control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        return "is not valid UTF-8" + (f" (byte 0x{code - 0xDC00:02x})" if 0xDC80 <= code <= 0xDCFF else "")
    bad = _CONTROL.search(value) if controls else None
    return f"contains a control character (U+{ord(bad.group()):04X})" if bad else None


def to_term(name: str, value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: ``<…>``, http(s):// and urn: give an IRI, a
    Wikidata QID ("Q159") the item's IRI (registry actors and places are owl:sameAs it),
    anything else a plain literal."""
    problem = text_problem(value, controls=False)  # control characters are data, escaped
    if problem:
        raise QueryError(f"parameter '{name}': the value {problem}")
    iri: str | None = None
    if QID.fullmatch(value):
        iri = f"{WIKIDATA}{value}"
    elif value.startswith("<") and value.endswith(">") and len(value) >= 2:
        iri = value[1:-1]
    elif value.lower().startswith(_IRI_PREFIXES):
        iri = value
    if iri is None:
        return ox.Literal(value)
    bad = _IRI_FORBIDDEN.search(iri)
    if bad:
        raise QueryError(
            f"parameter '{name}': invalid IRI {iri!r} (contains {bad.group()!r})"
        )
    if not _IRI_SCHEME.match(iri):
        raise QueryError(f"parameter '{name}': invalid IRI {iri!r} (no scheme such as https:)")
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"parameter '{name}': invalid IRI {iri!r} ({exc})") from exc


def parse_params(values: list[str]) -> dict[str, str]:
    """``--param name=value`` options as a mapping; each name once."""
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise QueryError(f"bad --param {item!r}: expected name=value")
        problem = text_problem(name)
        if problem:
            raise QueryError(f"bad --param name {name!r}: it {problem}")
        if name in params:
            raise QueryError(f"--param {name} given twice")
        params[name] = value
    return params


def bind_parameters(query: SavedQuery, params: dict[str, str]) -> dict[ox.Variable, Term]:
    """Check ``params`` against the query's parameters and convert them to RDF terms."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        accepted = ", ".join(known) or "none"
        raise QueryError(
            f"query '{query.name}' has no parameter(s) {', '.join(unknown)} "
            f"(parameters: {accepted})"
        )
    missing = [p.name for p in query.params if p.required and p.name not in params]
    if missing:
        raise QueryError(
            f"query '{query.name}' needs parameter(s) {', '.join(missing)} "
            f"(give --param {missing[0]}=VALUE)"
        )
    return {
        ox.Variable(known[name].variable): to_term(name, value) for name, value in params.items()
    }


# N-Triples/SPARQL string escapes; control characters without a short escape become \uXXXX.
_SHORT_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _escape_string(value: str) -> str:
    """The body of a double-quoted SPARQL string literal for ``value``.

    SPARQL lets engines expand ``\\uXXXX`` codepoint escapes before parsing, and some do it
    naively (even after an escaped backslash, and with up to 8 digits). So when a backslash
    in the value is followed by "u"/"U" and hex digits, those characters are written as
    escapes themselves: no reading of the output can turn user text into a quote.
    """
    out: list[str] = []
    after_backslash = False
    hex_guard = 0  # how many following hex digits still need escaping
    for char in value:
        if after_backslash and char in "uU":
            out.append(f"\\u{ord(char):04X}")
            after_backslash, hex_guard = False, 8
            continue
        if hex_guard and char in _HEX_DIGITS:
            out.append(f"\\u{ord(char):04X}")
            hex_guard -= 1
            continue
        hex_guard = 0
        after_backslash = char == "\\"
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def term_to_sparql(term: Term) -> str:
    """An RDF term in SPARQL/N-Triples syntax, safe to place in a query."""
    if isinstance(term, ox.NamedNode):
        if _IRI_FORBIDDEN.search(term.value):
            raise QueryError(f"invalid IRI {term.value!r}")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        text = f'"{_escape_string(term.value)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value != _XSD_STRING:
            return f"{text}^^{term_to_sparql(term.datatype)}"
        return text
    raise QueryError(f"cannot send {term!r} as a query parameter (only IRIs and literals)")


def values_clause(bindings: dict[ox.Variable, Term]) -> str:
    """The bindings as a ``VALUES (?a ?b) { (… …) }`` block of escaped RDF terms.

    kg.remote puts it at the start of the WHERE group: a trailing VALUES block would be
    joined only after the filters inside WHERE have been evaluated.
    """
    if not bindings:
        return ""
    names = " ".join(f"?{var.value}" for var in bindings)
    terms = " ".join(term_to_sparql(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}\n"
