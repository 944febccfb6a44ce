"""Who may do what: the roles × actions table, as data in one place (docs/security.md).

Business actions call `check_allowed(acting_user, Permission.X)` first, before they read or
write anything else; the web and the API show or hide controls with `allowed(...)`. A role
absent from a row may not do it. Each API write names its row in the OpenAPI document
(`x-palier-permission`), and `palier/api/tests/test_permissions_walk.py` tries every write
as every role against this table.

The table says which *roles* may do a kind of write. Which *objects* a person reaches is
the scoping of `queries.access_*` (a contact reaches their own customer's requests only;
another customer's object is "not found"), and a few rules about one object stay in the
action with their own code: only the requester or the customer's administrator closes a
request (`not_the_requester`), only its author changes a time entry unless the table lets
the role change anyone's (`not_the_author`).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.models import Role
from palier.lib.errors import NotAllowed

# A contact who administers their customer's account is a column of its own: some writes
# (answering any estimate of their customer) are theirs and not a plain contact's.
CUSTOMER_ADMIN = "customer_admin"

COLUMNS: dict[str, Promise] = {
    Role.CONTACT: gettext_lazy("Contact"),
    CUSTOMER_ADMIN: gettext_lazy("Customer admin"),
    Role.AGENT: gettext_lazy("Level-1 agent"),
    Role.CONSULTANT: gettext_lazy("Consultant"),
    Role.RND: gettext_lazy("R&D engineer"),
    Role.MANAGER: gettext_lazy("Manager"),
    Role.ADMIN: gettext_lazy("Administrator"),
}


class Permission(StrEnum):
    # Customers and what they are entitled to.
    CUSTOMER_WRITE = "customer.write"
    CONTRACT_WRITE = "contract.write"
    CUSTOMIZATION_WRITE = "customization.write"
    # Service levels.
    SERVICE_TIER_WRITE = "service_tier.write"
    CALENDAR_WRITE = "calendar.write"
    # The desk's settings and its audit log (people: PEOPLE_WRITE below).
    SETTINGS_WRITE = "settings.write"
    AUDIT_READ = "audit.read"
    # Tickets.
    TICKET_OPEN = "ticket.open"
    TICKET_REPLY = "ticket.reply"
    TICKET_TRANSITION = "ticket.transition"
    TICKET_NOTE = "ticket.note"
    TICKET_QUALIFY = "ticket.qualify"
    TICKET_ASSIGN = "ticket.assign"
    TICKET_DIAGNOSE = "ticket.diagnose"
    TICKET_ACCEPT_REFUSED = "ticket.accept_refused"
    MAIL_REPROCESS = "mail.reprocess"
    # Consulting billing.
    ESTIMATE_PROPOSE = "estimate.propose"
    ESTIMATE_ANSWER = "estimate.answer"
    TIME_LOG = "time.log"
    TIME_EDIT_ANY = "time.edit_any"
    TIME_BILLABLE = "time.billable"
    BILLING_RUN = "billing.run"
    # R&D.
    DEFECT_CREATE = "defect.create"
    DEFECT_WRITE = "defect.write"
    PATCH_WRITE = "patch.write"
    DEPLOYMENT_REQUEST = "deployment.request"
    TEAM_WRITE = "team.write"
    ARTICLE_WRITE = "article.write"
    ARTICLE_PUBLISH = "article.publish"
    PEOPLE_WRITE = "people.write"
    ADMINISTRATOR_WRITE = "administrator.write"
    CATALOGUE_WRITE = "catalogue.write"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    WEBHOOK_WRITE = "webhook.write"


LABELS: dict[Permission, Promise] = {
    Permission.CUSTOMER_WRITE: gettext_lazy("change customers"),
    Permission.CONTRACT_WRITE: gettext_lazy("change contracts, rates and prepaid hours"),
    Permission.CUSTOMIZATION_WRITE: gettext_lazy("change customizations"),
    Permission.SERVICE_TIER_WRITE: gettext_lazy("change service tiers and their targets"),
    Permission.CALENDAR_WRITE: gettext_lazy("change business calendars and closing days"),
    Permission.SETTINGS_WRITE: gettext_lazy("change the desk's settings"),
    Permission.AUDIT_READ: gettext_lazy("read the audit log"),
    Permission.TICKET_OPEN: gettext_lazy("open requests"),
    Permission.TICKET_REPLY: gettext_lazy("reply on requests"),
    Permission.TICKET_TRANSITION: gettext_lazy("close, reopen or move requests on"),
    Permission.TICKET_NOTE: gettext_lazy("write internal notes and log calls"),
    Permission.TICKET_QUALIFY: gettext_lazy("change a request's type, module or criticality"),
    Permission.TICKET_ASSIGN: gettext_lazy("assign requests"),
    Permission.TICKET_DIAGNOSE: gettext_lazy("diagnose requests and escalate them to R&D"),
    Permission.TICKET_ACCEPT_REFUSED: gettext_lazy("accept a refused request"),
    Permission.MAIL_REPROCESS: gettext_lazy("reprocess quarantined mail"),
    Permission.ESTIMATE_PROPOSE: gettext_lazy("propose estimates"),
    Permission.ESTIMATE_ANSWER: gettext_lazy("accept or decline estimates"),
    Permission.TIME_LOG: gettext_lazy("log, change and delete their own time"),
    Permission.TIME_EDIT_ANY: gettext_lazy("change or delete anyone's time"),
    Permission.TIME_BILLABLE: gettext_lazy("change whether time is billable"),
    Permission.BILLING_RUN: gettext_lazy("run billing, approve, discard and credit invoices"),
    Permission.DEFECT_CREATE: gettext_lazy("record defects"),
    Permission.DEFECT_WRITE: gettext_lazy("change defects"),
    Permission.PATCH_WRITE: gettext_lazy("create and release patches"),
    Permission.DEPLOYMENT_REQUEST: gettext_lazy("ask for a patch to be deployed"),
    Permission.TEAM_WRITE: gettext_lazy("change teams and the desk's shared macros"),
    Permission.ARTICLE_WRITE: gettext_lazy("write knowledge-base articles"),
    Permission.ARTICLE_PUBLISH: gettext_lazy("publish knowledge-base articles"),
    Permission.PEOPLE_WRITE: gettext_lazy("create, invite, deactivate or change people"),
    Permission.ADMINISTRATOR_WRITE: gettext_lazy("create or change administrators"),
    Permission.CATALOGUE_WRITE: gettext_lazy(
        "change products, modules, versions and installations"
    ),
    Permission.DATA_IMPORT: gettext_lazy("import data"),
    Permission.DATA_EXPORT: gettext_lazy("export the desk's data"),
    Permission.WEBHOOK_WRITE: gettext_lazy("change webhooks"),
}

CONTACTS = frozenset({Role.CONTACT, CUSTOMER_ADMIN})
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
STAFF = frozenset({Role.AGENT, Role.CONSULTANT, Role.RND, *MANAGERS})
EVERYONE = CONTACTS | STAFF

TABLE: dict[Permission, frozenset[str]] = {
    Permission.CUSTOMER_WRITE: MANAGERS,
    Permission.CONTRACT_WRITE: MANAGERS,
    Permission.CUSTOMIZATION_WRITE: MANAGERS,
    Permission.SERVICE_TIER_WRITE: MANAGERS,
    Permission.CALENDAR_WRITE: MANAGERS,
    Permission.SETTINGS_WRITE: frozenset({Role.ADMIN}),
    Permission.AUDIT_READ: MANAGERS,
    Permission.TICKET_OPEN: EVERYONE,
    Permission.TICKET_REPLY: EVERYONE,
    Permission.TICKET_TRANSITION: EVERYONE,
    Permission.TICKET_NOTE: STAFF,
    Permission.TICKET_QUALIFY: STAFF,
    Permission.TICKET_ASSIGN: STAFF,
    Permission.TICKET_DIAGNOSE: STAFF,
    Permission.TICKET_ACCEPT_REFUSED: MANAGERS,
    Permission.MAIL_REPROCESS: STAFF,
    Permission.ESTIMATE_PROPOSE: frozenset({Role.CONSULTANT, *MANAGERS}),
    Permission.ESTIMATE_ANSWER: CONTACTS,
    Permission.TIME_LOG: STAFF,
    Permission.TIME_EDIT_ANY: MANAGERS,
    Permission.TIME_BILLABLE: MANAGERS,
    Permission.BILLING_RUN: MANAGERS,
    Permission.DEFECT_CREATE: STAFF,
    Permission.DEFECT_WRITE: frozenset({Role.RND, *MANAGERS}),
    Permission.PATCH_WRITE: frozenset({Role.RND, *MANAGERS}),
    Permission.DEPLOYMENT_REQUEST: EVERYONE,
    Permission.TEAM_WRITE: MANAGERS,
    Permission.ARTICLE_WRITE: STAFF,
    Permission.ARTICLE_PUBLISH: MANAGERS,
    Permission.PEOPLE_WRITE: MANAGERS,
    # A manager may not make anyone an administrator, nor change one: only an administrator.
    Permission.ADMINISTRATOR_WRITE: frozenset({Role.ADMIN}),
    Permission.CATALOGUE_WRITE: MANAGERS,
    Permission.DATA_IMPORT: MANAGERS,
    Permission.DATA_EXPORT: MANAGERS,
    Permission.WEBHOOK_WRITE: MANAGERS,
}


def column_of(user) -> str | None:
    """The table's column for a user: their role, or `customer_admin`; None for nobody."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role == Role.CONTACT and user.is_customer_admin:
        return CUSTOMER_ADMIN
    return user.role


def allowed(user, permission: Permission) -> bool:
    return column_of(user) in TABLE[permission]


def check_allowed(user, permission: Permission) -> None:
    """Raise `NotAllowed` (403 `not_allowed`) unless the user's role may do this."""
    if not allowed(user, permission):
        raise NotAllowed(
            _("Your role may not %(action)s.") % {"action": LABELS[permission]},
            details={"permission": str(permission)},
        )


def roles_allowed(permission: Permission) -> list[str]:
    """The columns of a row, in the table's order (for documents and the OpenAPI)."""
    return [column for column in COLUMNS if column in TABLE[permission]]


def markdown_table() -> str:
    """The table as docs/security.md shows it (in English, the source language)."""
    from django.utils import translation

    with translation.override("en"):
        head = ["action", "what it allows", *(str(label) for label in COLUMNS.values())]
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for permission in Permission:
            cells = ["yes" if column in TABLE[permission] else "" for column in COLUMNS]
            row = [f"`{permission}`", str(LABELS[permission]), *cells]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"
