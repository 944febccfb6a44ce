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
    PEOPLE_WRITE = "people.write"
    ADMINISTRATOR_WRITE = "administrator.write"
    CATALOGUE_WRITE = "catalogue.write"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    WEBHOOK_WRITE = "webhook.write"


LABELS = {
    Permission.CUSTOMER_WRITE: gettext_lazy("change customers"),
    Permission.CONTRACT_WRITE: gettext_lazy("change contracts, rates and prepaid hours"),
    Permission.CUSTOMIZATION_WRITE: gettext_lazy("change customizations"),
    Permission.PEOPLE_WRITE: gettext_lazy("create, invite, deactivate or change people"),
    Permission.ADMINISTRATOR_WRITE: gettext_lazy("create or change administrators"),
    Permission.CATALOGUE_WRITE: gettext_lazy(
        "change products, modules, versions and installations"
    ),
    Permission.DATA_IMPORT: gettext_lazy("import data"),
    Permission.DATA_EXPORT: gettext_lazy("export the desk's data"),
    Permission.WEBHOOK_WRITE: gettext_lazy("change webhooks"),
}

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})

TABLE: dict[Permission, frozenset[Role]] = {
    Permission.CUSTOMER_WRITE: MANAGERS,
    Permission.CONTRACT_WRITE: MANAGERS,
    Permission.CUSTOMIZATION_WRITE: MANAGERS,
    Permission.PEOPLE_WRITE: MANAGERS,
    # A manager may not make anyone an administrator, nor change one: only an administrator.
    Permission.ADMINISTRATOR_WRITE: frozenset({Role.ADMIN}),
    Permission.CATALOGUE_WRITE: MANAGERS,
    Permission.DATA_IMPORT: MANAGERS,
    Permission.DATA_EXPORT: MANAGERS,
    Permission.WEBHOOK_WRITE: MANAGERS,
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
