"""Stage clean: mask web clutter, mark background boxes.

Clutter (ads, partner links, navigation, newsletter prompts, photo credits, teasers,
paywall markers, editorial boilerplate, agency-only bylines) is *masked*: every character of a
removed block except line breaks becomes a space, so the cleaned text has the length of the
original and every offset stays an offset into the file. Each masked block is recorded as a
``Removed``. Background/explainer boxes stay in the text and are recorded in
``CleanDocument.boxes``; later stages read them but draw no events from them.

The rules work on lines and blocks (runs of non-blank lines) and are driven by the patterns
in ``kg/data/clutter_patterns.yaml`` (compiled by ``kg.clutter``); that file also documents each rule. In
order of precedence, for each line not yet taken:

1. a numbered breadcrumb trail starting with a root such as "Startseite" -> navigation;
2. a block heading ("Anzeige", "Unsere Partner", "Mehr zum Thema", "Newsletter") -> the
   heading and its short item lines;
3. a box heading ("Schneller schlau: Nato") -> a box, up to the first blank line (plus a
   following block that opens with an as-of stamp such as "Stand: Januar 2026"); the lines
   of a box are still checked for single-line clutter;
4. a single-line pattern (credit, inline teaser, navigation, newsletter, paywall,
   boilerplate, agency-only byline);
5. a short topic line directly above a teaser heading -> part of that teaser.

Finally embedded teasers for other articles (kicker, title, "... Ein Gastbeitrag.", byline)
are found block by block. Photo credits are removed only when short (see ``credits`` in the
YAML): a long, sentence-like caption is content even if it starts with "Foto:".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.clutter import CLOSERS, BlockRule, Patterns, load_patterns
from kg.model import CleanDocument, Removed, SourceDocument

# Characters that survive masking: keeping line breaks keeps line/paragraph structure intact.
_KEEP = frozenset("\r\n")
# "von Maximilian Terhalle": the author line under an embedded teaser (at most four words).
_AUTHOR_BYLINE = re.compile(r"von\s+\S+(?:\s+\S+){0,3}", re.IGNORECASE)


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the first non-whitespace character (line start if blank)
    end: int  # offset after the last non-whitespace character
    text: str  # the line without surrounding whitespace

    @property
    def blank(self) -> bool:
        return not self.text


def _split_lines(text: str) -> list[_Line]:
    # Split on "\n" only (not str.splitlines): U+2028 and friends are not line breaks in the
    # files we read, and "\r" stays inside the line so offsets are untouched.
    lines: list[_Line] = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = offset + lead
        lines.append(_Line(start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


def _fullmatch_any(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.fullmatch(text)
        if match:
            return match
    return None


def _heading_shaped(text: str, limit: int, *, colon: bool = False) -> bool:
    """Short, contains a letter, and does not end like a sentence or a clause.

    ``colon``: a final colon is allowed, as in list and box headings ("Lesen Sie auch:").
    """
    if not text or len(text) > limit or not any(ch.isalpha() for ch in text):
        return False
    tail = text.rstrip(CLOSERS)
    return not tail or tail[-1] not in (".!,;" if colon else ".!,;:")


# --------------------------------------------------------------------------- the cleaner


class _Cleaner:
    def __init__(self, text: str, patterns: Patterns) -> None:
        self.p = patterns
        self.lines = _split_lines(text)
        self.taken: list[bool] = [False] * len(self.lines)
        self.removed: list[tuple[int, int, str]] = []  # (first line, last line, reason)
        self.boxes: list[tuple[int, int]] = []  # (first line, last line)

    # ---- classification of single lines

    def block_rule(self, i: int) -> BlockRule | None:
        text = self.lines[i].text
        if not _heading_shaped(text, self.p.heading, colon=True):
            return None
        for rule in self.p.blocks:
            if _fullmatch_any(rule.headings, text):
                return rule
        return None

    def is_box_heading(self, i: int) -> bool:
        text = self.lines[i].text
        return _heading_shaped(text, self.p.heading, colon=True) and bool(
            _fullmatch_any(self.p.box_headings, text)
        )

    def starts_block(self, i: int) -> bool:
        """Does line i open something else, so that a list or box before it must end?"""
        return self.block_rule(i) is not None or self.is_box_heading(i)

    def line_reason(self, i: int) -> str | None:
        text = self.lines[i].text
        if self.is_credit(text):
            return "photo-credit"
        for rule in self.p.lines:
            if rule.max_chars is not None and len(text) > rule.max_chars:
                continue
            if _fullmatch_any(rule.patterns, text):
                return rule.reason
        if len(text) <= self.p.heading and self.p.byline.fullmatch(text):
            return "byline"
        return None

    def is_credit(self, text: str) -> bool:
        if len(text) > self.p.credit_max_chars:
            return False
        match = _fullmatch_any(self.p.credits, text)
        return bool(match) and len(match.group("body").split()) <= self.p.credit_max_words

    def matches_group(self, i: int, group: str) -> bool:
        for rule in self.p.lines:
            if rule.reason == group:
                return bool(_fullmatch_any(rule.patterns, self.lines[i].text))
        return False

    # ---- extents

    def next_nonblank(self, i: int) -> int | None:
        for k in range(i + 1, len(self.lines)):
            if not self.lines[k].blank:
                return k
        return None

    def block_end(self, i: int) -> int:
        """Last line of the block starting at i, stopping before another block/box heading."""
        j = i
        while (
            j + 1 < len(self.lines)
            and not self.lines[j + 1].blank
            and not self.starts_block(j + 1)
        ):
            j += 1
        return j

    def list_end(self, i: int, rule: BlockRule) -> int:
        """Last line of the clutter block whose heading is line i."""
        j, items = i, 0
        while j + 1 < len(self.lines) and items < rule.max_lines:
            nxt = self.lines[j + 1]
            if nxt.blank or len(nxt.text) > self.p.short_line or self.starts_block(j + 1):
                break
            j, items = j + 1, items + 1
        if rule.trim_to is not None:
            # Keep only up to the last line that is evidence of this kind of widget.
            last = i
            for k in range(i + 1, j + 1):
                if self.matches_group(k, rule.trim_to):
                    last = k
            j = last
        return j

    def breadcrumb_end(self, i: int) -> int | None:
        match = self.p.breadcrumb_item.fullmatch(self.lines[i].text)
        if not match or match.group("label").strip().casefold() not in self.p.breadcrumb_roots:
            return None
        j = i
        while (
            j + 1 < len(self.lines)
            and len(self.lines[j + 1].text) <= self.p.short_line
            and self.p.breadcrumb_item.fullmatch(self.lines[j + 1].text)
        ):
            j += 1
        return j if j > i else None  # a lone "1. Startseite" may be a list item; need a trail

    def box_end(self, i: int) -> int:
        j = self.block_end(i)
        if j == i:  # the heading stands alone: its body is the next block
            k = self.next_nonblank(i)
            if k is not None and not self.starts_block(k):
                j = self.block_end(k)
        while True:  # an as-of stamp right after the box opens a block that still belongs to it
            k = self.next_nonblank(j)
            if k is None or not _fullmatch_any(self.p.box_continuation, self.lines[k].text):
                return j
            j = self.block_end(k)

    # ---- marking

    def take(self, first: int, last: int, reason: str, *, merge: bool = False) -> None:
        for k in range(first, last + 1):
            self.taken[k] = True
        # Adjacent single lines of the same kind (share buttons, credits) form one block;
        # blocks found by a heading ("Anzeige" ...) stay one record each.
        if (
            merge
            and self.removed
            and self.removed[-1][2] == reason
            and self.removed[-1][1] == first - 1
            and not self.lines[first - 1].blank
        ):
            self.removed[-1] = (self.removed[-1][0], last, reason)
        else:
            self.removed.append((first, last, reason))

    # ---- passes

    def run(self) -> None:
        i, box_until = 0, -1
        n = len(self.lines)
        while i < n:
            if self.lines[i].blank or self.taken[i]:
                i += 1
                continue
            end = self.breadcrumb_end(i)
            if end is not None:
                self.take(i, end, "navigation")
                i = end + 1
                continue
            rule = self.block_rule(i)
            if rule is not None:
                end = self.list_end(i, rule)
                self.take(i, end, rule.reason)
                i = end + 1
                continue
            if i > box_until and self.is_box_heading(i):
                box_until = self.box_end(i)
                self.boxes.append((i, box_until))
                i += 1  # lines inside the box are still checked for single-line clutter
                continue
            reason = self.line_reason(i)
            if reason is not None:
                self.take(i, i, reason, merge=True)
                i += 1
                continue
            if i + 1 < n and _heading_shaped(self.lines[i].text, self.p.kicker):
                nxt = self.block_rule(i + 1)
                if nxt is not None and nxt.kicker:
                    end = self.list_end(i + 1, nxt)
                    self.take(i, end, nxt.reason)
                    i = end + 1
                    continue
            i += 1
        self.embedded_teasers()

    def embedded_teasers(self) -> None:
        blocks: list[tuple[int, int]] = []
        k = 0
        while k < len(self.lines):
            if self.lines[k].blank:
                k += 1
                continue
            j = k
            while j + 1 < len(self.lines) and not self.lines[j + 1].blank:
                j += 1
            blocks.append((k, j))
            k = j + 1

        def free(b: tuple[int, int]) -> bool:
            return not any(self.taken[b[0] : b[1] + 1])

        def one_line(b: tuple[int, int]) -> bool:
            return b[0] == b[1] and free(b)

        seen_body = False
        for idx, (first, last) in enumerate(blocks):
            text = " ".join(self.lines[k].text for k in range(first, last + 1))
            is_blurb = (
                seen_body
                and free((first, last))
                and len(text) <= self.p.teaser_blurb
                and self.p.genre_sentence.search(text) is not None
            )
            longest = max(len(self.lines[k].text) for k in range(first, last + 1))
            seen_body = seen_body or longest >= self.p.long_paragraph
            if not is_blurb:
                continue
            start = idx
            while (
                idx - start < self.p.teaser_max_headings
                and start > 0
                and one_line(blocks[start - 1])
                and _heading_shaped(self.lines[blocks[start - 1][0]].text, self.p.heading)
            ):
                start -= 1
            stop = idx
            after = blocks[idx + 1] if idx + 1 < len(blocks) else None
            own_byline = after is not None and after[0] == after[1] and (after[0], after[0], "byline") in self.removed
            if after is not None and (one_line(after) or own_byline):
                byline = self.lines[after[0]].text
                if _AUTHOR_BYLINE.fullmatch(byline) and _heading_shaped(byline, self.p.kicker):
                    stop = idx + 1
                    if own_byline:  # the teaser's byline belongs to the teaser
                        self.removed.remove((after[0], after[0], "byline"))
            if start == idx and stop == idx:
                continue  # a lone blurb without title or byline could be the article's own
            self.take(blocks[start][0], blocks[stop][1], "teaser")


def clean_document(doc: SourceDocument) -> CleanDocument:
    """Mask web clutter in ``doc.text`` and record background boxes (see module docstring)."""
    text = doc.text
    cleaner = _Cleaner(text, load_patterns())
    cleaner.run()
    lines = cleaner.lines

    found = [Removed(lines[a].start, lines[b].end, reason) for a, b, reason in cleaner.removed]
    for k, line in enumerate(lines):
        # a credit that ends a caption line: only the credit goes ("… Camp David. AP/Lena Marsh")
        if line.blank or cleaner.taken[k]:
            continue
        match = cleaner.p.trailing_credit.search(line.text)
        if match is not None and match.start("credit") > 0:
            found.append(Removed(line.start + match.start("credit"), line.start + match.end("credit"), "photo-credit"))
    removed = sorted(found, key=lambda r: (r.start, r.end))
    chars = list(text)
    for item in removed:
        for k in range(item.start, item.end):
            if chars[k] not in _KEEP:
                chars[k] = " "
    masked = "".join(chars)
    assert len(masked) == len(text), "masking must keep every offset"

    boxes = tuple(sorted((lines[first].start, lines[last].end) for first, last in cleaner.boxes))
    return CleanDocument(source=doc, text=masked, removed=tuple(removed), boxes=boxes)
