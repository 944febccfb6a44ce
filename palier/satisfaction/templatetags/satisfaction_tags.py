"""The survey panel of the portal's request page: `{% satisfaction_panel ticket %}` (one query)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from palier.lib.compiled import first_row
from palier.satisfaction.models import Survey

register = template.Library()


@register.inclusion_tag("web/satisfaction/partials/panel.html", takes_context=True)
def satisfaction_panel(context: template.Context, ticket) -> dict:
    from palier.web.satisfaction.forms import AnswerForm

    user = context["request"].user
    survey = (
        first_row(  # compiled once per connection: shown on every request page
            lambda: Survey.objects.filter(ticket_id=ticket.pk, contact_id=user.pk).order_by("pk")[
                :1
            ],
            ("satisfaction_panel",),
            [user.pk, ticket.pk],
        )
        if user.pk is not None
        else Survey.objects.filter(ticket_id=ticket.pk, contact_id=user.pk).first()
    )
    open_ = bool(survey and not survey.is_answered and survey.expires_at > timezone.now())
    return {
        "survey": survey,
        "open": open_,
        "form": AnswerForm() if open_ else None,  # shown only while the survey is open
        "action": reverse("web:satisfaction:answer", args=[survey.pk]) if survey else "",
        "csrf_token": context.get("csrf_token"),
    }
