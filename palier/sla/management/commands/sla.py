"""`palier sla scan` flags warnings and breaches; `palier sla recompute` rebuilds every clock."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.lib.command_language import HelpInLanguageAsked, add_help_language
from palier.sla.actions import recompute_many, scan
from palier.sla.queries import overdue_counts
from palier.tickets.models import Ticket
from palier.tickets.states import OPEN_STATUSES


class Command(HelpInLanguageAsked, BaseCommand):
    help_text = gettext_lazy(
        "Service levels: 'scan' flags warnings and breaches; 'recompute' rebuilds open "
        "clocks. Messages are in English; --language chooses the language of this help."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["scan", "recompute"])
        parser.add_argument(
            "--tell-past",
            action="store_true",
            help=_(
                "recompute: leave the deadlines already past of tickets that had no clock to "
                "the scan, which records a breach event for each (by default they are settled "
                "silently)"
            ),
        )
        add_help_language(parser)

    def handle(self, *args, what: str, tell_past: bool = False, **options) -> None:
        if what == "scan":
            counts = scan()
            late = overdue_counts(timezone.now())
            self.stdout.write(
                f"Recorded now: {counts['warnings']} warnings, {counts['breaches']} breaches "
                "(each deadline is told once).\n"
                f"Open tickets: {late['open']}; past a deadline: {late['overdue']}; "
                f"close to one: {late['at_risk']}."
            )
            return
        ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
        done, settled = recompute_many(ids, settle=not tell_past)
        self.stdout.write(f"{done} clocks recomputed")
        # Deadlines settled without an event are not seen by the roll-up's refresh.
        from palier.dashboards.rollup import rebuild

        self.stdout.write(f"Dashboards' roll-up: {rebuild()}")
        if settled:
            self.stdout.write(
                f"{settled} deadlines already past of tickets without a clock marked breached "
                "without an event (--tell-past leaves them to the scan)"
            )
