"""The workspace's notifications: the list, marking read, the daily digest choice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.lib.rows import parse_id
from palier.web.access import staff_required
from palier.workspace.models import NotificationSettings
from palier.workspace.notifications import (
    describe,
    do_mark_read,
    do_set_digest,
    notifications_of,
)

PAGE_SIZE = 50


@staff_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The newest notifications first, keyset-paged by id (?before=ID)."""
    qs = notifications_of(request.user)
    before = parse_id(request.GET.get("before"))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    items = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    settings_row = NotificationSettings.objects.filter(user=request.user).first()
    return render(
        request,
        "web/agent/notifications.html",
        {
            "rows": [(n, describe(n)) for n in items],
            "next_before": items[-1].pk if more and items else None,
            "daily_digest": bool(settings_row and settings_row.daily_digest),
        },
    )


@require_POST
@staff_required
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read and open its ticket, or mark them all read."""
    pk = parse_id(request.POST.get("notification"))
    if pk is None:
        do_mark_read(request.user)
        messages.success(request, _("All notifications marked read."))
        return redirect("web:agent:notifications")
    do_mark_read(request.user, [pk])
    ticket_id = notifications_of(request.user).filter(pk=pk).values_list("ticket_id", flat=True)
    ticket_id = ticket_id.first()
    if ticket_id is None:
        return redirect("web:agent:notifications")
    return redirect(reverse("web:agent:ticket", args=[ticket_id]))


@require_POST
@staff_required
def digest(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("daily_digest") == "on"
    do_set_digest(request.user, daily_digest=wanted)
    messages.success(
        request,
        _("You will get a daily digest by mail.") if wanted else _("No daily digest by mail."),
    )
    return redirect("web:agent:notifications")
