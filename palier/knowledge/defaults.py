# ruff: noqa: E501  (sentences read better whole than split)
"""The articles every desk starts with: how support works, and the three questions customers
ask most (POLICY.md sections 1 and 6), in our own words, in the four languages.

Installed after every `migrate` (a fresh desk, `palier demo`) for the keys still missing: an
article a desk has edited, archived or translated further is never overwritten.
"""

from __future__ import annotations

from django.db import transaction

POLICY = "support-policy"
WHY_LEVEL_2 = "why-level-2"
WHY_BILLABLE = "why-billable"
WHY_TICKET = "why-ticket"

DEFAULT_ARTICLES: dict[str, dict[str, tuple[str, str]]] = {
    POLICY: {
        "en": (
            "How our support works",
            "Every customer with an active maintenance contract can ask for help, through the portal, by email or by phone. Each request becomes a ticket, and the desk decides who handles it and whether it is included in your maintenance.\n"
            "\n"
            "Level 1 – Customer Services, included in your maintenance\n"
            "- questions on the normal use of the standard software;\n"
            "- malfunctions of the standard software;\n"
            "- using objects that our own staff customized for you.\n"
            "\n"
            "Level 2 – Consulting, billable\n"
            "- a new feature or a change of the software (for example a new column);\n"
            "- an error in a customization;\n"
            "- information or training on the use of the software;\n"
            "- a problem caused by a manipulation on your side.\n"
            "\n"
            "Before billable work starts you see why it is billable, the rate and an estimate, and you accept or decline it. Work drawn from prepaid consulting hours needs no new consent.\n"
            "\n"
            "Some defects of the standard product need our R&D team and are solved by a patch; your ticket then shows it is with R&D, and you are told which version fixes it.",
        ),
        "fr": (
            "Comment fonctionne notre support",
            "Tout client disposant d’un contrat de maintenance actif peut demander de l’aide, par le portail, par e-mail ou par téléphone. Chaque demande devient un ticket, et le support décide qui la traite et si elle est comprise dans votre maintenance.\n"
            "\n"
            "Niveau 1 – Customer Services, compris dans votre maintenance\n"
            "- les questions sur l’utilisation normale du logiciel standard\u202f;\n"
            "- les dysfonctionnements du logiciel standard\u202f;\n"
            "- l’utilisation des objets que nos collaborateurs ont individualisés pour vous.\n"
            "\n"
            "Niveau 2 – Consulting, facturable\n"
            "- une nouvelle fonctionnalité ou une modification du logiciel (par exemple une nouvelle colonne)\u202f;\n"
            "- une erreur dans une individualisation\u202f;\n"
            "- une demande d’information ou de formation sur l’utilisation du logiciel\u202f;\n"
            "- un problème dû à une manipulation de votre part.\n"
            "\n"
            "Avant tout travail facturable, vous voyez pourquoi il l’est, le tarif et un devis, et vous l’acceptez ou le refusez. Un travail couvert par des heures de consulting prépayées ne demande pas de nouvel accord.\n"
            "\n"
            "Certains défauts du produit standard demandent l’intervention de notre R&D et sont corrigés par un patch\u202f; votre ticket l’indique, et vous êtes informé de la version qui apporte la correction.",
        ),
        "de": (
            "So funktioniert unser Support",
            "Jeder Kunde mit einem aktiven Wartungsvertrag kann Hilfe anfordern, über das Portal, per E-Mail oder am Telefon. Jede Anfrage wird ein Ticket, und der Support entscheidet, wer sie bearbeitet und ob sie in Ihrer Wartung enthalten ist.\n"
            "\n"
            "Level 1 – Customer Services, in der Wartung enthalten\n"
            "- Fragen zur normalen Nutzung der Standardsoftware;\n"
            "- Störungen der Standardsoftware;\n"
            "- die Nutzung von Objekten, die unsere Mitarbeitenden für Sie angepasst haben.\n"
            "\n"
            "Level 2 – Consulting, kostenpflichtig\n"
            "- eine neue Funktion oder eine Änderung der Software (zum Beispiel eine neue Spalte);\n"
            "- ein Fehler in einer Individualisierung;\n"
            "- Informationen oder Schulung zur Nutzung der Software;\n"
            "- ein Problem, das eine Manipulation auf Ihrer Seite verursacht hat.\n"
            "\n"
            "Bevor kostenpflichtige Arbeit beginnt, sehen Sie, warum sie kostenpflichtig ist, den Stundenansatz und eine Offerte, und Sie nehmen an oder lehnen ab. Arbeit aus vorausbezahlten Beratungsstunden braucht keine neue Zustimmung.\n"
            "\n"
            "Manche Fehler des Standardprodukts brauchen unsere Entwicklung (R&D) und werden mit einem Patch behoben; Ihr Ticket zeigt das an, und Sie erfahren, welche Version den Fehler behebt.",
        ),
        "it": (
            "Come funziona il nostro supporto",
            "Ogni cliente con un contratto di manutenzione attivo può chiedere aiuto, tramite il portale, per e-mail o per telefono. Ogni richiesta diventa un ticket, e il supporto decide chi la tratta e se è compresa nella Sua manutenzione.\n"
            "\n"
            "Livello 1 – Customer Services, compreso nella manutenzione\n"
            "- domande sull’uso normale del software standard;\n"
            "- malfunzionamenti del software standard;\n"
            "- l’uso degli oggetti che i nostri collaboratori hanno personalizzato per Lei.\n"
            "\n"
            "Livello 2 – Consulting, a pagamento\n"
            "- una nuova funzionalità o una modifica del software (per esempio una nuova colonna);\n"
            "- un errore in una personalizzazione;\n"
            "- informazioni o formazione sull’uso del software;\n"
            "- un problema causato da una manipolazione da parte Sua.\n"
            "\n"
            "Prima di ogni lavoro a pagamento Lei vede perché lo è, la tariffa e un preventivo, e lo accetta o lo rifiuta. Il lavoro coperto da ore di consulenza prepagate non richiede un nuovo consenso.\n"
            "\n"
            "Alcuni difetti del prodotto standard richiedono il nostro reparto R&D e vengono corretti con una patch; il Suo ticket lo indica e Le comunichiamo quale versione porta la correzione.",
        ),
    },
    WHY_LEVEL_2: {
        "en": (
            "Why was my request escalated to level 2?",
            "Customer Services (level 1) answers questions about the standard software and fixes its malfunctions. A request goes to Consulting (level 2) when it asks for more than the standard: a new feature, training, work on a customization, or when the problem came from a manipulation on your side.\n"
            "\n"
            "A request can also move to level 2 after diagnosis, when the agent finds that the cause lies in a customization or that the request is really a feature or training. Your ticket always says which rule applied and which facts it used (the customization, its date and author, your contract). If you think the decision is wrong, reply on the ticket: an agent reviews it, and a request that turns out to be standard goes back to level 1.",
        ),
        "fr": (
            "Pourquoi ma demande a-t-elle été escaladée au niveau 2\u202f?",
            "Le Customer Services (niveau 1) répond aux questions sur le logiciel standard et corrige ses dysfonctionnements. Une demande passe au Consulting (niveau 2) quand elle demande plus que le standard\xa0: une nouvelle fonctionnalité, une formation, un travail sur une individualisation, ou quand le problème vient d’une manipulation de votre part.\n"
            "\n"
            "Une demande peut aussi passer au niveau 2 après analyse, si l’agent constate que la cause se trouve dans une individualisation ou qu’il s’agit en fait d’une évolution ou d’une formation. Votre ticket indique toujours la règle appliquée et les faits retenus (l’individualisation, sa date et son auteur, votre contrat). Si la décision vous semble fausse, répondez sur le ticket\xa0: un agent la réexamine, et une demande qui s’avère standard revient au niveau 1.",
        ),
        "de": (
            "Warum wurde meine Anfrage an Level 2 weitergeleitet?",
            "Customer Services (Level 1) beantwortet Fragen zur Standardsoftware und behebt ihre Störungen. Eine Anfrage geht an das Consulting (Level 2), wenn sie mehr als den Standard verlangt: eine neue Funktion, eine Schulung, Arbeit an einer Individualisierung, oder wenn das Problem auf eine Manipulation auf Ihrer Seite zurückgeht.\n"
            "\n"
            "Eine Anfrage kann auch nach der Analyse an Level 2 gehen, wenn sich zeigt, dass die Ursache in einer Individualisierung liegt oder es eigentlich um eine neue Funktion oder Schulung geht. Ihr Ticket nennt immer die angewandte Regel und die berücksichtigten Fakten (die Individualisierung, ihr Datum und ihren Urheber, Ihren Vertrag). Halten Sie den Entscheid für falsch, antworten Sie im Ticket: eine Fachperson prüft ihn, und eine Anfrage, die sich als Standard erweist, geht zurück an Level 1.",
        ),
        "it": (
            "Perché la mia richiesta è passata al livello 2?",
            "Il Customer Services (livello 1) risponde alle domande sul software standard e ne corregge i malfunzionamenti. Una richiesta passa al Consulting (livello 2) quando chiede più dello standard: una nuova funzionalità, una formazione, un lavoro su una personalizzazione, oppure quando il problema deriva da una manipolazione da parte Sua.\n"
            "\n"
            "Una richiesta può passare al livello 2 anche dopo l’analisi, se l’agente constata che la causa sta in una personalizzazione o che si tratta in realtà di una nuova funzionalità o di una formazione. Il Suo ticket indica sempre la regola applicata e i fatti considerati (la personalizzazione, la sua data e il suo autore, il Suo contratto). Se la decisione Le sembra sbagliata, risponda sul ticket: un agente la riesamina, e una richiesta che si rivela standard torna al livello 1.",
        ),
    },
    WHY_BILLABLE: {
        "en": (
            "Why is the solution to my problem billable?",
            "Your maintenance contract covers the standard software: questions on its normal use and its malfunctions are included. Work outside the standard is done by consultants and billed at your contract's rate: new features, training, work on customizations, and problems caused by a manipulation on your side.\n"
            "\n"
            "Nothing is billed without your consent. Before work starts you see why it is billable, the rate and an estimate, and you accept or decline. If you decline, the ticket is closed and nothing is billed. Prepaid consulting hours are drawn down without asking again, and you are warned when they run low. Time spent on level 1 is recorded but never billed.",
        ),
        "fr": (
            "Pourquoi la solution à mon problème est-elle facturable\u202f?",
            "Votre contrat de maintenance couvre le logiciel standard\xa0: les questions sur son utilisation normale et ses dysfonctionnements sont comprises. Le travail hors standard est fait par des consultants et facturé au tarif de votre contrat\xa0: nouvelles fonctionnalités, formations, travaux sur des individualisations, et problèmes dus à une manipulation de votre part.\n"
            "\n"
            "Rien n’est facturé sans votre accord. Avant le début du travail, vous voyez pourquoi il est facturable, le tarif et un devis, et vous acceptez ou refusez. Si vous refusez, le ticket est fermé et rien n’est facturé. Les heures de consulting prépayées sont décomptées sans nouvelle demande, et vous êtes averti quand elles s’épuisent. Le temps passé au niveau 1 est enregistré mais jamais facturé.",
        ),
        "de": (
            "Warum ist die Lösung meines Problems kostenpflichtig?",
            "Ihr Wartungsvertrag deckt die Standardsoftware ab: Fragen zu ihrer normalen Nutzung und ihre Störungen sind inbegriffen. Arbeit ausserhalb des Standards erledigen Berater zum Stundenansatz Ihres Vertrags: neue Funktionen, Schulungen, Arbeit an Individualisierungen und Probleme, die eine Manipulation auf Ihrer Seite verursacht hat.\n"
            "\n"
            "Nichts wird ohne Ihre Zustimmung in Rechnung gestellt. Bevor die Arbeit beginnt, sehen Sie, warum sie kostenpflichtig ist, den Stundenansatz und eine Offerte, und Sie nehmen an oder lehnen ab. Lehnen Sie ab, wird das Ticket geschlossen und nichts in Rechnung gestellt. Vorausbezahlte Beratungsstunden werden ohne neue Rückfrage abgebucht, und Sie werden gewarnt, wenn sie knapp werden. Zeit auf Level 1 wird erfasst, aber nie in Rechnung gestellt.",
        ),
        "it": (
            "Perché la soluzione al mio problema è a pagamento?",
            "Il Suo contratto di manutenzione copre il software standard: le domande sul suo uso normale e i suoi malfunzionamenti sono compresi. Il lavoro fuori standard è svolto da consulenti e fatturato alla tariffa del Suo contratto: nuove funzionalità, formazione, lavori su personalizzazioni e problemi causati da una manipolazione da parte Sua.\n"
            "\n"
            "Nulla viene fatturato senza il Suo consenso. Prima dell’inizio del lavoro Lei vede perché è a pagamento, la tariffa e un preventivo, e accetta o rifiuta. Se rifiuta, il ticket viene chiuso e nulla è fatturato. Le ore di consulenza prepagate vengono scalate senza nuova richiesta, e Lei viene avvisato quando stanno per esaurirsi. Il tempo del livello 1 è registrato ma mai fatturato.",
        ),
    },
    WHY_TICKET: {
        "en": (
            "Why must I go through a ticket to solve my problem?",
            "A ticket makes sure your request is never lost and reaches the right person at the right level. It carries the service-level targets of your contract, so you know when to expect an answer. Everything said and done is kept in one place: you can follow it, add information, and later requests build on it. Phone calls and remote sessions are recorded on a ticket too, so nothing is handled off the record.",
        ),
        "fr": (
            "Pourquoi dois-je passer par un ticket pour régler mon problème\u202f?",
            "Un ticket garantit que votre demande n’est jamais perdue et qu’elle arrive à la bonne personne, au bon niveau. Il porte les délais de service de votre contrat, vous savez donc quand attendre une réponse. Tout ce qui est dit et fait est gardé au même endroit\xa0: vous pouvez le suivre, ajouter des informations, et les demandes suivantes s’appuient dessus. Les appels téléphoniques et les sessions à distance sont aussi consignés dans un ticket\xa0: rien n’est traité hors trace.",
        ),
        "de": (
            "Warum muss ich für mein Problem ein Ticket eröffnen?",
            "Ein Ticket stellt sicher, dass Ihre Anfrage nie verloren geht und die richtige Person auf der richtigen Level erreicht. Es trägt die Servicezeiten Ihres Vertrags, so wissen Sie, wann Sie eine Antwort erwarten können. Alles, was gesagt und getan wird, bleibt an einem Ort: Sie können es verfolgen, Informationen ergänzen, und spätere Anfragen bauen darauf auf. Auch Telefonate und Fernwartungen werden in einem Ticket festgehalten, nichts geschieht ohne Spur.",
        ),
        "it": (
            "Perché devo passare da un ticket per risolvere il mio problema?",
            "Un ticket garantisce che la Sua richiesta non vada mai persa e arrivi alla persona giusta, al livello giusto. Porta i tempi di servizio del Suo contratto, così Lei sa quando aspettarsi una risposta. Tutto ciò che viene detto e fatto resta in un unico posto: Lei può seguirlo, aggiungere informazioni, e le richieste successive vi si appoggiano. Anche le telefonate e le sessioni remote sono registrate in un ticket: nulla viene trattato senza traccia.",
        ),
    },
}


def install_default_articles() -> int:
    """Create and publish the default articles whose keys are missing; return how many."""
    from palier.knowledge.actions import do_create_article, do_edit_translation, do_publish
    from palier.knowledge.models import Article

    existing = set(Article.objects.filter(key__in=DEFAULT_ARTICLES).values_list("key", flat=True))
    created = 0
    for key, texts in DEFAULT_ARTICLES.items():
        if key in existing:
            continue
        with transaction.atomic():
            first, *others = texts.items()
            t = do_create_article(
                acting_user=None, language=first[0], title=first[1][0], body=first[1][1], key=key
            )
            do_publish(t, acting_user=None)
            for language, (title, body) in others:
                other = do_edit_translation(
                    t.article, language, acting_user=None, title=title, body=body
                )
                do_publish(other, acting_user=None)
        created += 1
    return created
