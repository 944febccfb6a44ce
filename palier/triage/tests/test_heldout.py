"""The accuracy floor on the held-out set (evaluation/heldout.json), which no model is ever
trained on. The figures and how they were taken are in docs/triage.md; this test fails if a
change of the features, the model or the cold-start set makes them fall."""

from __future__ import annotations

from palier.triage.corpus import coldstart_examples
from palier.triage.evaluation import LANGUAGES, TYPES, evaluate, load_heldout

OVERALL_FLOOR = 0.92
LANGUAGE_FLOOR = 0.875  # 21 of 24
TYPE_FLOOR = 0.80


def test_the_heldout_set_is_apart_from_the_training_set():
    trained = {(e.subject.casefold(), e.body.casefold()) for e in coldstart_examples()}
    heldout = load_heldout()
    assert len(heldout) == 96
    assert not [r for r in heldout if (r["subject"].casefold(), r["body"].casefold()) in trained]
    assert not {r["body"].casefold() for r in heldout} & {b for _s, b in trained}


def test_the_cold_start_model_holds_its_accuracy_on_the_heldout_set(coldstart_model):
    report = evaluate(
        lambda s, b: coldstart_model.suggest(s, b, threshold=0).type.value, load_heldout()
    )
    assert report.accuracy >= OVERALL_FLOOR, report.markdown()
    for language in LANGUAGES:
        assert report.language_accuracy(language) >= LANGUAGE_FLOOR, report.markdown()
    for kind in TYPES:
        assert report.type_accuracy(kind) >= TYPE_FLOOR, report.markdown()


def test_the_cold_start_set_is_balanced_over_types_and_languages():
    from collections import Counter

    counts = Counter((e.language, e.type) for e in coldstart_examples())
    assert len(counts) == 16
    assert min(counts.values()) >= 40 and sum(counts.values()) >= 640
    assert len(set(counts.values())) == 1
