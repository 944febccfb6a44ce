"""Managers' dashboard, each agent's own, the tickets behind a figure, table exports and
satisfaction follow-ups."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.dashboards import mine, panels
from palier.dashboards.drilldown import names_a_figure, tickets_behind
from palier.dashboards.filters import Filters
from palier.dashboards.plans import custom_plans
from palier.dashboards.svg import bar_chart
from palier.lib.errors import DomainError
from palier.lib.pagination import InvalidCursor, keyset_page
from palier.lib.spreadsheet import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from palier.satisfaction.models import FollowUp, FollowUpStatus
from palier.satisfaction.surveys import do_close_follow_up
from palier.web.access import manager_required, staff_required
from palier.web.dashboards.forms import DashboardForm
from palier.web.satisfaction.forms import CloseFollowUpForm

DRILL_PAGE = 50
DRILL_KEYS = (
    "panel",
    "channel",
    "decided",
    "refusal",
    "row_customer",
    "finding",
    "customization",
    "tier",
    "criticality",
    "breach",
    "status",
    "age",
    "defect",
    "stage",
    "score",
)


def _form(request: HttpRequest) -> DashboardForm:
    default = Filters.default(timezone.localdate())
    return DashboardForm(request.GET or None, initial={"start": default.start, "end": default.end})


def _refused(request: HttpRequest, form: DashboardForm, why: str) -> HttpResponse:
    """The filter form alone, `why` said above it, answered 400: no figure, since any
    shown would be the last 30 days' unfiltered and read as the ones asked for."""
    messages.error(request, why)
    return render(
        request, "web/dashboards/manager.html", {"form": form, "refused": True}, status=400
    )


def _unreadable(form: DashboardForm) -> bool:
    """A filter that cannot be read (a bad date, an unknown team, one given twice): named
    beside its field, with a 400, on the screen, its exports and the tickets behind a
    figure alike; none of them guesses what was meant."""
    return form.is_bound and not form.is_valid()


@manager_required
def manager_dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if _unreadable(form):
        return _refused(
            request,
            form,
            _(
                "No figures were shown: a filter could not be read. Correct it below and "
                "show them again."
            ),
        )
    return _manager_page(request, form)


def _manager_page(request: HttpRequest, form: DashboardForm) -> HttpResponse:
    filters = form.filters()
    base = filters.params()
    href = reverse("web:dashboards:tickets")
    built = []
    for panel in panels.all_panels(filters):
        tables = []
        for table in panel.tables:
            # Built from numbers and escaped labels only (dashboards.svg).
            chart = bar_chart(table, href=href, base=base, chart_id=f"chart-{table.key}")
            tables.append(
                {
                    "table": table,
                    "chart": mark_safe(chart),  # noqa: S308
                    "rows": [
                        {
                            "label": row.label,
                            "cells": [
                                (value, f"{href}?{urlencode({**base, **link})}" if link else "")
                                for value, link in zip(
                                    row.values,
                                    [row.link(i) for i in range(len(row.values))],
                                    strict=True,
                                )
                            ],
                        }
                        for row in table.rows
                    ],
                    "export": f"?{urlencode(base)}",
                }
            )
        built.append({"panel": panel, "tables": tables})
    return render(
        request,
        "web/dashboards/manager.html",
        {"form": form, "filters": filters, "panels": built, "query": urlencode(base)},
    )


@staff_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboards/mine.html", mine.my_desk(request.user, timezone.now()))


@manager_required
def drilldown(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if _unreadable(form):
        return _refused(
            request,
            form,
            _(
                "The requests behind this figure were not listed: a filter could not be read. "
                "Correct it below and show the dashboard again."
            ),
        )
    if any(len(request.GET.getlist(key)) > 1 for key in (*DRILL_KEYS, "cursor")):
        # A figure's link gives each of its keys once; which of two values was meant cannot
        # be guessed, and the last one would list other requests than the figure counts.
        return _refused(
            request,
            form,
            _(
                "The requests behind this figure were not listed: the link gives one of its "
                "values more than once. Follow the figure's link on the dashboard again."
            ),
        )
    if not names_a_figure(request.GET):
        # Listed as none, an unknown figure (or a figure's row) would read as one that counts
        # nothing; read as no row, a missing one would list requests no figure counts.
        return _refused(
            request,
            form,
            _(
                "The requests behind this figure were not listed: the link names no figure "
                "of the dashboard. Follow the figure's link on the dashboard again."
            ),
        )
    filters = form.filters()
    params = {key: request.GET[key] for key in DRILL_KEYS if request.GET.get(key)}
    qs = tickets_behind(filters, params).select_related("customer", "assignee")
    with custom_plans():
        try:
            page = keyset_page(
                qs, sort="-created", cursor=request.GET.get("cursor"), limit=DRILL_PAGE
            )
        except InvalidCursor:
            page = keyset_page(qs, sort="-created", cursor=None, limit=DRILL_PAGE)
    query = urlencode({**filters.params(), **params})
    return render(
        request,
        "web/dashboards/tickets.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "back": f"{reverse('web:dashboards:home')}?{urlencode(filters.params())}",
        },
    )


@manager_required
def export(request: HttpRequest, panel: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx") or panel not in panels.TABLES:
        raise Http404("table")
    form = _form(request)
    if _unreadable(form):
        # A file carries no word on a filter it could not read, so none is made: the screen
        # says why (400), filter by filter.
        return _refused(
            request,
            form,
            _("No file was made: a filter could not be read. Correct it below and export again."),
        )
    filters = form.filters()
    table = panels.table_of(panel, filters)
    if table is None:
        raise Http404("table")
    rows = table.as_rows()
    name = f"palier-{table.key}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(rows), content_type=CSV_TYPE)
    else:
        response = HttpResponse(xlsx_bytes([(str(table.caption), rows)]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    qs = FollowUp.objects.filter(status=FollowUpStatus.OPEN).select_related(
        "survey__ticket__customer", "survey__contact", "assigned_to"
    )
    if not request.user.is_manager:
        qs = qs.filter(assigned_to=request.user)
    return render(
        request,
        "web/dashboards/follow_ups.html",
        {"follow_ups": list(qs[:100]), "form": CloseFollowUpForm()},
    )


@staff_required
@require_POST
def close_follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=follow_up_id)
    if not request.user.is_manager and follow_up.assigned_to_id != request.user.pk:
        raise Http404("follow-up")
    form = CloseFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
        return redirect("web:dashboards:follow_ups")
    try:
        do_close_follow_up(follow_up, acting_user=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up closed."))
    return redirect("web:dashboards:follow_ups")
