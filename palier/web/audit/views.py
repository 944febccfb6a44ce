"""The audit log screen: managers read who changed which record, when, from where, before
and after; filtered by record and by person, a page at a time."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import User
from palier.audit import queries
from palier.lib.errors import DomainError
from palier.web.access import manager_required
from palier.web.fields import IdChoiceField
from palier.web.left_out import left_out_filters


class FilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Record"), required=False)
    object_id = forms.RegexField(
        label=_("Record number"), regex=r"^[A-Za-z0-9_-]{1,64}$", required=False
    )
    actor = IdChoiceField(
        label=_("Changed by"),
        queryset=User.objects.filter(customer__isnull=True).order_by("username"),
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("Any record")), *queries.type_choices()]


@manager_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    # A bad filter leaves out itself alone and is named (web/left_out.py); the others apply.
    if form.is_bound:
        form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    filters = {
        "object_type": data.get("object_type") or None,
        "object_id": data.get("object_id") or None,
        "actor_id": data["actor"].pk if data.get("actor") else None,
    }
    error = ""
    try:
        page = queries.list_entries(
            request.user, cursor=request.GET.get("cursor") or None, limit=50, **filters
        )
    except DomainError as exc:  # a stale or edited cursor: the first page, said plainly
        error = exc.message
        page = queries.list_entries(request.user, limit=50, **filters)
    rows = [
        {
            "entry": entry,
            "action": queries.action_label(entry),
            "channel": queries.channel_label(entry),
            "changes": queries.changes(entry),
        }
        for entry in page.items
    ]
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "web/audit/log.html",
        {
            "form": form,
            "left_out": left_out_filters(form),
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "error": error,
        },
    )
