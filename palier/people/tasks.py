"""The invitation mail, sent by the worker after the invitation's transaction committed."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from palier.people.models import Invitation, InvitationState, hash_key, new_key

logger = logging.getLogger(__name__)


def invitation_link(raw: str) -> str:
    return settings.PALIER_BASE_URL + reverse("web:invitation", args=[raw])


def _mail(invitation: Invitation, raw: str) -> tuple[str, str]:
    user = invitation.user
    vendor = settings.PALIER_VENDOR_NAME
    with translation.override(user.language):
        until = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
        subject = _("Your access to the support desk of %(vendor)s") % {"vendor": vendor}
        lines = [
            _("Hello %(name)s,") % {"name": str(user)},
            "",
            _(
                "%(inviter)s invites you to the support desk of %(vendor)s. Choose your "
                "password with this link:"
            )
            % {"inviter": str(invitation.invited_by or vendor), "vendor": vendor},
            "",
            invitation_link(raw),
            "",
            _("The link works once, until %(until)s. Your user name is %(username)s.")
            % {"until": until, "username": user.username},
            "",
            _("If you did not expect this mail, you can ignore it."),
        ]
    return subject, "\n".join(lines)


@task()
def send_invitation(invitation_id: int) -> str:
    """Make the link's secret, keep its hash, then send the mail. A failed send marks the
    invitation failed (the people screen offers to send it again)."""
    raw = new_key()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("user", "invited_by")
            .filter(pk=invitation_id, state=InvitationState.PENDING)
            .first()
        )
        if invitation is None:
            return "skipped"
        now = timezone.now()
        invitation.key_hash = hash_key(raw)
        invitation.sent_at = now
        invitation.expires_at = now + dt.timedelta(
            days=int(getattr(settings, "PALIER_INVITATION_DAYS", 7))
        )
        invitation.state = InvitationState.SENT
        invitation.save(update_fields=["key_hash", "sent_at", "expires_at", "state"])
    subject, body = _mail(invitation, raw)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.user.email])
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Invitation %s could not be sent: %s", invitation_id, exc)
        Invitation.objects.filter(pk=invitation_id, state=InvitationState.SENT).update(
            state=InvitationState.FAILED, key_hash=None, error=str(exc)[:300]
        )
        return "failed"
    return "sent"
