"""The demo's teams and macros, so the workspace's canned replies show on first sign-in:
one for the whole desk, one per team, one personal; each in the four languages."""

from __future__ import annotations

from palier.accounts.models import User
from palier.workspace.actions import do_save_macro, do_save_team
from palier.workspace.models import AssigneeEffect, MacroScope

ASK_DETAILS = {
    "en": "Hello {{ contact_first_name }},\n\nThank you for your request {{ reference }}. Could "
    "you send us a screenshot of the message and the steps that lead to it?\n\n"
    "Kind regards,\n{{ agent_name }}",
    "fr": "Bonjour {{ contact_first_name }},\n\nMerci pour votre demande {{ reference }}. "
    "Pourriez-vous nous envoyer une capture d'écran du message et les étapes qui y mènent ?\n\n"
    "Meilleures salutations,\n{{ agent_name }}",
    "de": "Guten Tag {{ contact_first_name }}\n\nVielen Dank für Ihre Anfrage {{ reference }}. "
    "Könnten Sie uns einen Screenshot der Meldung und die Schritte dorthin senden?\n\n"
    "Freundliche Grüsse\n{{ agent_name }}",
    "it": "Buongiorno {{ contact_first_name }},\n\nGrazie per la sua richiesta {{ reference }}. "
    "Potrebbe inviarci uno screenshot del messaggio e i passi che lo provocano?\n\n"
    "Cordiali saluti,\n{{ agent_name }}",
}
TAKING_IT = {
    "en": "Hello {{ contact_first_name }},\n\nI am taking on {{ reference }} and will come "
    "back to you today.\n\n{{ agent_name }}",
    "fr": "Bonjour {{ contact_first_name }},\n\nJe prends en charge {{ reference }} et vous "
    "reviens aujourd'hui.\n\n{{ agent_name }}",
    "de": "Guten Tag {{ contact_first_name }}\n\nIch übernehme {{ reference }} und melde mich "
    "heute bei Ihnen.\n\n{{ agent_name }}",
    "it": "Buongiorno {{ contact_first_name }},\n\nPrendo in carico {{ reference }} e le "
    "rispondo oggi.\n\n{{ agent_name }}",
}
REPRODUCED = {
    "en": "Reproduced on the customer's version; steps:\n1. ",
    "fr": "Reproduit sur la version du client ; étapes :\n1. ",
    "de": "Auf der Version des Kunden nachvollzogen; Schritte:\n1. ",
    "it": "Riprodotto sulla versione del cliente; passi:\n1. ",
}


def make_workspace(staff: dict[str, User]) -> None:
    manager = staff["claire.dubois"]
    services = do_save_team(
        acting_user=manager,
        name="Customer Services",
        lead=staff["lukas.baumann"],
        members=[staff["sophie.martin"], staff["lukas.baumann"]],
    )
    do_save_team(
        acting_user=manager,
        name="Consulting",
        lead=staff["giulia.rossi"],
        members=[staff["giulia.rossi"], staff["thomas.keller"]],
    )
    do_save_macro(
        acting_user=manager,
        name="Ask for a screenshot and the steps",
        scope=MacroScope.DESK,
        texts=ASK_DETAILS,
        set_status="waiting_customer",
    )
    do_save_macro(
        acting_user=staff["lukas.baumann"],
        name="Taking it on today",
        scope=MacroScope.TEAM,
        team=services,
        texts=TAKING_IT,
        set_status="in_progress",
        set_assignee=AssigneeEffect.ME,
        tag="callback-today",
    )
    do_save_macro(
        acting_user=staff["sophie.martin"],
        name="Reproduced (note)",
        scope=MacroScope.PERSONAL,
        internal=True,
        texts=REPRODUCED,
    )
