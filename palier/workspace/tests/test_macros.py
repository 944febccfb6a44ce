"""Macros: who sees them, their text in the customer's language, allowed variables only."""

from __future__ import annotations

import pytest
from django.http import Http404

from palier.lib.errors import DomainError, NotAllowed
from palier.testing.factories import make_ticket
from palier.workspace.actions import do_delete_macro, do_save_macro, do_save_team
from palier.workspace.macros import access_macro_by_id, draft_for, visible_macros

TEXTS = {
    "en": "Hello {{ contact_first_name }}, could you send us the log of {{ reference }}?",
    "de": "Guten Tag {{ contact_first_name }}, könnten Sie uns das Protokoll senden?",
    "fr": "Bonjour {{contact_first_name}}, pourriez-vous nous envoyer le journal ?",
}


def test_a_macro_speaks_the_customers_language_and_fills_only_its_variables(world):
    macro = do_save_macro(
        acting_user=world.agent,
        name="Ask for the log",
        texts=TEXTS,
        set_status="waiting_customer",
        set_assignee="me",
        tag="needs-log",
    )
    german = make_ticket(world.contact_a)  # anna.a writes German
    draft = draft_for(macro, german, world.agent)
    assert draft.body == "Guten Tag Anna, könnten Sie uns das Protokoll senden?"
    assert (draft.status, draft.assignee_id, draft.tag) == (
        "waiting_customer",
        world.agent.pk,
        "needs-log",
    )
    italian = make_ticket(world.contact_b)
    italian.language = "it"  # no Italian text: English, the desk's language
    assert draft_for(macro, italian, world.agent).body.startswith("Hello Bruno, could you")
    assert italian.reference in draft_for(macro, italian, world.agent).body


@pytest.mark.parametrize(
    "text", ["{{ ticket.customer.contracts }}", "{{ settings.SECRET_KEY }}", "{{ password }}"]
)
def test_a_macro_naming_any_other_variable_is_refused(world, text):
    with pytest.raises(DomainError) as refused:
        do_save_macro(acting_user=world.agent, name="Sneaky", texts={"en": text})
    assert refused.value.code == "unknown_variable"
    assert "contact_first_name" in refused.value.message


def test_template_syntax_in_a_macro_is_only_text(world):
    macro = do_save_macro(
        acting_user=world.agent, name="Braces", texts={"en": "{% now 'Y' %} {{ customer }}"}
    )
    ticket = make_ticket(world.contact_a)
    assert draft_for(macro, ticket, world.agent).body == "{% now 'Y' %} Alpenkäse AG"


def test_personal_team_and_desk_macros_are_seen_by_their_people(world):
    team = do_save_team(
        acting_user=world.manager, name="L1", lead=world.agent, members=[world.consultant]
    )
    mine = do_save_macro(acting_user=world.agent, name="Mine", texts={"en": "x"})
    ours = do_save_macro(
        acting_user=world.agent, name="Ours", texts={"en": "x"}, scope="team", team=team
    )
    desk = do_save_macro(acting_user=world.manager, name="Desk", texts={"en": "x"}, scope="desk")
    assert set(visible_macros(world.agent)) == {mine, ours, desk}
    assert set(visible_macros(world.consultant)) == {ours, desk}
    assert set(visible_macros(world.rnd)) == {desk}
    assert not visible_macros(world.contact_a).exists()
    with pytest.raises(Http404):
        access_macro_by_id(world.rnd, mine.pk)


def test_only_a_lead_or_manager_shares_and_only_editors_change_or_delete(world):
    team = do_save_team(acting_user=world.manager, name="L1", members=[world.consultant])
    with pytest.raises(NotAllowed):
        do_save_macro(
            acting_user=world.consultant, name="T", texts={"en": "x"}, scope="team", team=team
        )
    with pytest.raises(NotAllowed):
        do_save_macro(acting_user=world.agent, name="D", texts={"en": "x"}, scope="desk")
    mine = do_save_macro(acting_user=world.agent, name="Mine", texts={"en": "x"})
    with pytest.raises(NotAllowed):
        do_delete_macro(mine, acting_user=world.manager)  # personal: its owner's alone
    with pytest.raises(DomainError):
        do_save_macro(acting_user=world.agent, name="Empty", texts={"en": "  "})
    do_delete_macro(mine, acting_user=world.agent)
    assert not visible_macros(world.agent).exists()
