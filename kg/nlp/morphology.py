"""POS (STTS + UD), lemma and verb form on every token from HanTa (``kg_morph``).

HanTa's model is trained on the TIGER treebank; it installs from PyPI with its model, unlike
any German spaCy pipeline here. Tags come from HanTa's HMM over the sentence; lemmas are
looked up once per (word, tag) and kept, and a sentence seen before (repeated paragraphs,
boilerplate) is not tagged again. Tokens HanTa cannot analyse keep the lookup-table lemma.
"""
from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as UPOS_IDS
from spacy.tokens import Doc

# HanTa's STTS variant -> (STTS tag, Universal POS, morphological features)
_HANTA_TAGS = {
    "ADJ(A)": ("ADJA", "ADJ", ""), "ADJ(D)": ("ADJD", "ADJ", ""), "ADV": ("ADV", "ADV", ""),
    "APPO": ("APPO", "ADP", "AdpType=Post"), "APPR": ("APPR", "ADP", "AdpType=Prep"),
    "APPRART": ("APPRART", "ADP", "AdpType=Prep|PronType=Art"), "APZR": ("APZR", "ADP", "AdpType=Circ"),
    "ART": ("ART", "DET", "PronType=Art"), "CARD": ("CARD", "NUM", "NumType=Card"), "FM": ("FM", "X", "Foreign=Yes"),
    "ITJ": ("ITJ", "INTJ", ""), "KOKOM": ("KOKOM", "CCONJ", ""), "KON": ("KON", "CCONJ", ""),
    "KOUI": ("KOUI", "SCONJ", ""), "KOUS": ("KOUS", "SCONJ", ""), "NE": ("NE", "PROPN", ""),
    "NN": ("NN", "NOUN", ""), "NNA": ("NN", "NOUN", ""), "NNI": ("NN", "NOUN", "VerbForm=Inf"),
    "PDAT": ("PDAT", "DET", "PronType=Dem"), "PDS": ("PDS", "PRON", "PronType=Dem"),
    "PIAT": ("PIAT", "DET", "PronType=Ind"), "PIS": ("PIS", "PRON", "PronType=Ind"),
    "PPER": ("PPER", "PRON", "PronType=Prs"), "PPOSAT": ("PPOSAT", "DET", "Poss=Yes|PronType=Prs"),
    "PPOSS": ("PPOSS", "PRON", "Poss=Yes|PronType=Prs"), "PRELAT": ("PRELAT", "DET", "PronType=Rel"),
    "PRELS": ("PRELS", "PRON", "PronType=Rel"), "PRF": ("PRF", "PRON", "PronType=Prs|Reflex=Yes"),
    "PROAV": ("PROAV", "ADV", "PronType=Dem"), "PTKA": ("PTKA", "PART", ""), "PTKANT": ("PTKANT", "PART", ""),
    "PTKNEG": ("PTKNEG", "PART", "Polarity=Neg"), "PTKVZ": ("PTKVZ", "ADP", "PartType=Vbp"),
    "PTKZU": ("PTKZU", "PART", "PartType=Inf"), "PWAT": ("PWAT", "DET", "PronType=Int"),
    "PWAV": ("PWAV", "ADV", "PronType=Int"), "PWS": ("PWS", "PRON", "PronType=Int"),
    "TRUNC": ("TRUNC", "X", "Hyph=Yes"), "XY": ("XY", "X", ""),
    "$(": ("$(", "PUNCT", ""), "$,": ("$,", "PUNCT", ""), "$.": ("$.", "PUNCT", ""),
}
for _verb, _upos in (("VA", "AUX"), ("VM", "AUX"), ("VV", "VERB")):
    _HANTA_TAGS.update({
        f"{_verb}(FIN)": (f"{_verb}FIN", _upos, "VerbForm=Fin"),
        f"{_verb}(IMP)": (f"{_verb}IMP", _upos, "Mood=Imp|VerbForm=Fin"),
        f"{_verb}(INF)": (f"{_verb}INF", _upos, "VerbForm=Inf"),
        f"{_verb}(IZU)": (f"{_verb}IZU", _upos, "VerbForm=Inf"),
        f"{_verb}(PP)": (f"{_verb}PP", _upos, "Aspect=Perf|VerbForm=Part"),
    })


