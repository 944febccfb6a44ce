"""Asking and answering: the worker sends one survey after a request is resolved; the contact
answers once, by the signed link in the mail or on the portal; a low score opens a follow-up.

The survey is sent by the outbox's handler of the ticket's "resolved" status event (it runs
in the worker, after the change committed). A contact surveyed within the quiet period
(conf.quiet_days) is not asked again; nor is a request asked twice (one Survey per ticket).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from palier.accounts.models import Role, User
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.lib.tasks import enqueue_with_transaction
from palier.satisfaction import conf
from palier.satisfaction.models import AnsweredVia, FollowUp, FollowUpStatus, Survey
from palier.satisfaction.tasks import mail_follow_up
from palier.tickets.actions import record_event
from palier.tickets.models import Ticket, TicketEvent
from palier.tickets.queries import ticket_customer_language
from palier.tickets.states import Status

SALT = "palier.satisfaction.survey"


class LinkInvalid(DomainError):
    code = "survey_link_invalid"
    status = 404


class LinkExpired(DomainError):
    code = "survey_link_expired"
    status = 410


def make_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "n": survey.nonce}, salt=SALT)


def survey_url(survey: Survey, score: int | None = None) -> str:
    try:
        path = reverse("web:satisfaction:link", args=[make_token(survey)])
    except NoReverseMatch:  # the web app not mounted
        return ""
    return f"{settings.PALIER_BASE_URL}{path}" + (f"?score={score}" if score else "")


def survey_from_token(token: str) -> Survey:
    """The survey a valid token names: refused when forged or past its time."""
    try:
        data = signing.loads(token, salt=SALT, max_age=conf.link_max_age_days() * 86400)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_("This survey has closed. Thank you all the same.")) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(_("This link is not valid.")) from exc
    survey = (
        Survey.objects.select_related("ticket", "contact")
        .filter(pk=data.get("s"), nonce=data.get("n"))
        .first()
    )
    if survey is None:
        raise LinkInvalid(_("This link is not valid."))
    return survey


def on_ticket_event(event: TicketEvent) -> None:
    """Outbox handler: a request just resolved gets its survey."""
    if event.kind == "status" and event.to_value == Status.RESOLVED and conf.enabled():
        send_survey(event.ticket, event=event, now=timezone.now())


def _surveyed_lately(contact: User, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=conf.quiet_days())
    return Survey.objects.filter(contact=contact, sent_at__gte=since).exists()


def send_survey(ticket: Ticket, *, event: TicketEvent | None, now: dt.datetime) -> Survey | None:
    """Create the survey and queue its mail, unless this request or this contact was asked
    already (the request ever, the contact within the quiet period)."""
    contact = ticket.contact
    if contact is None or not contact.is_active or not contact.is_contact:
        return None
    if Survey.objects.filter(ticket=ticket).exists() or _surveyed_lately(contact, now):
        return None
    language = ticket_customer_language(ticket, contact)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                ticket=ticket,
                contact=contact,
                customer_id=ticket.customer_id,
                language=language,
                nonce=secrets.token_hex(16),
                sent_at=now,
                expires_at=now + dt.timedelta(days=conf.link_max_age_days()),
            )
    except IntegrityError:  # the handler ran twice
        return None
    record_event(
        ticket, "survey_sent", None, internal=True, data={"survey_id": survey.pk, "to": contact.pk}
    )
    if contact.email:
        _queue_survey_mail(survey)
    return survey


def _queue_survey_mail(survey: Survey) -> None:
    from palier.mailgateway.composed import ComposedMail, queue_composed

    ticket = survey.ticket
    with translation.override(survey.language):
        context = {
            "survey": survey,
            "ticket": ticket,
            "name": str(survey.contact),
            "scores": [(n, survey_url(survey, n)) for n in range(5, 0, -1)],
            "url": survey_url(survey),
            "days": conf.link_max_age_days(),
        }
        subject = _("How did we do? %(reference)s") % {"reference": ticket.reference}
        text = render_to_string("satisfaction/mail/survey.txt", context)
        html = render_to_string("satisfaction/mail/survey.html", {**context, "subject": subject})
    queue_composed(
        ComposedMail(
            kind="survey",
            to_address=survey.contact.email,
            to_name=str(survey.contact),
            subject=subject,
            text=text,
            html=html,
            # Not tied to the event: its status mail to the same contact holds that slot
            # (one mail per event and recipient); the Survey row is what makes it once.
            ticket=ticket,
            reference=ticket.reference,
        )
    )


def check_can_answer(survey: Survey, user: User) -> None:
    """On the portal, the contact asked answers, nobody else."""
    if user.pk != survey.contact_id:
        raise NotAllowed(_("Only the person asked answers this survey."))


@transaction.atomic
def do_answer_survey(
    survey: Survey,
    *,
    score: int,
    comment: str,
    via: str,
    acting_user: User | None = None,
    now: dt.datetime | None = None,
) -> Survey:
    """Record the answer once; a low score opens a follow-up for the team lead."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().select_related("ticket").get(pk=survey.pk)
    if acting_user is not None:
        check_can_answer(survey, acting_user)
    if survey.is_answered:
        raise Conflict(_("This survey was already answered. Thank you!"), code="survey_answered")
    if now > survey.expires_at:
        raise LinkExpired(_("This survey has closed. Thank you all the same."))
    if not 1 <= score <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), code="invalid_score")
    survey.score, survey.comment = score, comment.strip()[:5000]
    survey.answered_at, survey.answered_via = now, via
    survey.save(update_fields=["score", "comment", "answered_at", "answered_via"])
    record_event(
        survey.ticket,
        "survey_answered",
        survey.contact,
        internal=True,
        data={"survey_id": survey.pk, "score": score, "comment": survey.comment[:500]},
    )
    if score <= conf.low_score():
        _open_follow_up(survey)
    return survey


