"""People: contacts (with their customer) and staff. Staff read; managers write."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from ninja import Router, Schema
from pydantic import Field, StringConstraints

from palier.accounts.models import Role, User
from palier.accounts.permissions import Permission, check_allowed
from palier.api.doors import needs
from palier.api.schemas import (
    ERRORS,
    Boolean,
    Id,
    IdFilter,
    IdInUrl,
    In,
    LanguageCode,
    LongPageLimit,
    Ref,
)
from palier.customers.queries import access_customer_by_id
from palier.people import actions
from palier.people.models import Invitation, InvitationState
from palier.people.queries import (
    access_person_by_id,
    filter_people,
    last_invitations,
    visible_people,
)

router = Router(tags=["people"])

RoleCode = StrEnum("RoleCode", {r.upper(): r for r in Role.values})
InvitationStateCode = StrEnum("InvitationStateCode", {s.upper(): s for s in InvitationState.values})


class PeopleKind(StrEnum):
    STAFF = "staff"
    CONTACTS = "contacts"


Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=150)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\w.@+-]{0,150}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
# The shape only; the action checks the address as Django's EmailValidator does.
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


class InvitationOut(Schema):
    state: InvitationStateCode
    created_at: dt.datetime
    sent_at: dt.datetime | None
    expires_at: dt.datetime | None
    used_at: dt.datetime | None


class PersonOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    name: str
    role: RoleCode
    customer: Ref | None
    is_customer_admin: bool
    language: LanguageCode
    phone: str
    is_active: bool
    last_login: dt.datetime | None
    invitation: InvitationOut | None = Field(None, description="the latest invitation")


class PersonIn(In):
    email: Email
    role: RoleCode
    customer_id: Id | None = Field(None, description="required for contacts, none for staff")
    username: Username = Field("", description="defaults to the email address")
    first_name: Name = ""
    last_name: Name = ""
    is_customer_admin: Boolean = False
    language: LanguageCode | None = Field(None, description="defaults to the customer's")
    phone: Phone = ""
    invite: Boolean = Field(False, description="send a set-password link by mail")


class PersonPatch(In):
    email: Email | None = None
    role: RoleCode | None = None
    customer_id: Id | None = None
    username: Username | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    is_customer_admin: Boolean | None = None
    language: LanguageCode | None = None
    phone: Phone | None = None


class ReactivateIn(In):
    invite: Boolean = Field(True, description="send a set-password link by mail")


# Every field has a default: a request without a body asks for them all.
NO_OPTIONS = ReactivateIn()


def _invitation_out(invitation: Invitation | None) -> dict | None:
    if invitation is None:
        return None
    return {
        "state": invitation.state,
        "created_at": invitation.created_at,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "used_at": invitation.used_at,
    }


def person_out(user: User, invitation: Invitation | None = None) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": str(user),
        "role": user.role,
        "customer": {"id": user.customer.pk, "name": user.customer.name}
        if user.customer_id
        else None,
        "is_customer_admin": user.is_customer_admin,
        "language": user.language,
        "phone": user.phone,
        "is_active": user.is_active,
        "last_login": user.last_login,
        "invitation": _invitation_out(invitation),
    }


def _out(user: User) -> dict:
    return person_out(user, last_invitations([user.pk]).get(user.pk))


@router.get("/people", response={200: list[PersonOut], **ERRORS})
def list_people(
    request,
    q: Annotated[str, StringConstraints(max_length=100)] = "",
    role: RoleCode | None = None,
    kind: PeopleKind | None = None,
    customer_id: IdFilter | None = None,
    active: bool | None = None,
    after_id: IdInUrl | None = None,
    limit: LongPageLimit = 100,
):
    """People by id; page with `after_id` (the last id of the previous page)."""
    qs = filter_people(
        visible_people(request.auth),
        q=q,
        role=role.value if role else None,
        kind=kind.value if kind else None,
        customer_id=customer_id,
        active=active,
    )
    if after_id:
        qs = qs.filter(pk__gt=after_id)
    people = list(qs.order_by("id")[:limit])
    invitations = last_invitations([p.pk for p in people])
    return [person_out(p, invitations.get(p.pk)) for p in people]


@router.post(
    "/people", response={201: PersonOut, **ERRORS}, openapi_extra=needs(Permission.PEOPLE_WRITE)
)
def create_person(request, payload: PersonIn):
    """Create a contact or a member of staff (managers; administrators by administrators)."""
    check_allowed(request.auth, Permission.PEOPLE_WRITE)
    customer = (
        access_customer_by_id(request.auth, payload.customer_id) if payload.customer_id else None
    )
    user = actions.do_create_person(
        acting_user=request.auth,
        email=payload.email,
        role=payload.role.value,
        customer=customer,
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        is_customer_admin=payload.is_customer_admin,
        language=payload.language.value if payload.language else "",
        phone=payload.phone,
        invite=payload.invite,
    )
    return 201, _out(user)


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS})
def get_person(request, person_id: IdInUrl):
    return _out(access_person_by_id(request.auth, person_id))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    openapi_extra=needs(Permission.PEOPLE_WRITE),
)
def update_person(request, person_id: IdInUrl, payload: PersonPatch):
    """Change a person's details, role (within staff), customer or language."""
    check_allowed(request.auth, Permission.PEOPLE_WRITE)
    person = access_person_by_id(request.auth, person_id)
    changes = {
        k: (v.value if hasattr(v, "value") else v)
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None
    }
    if "customer_id" in changes:
        changes["customer"] = access_customer_by_id(request.auth, changes.pop("customer_id"))
    return _out(actions.do_update_person(person, acting_user=request.auth, **changes))


@router.post(
    "/people/{person_id}/invitation",
    response={201: PersonOut, **ERRORS},
    openapi_extra=needs(Permission.PEOPLE_WRITE),
)
def invite_person(request, person_id: IdInUrl):
    """Send a new set-password link (the earlier ones stop working)."""
    check_allowed(request.auth, Permission.PEOPLE_WRITE)
    person = access_person_by_id(request.auth, person_id)
    actions.do_invite(person, acting_user=request.auth)
    return 201, _out(person)


@router.post(
    "/people/{person_id}/deactivation",
    response={200: PersonOut, **ERRORS},
    openapi_extra=needs(Permission.PEOPLE_WRITE),
)
def deactivate_person(request, person_id: IdInUrl):
    """Deactivate: the history stays; every session and token ends at once."""
    check_allowed(request.auth, Permission.PEOPLE_WRITE)
    person = access_person_by_id(request.auth, person_id)
    return _out(actions.do_deactivate(person, acting_user=request.auth))


@router.post(
    "/people/{person_id}/reactivation",
    response={200: PersonOut, **ERRORS},
    openapi_extra=needs(Permission.PEOPLE_WRITE),
)
def reactivate_person(request, person_id: IdInUrl, payload: ReactivateIn = NO_OPTIONS):
    """Manager: reactivate; every field is optional, so no body at all means their defaults."""
    check_allowed(request.auth, Permission.PEOPLE_WRITE)
    person = access_person_by_id(request.auth, person_id)
    return _out(actions.do_reactivate(person, acting_user=request.auth, invite=payload.invite))
