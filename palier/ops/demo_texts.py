# ruff: noqa: E501  (sentences read better whole than split)
"""What the demo desk's customers and staff write, in French, German, Italian and English.

Each request is (module, subject, body); `{object}` names the customization concerned.
Staff replies take `{name}` (the contact), `{rate}`, `{hours}`, `{version}` and `{object}`.
"""

from __future__ import annotations

Request = tuple[str, str, str]

USAGE: dict[str, list[Request]] = {
    "fr": [
        (
            "Finance",
            "Comment extourner une facture comptabilisée ?",
            "Bonjour, nous avons comptabilisé une facture fournisseur avec un mauvais compte. "
            "Comment l'extourner proprement sans perdre la pièce justificative ?",
        ),
        (
            "Finance",
            "Où définir le code TVA par défaut ?",
            "Nos nouveaux articles reçoivent toujours le code TVA 0 %. Où se règle le code par défaut ?",
        ),
        (
            "Sales",
            "Dupliquer une offre vers un autre client",
            "Est-il possible de copier une offre existante pour un autre client sans tout ressaisir ?",
        ),
        (
            "HR",
            "Clôture mensuelle des salaires",
            "Quelle est la marche à suivre pour clôturer le mois de paie avant de verser les salaires ?",
        ),
    ],
    "de": [
        (
            "Finance",
            "Wie storniere ich eine verbuchte Rechnung?",
            "Guten Tag, eine Kreditorenrechnung wurde auf das falsche Konto gebucht. "
            "Wie können wir sie sauber stornieren?",
        ),
        (
            "Logistics",
            "Lagerort beim Wareneingang vorschlagen",
            "Kann das System beim Wareneingang automatisch den üblichen Lagerort vorschlagen?",
        ),
        (
            "Production",
            "Stückliste für eine Variante kopieren",
            "Wie kopieren wir eine bestehende Stückliste für eine neue Produktvariante?",
        ),
        (
            "Sales",
            "Mengenrabatt in der Preisliste hinterlegen",
            "Wo hinterlegen wir Mengenrabatte ab 100 Stück in der Preisliste 2026?",
        ),
    ],
    "it": [
        (
            "Finance",
            "Come stornare una fattura registrata?",
            "Buongiorno, abbiamo registrato una fattura fornitore sul conto sbagliato. "
            "Come possiamo stornarla correttamente?",
        ),
        (
            "CRM",
            "Unire due schede cliente doppie",
            "Abbiamo due schede per lo stesso cliente. Come possiamo unirle senza perdere lo storico?",
        ),
        (
            "Logistics",
            "Inventario di fine anno",
            "Qual è la procedura consigliata per l'inventario di fine anno nel modulo Logistica?",
        ),
        (
            "HR",
            "Registrare le vacanze di un collaboratore",
            "Dove si registrano i giorni di vacanza residui di un nuovo collaboratore?",
        ),
    ],
    "en": [
        (
            "Finance",
            "How do I reverse a posted invoice?",
            "Hello, we posted a supplier invoice to the wrong account. How do we reverse it cleanly?",
        ),
        (
            "Sales",
            "Where do I set the default payment terms?",
            "New customers always get 10 days net. Where is the default for payment terms set?",
        ),
        (
            "CRM",
            "Export the contact list to Excel",
            "Is there a way to export all contacts of a region with their last activity?",
        ),
        (
            "Production",
            "Reschedule a production order",
            "How do we move a production order to next week without losing the reserved material?",
        ),
    ],
}

USAGE_CUSTOM: dict[str, list[tuple[str, str]]] = {
    "fr": [
        (
            "Comment remplir {object} ?",
            "Bonjour, comment faut-il renseigner {object} ? Nos collaborateurs hésitent.",
        ),
        ("Question sur {object}", "À quoi sert exactement {object} dans nos processus ?"),
    ],
    "de": [
        (
            "Wie fülle ich {object} aus?",
            "Guten Tag, wie ist {object} korrekt auszufüllen? Unsere Mitarbeitenden sind unsicher.",
        ),
        ("Frage zu {object}", "Wofür genau verwenden wir {object} in unseren Abläufen?"),
    ],
    "it": [
        (
            "Come compilare {object}?",
            "Buongiorno, come si compila correttamente {object}? I colleghi hanno dei dubbi.",
        ),
        ("Domanda su {object}", "A cosa serve esattamente {object} nei nostri processi?"),
    ],
    "en": [
        (
            "How do I fill {object}?",
            "Hello, how should {object} be filled in? Our staff are unsure.",
        ),
        ("Question about {object}", "What exactly is {object} used for in our processes?"),
    ],
}

