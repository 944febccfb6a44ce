"""Satisfaction's background work: telling a lead (or the managers) of a low score."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def mail_follow_up(follow_up_id: int) -> int:
    """One mail per recipient, in their language, with the score, the comment and a link."""
    from palier.mailgateway.composed import ComposedMail, queue_composed
    from palier.satisfaction.models import FollowUp
    from palier.satisfaction.surveys import follow_up_recipients

    follow_up = (
        FollowUp.objects.select_related(
            "survey__ticket__customer", "survey__contact", "assigned_to"
        )
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        return 0
    survey, sent = follow_up.survey, 0
    try:
        from django.urls import reverse

        link = f"{settings.PALIER_BASE_URL}{reverse('web:agent:ticket', args=[survey.ticket_id])}"
    except Exception:  # the web app not mounted
        link = ""
    for user in follow_up_recipients(follow_up):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Unhappy customer: %(score)s/5 on %(reference)s") % {
                "score": survey.score,
                "reference": survey.ticket.reference,
            }
            text = render_to_string(
                "satisfaction/mail/follow_up.txt",
                {"survey": survey, "ticket": survey.ticket, "link": link},
            )
        if queue_composed(
            ComposedMail(
                kind="satisfaction_follow_up",
                to_address=user.email,
                to_name=str(user),
                subject=subject,
                text=text,
            )
        ):
            sent += 1
    return sent
