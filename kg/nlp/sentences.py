"""Sentence starts from line breaks and sentence-final punctuation (``kg_sentencizer``)."""
from __future__ import annotations

import re
from collections.abc import Collection

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from kg.lexicon import load_lexicon

# punctuation, not words: a quote or bracket glued to a full stop closes the sentence
CLOSING_QUOTES = frozenset({"“", "”", '"', "»", "«", "'", "’", ")"})
SENTENCE_END = frozenset({".", "!", "?"})
_DAY_NUMBER = re.compile(r"\d{1,2}\.")


@Language.factory("kg_sentencizer", default_config={"lexicon_path": None})
def make_sentencizer(nlp: Language, name: str, lexicon_path: str | None):
    months = frozenset(load_lexicon(lexicon_path).months)
    return lambda doc: sentencize(doc, months)


def sentencize(doc: Doc, month_names: Collection[str] = ()) -> Doc:
    """Sentence starts from line breaks and sentence-final punctuation.

    Line breaks always end a sentence (headlines, captions and list items stand alone);
    '.', '!', '?' end one when the next word starts upper-case, a digit or a quote.
    Initials ("Sergej W. Lawrow") and ordinals ("18. Februar") stay single tokens in spaCy's
    German tokenizer, so they never reach the punctuation rule; a day number after a month
    name ("on February 12. Secretary …") ends an English sentence.
    """
    n = len(doc)
    starts = [False] * n
    if n:
        starts[0] = True
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            starts[i + 1] = True
        elif _DAY_NUMBER.fullmatch(tok.text) and i > 0 and doc[i - 1].lower_ in month_names and nxt.text[:1].isupper():
            starts[i + 1] = True
        elif tok.text in SENTENCE_END:
            j = i + 1
            # a quote glued to the full stop closes the sentence; after a space it opens the next
            while j < n and doc[j].text in CLOSING_QUOTES and not doc[j - 1].whitespace_:
                j += 1
            if j < n and (doc[j].text[:1].isupper() or doc[j].text[:1].isdigit() or doc[j].text[:1] in "„\"«»"):
                starts[j] = True
    # one array write: setting Token.is_sent_start checks the whole Doc each time (quadratic)
    values = numpy.fromiter((1 if start else -1 for start in starts), dtype=numpy.int64, count=n).astype(numpy.uint64)
    if n:
        doc.from_array([SENT_START], values.reshape(n, 1))
    return doc
