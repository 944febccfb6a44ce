"""Managers' import screens: upload a file, read its dry run (every error by line and
column), import it (the worker does it; the page follows its progress), download templates
and the problems of a run."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from palier.imports import actions
from palier.imports.columns import LANGUAGES
from palier.imports.engine import DONE_LABELS, OUTCOME_LABELS
from palier.imports.kinds import KINDS
from palier.imports.models import ImportRun, RunState
from palier.imports.templates_files import template_csv, template_xlsx
from palier.lib.errors import DomainError
from palier.lib.spreadsheet import safe_text
from palier.lib.words import say_again
from palier.web.access import is_htmx, manager_required
from palier.web.fields import CheckboxField

PAST_KINDS = {
    "jira": gettext_lazy("Past tickets: Jira Service Management (CSV export)"),
    "zendesk": gettext_lazy("Past tickets: Zendesk (JSON export)"),
    "tickets": gettext_lazy("Past tickets: generic CSV"),
}
# Uploads are read into memory to check them: a cap that keeps a web process safe.
MAX_UPLOAD = 50 * 1024 * 1024


def kind_choices() -> list[tuple[str, str]]:
    return [(name, kind.label) for name, kind in KINDS.items()] + list(PAST_KINDS.items())


def kind_label(name: str) -> str:
    return str(dict(kind_choices()).get(name, name))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=kind_choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252, commas or semicolons) or Excel (.xlsx); Zendesk: its "
            "JSON export."
        ),
    )
    invite = CheckboxField(
        label=gettext_lazy("Contacts: send each new contact an invitation"), required=False
    )
    public_comments = CheckboxField(
        label=gettext_lazy("Jira: show imported comments to the customer"),
        required=False,
        help_text=gettext_lazy(
            "Jira's CSV does not tell public comments from internal ones: unticked, they are "
            "imported as internal notes."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: import it with the palier import command.")
                % {"size": MAX_UPLOAD // (1024 * 1024)}
            )
        return upload


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"web/manage/{template}", {"section": "imports", **context})


@manager_required
def imports_index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        options = {"invite": data["invite"], "public_comments": data["public_comments"]}
        try:
            run = _check(request, data["kind"], upload.read(), upload.name, options)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:manage:import_run", run.pk)
    runs = ImportRun.objects.select_related("created_by").order_by("-id")[:20]
    templates = [
        (name, kind.label, [(lang, lang.upper()) for lang in LANGUAGES])
        for name, kind in KINDS.items()
    ]
    return _page(
        request,
        "imports.html",
        {
            "form": form,
            "runs": [(r, kind_label(r.kind)) for r in runs],
            "templates": templates,
        },
    )


def _check(request, kind: str, data: bytes, filename: str, options: dict) -> ImportRun:
    if kind in PAST_KINDS:
        from palier.imports.past.actions import do_check_past_import

        return do_check_past_import(
            acting_user=request.user, kind=kind, data=data, filename=filename, options=options
        )
    return actions.do_check_import(
        acting_user=request.user, kind=kind, data=data, filename=filename, options=options
    )


def _run_or_404(run_id: int) -> ImportRun:
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("import")
    return run


ENDED = (RunState.DONE, RunState.PARTIAL)


def _counts(run: ImportRun, labels) -> list[tuple[str, int]]:
    source = run.result if run.state in ENDED else run.planned
    return [(str(labels.get(k, k)), v) for k, v in source.items() if not k.startswith("_")]


def _left_out(run: ImportRun) -> str:
    """What a run that ended with refusals left out, in words: how many rows (or tickets)
    were refused, or, when none was, how many problems the file had."""
    if run.state != RunState.PARTIAL:
        return ""
    if run.kind in PAST_KINDS:
        refused = run.result.get("tickets_refused", 0)
        message = ngettext(
            "%(count)s ticket was refused and not imported.",
            "%(count)s tickets were refused and not imported.",
            refused,
        ) % {"count": refused}
    else:
        refused = run.result.get("refused", 0)
        message = ngettext(
            "%(count)s row was refused and not imported.",
            "%(count)s rows were refused and not imported.",
            refused,
        ) % {"count": refused}
    if not refused:
        message = ngettext(
            "The import found %(count)s problem: what it concerns was not imported.",
            "The import found %(count)s problems: what they concern was not imported.",
            run.problem_count,
        ) % {"count": run.problem_count}
    return " ".join((message, _(
        "Each problem is listed below with its line: correct the file and import it again "
        "(what was imported stays as it is)."
    )))  # fmt: skip


@manager_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(run_id)
    done = run.state in ENDED
    from palier.imports.past.labels import COUNT_LABELS

    labels = {**(DONE_LABELS if done else OUTCOME_LABELS), **COUNT_LABELS}
    context = {
        "run": run,
        "kind_label": kind_label(run.kind),
        "counts": _counts(run, labels),
        "writable": run.state == RunState.CHECKED
        and any(run.planned.get(k) for k in ("create", "update", "tickets_new")),
        "working": run.state in (RunState.QUEUED, RunState.RUNNING),
        "share": int(100 * run.done_rows / run.total_rows) if run.total_rows else 0,
        "more_problems": max(0, run.problem_count - len(run.problems)),
        "left_out": _left_out(run),
        # Kept with their source text: said again in the reader's language.
        "notes": [say_again(n) for n in run.notes],
        "problems": [{**p, "message": say_again(p)} for p in run.problems],
    }
    if run.kind in PAST_KINDS:
        from palier.imports.past.actions import type_values

        context["type_rows"] = type_values(run)
    if is_htmx(request):
        return render(request, "web/manage/partials/import_status.html", context)
    return _page(request, "import_run.html", context)


@manager_required
@require_POST
def import_start(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(run_id)
    try:
        actions.do_queue_import(run, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:manage:import_run", run.pk)


@manager_required
def import_problems(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's problems as a CSV to fix the file by (cells safe against formulas)."""
    run = _run_or_404(run_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Line"), _("Column"), _("Problem")])
    for p in run.problems:
        line = f"{p['file']}, {p['line']}" if p.get("file") else p["line"]
        writer.writerow([safe_text(line), safe_text(p["column"]), safe_text(say_again(p))])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    return response


@manager_required
def import_template(request: HttpRequest, kind: str, language: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or language not in LANGUAGES or fmt not in ("csv", "xlsx"):
        raise Http404("template")
    if fmt == "csv":
        body, content_type = template_csv(kind, language), "text/csv; charset=utf-8"
    else:
        body = template_xlsx(kind, language)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="palier-{kind}-{language}.{fmt}"'
    return response


@manager_required
@require_POST
def type_mappings(request: HttpRequest) -> HttpResponse:
    """Save how another tool's request types are imported (from a run's check page)."""
    from palier.imports.past.actions import SOURCES, do_map_types

    source = request.POST.get("source", "")
    if source not in SOURCES.values():
        raise Http404("source")
    values, types = request.POST.getlist("value"), request.POST.getlist("type")
    if len(values) != len(types):
        raise Http404("types")
    mapping = dict(zip(values, types, strict=True))
    do_map_types(acting_user=request.user, source=source, mapping=mapping)
    messages.success(request, _("The request types are saved: the import uses them."))
    target = request.POST.get("next", "")
    if not target.startswith("/manage/imports/"):
        target = reverse("web:manage:imports")
    return redirect(target)
