"""`palier outbox failures` lists the side effects of ticket events the worker gave up on;
`palier outbox rearm ID... | --all` schedules them again once their cause is mended."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.lib.rows import parse_id
from palier.lib.terminal import cell, instant
from palier.tickets.notifications import given_up_failures, rearm_failures

# As `palier import` (imports/exit_codes.py): 2 a wrong call, 3 input refused in part.
WRONG_CALL = 2
NOT_FOUND = 3


def _failure_id(text: str) -> int:
    """A failure's id as typed: ASCII digits that fit a row id (2**70 was a traceback)."""
    found = parse_id(text)
    if found is None or found < 1:
        raise argparse.ArgumentTypeError(
            _("not a failure's id: “%(text)s”") % {"text": cell(text[:40])}
        )
    return found


class Command(BaseCommand):
    help = (
        "Ticket-event outbox: 'failures' lists the side effects given up on, one a line "
        "(id, event, handler, attempts, when it last failed with its zone, the error's last "
        "line; tabs, line breaks and other controls in a text are printed escaped); "
        "'rearm ID... | --all' schedules them again. Exit code 3: an ID is no given-up "
        "failure (named on the error output; the others are scheduled again); 2: called "
        "wrongly (no ID and no --all, an ID that is no number). Messages are in English "
        "unless --language asks for another."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["failures", "rearm"])
        parser.add_argument("ids", nargs="*", type=_failure_id, metavar="ID")
        parser.add_argument("--all", action="store_true", help="rearm: every given-up one")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="language of the messages (default: English)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            if options["what"] == "failures":
                self._failures()
            else:
                self._rearm(options["ids"], every=options["all"])

    def _failures(self) -> None:
        rows = given_up_failures().order_by("failed_at")
        for failure in rows:
            # A traceback: its last line names the exception and its message.
            last_line = failure.error.strip().split("\n")[-1]
            attempts = ngettext("%(count)d attempt", "%(count)d attempts", failure.attempts) % {
                "count": failure.attempts
            }
            event = _("event %(id)d") % {"id": failure.event_id}
            fields = [failure.pk, event, failure.handler, attempts, instant(failure.failed_at)]
            self.stdout.write("\t".join(cell(f) for f in [*fields, last_line]))
        given_up = len(rows)
        self.stderr.write(
            ngettext("%(count)d side effect given up", "%(count)d side effects given up", given_up)
            % {"count": given_up}
        )

    def _rearm(self, ids: list[int], *, every: bool) -> None:
        if bool(ids) == every:
            raise CommandError(_("rearm: give the failures' ids, or --all."), returncode=WRONG_CALL)
        unknown: list[int] = []
        if ids:
            known = set(given_up_failures().filter(pk__in=ids).values_list("pk", flat=True))
            unknown = sorted(set(ids) - known)
        done = rearm_failures(None if every else ids)
        if done or not unknown:  # "0 scheduled again" before the refusal read as a success
            self.stdout.write(
                ngettext(
                    # The admin's words (tickets/admin.py).
                    "%(count)d side effect scheduled again; the worker runs it shortly.",
                    "%(count)d side effects scheduled again; the worker runs them shortly.",
                    done,
                )
                % {"count": done}
            )
        if unknown:
            listed = ", ".join(str(i) for i in unknown)
            raise CommandError(
                _("Not given up (scheduled still, or no such failure): %(ids)s") % {"ids": listed},
                returncode=NOT_FOUND,
            )
