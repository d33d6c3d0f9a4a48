"""The clutter patterns of stage clean (``kg/data/clutter_patterns.yaml``), compiled once.

kg.clean masks what they match; the YAML file documents each rule.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from kg.resources import data_file, read_yaml

PATTERNS_FILE = "clutter_patterns.yaml"

# Trailing characters stripped before deciding whether a line ends like a sentence.
CLOSERS = "\"'“”„«»‘’)]"


@dataclass(frozen=True)
class BlockRule:
    reason: str
    headings: tuple[re.Pattern[str], ...]
    max_lines: int
    kicker: bool
    trim_to: str | None  # a ``lines`` group whose matches must end the block


@dataclass(frozen=True)
class LineRule:
    reason: str
    patterns: tuple[re.Pattern[str], ...]
    max_chars: int | None


@dataclass(frozen=True)
class Patterns:
    """The compiled contents of ``clutter_patterns.yaml``."""

    short_line: int
    heading: int
    kicker: int
    long_paragraph: int
    teaser_blurb: int
    blocks: tuple[BlockRule, ...]
    lines: tuple[LineRule, ...]
    byline: re.Pattern[str]
    credits: tuple[re.Pattern[str], ...]
    credit_max_chars: int
    credit_max_words: int
    trailing_credit: re.Pattern[str]
    breadcrumb_item: re.Pattern[str]
    breadcrumb_roots: frozenset[str]
    box_headings: tuple[re.Pattern[str], ...]
    box_continuation: tuple[re.Pattern[str], ...]
    genre_sentence: re.Pattern[str]
    teaser_max_headings: int


def _compile(items: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in items)


@functools.lru_cache(maxsize=1)
def load_patterns() -> Patterns:
    """Load and compile ``clutter_patterns.yaml`` (once per process)."""
    raw: dict[str, Any] = read_yaml(data_file(PATTERNS_FILE))
    limits = raw["limits"]
    blocks = tuple(
        BlockRule(
            reason=reason,
            headings=_compile(spec["headings"]),
            max_lines=int(spec.get("max_lines", limits["block_lines"])),
            kicker=bool(spec.get("kicker", False)),
            trim_to=spec.get("trim_to"),
        )
        for reason, spec in raw["blocks"].items()
    )
    lines = tuple(
        LineRule(reason, _compile(spec["patterns"]), spec.get("max_chars"))
        for reason, spec in raw["lines"].items()
    )
    for rule in blocks:
        if rule.trim_to is not None and rule.trim_to not in {r.reason for r in lines}:
            raise ValueError(f"{PATTERNS_FILE}: blocks.{rule.reason}.trim_to names no lines group")
    # Longest names first so "dpa-afx" is not read as "dpa" followed by garbage.
    agencies = "|".join(re.escape(a) for a in sorted(raw["agencies"], key=len, reverse=True))
    byline = re.compile(
        rf"\(?\s*(?:quelle\s*:\s*)?(?:{agencies})(?:\s*[/,&]\s*(?:{agencies}))*\s*\)?",
        re.IGNORECASE,
    )
    genres = "|".join(re.escape(g) for g in raw["embedded_teasers"]["genres"])
    genre_sentence = re.compile(
        rf"(?:^|[.!?…]\s+)eine?\s+(?:{genres})\s*[.!]?{'[' + re.escape(CLOSERS) + ']'}*$",
        re.IGNORECASE,
    )
    credits = raw["credits"]
    trailing = raw["trailing_credits"]
    photo = "|".join(re.escape(a) for a in sorted([*raw["agencies"], *trailing["photo_agencies"]], key=len, reverse=True))
    most = int(trailing["max_chars"])
    # after a sentence end (or a caption without one), to the end of the line
    trailing_credit = re.compile(
        rf"(?:(?<=[.!?“”\"»«)])\s+|\s+(?=(?:foto|bild|fotos|photo)\s*:))"
        rf"(?P<credit>(?:(?:foto|bild|fotos|photo)\s*:\s*)?(?:{photo})(?:\s*/\s*[^/\n]{{1,{most}}}?){{1,3}}|(?:foto|bild|fotos|photo)\s*:\s*[^\n]{{2,{most}}}?)\s*$",
        re.IGNORECASE,
    )
    return Patterns(
        short_line=int(limits["short_line"]),
        heading=int(limits["heading"]),
        kicker=int(limits["kicker"]),
        long_paragraph=int(limits["long_paragraph"]),
        teaser_blurb=int(limits["teaser_blurb"]),
        blocks=blocks,
        lines=lines,
        byline=byline,
        credits=_compile(credits["patterns"]),
        credit_max_chars=int(credits["max_chars"]),
        credit_max_words=int(credits["max_words"]),
        trailing_credit=trailing_credit,
        breadcrumb_item=re.compile(raw["breadcrumbs"]["item"], re.IGNORECASE),
        breadcrumb_roots=frozenset(r.casefold() for r in raw["breadcrumbs"]["roots"]),
        box_headings=_compile(raw["boxes"]["headings"]),
        box_continuation=_compile(raw["boxes"]["continuation"]),
        genre_sentence=genre_sentence,
        teaser_max_headings=int(raw["embedded_teasers"]["max_headings"]),
    )
