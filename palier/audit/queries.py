"""Reading the audit log: managers and administrators (`audit.read`), newest first, by object
and by person, a page at a time (keyset), in one query per page; described in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.permissions import Permission, check_allowed
from palier.audit.models import AuditEntry, Channel
from palier.lib.pagination import Page, keyset_page

# How each kind of change reads; `%(object)s` is the record's kind ("Contract"). Actions
# name their change `kind.verb` (`contract.update`, `user.deactivated`).
_CREATED = gettext_lazy("%(object)s created")
_CHANGED = gettext_lazy("%(object)s changed")
_DELETED = gettext_lazy("%(object)s deleted")
_REVOKED = gettext_lazy("%(object)s revoked")
VERBS = {
    "create": _CREATED,
    "created": _CREATED,
    "update": _CHANGED,
    "updated": _CHANGED,
    "delete": _DELETED,
    "deleted": _DELETED,
    "removed": gettext_lazy("%(object)s removed"),
    "revoke": _REVOKED,
    "revoked": _REVOKED,
    "invited": gettext_lazy("%(object)s invited"),
    "deactivated": gettext_lazy("%(object)s deactivated"),
    "reactivated": gettext_lazy("%(object)s reactivated"),
    "password_set": gettext_lazy("%(object)s: password set"),
    "ended": gettext_lazy("%(object)s: sessions ended"),
    "added": gettext_lazy("%(object)s: second factor added"),
    "enabled": gettext_lazy("%(object)s: two-factor sign-in on"),
    "disabled": gettext_lazy("%(object)s: two-factor sign-in off"),
    "recovery_codes_renewed": gettext_lazy("%(object)s: new recovery codes"),
    "done": gettext_lazy("%(object)s done"),
    "failed": gettext_lazy("%(object)s failed"),
    "sent_again": gettext_lazy("%(object)s: sent again (a person found it did not arrive)"),
    "marked_sent": gettext_lazy("%(object)s: marked as sent (a person found it arrived)"),
    "rearmed": gettext_lazy("%(object)s: scheduled again"),
}

# The kinds of record the log holds, named as people call them (models without a
# translated verbose name are named here); others appear as their model names them.
TYPE_LABELS = {
    "customers.customer": gettext_lazy("Customer"),
    "customers.contract": gettext_lazy("Contract"),
    "customers.customization": gettext_lazy("Customization"),
    "billing.contractrate": gettext_lazy("Contract rate"),
    "customers.product": gettext_lazy("Product"),
    "customers.module": gettext_lazy("Module"),
    "customers.productversion": gettext_lazy("Product version"),
    "customers.installation": gettext_lazy("Installation"),
    "accounts.user": gettext_lazy("User"),
    "accounts.apitoken": gettext_lazy("API token"),
    "sla.servicetier": gettext_lazy("Service tier"),
    "sla.targetrow": gettext_lazy("Service-level target"),
    "sla.businesscalendar": gettext_lazy("Business calendar"),
    "sla.closingday": gettext_lazy("Closing day"),
    "otp_totp.totpdevice": gettext_lazy("Authenticator app"),
    "otp_static.staticdevice": gettext_lazy("Recovery codes"),
    "django_otp_webauthn.webauthncredential": gettext_lazy("Passkey"),
    "accounts.trustedbrowser": gettext_lazy("Trusted browser"),
    "workspace.team": gettext_lazy("Team"),
    "imports.importrun": gettext_lazy("Import"),
    "mailgateway.outboundmessage": gettext_lazy("Outgoing mail"),
    "tickets.eventhandlerfailure": gettext_lazy("Side effect given up"),
}


def list_entries(
    user,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    check_allowed(user, Permission.AUDIT_READ)
    qs = AuditEntry.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type)
        if object_id:
            qs = qs.filter(object_id=object_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return keyset_page(qs, sort="-created", cursor=cursor, limit=limit)


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    if object_type in TYPE_LABELS:
        return str(TYPE_LABELS[object_type])
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model else object_type


def type_choices() -> list[tuple[str, str]]:
    return sorted(((t, type_label(t)) for t in TYPE_LABELS), key=lambda c: c[1])


def action_label(entry: AuditEntry) -> str:
    verb = entry.action.rsplit(".", 1)[-1]
    text = VERBS.get(verb)
    kind = type_label(entry.object_type)
    return str(text) % {"object": kind} if text else f"{kind}: {entry.action}"


# Field names as people read them, in every language (most models name fields in English).
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "code": gettext_lazy("Code"),
    "language": gettext_lazy("Language"),
    "email_domain": gettext_lazy("Email domain"),
    "account_manager": gettext_lazy("Account manager"),
    "default_visibility": gettext_lazy("Default visibility"),
    "reference": gettext_lazy("Reference"),
    "state": gettext_lazy("State"),
    "start": gettext_lazy("Start"),
    "end": gettext_lazy("End"),
    "tier": gettext_lazy("Service tier"),
    "hourly_rate": gettext_lazy("Hourly rate"),
    "prepaid_hours": gettext_lazy("Prepaid hours"),
    "module_ids": gettext_lazy("Modules"),
    "customer": gettext_lazy("Customer"),
    "module": gettext_lazy("Module"),
    "object": gettext_lazy("Object"),
    "built_by": gettext_lazy("Built by"),
    "author": gettext_lazy("Author"),
    "built_on": gettext_lazy("Built on"),
    "authorization_reference": gettext_lazy("Authorization reference"),
    "authorization_date": gettext_lazy("Authorization date"),
    "description": gettext_lazy("Description"),
    "activity": gettext_lazy("Activity"),
    "username": gettext_lazy("Username"),
    "email": gettext_lazy("Email"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "role": gettext_lazy("Role"),
    "is_customer_admin": gettext_lazy("Customer admin"),
    "is_active": gettext_lazy("Active"),
    "phone": gettext_lazy("Phone"),
    "user": gettext_lazy("User"),
    "prefix": gettext_lazy("Prefix"),
    "revoked_at": gettext_lazy("Revoked"),
    "criticality": gettext_lazy("Criticality"),
    "first_response_hours": gettext_lazy("First response (hours)"),
    "resolution_hours": gettext_lazy("Resolution (hours)"),
    "day": gettext_lazy("Day"),
    "reason": gettext_lazy("Reason"),
    "is_default": gettext_lazy("Default"),
}


# Values whose model names them in English only.
VALUE_LABELS = {
    "state": {
        "active": gettext_lazy("Active"),
        "suspended": gettext_lazy("Suspended"),
        "terminated": gettext_lazy("Terminated"),
    },
}


def _field(model: type[Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return None


def _shown(field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and isinstance(value, str) and value in VALUE_LABELS.get(field.name, {}):
        return str(VALUE_LABELS[field.name][value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        # A list (a webhook's events) is shown item by item; an empty one as nothing.
        return ", ".join(_shown(field, v) for v in value) or "—"
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if isinstance(value, str | int) and value in choices:
        return str(choices[value])
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any
    before_text: str
    after_text: str


def changes(entry: AuditEntry) -> list[Change]:
    model = _model(entry.object_type)
    before, after = entry.before or {}, entry.after or {}
    out = []
    for name in dict.fromkeys([*before, *after]):
        field = _field(model, name)
        key = name.removesuffix("_id") if name != "module_ids" else name
        label = FIELD_LABELS.get(key) or (capfirst(field.verbose_name) if field else name)
        out.append(
            Change(
                field=name,
                label=str(label),
                before=before.get(name),
                after=after.get(name),
                before_text=_shown(field, before.get(name)) if name in before else "—",
                after_text=_shown(field, after.get(name)) if name in after else "—",
            )
        )
    return out


def channel_label(entry: AuditEntry) -> str:
    try:
        return str(Channel(entry.channel).label)
    except ValueError:
        return entry.channel
