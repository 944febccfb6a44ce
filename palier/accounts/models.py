"""People who use the desk: customers' contacts and the vendor's staff; their API tokens,
web sessions and the browsers they let skip the second factor for a while."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONTACT = "contact", _("Customer contact")
    AGENT = "agent", _("Level-1 agent")
    CONSULTANT = "consultant", _("Consultant")
    RND = "rnd", _("R&D engineer")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.AGENT, Role.CONSULTANT, Role.RND, Role.MANAGER, Role.ADMIN})


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How a user is named everywhere: their full name, else their username."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CONTACT)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        help_text=_("Set for customer contacts only."),
    )
    is_customer_admin = models.BooleanField(
        default=False, help_text=_("A contact who administers their customer's account.")
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "role"], name="user_customer_role"),
            # Senders and sign-ins are found by address, case-insensitively (email__iexact).
            models.Index(Upper("email"), name="user_email_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="contact", customer__isnull=False)
                | (~models.Q(role="contact") & models.Q(customer__isnull=True)),
                name="user_contact_has_customer",
            )
        ]

    def __str__(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)

    @property
    def is_contact(self) -> bool:
        return self.role == Role.CONTACT

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text=_("Shown to tell tokens apart."))
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(
        default=False, help_text=_("Reads only: any write with it is refused.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "pal_" + secrets.token_urlsafe(32)


class UserSession(AbstractBaseSession):
    """A web session (Django's session row) with whose it is and where it was last seen, so
    that a user can see and end their own sessions (`palier.accounts.sessions`). The columns
    are copied from the session's data each time it is saved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="web_sessions",
    )
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_user_session"

    @classmethod
    def get_session_store_class(cls):
        from palier.accounts.sessions import SessionStore

        return SessionStore


class TrustedBrowser(models.Model):
    """A browser in which its user passed the second factor and asked not to be asked again
    for a while. The browser keeps a signed cookie with the row's id and a secret; only the
    secret's hash is stored, and the row can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_browsers"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    device_id = models.CharField(
        max_length=255, help_text=_("The second factor that was used (django-otp's id).")
    )
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="trusted_browser_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"


class ExternalIdentity(models.Model):
    """A person at an identity provider (its `sub`) bound to the account it first signed in
    to by a verified email. Later sign-ins go by the binding; another person at the same
    provider who shows the same address (a recycled mailbox) is refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_once"),
            models.UniqueConstraint(fields=["provider", "user"], name="external_identity_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} → {self.user}"
