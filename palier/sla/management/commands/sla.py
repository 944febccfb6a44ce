"""`palier sla scan` flags warnings and breaches; `palier sla recompute` rebuilds every clock."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from palier.sla.actions import recompute_many, scan
from palier.tickets.models import Ticket
from palier.tickets.states import OPEN_STATUSES


class Command(BaseCommand):
    help = "Service levels: 'scan' flags warnings and breaches; 'recompute' rebuilds open clocks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["scan", "recompute"])

    def handle(self, *args, what: str, **options) -> None:
        if what == "scan":
            counts = scan()
            self.stdout.write(f"{counts['warnings']} warnings, {counts['breaches']} breaches")
            return
        ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
        self.stdout.write(f"{recompute_many(ids)} clocks recomputed")
