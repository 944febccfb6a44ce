"""Contacts by their email address, each with their customer (by its ERP number)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from palier.accounts.models import Role, User
from palier.imports.columns import Column
from palier.imports.engine import Kind, Row
from palier.imports.kinds.customers import CUSTOMER_NUMBER, customers_by_number
from palier.imports.values import CellError, boolean, language, limited
from palier.lib.words import words as _  # said again in each reader's language
from palier.people import actions as people_actions


def email(value: object) -> str:
    address = limited(254)(value)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise CellError(_("Enter a valid email address.")) from None
    return address


class ContactKind(Kind):
    name = "contacts"
    label = gettext_lazy("Contacts")
    key_columns = ("email",)
    columns = [
        Column("email", "Email", "E-mail", "E-Mail", "E-mail", email, required=True),
        CUSTOMER_NUMBER,
        Column("first_name", "First name", "Prénom", "Vorname", "Nome", limited(150)),
        Column("last_name", "Last name", "Nom", "Nachname", "Cognome", limited(150)),
        Column("language", "Language", "Langue", "Sprache", "Lingua", language),
        Column("phone", "Phone", "Téléphone", "Telefon", "Telefono", limited(40)),
        Column("is_customer_admin", "Customer administrator", "Administrateur du client",
               "Kundenadministrator", "Amministratore del cliente", boolean),
    ]  # fmt: skip
    FIELDS = ("first_name", "last_name", "language", "phone", "is_customer_admin")

    def __init__(self, *, invite: bool = False) -> None:
        self.invite = invite

    def load(self, rows: list[Row]):
        addresses = {r.values["email"].lower() for r in rows if r.values.get("email")}
        numbers = {r.values["customer"] for r in rows if r.values.get("customer")}
        users = {
            u.email_lower: u
            for u in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=addresses
            )
        }
        return {"users": users, "customers": customers_by_number(numbers)}

    def check(self, row: Row, context) -> None:
        v = row.values
        row.label = v["email"] or ""
        customer = context["customers"].get((v["customer"] or "").casefold())
        if customer is None:
            self.problem(row, "customer", _("No customer has this number."))
        if row.problems:
            return
        wanted = {k: v[k] for k in self.FIELDS if k in v and v[k] is not None}
        if "first_name" in wanted or "last_name" in wanted:
            wanted = {k: val for k, val in wanted.items() if not (k.endswith("name") and val == "")}
        target = context["users"].get(v["email"].lower())
        if target is None:
            row.changes = {"email": v["email"], "customer": customer, **wanted}
            return
        if target.role != Role.CONTACT:
            self.problem(row, "email", _("This address is a staff member's."))
            return
        if target.customer_id != customer.pk:
            self.problem(
                row,
                "customer",
                _("This contact belongs to %(customer)s.") % {"customer": target.customer},
            )
            return
        row.target = target
        row.changes = self.differences(target, wanted)

    def apply(self, row: Row, context, acting_user) -> None:
        if row.target is None:
            row.target = people_actions.do_create_person(
                acting_user=acting_user, role=Role.CONTACT, invite=self.invite, **row.changes
            )
        else:
            people_actions.do_update_person(row.target, acting_user=acting_user, **row.changes)
