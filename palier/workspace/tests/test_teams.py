"""Teams: staff grouped under a lead, changed by managers only, audited."""

from __future__ import annotations

import pytest

from palier.audit.models import AuditEntry
from palier.lib.errors import DomainError, NotAllowed
from palier.workspace.actions import do_save_team
from palier.workspace.queries import teammate_ids, teams_of


def test_a_manager_makes_a_team_whose_lead_is_one_of_its_members(world):
    team = do_save_team(
        acting_user=world.manager,
        name="Level 1 Romandie",
        lead=world.manager,
        members=[world.agent],
    )
    assert set(team.members.all()) == {world.agent, world.manager}
    assert list(teams_of(world.agent)) == [team]
    assert teammate_ids(world.agent) == {world.agent.pk, world.manager.pk}
    assert teammate_ids(world.consultant) == {world.consultant.pk}
    entry = AuditEntry.objects.get(action="team.create")
    assert entry.after["name"] == "Level 1 Romandie"


def test_changing_a_team_records_what_changed(world):
    team = do_save_team(acting_user=world.manager, name="Consulting", members=[world.consultant])
    do_save_team(
        acting_user=world.manager,
        team=team,
        name="Consulting",
        lead=world.consultant,
        members=[world.consultant, world.agent],
    )
    entry = AuditEntry.objects.get(action="team.update")
    assert entry.before == {"lead_id": None, "members": [world.consultant.pk]}
    assert entry.after["members"] == sorted([world.consultant.pk, world.agent.pk])


def test_only_managers_make_teams_of_staff_with_distinct_names(world):
    with pytest.raises(NotAllowed):
        do_save_team(acting_user=world.agent, name="Mine")
    with pytest.raises(DomainError) as refused:
        do_save_team(acting_user=world.manager, name="Mixed", members=[world.contact_a])
    assert refused.value.code == "invalid_member"
    do_save_team(acting_user=world.manager, name="R&D")
    with pytest.raises(DomainError) as taken:
        do_save_team(acting_user=world.manager, name="r&d")
    assert taken.value.code == "name_taken"
    assert teams_of(world.contact_a).count() == 0
