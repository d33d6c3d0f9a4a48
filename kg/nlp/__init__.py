"""Annotation stage: kg's spaCy components and the pipeline that runs them.

- ``sentences``: sentence starts (``kg_sentencizer``);
- ``morphology``: POS, lemmas, verb forms from HanTa (``kg_morph``);
- ``actors`` and ``new_actors``: actor mentions, places, actors the registry does not know
  (``kg_actors``);
- ``dates``: date expressions (``kg_dates``);
- ``extensions``: the Doc/Span attributes the components write;
- ``pipeline``: ``build_pipeline``, which also adds kg.extract's ``kg_relations``.

Components write only to the Doc; their word lists come from kg/data/lexicon.yaml through
the factory config.
"""
