"""Reads on people: the vendor's staff see everyone; a contact sees no one here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from palier.accounts.models import STAFF_ROLES, User
from palier.lib.errors import NotAllowed
from palier.people.models import Invitation


def visible_people(user: User) -> QuerySet[User]:
    if not user.is_staff_member:
        raise NotAllowed(_("Only the vendor's staff can see people."))
    return User.objects.select_related("customer")


def access_person_by_id(user: User, person_id: int) -> User:
    person = visible_people(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("person")
    return person


def filter_people(
    qs: QuerySet[User],
    *,
    q: str = "",
    role: str | None = None,
    kind: str | None = None,
    customer_id: int | None = None,
    active: bool | None = None,
) -> QuerySet[User]:
    if q:
        text = q.strip()[:100]
        qs = qs.filter(
            Q(username__icontains=text)
            | Q(email__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
        )
    if role:
        qs = qs.filter(role=role)
    if kind == "staff":
        qs = qs.filter(role__in=STAFF_ROLES)
    elif kind == "contacts":
        qs = qs.exclude(role__in=STAFF_ROLES)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def last_invitations(user_ids: list[int]) -> dict[int, Invitation]:
    """Each person's latest invitation, in one query."""
    latest: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(user_id__in=user_ids).order_by("user_id", "-id"):
        latest.setdefault(invitation.user_id, invitation)
    return latest