MALFUNCTION: dict[str, list[Request]] = {
    "fr": [
        (
            "Logistics",
            "L'impression du bulletin de livraison échoue (erreur 4711)",
            "Depuis ce matin, l'impression du bulletin de livraison s'arrête avec l'erreur 4711.",
        ),
        (
            "Finance",
            "Le rapprochement bancaire affiche un solde faux",
            "Le solde du compte 1020 après rapprochement diffère de 120 francs du relevé bancaire.",
        ),
        (
            "Sales",
            "Les confirmations de commande partent sans PDF",
            "Les e-mails de confirmation de commande arrivent chez nos clients sans le PDF joint.",
        ),
        (
            "HR",
            "Le décompte de salaire arrondit mal",
            "Le décompte de salaire de novembre arrondit les montants au franc au lieu des 5 centimes.",
        ),
    ],
    "de": [
        (
            "Finance",
            "Mehrwertsteuerabrechnung zeigt falsche Summen",
            "Die MWST-Abrechnung Q3 weist in Ziffer 302 einen anderen Betrag aus als die Buchungen.",
        ),
        (
            "Production",
            "Fehler beim Rückmelden eines Fertigungsauftrags",
            "Beim Rückmelden von Auftrag FA-2291 erscheint 'Ressource gesperrt'. Nichts ist gesperrt.",
        ),
        (
            "Logistics",
            "Lagerbestand wird doppelt abgebucht",
            "Bei Teillieferungen wird der Bestand zweimal reduziert. Das Inventar stimmt nicht mehr.",
        ),
        (
            "Sales",
            "Offerte lässt sich nicht in Auftrag umwandeln",
            "Beim Umwandeln der Offerte OF-5530 kommt die Meldung 'Ungültiger Status'.",
        ),
    ],
    "it": [
        (
            "Finance",
            "Errore nella stampa del bilancio",
            "La stampa del bilancio provvisorio si interrompe con 'divisione per zero'.",
        ),
        (
            "Logistics",
            "Le etichette di spedizione sono vuote",
            "Da ieri le etichette di spedizione escono senza indirizzo del destinatario.",
        ),
        (
            "Sales",
            "Il totale dell'ordine non considera lo sconto",
            "Lo sconto del 5 % viene mostrato sulla riga ma non nel totale dell'ordine.",
        ),
        (
            "HR",
            "Il calcolo delle ore straordinarie è sbagliato",
            "Le ore straordinarie di ottobre risultano il doppio di quelle timbrate.",
        ),
    ],
    "en": [
        (
            "Finance",
            "Payment run fails with error 5102",
            "The weekly payment run stops with error 5102 after the first 40 payments.",
        ),
        (
            "CRM",
            "Activities disappear from the timeline",
            "Calls logged yesterday no longer show in the customer's timeline.",
        ),
        (
            "Production",
            "Material shortage report shows wrong quantities",
            "The shortage report lists 0 in stock for items that are clearly on the shelf.",
        ),
        (
            "Sales",
            "Invoice PDF shows the wrong VAT number",
            "Since the update, our invoices print the old VAT number in the footer.",
        ),
    ],
}

MALFUNCTION_CUSTOM: dict[str, list[tuple[str, str]]] = {
    "fr": [
        (
            "{object} affiche des totaux faux",
            "Les montants de {object} ne correspondent plus aux lignes depuis la mise à jour.",
        ),
        ("Erreur dans {object}", "Une erreur apparaît dès que nous ouvrons {object}."),
    ],
    "de": [
        (
            "{object} zeigt falsche Summen",
            "Die Beträge in {object} stimmen seit dem Update nicht mehr mit den Positionen überein.",
        ),
        ("Fehler in {object}", "Beim Öffnen von {object} erscheint eine Fehlermeldung."),
    ],
    "it": [
        (
            "{object} mostra totali sbagliati",
            "Gli importi di {object} non corrispondono più alle righe dopo l'aggiornamento.",
        ),
        ("Errore in {object}", "Appena apriamo {object} compare un messaggio di errore."),
    ],
    "en": [
        (
            "{object} shows wrong totals",
            "Since the update, the amounts in {object} no longer match the lines.",
        ),
        ("Error in {object}", "An error appears as soon as we open {object}."),
    ],
}

