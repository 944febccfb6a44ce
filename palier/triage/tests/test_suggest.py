"""The request-type suggestion for mailed requests, in the four languages."""

from __future__ import annotations

import pytest

from palier.triage.suggest import suggest_type


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
        (
            "Please add a column",
            "We need a new column 'delivery zone' in the order list.",
            "feature",
        ),
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


def test_no_rule_speaking_leaves_the_type_to_the_agent():
    assert suggest_type("Hello", "See you tomorrow.") == ""


def test_the_subject_outweighs_a_passing_word_in_the_body():
    assert suggest_type("Schulung gewünscht", "Der Fehler von letzter Woche ist behoben.") == (
        "training"
    )
