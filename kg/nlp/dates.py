"""Date expressions with a normalised value (``kg_dates``).

Absolute dates ("18.02.2025", "2025-02-18", "18. Februar 2025", "February 18, 2025") get
("abs", ISO date); partial and relative ones keep what they say ("daymonth", "weekday"
also "Donnerstagabend", "month" for "im April (2024)", "rel") and are resolved later against the publication date (kg.extract.setting), because
the Doc does not know it. Month, weekday and relative-day words come from the lexicon.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.lexicon import Lexicon, load_lexicon
from kg.nlp import extensions


class DateAnnotator:
    def __init__(self, lex: Lexicon):
        self.lex = lex
        months = "|".join(sorted((m.capitalize() for m in lex.months), key=len, reverse=True))
        weekdays = "|".join(sorted((w.capitalize() for w in lex.weekdays), key=len, reverse=True))
        before = "|".join(re.escape(w) for w in lex.weekday_prepositions)
        relative = "|".join(sorted((re.escape(w) for w in lex.relative_days), key=len, reverse=True))
        parts = "|".join(re.escape(w) for w in lex.day_parts)  # "Donnerstagabend"
        month_before = "|".join(re.escape(w) for w in lex.month_prepositions)  # "im April"
        self.patterns = [
            ("dmy_num", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
            ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
            ("d_month_y", re.compile(rf"\b(\d{{1,2}})\.\s*({months})(?:\s+(\d{{4}}))?\b")),
            ("month_d_y", re.compile(rf"\b({months})\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?\b")),
            ("weekday", re.compile(rf"\b(?:{before})?\s*(?:\(?heutigen\)?\s+)?({weekdays})(?:{parts})?\b")),
            ("month", re.compile(rf"\b(?:{month_before})\s+({months})(?:\s+(\d{{4}}))?\b")),
            ("relday", re.compile(rf"\b({relative})\b", re.IGNORECASE)),
        ]

    def value(self, kind: str, g: tuple) -> tuple:
        months, weekdays, relative = self.lex.months, self.lex.weekdays, self.lex.relative_days
        if kind == "dmy_num":
            return ("abs", f"{int(g[2]):04d}-{int(g[1]):02d}-{int(g[0]):02d}")
        if kind == "iso":
            return ("abs", f"{g[0]}-{g[1]}-{g[2]}")
        if kind == "d_month_y":
            month = months[g[1].lower()]
            return ("abs", f"{int(g[2]):04d}-{month:02d}-{int(g[0]):02d}") if g[2] else ("daymonth", (int(g[0]), month))
        if kind == "month_d_y":
            month = months[g[0].lower()]
            return ("abs", f"{int(g[2]):04d}-{month:02d}-{int(g[1]):02d}") if g[2] else ("daymonth", (int(g[1]), month))
        if kind == "month":
            return ("month", (months[g[0].lower()], int(g[1]) if g[1] else None))
        if kind == "weekday":
            return ("weekday", weekdays[g[0].lower()])
        return ("rel", relative[g[0].lower()])

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        text = doc.text
        for kind, pattern in self.patterns:
            for m in pattern.finditer(text):
                span = doc.char_span(m.start(), m.end(), label="DATE", alignment_mode="expand")
                if span is None:
                    continue
                span._.kg_value = self.value(kind, m.groups())
                found.append(span)
        doc.spans["kg_dates"] = sorted(filter_spans(found), key=lambda s: s.start)
        return doc


@Language.factory("kg_dates", default_config={"lexicon_path": None})
def make_date_annotator(nlp: Language, name: str, lexicon_path: str | None):
    extensions.register()
    return DateAnnotator(load_lexicon(lexicon_path))
