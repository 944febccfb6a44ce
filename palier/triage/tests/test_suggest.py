"""The request-type suggestion, in the four languages, with its reasons and its silence."""

from __future__ import annotations

import pytest

from palier.triage.corpus import Example, coldstart_examples
from palier.triage.features import request_text
from palier.triage.model import _best, train
from palier.triage.suggest import suggest, suggest_type


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Fehler beim Drucken", "Es erscheint eine Fehlermeldung.", "malfunction"),
        ("Printing fails", "The delivery note fails with error 4711.", "malfunction"),
        ("Problème", "L'impression ne fonctionne pas, message d'erreur 12.", "malfunction"),
        ("Stampa", "La stampa non funziona.", "malfunction"),
        ("Comment annuler une facture ?", "", "usage"),
        ("Frage", "Wie kann ich eine Rechnung stornieren?", "usage"),
        ("Question", "How do I reverse a posted invoice?", "usage"),
        ("Domanda", "Come posso cambiare il codice IVA?", "usage"),
        ("Please add a column", "We need a new column 'delivery zone' in the list.", "feature"),
        ("Nouvelle colonne", "Pouvez-vous ajouter une colonne dans la liste ?", "feature"),
        ("Neue Spalte", "Bitte eine neue Spalte im Bericht hinzufügen.", "feature"),
        ("Nuova colonna", "Vorremmo aggiungere una colonna.", "feature"),
        ("Schulung", "Schulung für zwei neue Mitarbeiter zum Jahresabschluss.", "training"),
        ("Formation", "Une formation pour nos nouveaux collaborateurs ?", "training"),
        ("Training", "Can someone train our two new accountants on closing?", "training"),
        ("Corso", "Un corso di formazione per la contabilità.", "training"),
    ],
)
def test_suggestion_follows_the_words_of_the_request(subject, body, expected):
    assert suggest_type(subject, body) == expected


def test_nothing_said_leaves_the_type_to_the_agent():
    assert suggest_type("Hello", "See you tomorrow.") == ""
    assert suggest_type("", "  ") == ""


def test_below_the_threshold_it_abstains(settings):
    settings.PALIER_TRIAGE_MIN_CONFIDENCE = 0.999
    found = suggest("Printing fails", "The delivery note fails with error 4711.")
    assert found.abstained and found.type.value == "malfunction"
    assert suggest_type("Printing fails", "The delivery note fails with error 4711.") == ""


def test_it_shows_the_words_that_weighed_most_and_no_function_word():
    found = suggest("Kein Fehler", "Das ist kein Fehler: wo stellt man den Druckertreiber ein?")
    assert found.type.value == "usage"
    assert "kein fehler" in found.words or "not fehler" in found.words
    assert not {"das", "ist", "man", "den"} & set(found.words)


def test_a_sentence_that_denies_an_error_is_not_read_as_one():
    assert (
        suggest_type(
            "Not a bug", "This is not an error, I just want to know where the exchange rates are."
        )
        == "usage"
    )


def test_it_suggests_criticality_with_a_confidence():
    found = suggest("Question", "Where do I set the default VAT code for new items?")
    assert found.criticality is not None
    assert found.criticality.value == "low"
    assert 0.25 < found.criticality.confidence <= 1


def test_mail_intake_forwarded_prefixes_do_not_hide_the_request():
    assert suggest_type("WG: AW: Export nach Excel", "Der Export bricht mit Fehler 12 ab.") == (
        "malfunction"
    )


def test_the_type_alone_is_the_full_suggestions_type_with_its_confidence(coldstart_model):
    # Mail keeps only the type: its short path must agree with scikit-learn's (label and
    # confidence) on requests confident or not, and on a model of two types (there the
    # logistic of one decision value, not a softmax).
    texts = [(e.subject, e.body) for e in coldstart_examples()[::7]]
    texts += [("Hello", "See you tomorrow."), ("x", ""), ("Rechnung", "Storno?")]
    two_types = train(
        [Example(s, b, "usage" if i % 2 else "malfunction") for i, (s, b) in enumerate(texts)]
    )
    for model in (coldstart_model, two_types):
        for subject, body in texts:
            # scikit-learn's own predict_proba, as the full suggestion asks it
            full = _best(model.type_clf, model.matrix([request_text(subject, body)]))
            short = model.suggest_type(subject, body)
            assert short.value == full.value
            assert short.confidence == pytest.approx(full.confidence, rel=1e-5)


def test_a_model_of_two_types_shows_the_words_of_either():
    """With two classes scikit-learn keeps one row of weights; both types show their words."""
    examples = [e for e in coldstart_examples() if e.type in ("usage", "malfunction")]
    model = train(examples)
    broken = model.suggest("Printing fails", "Error 4711 when printing.", threshold=0.0)
    how = model.suggest("Question", "How do I reverse a posted invoice?", threshold=0.0)
    assert (broken.type.value, how.type.value) == ("malfunction", "usage")
    assert broken.words and how.words
    assert not set(broken.words) & set(how.words)