FEATURE: dict[str, list[Request]] = {
    "fr": [
        (
            "Sales",
            "Ajouter une colonne « zone de livraison » à la liste des commandes",
            "Pourriez-vous ajouter une colonne « zone de livraison » à la liste des commandes ?",
        ),
        (
            "Finance",
            "Export des écritures au format de notre fiduciaire",
            "Notre fiduciaire souhaite recevoir les écritures dans son propre format CSV.",
        ),
    ],
    "de": [
        (
            "Logistics",
            "Zusätzliche Spalte 'Lieferzone' in der Lagerliste",
            "Bitte ergänzen Sie die Lagerliste um eine Spalte 'Lieferzone'.",
        ),
        (
            "Production",
            "Automatische Meldung bei Maschinenstillstand",
            "Wir möchten eine E-Mail erhalten, wenn eine Maschine länger als 30 Minuten steht.",
        ),
    ],
    "it": [
        (
            "Sales",
            "Nuovo campo 'agente' sugli ordini",
            "Vorremmo un campo 'agente di vendita' sugli ordini per calcolare le provvigioni.",
        ),
        (
            "CRM",
            "Integrazione con il nostro sito web",
            "Le richieste del modulo contatti del sito dovrebbero creare un lead nel CRM.",
        ),
    ],
    "en": [
        (
            "CRM",
            "Add a 'renewal date' column to the account list",
            "Please add a column with the contract renewal date to the account list.",
        ),
        (
            "HR",
            "Import timesheets from our badge system",
            "We would like the badge system's CSV export imported nightly into HR.",
        ),
    ],
}

TRAINING: dict[str, list[Request]] = {
    "fr": [
        (
            "Finance",
            "Formation de deux nouvelles comptables au bouclement",
            "Deux nouvelles collaboratrices doivent être formées au bouclement annuel.",
        )
    ],
    "de": [
        (
            "Production",
            "Schulung Fertigungsplanung für neue Mitarbeitende",
            "Können Sie unsere drei neuen Planer in der Fertigungsplanung schulen?",
        )
    ],
    "it": [
        (
            "Logistics",
            "Corso sul modulo Logistica per il magazzino",
            "Vorremmo una mezza giornata di formazione per il personale di magazzino.",
        )
    ],
    "en": [
        (
            "Sales",
            "Training on the new pricing engine",
            "Could someone walk our sales team through the pricing engine of 11.3?",
        )
    ],
}

EMAIL_UNTYPED: dict[str, tuple[str, str]] = {
    "fr": (
        "Problème depuis la mise à jour",
        "Bonjour, depuis la mise à jour plus rien ne va. Merci de nous rappeler.",
    ),
    "de": (
        "Dringend: Frage zum Monatsabschluss",
        "Grüezi, wir kommen beim Monatsabschluss nicht weiter.",
    ),
    "it": ("Richiesta di aiuto", "Buongiorno, avremmo bisogno di aiuto con il programma."),
    "en": ("Help needed", "Hi, something is off since yesterday, could you call us back?"),
}

