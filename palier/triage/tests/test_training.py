"""Retraining on the desk's qualified tickets: by command, by the worker, and what counts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from palier.lib.schedule import registered_jobs
from palier.testing.factories import make_ticket, module
from palier.tickets.actions import do_transition
from palier.triage.suggest import current_model, suggest
from palier.triage.training import train_from_desk

WORD = "quorbulix"  # a word no shipped request has: only the desk can teach it


def _desk(world, n=24):
    for i in range(n):
        ticket = make_ticket(
            world.contact_a,
            request_type="training",
            subject=f"{WORD} {i}",
            description=f"Der {WORD} steht wieder an.",
            module_name="Production",
        )
        do_transition(ticket, "in_progress", acting_user=world.agent)
    # Not qualified yet: a new request, whatever type its contact picked.
    make_ticket(world.contact_a, request_type="feature", subject=f"{WORD} new")


def test_the_desk_teaches_its_own_words_type_and_module(world, own_model_file):
    _desk(world)
    before = suggest(WORD, WORD)
    run = train_from_desk()
    assert (run.desk_tickets, run.coldstart) == (24, 704)
    assert own_model_file.exists()
    after = suggest(f"{WORD} again", f"Der {WORD} steht an.")
    assert after.type.value == "training" and not after.abstained
    assert after.type.confidence > before.type.confidence
    assert after.module.value == str(module("Production").pk)


def test_refused_and_new_tickets_are_not_learnt(world, own_model_file):
    make_ticket(world.contact_expired, request_type="usage", subject="refused one")
    make_ticket(world.contact_a, request_type="usage", subject="still new")
    assert train_from_desk().desk_tickets == 0


def test_a_limit_keeps_the_newest_tickets(world, own_model_file):
    _desk(world, n=5)
    assert train_from_desk(limit=3).desk_tickets == 3


def test_the_command_trains_and_says_where_it_wrote(world, own_model_file):
    _desk(world, n=3)
    out = StringIO()
    call_command("triage", "train", stdout=out)
    assert "Trained on 3 qualified tickets and 704 cold-start requests" in out.getvalue()
    assert str(own_model_file) in out.getvalue()
    assert current_model().counts == {"desk": 3, "coldstart": 704}


def test_the_command_refuses_a_negative_limit(own_model_file):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("triage", "train", "--limit", "-1")


def test_the_worker_retrains_every_day(world, own_model_file):
    from palier.ops.scheduler import discover_jobs

    discover_jobs()
    (job,) = [j for j in registered_jobs() if j.name == "triage.train"]
    assert job.seconds == 24 * 3600
    _desk(world, n=2)
    job.run()  # the tests' task backend runs it at once
    assert current_model().counts["desk"] == 2


def test_a_model_of_an_older_cold_start_set_is_learnt_again(own_model_file):
    from palier.triage.model import save
    from palier.triage.suggest import forget_model

    model = current_model()
    model.coldstart_digest = "older"
    save(model, own_model_file)
    forget_model()
    assert current_model().coldstart_digest != "older"
