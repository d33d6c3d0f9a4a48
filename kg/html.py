"""HTML pages as plain text (stage read): what a browser would show as the article.

The contents of ``script``, ``style``, ``nav``, ``header``, ``footer``, ``aside``, ``form``
(and ``noscript``, ``template``, ``svg``, ``iframe``) are dropped, block elements become line
breaks (paragraph-like blocks a blank line), whitespace inside text runs is collapsed and
character references are unescaped. ``<title>``, ``<link rel="canonical">`` and the
``article:published_time`` / ``og:site_name`` meta tags give title, url, date and outlet.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")



class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page; see the module docstring for the rules."""

    SKIP = frozenset(
        {"script", "style", "nav", "header", "footer", "aside", "form",
         "noscript", "template", "svg", "iframe"}
    )
    # Paragraph-like blocks are separated by a blank line, list items and cells by a newline.
    PARAGRAPH = frozenset(
        {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
         "ul", "ol", "dl", "table", "blockquote", "pre", "figure", "hr", "address"}
    )
    LINE = frozenset({"br", "li", "tr", "dt", "dd", "figcaption", "caption", "td", "th"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []
        self.head: dict[str, str | None] = {}
        self._skip_depth = 0
        self._pre_depth = 0
        self._pending = 0  # line breaks owed before the next text: block edges collapse
        self._in_title = False
        self._title_done = False  # only the document's <title>, not an SVG's
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "title" and not self._title_done:
            self._in_title = True
        elif tag == "meta":
            self._meta(dict(attrs))
        elif tag == "link":
            a = dict(attrs)
            if (a.get("rel") or "").lower() == "canonical" and a.get("href"):
                self.head.setdefault("url", a["href"])
        if tag == "pre":
            self._pre_depth += 1
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth or tag == "br":  # "<br/>" reports an end tag too: one break only
            return
        if tag == "title" and self._in_title:
            self._in_title, self._title_done = False, True
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
            return
        if self._skip_depth:
            return
        if not self._pre_depth:
            # HTML whitespace only: a no-break space is content, as in a browser.
            data = _HTML_SPACE.sub(" ", data)
            if self._pending and not data.strip(" "):
                return  # indentation between block elements
        if self._pending:
            if self.parts:
                self.parts.append("\n" * self._pending)
            self._pending = 0
        self.parts.append(data)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # "<![foo]>" with a keyword other than CDATA/if/endif/...: the standard library raises
        # AssertionError; a browser skips it as a bogus comment, and so do we.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1

    def _break(self, tag: str) -> None:
        # Adjacent block edges ("</li><li>", "</p>\n<p>") owe one break, not their sum.
        if self._skip_depth:
            return
        if tag in self.PARAGRAPH:
            self._pending = 2
        elif tag == "br":  # "<br><br>" is a paragraph break, as rendered
            self._pending = min(2, self._pending + 1)
        elif tag in self.LINE:
            self._pending = max(self._pending, 1)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("property") or attrs.get("name") or "").lower()
        content = (attrs.get("content") or "").strip()
        if not content:
            return
        if name in {"article:published_time", "date", "dc.date", "dcterms.date"}:
            self.head.setdefault("date", content[:10])  # date part of an ISO timestamp
        elif name == "og:site_name":
            self.head.setdefault("outlet", content)

    def result(self) -> tuple[str, dict[str, str | None]]:
        text = "".join(self.parts)
        lines = [line.strip(" \t\r\f") for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
        title = " ".join("".join(self._title).split())
        if title:
            self.head.setdefault("title", title)
        return text, self.head


def html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.result()
