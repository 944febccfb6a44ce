"""Who may do what: the roles × actions table, as data in one place (docs/security.md).

Business actions call `check_allowed(acting_user, Permission.X)` before they write; the web
and the API show or hide controls with `allowed(...)`. A role absent from a row may not do it.
Access to a customer's own tickets (a contact sees their customer's requests) is not here:
it is the scoping of `queries.access_*`.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.models import Role
from palier.lib.errors import NotAllowed


class Permission(StrEnum):
    CUSTOMER_WRITE = "customer.write"
    CONTRACT_WRITE = "contract.write"
    CUSTOMIZATION_WRITE = "customization.write"
    TEAM_WRITE = "team.write"


LABELS = {
    Permission.CUSTOMER_WRITE: gettext_lazy("change customers"),
    Permission.CONTRACT_WRITE: gettext_lazy("change contracts, rates and prepaid hours"),
    Permission.CUSTOMIZATION_WRITE: gettext_lazy("change customizations"),
    Permission.TEAM_WRITE: gettext_lazy("change teams and the desk's shared macros"),
}

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})

TABLE: dict[Permission, frozenset[Role]] = {
    Permission.CUSTOMER_WRITE: MANAGERS,
    Permission.CONTRACT_WRITE: MANAGERS,
    Permission.CUSTOMIZATION_WRITE: MANAGERS,
    Permission.TEAM_WRITE: MANAGERS,
}


def allowed(user, permission: Permission) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in TABLE[permission]
    )


def check_allowed(user, permission: Permission) -> None:
    """Raise `NotAllowed` (403 `not_allowed`) unless the user's role may do this."""
    if not allowed(user, permission):
        raise NotAllowed(
            _("Your role may not %(action)s.") % {"action": LABELS[permission]},
            details={"permission": str(permission)},
        )
