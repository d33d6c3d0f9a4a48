"""POS (STTS + UD), lemma and verb form on every token from HanTa (``kg_morph``).

HanTa's model is trained on the TIGER treebank; it installs from PyPI with its model, unlike
any German spaCy pipeline here. Tags come from HanTa's HMM over the sentence; lemmas are
looked up once per (word, tag) and kept, and a sentence seen before (repeated paragraphs,
boilerplate) is not tagged again. Tokens HanTa cannot analyse keep the lookup-table lemma.
"""
from __future__ import annotations

from spacy.language import Language
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
    """The component: HanTa's tags and lemmas on the tokens of each sentence."""

    def __init__(self, nlp: Language, model: str, sentence_cache: int):
        from HanTa import HanoverTagger

        self.tagger = HanoverTagger.HanoverTagger(model)
        self.sentence_cache_size = sentence_cache
        self._sentences: dict[tuple[str, ...], list[str]] = {}
        self._lemmas: dict[tuple[str, str], str] = {}

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
            self._lemmas[key] = lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        for sent in doc.sents:
            tokens = [t for t in sent if not t.is_space]
            if not tokens:
                continue
            tags = self._tags(tuple(t.text for t in tokens))
            for tok, tag in zip(tokens, tags):
                stts, upos, feats = _HANTA_TAGS.get(tag, (tag, "X", ""))
                tok.tag_ = stts
                tok.pos_ = upos
                if feats:
                    tok.set_morph(feats)
                if upos in ("PUNCT", "NUM", "PROPN"):
                    continue
                lemma = self._lemma(tok.text, tag)
                if lemma:
                    tok.lemma_ = lemma
        for tok in doc:
            if tok.is_space:
                tok.pos_ = "SPACE"
        return doc


@Language.factory("kg_morph", default_config={"model": "morphmodel_ger.pgz", "sentence_cache": 20000})
def make_morphology(nlp: Language, name: str, model: str, sentence_cache: int):
    return HanTaMorphology(nlp, model, sentence_cache)