class HanTaMorphology:
    """The component: HanTa's tags and lemmas on the tokens of each sentence.

    With ``lookup_lemmas`` it also does what spaCy's lookup lemmatizer did before it: a token
    HanTa gives no lemma (punctuation, numbers, names, words it cannot analyse) takes the one
    of spacy-lookups-data's German table, else its own text. All four attributes go into the
    Doc as one array write; setting them token by token cost more than the lookups."""

    def __init__(self, nlp: Language, model: str, sentence_cache: int, word_cache: int, lookup_lemmas: bool):
        from kg.nlp.hanta import FastHanoverTagger

        self.tagger = FastHanoverTagger(model, word_cache)
        self.sentence_cache_size = sentence_cache
        self.word_cache_size = word_cache
        self.lookup = _lemma_lookup_table() if lookup_lemmas else None
        self._sentences: dict[tuple[str, ...], list[str]] = {}
        self._lemmas: dict[tuple[str, str], str] = {}
        self._vocab = nlp.vocab
        self._values = _tag_values(nlp.vocab)

    def _tags(self, words: tuple[str, ...]) -> list[str]:
        tags = self._sentences.get(words)
        if tags is None:
            tags = self.tagger.tag_sent(list(words), taglevel=0)
            if len(self._sentences) >= self.sentence_cache_size:
                self._sentences.clear()  # bounded memory on big corpora
            self._sentences[words] = tags
        return tags

    def _lemma(self, word: str, tag: str) -> str:
        key = (word, tag)
        lemma = self._lemmas.get(key)
        if lemma is None:
            try:
                lemma = self.tagger.analyze(word, pos=tag, taglevel=1)[0]
            except (IndexError, KeyError, ValueError):
                lemma = ""
            if len(self._lemmas) >= self.word_cache_size:
                self._lemmas.clear()  # bounded memory on big corpora
            self._lemmas[key] = lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        words = [t.text for t in doc]
        n = len(words)
        if not n:
            return doc
        values = numpy.array(doc.to_array([TAG, POS, MORPH, LEMMA]), dtype=numpy.uint64)
        starts = [i for i, s in enumerate(doc.to_array([SENT_START]).tolist()) if s == 1 or i == 0] + [n]
        # the ids are those of the Doc's vocabulary (the pipeline's own, unless a caller made
        # the Doc with another)
        tag_values = self._values if doc.vocab is self._vocab else _tag_values(doc.vocab)
        add = doc.vocab.strings.add
        lookup = self.lookup
        for a, b in zip(starts, starts[1:]):
            index = [i for i in range(a, b) if not words[i].isspace()]
            if not index:
                continue
            tags = self._tags(tuple(words[i] for i in index))
            for i, tag in zip(index, tags):
                known = tag_values.get(tag)
                if known is None:  # a tag outside the table keeps its name, POS X; not remembered,
                    known = (add(tag), UPOS_IDS["X"], 0, True)  # as its string may live in a memory zone
                tag_id, pos_id, morph_id, lemmatise = known
                row = values[i]
                row[0], row[1] = tag_id, pos_id
                if morph_id:
                    row[2] = morph_id
                lemma = self._lemma(words[i], tag) if lemmatise else ""
                if lemma:
                    row[3] = add(lemma)
                elif lookup is not None:
                    row[3] = add(lookup.get(words[i], words[i]))
        for i, word in enumerate(words):
            if word.isspace():
                values[i][1] = UPOS_IDS["SPACE"]
                if lookup is not None:
                    values[i][3] = add(lookup.get(word, word))
        doc.from_array([TAG, POS, MORPH, LEMMA], values)
        return doc


def _tag_values(vocab) -> dict[str, tuple[int, int, int, bool]]:
    """HanTa tag -> (TAG, POS, MORPH) array values in ``vocab``, and whether HanTa lemmatises it."""
    return {tag: (vocab.strings.add(stts), UPOS_IDS[upos], vocab.morphology.add(feats) if feats else 0,
                  upos not in ("PUNCT", "NUM", "PROPN"))
            for tag, (stts, upos, feats) in _HANTA_TAGS.items()}


def _lemma_lookup_table() -> dict[str, str]:
    """spacy-lookups-data's German word form -> lemma table (what spaCy's lookup lemmatizer
    reads, as a plain dict: building spaCy's own table took a second at start-up)."""
    import gzip
    import json
    from pathlib import Path

    import spacy_lookups_data

    file = Path(spacy_lookups_data.__file__).parent / "data" / "de_lemma_lookup.json.gz"
    return json.loads(gzip.decompress(file.read_bytes()))


@Language.factory("kg_morph", default_config={"model": "morphmodel_ger.pgz", "sentence_cache": 20000,
                                              "word_cache": 100000, "lookup_lemmas": False})
def make_morphology(nlp: Language, name: str, model: str, sentence_cache: int, word_cache: int,
                    lookup_lemmas: bool):
    return HanTaMorphology(nlp, model, sentence_cache, word_cache, lookup_lemmas)
