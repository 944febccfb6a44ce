"""`palier import KIND FILE`: check a file (--dry-run) or import it, with a progress bar and
a summary (created / updated / unchanged / refused)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import origin
from palier.imports import engine
from palier.imports.actions import check, tabular_kind
from palier.imports.exit_codes import check_found_problems, import_left_out
from palier.imports.files import UnreadableFile
from palier.imports.kinds import KINDS
from palier.lib.command_language import HelpInLanguageAsked
from palier.lib.errors import DomainError, NotAllowed
from palier.lib.progress import ProgressBar

PAST = ("jira", "zendesk", "tickets")


class Command(HelpInLanguageAsked, BaseCommand):
    help_text = gettext_lazy(
        "Import customers, contracts, customizations, contacts or installations from CSV "
        "or XLSX; past tickets from Jira Service Management (jira), Zendesk (zendesk) or "
        "the generic CSV (tickets). --dry-run lists every row's errors and writes nothing. "
        "Exit code 3: the check found problems, or the import wrote what passed and left "
        "out the rows or tickets with problems (listed on the error output); 1: refused "
        "before anything was written (the file or the user); 2: called wrongly (an unknown "
        "KIND or --language, a missing argument). Messages and this help are in English "
        "unless --language asks for another."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=[*KINDS, *PAST, "desk"], help=_("what the files hold"))
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            help=_("the file (Zendesk: its pages, or a ZIP of them; desk: an export)"),
        )
        parser.add_argument(
            "--user",
            metavar=_("USERNAME"),
            help=_("the manager the changes are recorded under (not for 'desk')"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("check only; write nothing"))
        parser.add_argument(
            "--invite",
            action="store_true",
            help=_("contacts: mail each new contact an invitation"),
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar=_("VALUE=TYPE"),
            help=_(
                "past tickets: import the tool's request type VALUE as TYPE (TYPE empty: "
                "without a type); saved in the mapping table once the file is accepted"
            ),
        )
        parser.add_argument(
            "--comments",
            choices=["internal", "public"],
            default=None,
            help=_(
                "past tickets from Jira: whether comments are shown to the customer (default "
                "internal; Jira's CSV does not say)"
            ),
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help=_("language of the messages and of this help (default: English)"),
        )

    def handle(self, *args, **options) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        if options["kind"] == "desk":
            self._desk(options)
            return
        if not options["user"]:
            raise CommandError(_("--user USERNAME: the manager the changes are recorded under."))
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(user)s”.") % {"user": options["user"]})
        try:
            check_allowed(user, Permission.DATA_IMPORT)
        except NotAllowed as exc:
            raise CommandError(exc.message) from exc
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(_("No file %(path)s.") % {"path": path})
        with origin("import"):
            if options["kind"] in PAST:
                from palier.imports.past.command import run_past

                problems, refused = run_past(self, user, options)
                if not options["dry_run"]:
                    self._rollup()
                if problems:
                    refusal = check_found_problems if options["dry_run"] else import_left_out
                    raise refusal(problems, refused, unit="tickets")
            else:
                self._tabular(user, options)

    def _desk(self, options: dict) -> None:
        """Restore a JSON Lines export (palier export) into this empty desk."""
        from palier.exports.restore import restore

        if len(options["files"]) != 1:
            raise CommandError(_("Give one export file."))
        with origin("import"), options["files"][0].open(encoding="utf-8") as stream:
            try:
                counts = restore(stream, progress=ProgressBar(_("Indexing"), stream=self.stderr))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(_("Restored %(count)s records:") % {"count": sum(counts.values())})
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
        self._rollup()

    def _rollup(self) -> None:
        """Past tickets came in around the worker's refresh (their events are dated in the
        past): sum their days into the dashboards' roll-up again."""
        from palier.dashboards.rollup import rebuild

        self.stdout.write(_("Dashboards' roll-up: %(result)s") % {"result": rebuild()})

    def _tabular(self, user: User, options: dict) -> None:
        if len(options["files"]) != 1:
            raise CommandError(_("Give one file."))
        path = options["files"][0]
        kind_options = {"invite": options["invite"]}
        try:
            plan = check(options["kind"], path.read_bytes(), path.name, kind_options)
        except UnreadableFile as exc:
            raise CommandError(exc.message) from exc
        self.report_problems(plan.all_problems, plan.notes)
        if options["dry_run"] or plan.problems:
            self.summary(plan.counts, planned=True, dry_run=options["dry_run"])
            if plan.problems:
                raise CommandError(_("Nothing was imported."))
            if plan.all_problems:
                raise check_found_problems(len(plan.all_problems), plan.counts["refused"])
            return
        kind = tabular_kind(options["kind"], kind_options)
        try:
            counts = engine.apply(
                kind,
                plan,
                acting_user=user,
                progress=ProgressBar(_("Importing"), stream=self.stderr),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        late = [p for row in plan.rows for p in row.problems if not p.column]
        self.report_problems(late, [])
        self.summary(counts, planned=False)
        if plan.all_problems:
            raise import_left_out(len(plan.all_problems), counts["refused"])

    def report_problems(self, problems, notes) -> None:
        for note in notes:
            self.stderr.write(_("note: %(note)s") % {"note": note})
        for p in problems:
            where = (
                _("line %(line)s, column “%(column)s”") % {"line": p.line, "column": p.column}
                if p.column
                else _("line %(line)s") % {"line": p.line}
            )
            self.stderr.write(_("%(where)s: %(message)s") % {"where": where, "message": p.message})

    def summary(self, counts: dict[str, int], *, planned: bool, dry_run: bool = True) -> None:
        """The rows' outcomes: as planned (a dry run, or an import the file's problems
        stopped before it wrote anything), or as done."""
        labels = engine.OUTCOME_LABELS if planned else engine.DONE_LABELS
        head = ""
        if planned:
            head = _("Dry run, nothing written: ") if dry_run else _("Nothing written: ")
        self.stdout.write(head + ", ".join(f"{labels[k]} {v}" for k, v in counts.items()))
