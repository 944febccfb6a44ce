"""Single sign-on: which account, if any, an identity provider's claims open.

Nobody is ever created here. A person at a provider opens the desk account they are bound
to (`ExternalIdentity`, by the provider's `sub`), or, the first time, the one active account
whose email is the address the provider says it *verified* (`email_verified` true, or the
claim the provider is configured to use). A domain alone matches nobody. A provider may be
limited to staff or to contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import ExternalIdentity, User
from palier.audit.log import record_change


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    audience: str  # all, staff, contacts
    verified_claim: str
    trusts_mfa: bool

    @classmethod
    def from_settings(cls, name: str, config: dict) -> Provider:
        return cls(
            name=name,
            label=config["label"],
            audience=config["for"],
            verified_claim=config["verified_claim"],
            trusts_mfa=config["mfa"],
        )


def configured() -> list[Provider]:
    return [
        Provider.from_settings(name, config)
        for name, config in settings.PALIER_OIDC_PROVIDERS.items()
    ]


class Refused(Exception):
    """The provider's answer opens no account here; `code` says why, `message` to whom."""

    MESSAGES = {
        "unverified": _("%(provider)s did not confirm that this email address is yours."),
        "no_email": _("%(provider)s did not tell us your email address."),
        "unknown": _(
            "No account at this desk uses the address %(provider)s confirmed. Ask the person "
            "who manages your access to register it."
        ),
        "not_for_you": _("Your account does not sign in through %(provider)s."),
        "other_person": _(
            "This address is already bound to another %(provider)s account. Sign in with that "
            "one, or ask the person who manages your access."
        ),
    }

    def __init__(self, code: str, provider: Provider, email: str = ""):
        super().__init__(code)
        self.code = code
        self.email = email
        self.message = self.MESSAGES[code] % {"provider": provider.label}


def _verified(claims: dict, claim: str) -> bool:
    value = claims.get(claim)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _may_use(user: User, provider: Provider) -> bool:
    if provider.audience == "staff":
        return user.is_staff_member
    if provider.audience == "contacts":
        return user.is_contact
    return True


def match(provider: Provider, claims: dict) -> User:
    """The active account these claims open, binding the provider's person to it the first
    time; raises `Refused` otherwise."""
    subject = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip()
    bound = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider.name, subject=subject)
        .first()
    )
    if bound is not None and bound.user.is_active:
        if not _may_use(bound.user, provider):
            raise Refused("not_for_you", provider, email)
        ExternalIdentity.objects.filter(pk=bound.pk).update(last_used_at=timezone.now())
        return bound.user
    if not email:
        raise Refused("no_email", provider)
    if not _verified(claims, provider.verified_claim):
        raise Refused("unverified", provider, email)
    users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(users) != 1:
        raise Refused("unknown", provider, email)
    user = users[0]
    if not _may_use(user, provider):
        raise Refused("not_for_you", provider, email)
    return _bind(provider, subject, email, user)


def _bind(provider: Provider, subject: str, email: str, user: User) -> User:
    try:
        with transaction.atomic():
            identity = ExternalIdentity.objects.create(
                user=user,
                provider=provider.name,
                subject=subject,
                email=email,
                last_used_at=timezone.now(),
            )
            record_change(
                "external_identity.bound",
                identity,
                acting_user=user,
                after={"provider": provider.name, "subject": subject, "email": email},
            )
    except IntegrityError:
        # The account is bound to another person at this provider.
        raise Refused("other_person", provider, email) from None
    return user