def team_lead_for(ticket: Ticket) -> User | None:
    """The lead of the assignee's team (the first by name if several); None, and the
    managers take it, when the request has no assignee, the assignee no team or the team no
    lead."""
    from palier.workspace.models import Team

    if ticket.assignee_id is None:
        return None
    team = (
        Team.objects.filter(members=ticket.assignee_id, lead__is_active=True)
        .select_related("lead")
        .order_by("name")
        .first()
    )
    return team.lead if team else None


def _open_follow_up(survey: Survey) -> FollowUp:
    lead = team_lead_for(survey.ticket)
    follow_up = FollowUp.objects.create(survey=survey, assigned_to=lead)
    record_event(
        survey.ticket,
        "satisfaction_follow_up",
        None,
        internal=True,
        data={
            "follow_up_id": follow_up.pk,
            "score": survey.score,
            "lead": lead.pk if lead else None,
        },
    )
    enqueue_with_transaction(mail_follow_up, follow_up.pk)  # the lead (or managers) told
    return follow_up


def follow_up_recipients(follow_up: FollowUp) -> list[User]:
    if follow_up.assigned_to is not None:
        return [follow_up.assigned_to]
    return list(User.objects.filter(role__in=[Role.MANAGER], is_active=True).exclude(email="")[:20])


@transaction.atomic
def do_close_follow_up(follow_up: FollowUp, *, acting_user: User, note: str) -> FollowUp:
    if not acting_user.is_staff_member:
        raise NotAllowed(_("Only the support team closes a follow-up."))
    if follow_up.assigned_to_id not in (None, acting_user.pk) and not acting_user.is_manager:
        raise NotAllowed(_("This follow-up is another lead's."))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUpStatus.DONE:
        return follow_up
    follow_up.status, follow_up.note = FollowUpStatus.DONE, note.strip()
    follow_up.done_at, follow_up.done_by = timezone.now(), acting_user
    follow_up.save(update_fields=["status", "note", "done_at", "done_by"])
    return follow_up


def answer_via_link(token: str, score: int, comment: str) -> Survey:
    survey = survey_from_token(token)
    return do_answer_survey(survey, score=score, comment=comment, via=AnsweredVia.LINK)
