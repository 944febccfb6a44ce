"""Managers' webhook screens: the list, a webhook (address, events, secret) and its log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.lib.errors import DomainError
from palier.lib.rows import parse_id
from palier.web.access import manager_required
from palier.web.manage.forms import WebhookForm
from palier.web.manage.people import _errors_to_form
from palier.webhooks import actions
from palier.webhooks.labels import event_label
from palier.webhooks.queries import (
    access_delivery_by_id,
    access_webhook_by_id,
    deliveries_of,
    visible_webhooks,
)

LOG_PAGE = 50


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"web/manage/{template}", {"section": "webhooks", **context})


@manager_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hook = actions.do_create_webhook(
                acting_user=request.user,
                url=data["url"],
                description=data["description"],
                events=data["events"],
            )
        except DomainError as exc:
            _errors_to_form(form, exc)
            if not form.errors:
                form.add_error("url", exc.message)
        else:
            messages.success(request, _("The webhook is saved. Its signing secret is below."))
            return redirect("web:manage:webhook", hook.pk)
    hooks = list(visible_webhooks(request.user))
    return _page(request, "webhooks.html", {"hooks": hooks, "form": form})


@manager_required
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = access_webhook_by_id(request.user, webhook_id)
    initial = {k: getattr(hook, k) for k in ("url", "description", "events", "active")}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_webhook(hook, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("url", exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:manage:webhook", hook.pk)
    before = parse_id(request.GET.get("before"))
    log = deliveries_of(hook, before_id=before, limit=LOG_PAGE + 1)
    more = log[LOG_PAGE - 1].pk if len(log) > LOG_PAGE else None
    return _page(
        request,
        "webhook.html",
        {
            "hook": hook,
            "form": form,
            "log": [(d, event_label(d.event_kind)) for d in log[:LOG_PAGE]],
            "more_before": more,
        },
    )


@manager_required
@require_POST
def webhook_rotate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = access_webhook_by_id(request.user, webhook_id)
    actions.do_rotate_secret(hook, acting_user=request.user)
    messages.success(request, _("A new secret signs from now on; the old one no longer does."))
    return redirect("web:manage:webhook", hook.pk)


@manager_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = access_delivery_by_id(request.user, delivery_id)
    try:
        actions.do_retry_delivery(delivery, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is being sent again."))
    return redirect("web:manage:webhook", delivery.webhook_id)
