"""Writes on people: create, change (role, customer, language), invite, deactivate.

Every write is a manager's (Permission.PEOPLE_WRITE; administrators are made and changed by
administrators only) and leaves an audit row. A deactivated person keeps everything they
wrote; they lose every session and API token at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.actions import do_end_sessions, do_revoke_token
from palier.accounts.models import STAFF_ROLES, ApiToken, Role, User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change, snapshot
from palier.customers.models import Customer
from palier.lib.errors import Conflict, DomainError, InvalidFields, NotAllowed
from palier.lib.tasks import enqueue_with_transaction
from palier.people.models import OPEN_STATES, Invitation, InvitationState, hash_key
from palier.tickets.queries import customer_language

# The fields of a person the audit log keeps (never the password's hash).
PERSON_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "customer_id",
    "is_customer_admin",
    "language",
    "phone",
    "is_active",
]
EDITABLE = {
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "customer",
    "is_customer_admin",
    "language",
    "phone",
}


def invitation_days() -> int:
    return int(getattr(settings, "PALIER_INVITATION_DAYS", 7))


def _check_may_write(acting_user: User, *roles: str) -> None:
    check_allowed(acting_user, Permission.PEOPLE_WRITE)
    if Role.ADMIN in roles:
        check_allowed(acting_user, Permission.ADMINISTRATOR_WRITE)


def _clean(user: User) -> None:
    """The rules of a person's record, with messages a manager can act on."""
    errors: dict[str, list[ValidationError]] = {}

    def refuse(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    user.email = (user.email or "").strip()
    user.username = (user.username or "").strip() or user.email.lower()
    if not user.email:
        refuse("email", _("An email address is needed: invitations and mail go there."), "required")
    else:
        try:
            validate_email(user.email)
        except ValidationError:
            refuse("email", _("Enter a valid email address."), "invalid")
    if user.role not in Role.values:
        refuse("role", _("Unknown role."), "invalid_choice")
    if user.role == Role.CONTACT and user.customer_id is None:
        refuse("customer", _("A contact belongs to a customer: choose one."), "required")
    if user.role in STAFF_ROLES and user.customer_id is not None:
        refuse("customer", _("The vendor's staff belong to no customer."), "invalid")
    if user.is_customer_admin and user.role != Role.CONTACT:
        refuse(
            "is_customer_admin",
            _("Only a customer's contact can administer the customer's account."),
            "invalid",
        )
    if user.language not in {code for code, _name in settings.LANGUAGES}:
        refuse("language", _("This language is not offered."), "invalid_choice")
    if errors:
        raise InvalidFields(_("Invalid values."), errors)
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidFields(_("Invalid values."), exc.error_dict) from exc
    taken = User.objects.exclude(pk=user.pk)
    if taken.filter(username__iexact=user.username).exists():
        raise Conflict(
            _("This user name is already taken."),
            code="username_taken",
            details=[{"field": "username", "message": _("This user name is already taken.")}],
        )
    if taken.filter(email__iexact=user.email).exists():
        raise Conflict(
            _("Someone already has this email address."),
            code="email_taken",
            details=[{"field": "email", "message": _("Someone already has this email address.")}],
        )


def _sync_flags(user: User) -> None:
    """Django's own flags follow the role: managers and administrators open /admin/."""
    user.is_staff = user.role in (Role.MANAGER, Role.ADMIN)
    user.is_superuser = user.role == Role.ADMIN
    if user.role != Role.CONTACT:
        user.is_customer_admin = False


@transaction.atomic
def do_create_person(
    *,
    acting_user: User,
    email: str,
    role: str,
    customer: Customer | None = None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    is_customer_admin: bool = False,
    language: str = "",
    phone: str = "",
    invite: bool = False,
) -> User:
    """Create a contact (with their customer) or a member of staff, without a password:
    they set one through an invitation (`invite=True` sends it after commit)."""
    _check_may_write(acting_user, role)
    user = User(
        username=username,
        email=email,
        role=role,
        customer=customer,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_customer_admin=is_customer_admin,
        language=language or (customer_language(customer) if customer else settings.LANGUAGE_CODE),
        phone=phone.strip(),
    )
    user.set_unusable_password()
    _clean(user)
    _sync_flags(user)
    user.save(force_insert=True)
    record_change(
        "user.created", user, acting_user=acting_user, after=snapshot(user, PERSON_FIELDS)
    )
    if invite:
        _invite(user, acting_user)
    return user


@transaction.atomic
def do_update_person(user: User, *, acting_user: User, **changes: Any) -> User:
    """Change a person's details, role, customer, customer-admin flag or language.

    A contact stays a contact and staff stay staff: a person of a customer who joins the
    vendor (or the reverse) gets a new account, so that each history reads true."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), details=sorted(unknown))
    locked = User.objects.select_for_update().get(pk=user.pk)
    new_role = changes.get("role", locked.role)
    _check_may_write(acting_user, locked.role, new_role)
    if new_role != locked.role:
        if (new_role == Role.CONTACT) != (locked.role == Role.CONTACT):
            raise DomainError(
                _(
                    "A customer's contact cannot become staff, nor staff a contact: create a "
                    "new account for them."
                ),
                code="role_kind_change",
            )
        if locked.pk == acting_user.pk:
            raise NotAllowed(_("You cannot change your own role."), code="own_role")
    before = snapshot(locked, PERSON_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _clean(locked)
    _sync_flags(locked)
    locked.save()
    record_change(
        "user.updated",
        locked,
        acting_user=acting_user,
        before=before,
        after=snapshot(locked, PERSON_FIELDS),
    )
    return locked


def _void_open_invitations(user: User) -> None:
    Invitation.objects.filter(user=user, state__in=OPEN_STATES).update(state=InvitationState.VOID)


def _invite(user: User, acting_user: User) -> Invitation:
    if not user.is_active:
        raise DomainError(_("Reactivate this person before inviting them."), code="person_inactive")
    _void_open_invitations(user)
    invitation = Invitation.objects.create(user=user, invited_by=acting_user)
    record_change(
        "user.invited",
        user,
        acting_user=acting_user,
        after={"invitation": invitation.pk, "email": user.email},
    )
    from palier.people.tasks import send_invitation

    enqueue_with_transaction(send_invitation, invitation.pk)
    return invitation


@transaction.atomic
def do_invite(user: User, *, acting_user: User) -> Invitation:
    """Send a set-password link (after commit, by the worker); earlier links stop working."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_may_write(acting_user, locked.role)
    return _invite(locked, acting_user)


def end_sessions_and_tokens(user: User, *, acting_user: User) -> int:
    """Cut every way in: the web sessions are ended (their rows go), the password goes too
    (Django checks every session against its hash, whatever session store holds it), and
    each live API token is revoked. Returns how many tokens were revoked."""
    do_end_sessions(user, acting_user=acting_user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        do_revoke_token(token, acting_user=acting_user)
    return len(tokens)


@transaction.atomic
def do_deactivate(user: User, *, acting_user: User) -> User:
    """Deactivate a person: they keep their history (tickets, messages, time) and lose every
    session, token and pending invitation at once."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_may_write(acting_user, locked.role)
    if locked.pk == acting_user.pk:
        raise NotAllowed(_("You cannot deactivate yourself."), code="own_account")
    if not locked.is_active:
        return locked
    before = snapshot(locked, PERSON_FIELDS)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    revoked = end_sessions_and_tokens(locked, acting_user=acting_user)
    _void_open_invitations(locked)
    record_change(
        "user.deactivated",
        locked,
        acting_user=acting_user,
        before=before,
        after={**snapshot(locked, PERSON_FIELDS), "tokens_revoked": revoked},
    )
    return locked


@transaction.atomic
def do_reactivate(user: User, *, acting_user: User, invite: bool = True) -> User:
    """Let a deactivated person in again; they choose a new password through an invitation
    (their old password, sessions and tokens stay dead)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_may_write(acting_user, locked.role)
    if locked.is_active:
        return locked
    before = snapshot(locked, PERSON_FIELDS)
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    record_change(
        "user.reactivated",
        locked,
        acting_user=acting_user,
        before=before,
        after=snapshot(locked, PERSON_FIELDS),
    )
    if invite:
        _invite(locked, acting_user)
    return locked


class InvitationInvalid(DomainError):
    code = "invitation_invalid"
    status = 410


def access_invitation_by_key(raw: str, now: dt.datetime | None = None) -> Invitation:
    """The live invitation this link's secret opens, or `InvitationInvalid`."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("user").filter(key_hash=hash_key(raw)).first()
        if raw and len(raw) <= 100
        else None
    )
    if (
        invitation is None
        or invitation.state != InvitationState.SENT
        or invitation.expires_at is None
        or invitation.expires_at <= now
        or not invitation.user.is_active
    ):
        raise InvitationInvalid(
            _(
                "This link has expired or was already used. Ask your support desk for a new "
                "invitation."
            )
        )
    return invitation


@transaction.atomic
def do_accept_invitation(raw: str, password: str, *, now: dt.datetime | None = None) -> User:
    """Set the invited person's password; the link then opens nothing any more."""
    now = now or timezone.now()
    found = access_invitation_by_key(raw, now)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.state != InvitationState.SENT:  # used meanwhile by a concurrent request
        raise InvitationInvalid(_("This link was already used."))
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.state, invitation.used_at = InvitationState.USED, now
    invitation.save(update_fields=["state", "used_at"])
    _void_open_invitations(user)
    record_change("user.password_set", user, acting_user=user, after={"invitation": invitation.pk})
    return user