REPLIES: dict[str, dict[str, str]] = {
    "ack": {
        "fr": "Bonjour {name}, merci pour votre demande. Nous l'analysons et revenons vers vous.",
        "de": "Guten Tag {name}, vielen Dank für Ihre Anfrage. Wir prüfen sie und melden uns.",
        "it": "Buongiorno {name}, grazie per la richiesta. La stiamo analizzando.",
        "en": "Hello {name}, thank you for your request. We are looking into it.",
    },
    "ask": {
        "fr": "Pourriez-vous nous envoyer une capture d'écran et le numéro de la pièce concernée ?",
        "de": "Könnten Sie uns einen Screenshot und die betroffene Belegnummer senden?",
        "it": "Potrebbe inviarci uno screenshot e il numero del documento interessato?",
        "en": "Could you send us a screenshot and the number of the document concerned?",
    },
    "details": {
        "fr": "Voici la capture d'écran demandée. La pièce est la n° 2026-0412.",
        "de": "Anbei der gewünschte Screenshot. Es betrifft Beleg 2026-0412.",
        "it": "Ecco lo screenshot richiesto. Si tratta del documento 2026-0412.",
        "en": "Here is the screenshot. The document is number 2026-0412.",
    },
    "solution": {
        "fr": "La solution : ouvrez la pièce, choisissez « Extourner » puis validez. Le problème est résolu.",
        "de": "Lösung: Beleg öffnen, 'Stornieren' wählen und bestätigen. Damit ist das Problem gelöst.",
        "it": "Soluzione: apra il documento, scelga 'Storna' e confermi. Il problema è risolto.",
        "en": "Solution: open the document, choose 'Reverse' and confirm. That solves it.",
    },
    "consent": {
        "fr": "Cette demande relève du Consulting (niveau 2), facturé {rate}/h. Estimation : {hours} h. Merci de confirmer.",
        "de": "Diese Anfrage wird vom Consulting (Level 2) bearbeitet, verrechnet mit {rate}/h. Schätzung: {hours} h. Bitte bestätigen Sie.",
        "it": "Questa richiesta è trattata dal Consulting (livello 2), fatturato {rate}/h. Stima: {hours} h. La preghiamo di confermare.",
        "en": "This request is handled by Consulting (level 2), billed at {rate}/h. Estimate: {hours} h. Please confirm.",
    },
    "accept": {
        "fr": "D'accord, vous pouvez commencer.",
        "de": "Einverstanden, Sie können beginnen.",
        "it": "D'accordo, potete procedere.",
        "en": "Agreed, please go ahead.",
    },
    "decline": {
        "fr": "Merci, nous renonçons pour le moment.",
        "de": "Danke, wir verzichten vorerst darauf.",
        "it": "Grazie, per ora rinunciamo.",
        "en": "Thank you, we will not go ahead for now.",
    },
    "rnd": {
        "fr": "Il s'agit d'un défaut du produit standard ; notre R&D s'en occupe, sans frais pour vous.",
        "de": "Es handelt sich um einen Fehler im Standardprodukt; unsere Entwicklung behebt ihn kostenlos.",
        "it": "Si tratta di un difetto del prodotto standard; la nostra R&S lo corregge senza costi.",
        "en": "This is a defect of the standard product; our R&D is fixing it at no cost to you.",
    },
    "patch": {
        "fr": "Le correctif est disponible dans la version {version}. Merci de l'installer et de nous confirmer.",
        "de": "Die Korrektur ist in Version {version} verfügbar. Bitte installieren und bestätigen Sie.",
        "it": "La correzione è disponibile nella versione {version}. La preghiamo di installarla e confermare.",
        "en": "The fix is available in version {version}. Please install it and confirm.",
    },
    "thanks": {
        "fr": "Merci beaucoup, cela fonctionne.",
        "de": "Vielen Dank, es funktioniert.",
        "it": "Grazie mille, funziona.",
        "en": "Many thanks, it works now.",
    },
    "again": {
        "fr": "Le problème est revenu ce matin.",
        "de": "Das Problem ist heute Morgen wieder aufgetreten.",
        "it": "Il problema si è ripresentato stamattina.",
        "en": "The problem came back this morning.",
    },
}

NOTES = [
    "Checked the logs: reproducible on the customer's test system.",
    "Kunde hat das Feld manuell in der Datenbank geändert – siehe Protokoll.",
    "Estimate agreed with the account manager: keep it under the prepaid balance.",
    "Reproduced on 11.3.1 standard; defect opened for R&D.",
    "Called back, customer unavailable; left a voicemail.",
]

PHONE_LOGS = [
    "Phone call with the customer: walked through the steps together (12 min).",
    "Telefonat mit dem Kunden: Problem am Bildschirm nachvollzogen (20 Min.).",
    "Remote session: checked the printer settings with the customer (25 min).",
]

REFUSED_ANYWAY_REASON = "Renewal signed yesterday; the contract update is on its way."
