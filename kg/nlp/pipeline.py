"""The spaCy pipeline kg runs on every document, assembled from registered components:

    kg_sentencizer -> kg_morph (HanTa; lookup-table lemmas where it has none) -> kg_actors -> kg_dates
    -> kg_relations (kg.extract)

Each component is configured through its factory config (the registry, lexicon and rules
files; defaults are the packaged ones), so a pipeline can be built over other data files
without touching code.
"""
from __future__ import annotations

import spacy
from spacy.language import Language

import kg.extract.engine  # noqa: F401 - registers kg_relations
import kg.nlp.actors  # noqa: F401 - registers kg_actors
import kg.nlp.dates  # noqa: F401 - registers kg_dates
import kg.nlp.morphology  # noqa: F401 - registers kg_morph
import kg.nlp.sentences  # noqa: F401 - registers kg_sentencizer
from kg.errors import InputError
from kg.nlp import extensions


def build_pipeline(registry_path: str | None = None, spacy_model: str | None = None,
                   lexicon_path: str | None = None, rules_path: str | None = None) -> Language:
    """The kg pipeline.

    Without ``spacy_model`` a blank German pipeline is used. With it, any installed German
    spaCy pipeline (name or path, e.g. ``de_core_news_lg``) is loaded and the kg components
    are added after its own, so its parser/NER annotations are available to the rules.
    """
    extensions.register()
    lexicon = {"lexicon_path": lexicon_path}
    if spacy_model:
        try:
            nlp = spacy.load(spacy_model)
        except (OSError, ValueError) as exc:
            raise InputError(f"--spacy-model {spacy_model!r} cannot be loaded: {' '.join(str(exc).split())[:200]}") from None
        if nlp.lang != "de":
            raise InputError(f"--spacy-model {spacy_model!r} is a '{nlp.lang}' pipeline, not German")
        if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
            nlp.add_pipe("kg_sentencizer", first=True, config=lexicon)
        if not {"tagger", "morphologizer"} & set(nlp.pipe_names):
            # the model brings no POS: HanTa supplies POS and lemmas after its own components
            nlp.add_pipe("kg_morph", after="kg_sentencizer" if "kg_sentencizer" in nlp.pipe_names else None)
    else:
        nlp = spacy.blank("de")
        nlp.add_pipe("kg_sentencizer", config=lexicon)
        # kg_morph also does the lookup lemmas (spaCy's lookup lemmatizer, without its start-up)
        nlp.add_pipe("kg_morph", config={"lookup_lemmas": True})
        nlp.initialize()
    nlp.add_pipe("kg_actors", config={"registry_path": registry_path, **lexicon})
    nlp.add_pipe("kg_dates", config=lexicon)
    nlp.add_pipe("kg_relations", config={"registry_path": registry_path, "rules_path": rules_path, **lexicon})
    return nlp
