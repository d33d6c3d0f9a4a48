"""kg's faster HanTa (kg/nlp/hanta.py) must tag and lemmatise exactly as HanTa does."""
from __future__ import annotations

import pytest
from conftest import SHARED
from HanTa import HanoverTagger

from kg.nlp.hanta import FastHanoverTagger

UD_PUD = SHARED / "data" / "ud_german_pud" / "de_pud-ud-test.conllu"
MODEL = "morphmodel_ger.pgz"


def pud_sentences(limit: int) -> list[list[str]]:
    sentences, words = [], []
    for line in UD_PUD.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and cols[0].isdigit():
            words.append(cols[1])
        elif not line.strip() and words:
            sentences.append(words)
            words = []
            if len(sentences) == limit:
                break
    return sentences


def analysis(tagger, sentence: list[str]) -> list[tuple[str, str]]:
    tags = tagger.tag_sent(sentence, taglevel=0)
    out = []
    for word, tag in zip(sentence, tags):
        try:
            lemma = tagger.analyze(word, pos=tag, taglevel=1)[0]
        except (IndexError, KeyError, ValueError):
            lemma = ""
        out.append((tag, lemma))
    return out


@pytest.fixture(scope="module")
def taggers():
    return HanoverTagger.HanoverTagger(MODEL), FastHanoverTagger(MODEL, word_cache=500)


@pytest.mark.skipif(not UD_PUD.exists(), reason="UD German PUD lives in ../shared/data")
def test_same_tags_and_lemmas_as_hanta_on_real_sentences(taggers):
    hanta, fast = taggers
    sentences = pud_sentences(250)
    assert sum(map(len, sentences)) > 4000
    # the word cache (500 entries) fills and is cleared several times on the way
    for sentence in sentences:
        assert analysis(fast, sentence) == analysis(hanta, sentence), " ".join(sentence)


def test_unknown_words_and_compounds_analysed_as_hanta_does(taggers):
    hanta, fast = taggers
    for word in ("vertrauensschutzregelung", "zusammenkamen", "friedensabkommens", "xq", "ab", "waffenruhe-gespräche"):
        assert fast.analyze_forward(word) == hanta.analyze_forward(word), word
        for pos, _ in hanta.analyze_forward(word)[:3]:
            assert fast.analyze_viterbi(word, -pos) == hanta.analyze_viterbi(word, -pos), (word, pos)
    sentence = ["Die", "Außenministerinnen", "unterzeichneten", "gestern", "ein", "Rohstoffpartnerschaftsabkommen", "."]
    assert analysis(fast, sentence) == analysis(hanta, sentence)


def test_word_cache_is_bounded():
    fast = FastHanoverTagger(MODEL, word_cache=3)
    fast.tag_sent(["Sie", "trafen", "sich", "am", "Montag", "in", "Genf", "."], taglevel=0)
    assert len(fast._emissions) <= 3


def test_morphology_on_a_doc_of_another_vocabulary(extractor):
    import spacy
    from spacy.tokens import Doc

    morph = extractor.nlp.get_pipe("kg_morph")
    words = ["Die", "Minister", "unterzeichneten", "in", "Genf", "ein", "Abkommen", "."]
    starts = [True] + [False] * (len(words) - 1)
    own = morph(Doc(extractor.nlp.vocab, words=words, sent_starts=starts))
    other = morph(Doc(spacy.blank("de").vocab, words=words, sent_starts=starts))
    assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in other] == [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in own]
    assert other[2].lemma_ == "unterzeichnen" and other[2].tag_ == "VVFIN" and other[4].pos_ == "PROPN"
