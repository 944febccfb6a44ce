"""Customers by their number in the vendor's ERP; contracts by their number."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from palier.customers import actions as customer_actions
from palier.customers.models import Contract, Customer, Module
from palier.imports.columns import LANGUAGES, Column
from palier.imports.engine import Kind, Row
from palier.imports.values import (
    CellError,
    choice,
    date,
    decimal,
    language,
    limited,
    listing,
    text,
)
from palier.lib.text import fold
from palier.lib.words import words as _  # said again in each reader's language

CUSTOMER_NUMBER = Column(
    "customer", "Customer number", "Numéro de client", "Kundennummer", "Numero cliente",
    limited(40), required=True,
)  # fmt: skip


def country(value: object) -> str | None:
    raw = text(value).upper()
    if not raw:
        return None
    import iso3166

    if raw not in iso3166.countries_by_alpha2:
        raise CellError(_("Two capital letters (ISO 3166), e.g. CH."))
    return raw


def customers_by_number(numbers: set[str]) -> dict[str, Customer]:
    """Customers by their ERP number (case-insensitive), one query."""
    found = Customer.objects.filter(reference__in=numbers) if numbers else []
    by_number = {c.reference.casefold(): c for c in found}
    missing = {n for n in numbers if n.casefold() not in by_number}
    if missing:  # a file may write the number in another case than the desk
        for c in Customer.objects.exclude(reference=""):
            by_number.setdefault(c.reference.casefold(), c)
    return by_number


class CustomerKind(Kind):
    name = "customers"
    label = gettext_lazy("Customers")
    key_columns = ("reference",)
    columns = [
        Column("reference", "Customer number", "Numéro de client", "Kundennummer",
               "Numero cliente", limited(40), required=True),
        Column("name", "Name", "Nom", "Name", "Nome", limited(200), required=True),
        Column("code", "Short code", "Code court", "Kurzcode", "Codice breve", limited(40)),
        Column("language", "Language", "Langue", "Sprache", "Lingua", language),
        Column("email_domain", "Email domain", "Domaine e-mail", "E-Mail-Domain",
               "Dominio e-mail", limited(200)),
        Column("street", "Street", "Rue", "Strasse", "Via", limited(70)),
        Column("house_number", "House number", "Numéro", "Hausnummer", "Numero civico",
               limited(16)),
        Column("postcode", "Postcode", "NPA", "PLZ", "NPA", limited(16)),
        Column("city", "City", "Localité", "Ort", "Località", limited(35)),
        Column("country", "Country", "Pays", "Land", "Paese", country),
    ]  # fmt: skip
    FIELDS = ("name", "language", "email_domain", "street", "house_number", "postcode", "city",
              "country")  # fmt: skip

    def load(self, rows: list[Row]):
        numbers = {r.values["reference"] for r in rows if r.values.get("reference")}
        codes = set(Customer.objects.values_list("code", flat=True))
        return {"by_number": customers_by_number(numbers), "codes": codes}

    def check(self, row: Row, context) -> None:
        v = row.values
        row.label = f"{v['name'] or ''} ({v['reference'] or ''})"
        if v["reference"] is None or v["name"] is None:
            return  # refused cells: the short code is made of these
        target = context["by_number"].get(v["reference"].casefold())
        wanted = {k: v[k] for k in self.FIELDS if v.get(k) not in (None,) and k in v}
        if target is None:
            code = v.get("code") or slugify(v["name"])[:40] or slugify(v["reference"])
            if not code or slugify(code) != code:
                self.problem(
                    row, "code", _("A short code of lower-case letters, digits and dashes.")
                )
                return
            if code in context["codes"]:
                code = f"{code[:30]}-{slugify(v['reference'])}"[:40]
            if code in context["codes"]:
                self.problem(row, "code", _("Another customer has this short code."))
                return
            if not row.problems:  # a refused row keeps no code from the rows after it
                context["codes"].add(code)
            row.changes = {"code": code, "reference": v["reference"], **wanted}
        else:
            row.target = target
            row.changes = self.differences(target, wanted)

    def apply(self, row: Row, context, acting_user) -> None:
        if row.target is None:
            row.target = customer_actions.do_create_customer(acting_user=acting_user, **row.changes)
        else:
            customer_actions.do_update_customer(row.target, acting_user=acting_user, **row.changes)


STATES = {
    "active": "active", "actif": "active", "aktiv": "active", "attivo": "active",
    "suspended": "suspended", "suspendu": "suspended", "sistiert": "suspended",
    "sospeso": "suspended",
    "terminated": "terminated", "resilie": "terminated", "gekundigt": "terminated",
    "beendet": "terminated", "disdetto": "terminated", "terminato": "terminated",
}  # fmt: skip


def _tiers() -> tuple[dict[str, str], str]:
    """The service tiers by code and by name (as on file and in each language), and the
    allowed values as a problem names them: "standard (Standard), premium (Premium)"."""
    from palier.sla.models import ServiceTier

    table: dict[str, str] = {}
    rows = list(ServiceTier.objects.values_list("code", "name"))
    for code, name in rows:
        table.setdefault(fold(code), code)
        for lang in LANGUAGES:
            with translation.override(lang):
                table.setdefault(fold(gettext(name)), code)
    allowed = ", ".join(f"{code} ({name})" for code, name in rows)
    return table, allowed


def hours(value: object):
    return decimal(value, maximum=Decimal(100_000))


class ContractKind(Kind):
    name = "contracts"
    label = gettext_lazy("Contracts")
    key_columns = ("reference",)
    columns = [
        Column("reference", "Contract number", "Numéro de contrat", "Vertragsnummer",
               "Numero di contratto", limited(40), required=True),
        CUSTOMER_NUMBER,
        Column("state", "State", "État", "Status", "Stato",
               choice(STATES, gettext_lazy("active, suspended or terminated"))),
        Column("start", "Start", "Début", "Beginn", "Inizio", date, required=True),
        Column("end", "End", "Fin", "Ende", "Fine", date, required=True),
        Column("tier", "Service tier", "Niveau de service", "Service-Stufe",
               "Livello di servizio", limited(100)),
        Column("hourly_rate", "Hourly rate (CHF)", "Tarif horaire (CHF)", "Stundenansatz (CHF)",
               "Tariffa oraria (CHF)", decimal),
        Column("prepaid_hours", "Prepaid hours", "Heures prépayées", "Vorausbezahlte Stunden",
               "Ore prepagate", hours),
        Column("modules", "Modules", "Modules", "Module", "Moduli", listing),
    ]  # fmt: skip
    FIELDS = ("state", "start", "end", "tier", "hourly_rate", "prepaid_hours")

    def load(self, rows: list[Row]):
        refs = {r.values["reference"] for r in rows if r.values.get("reference")}
        numbers = {r.values["customer"] for r in rows if r.values.get("customer")}
        contracts = {
            c.reference.casefold(): c
            for c in Contract.objects.filter(reference__in=refs).prefetch_related("modules")
        }
        modules = {}
        for m in Module.objects.all():
            modules.setdefault(m.code.casefold(), m)
            modules.setdefault(m.name.casefold(), m)
        return {
            "contracts": contracts,
            "customers": customers_by_number(numbers),
            "modules": modules,
            "tiers": _tiers(),
        }

    def check(self, row: Row, context) -> None:
        v = row.values
        row.label = v["reference"] or ""
        customer = context["customers"].get((v["customer"] or "").casefold())
        if customer is None:
            self.problem(row, "customer", _("No customer has this number."))
        modules = []
        for name in v.get("modules") or []:
            module = context["modules"].get(name.casefold())
            if module is None:
                self.problem(row, "modules", _("No module is called “%(name)s”.") % {"name": name})
            modules.append(module)
        if v.get("tier"):
            tiers, allowed = context["tiers"]
            code = tiers.get(fold(v["tier"]))
            if code is None:
                self.problem(
                    row,
                    "tier",
                    _("“%(value)s” is not a service tier: write one of %(tiers)s.")
                    % {"value": v["tier"][:40], "tiers": allowed},
                )
            v["tier"] = code
        if v["end"] and v["start"] and v["end"] < v["start"]:
            self.problem(row, "end", _("A contract cannot end before it starts."))
        if row.problems:
            return
        wanted = {k: v[k] for k in self.FIELDS if v.get(k) not in (None, "")}
        wanted["customer"] = customer
        target = context["contracts"].get(v["reference"].casefold())
        row.values["_modules"] = modules if "modules" in v else None
        if target is None:
            row.changes = {"reference": v["reference"], **wanted}
            return
        if target.customer_id != customer.pk:
            self.problem(row, "customer", _("This contract belongs to another customer."))
            return
        row.target = target
        row.changes = self.differences(target, wanted)
        if modules and "modules" in v:
            on_file = {m.pk for m in target.modules.all()}
            if on_file != {m.pk for m in modules}:
                row.changes["modules"] = modules

    def apply(self, row: Row, context, acting_user) -> None:
        changes = dict(row.changes)
        modules = changes.pop("modules", None)
        if row.target is None:
            customer_actions.do_create_contract(
                acting_user=acting_user, modules=row.values.get("_modules") or [], **changes
            )
            return
        contract = row.target
        if changes:
            contract = customer_actions.do_update_contract(
                contract, acting_user=acting_user, **changes
            )
        if modules is not None:
            set_contract_modules(contract, modules, acting_user=acting_user)


def set_contract_modules(contract: Contract, modules: list[Module], *, acting_user) -> None:
    """The modules a contract covers, as a file lists them (audited)."""
    from palier.accounts.permissions import Permission, check_allowed
    from palier.audit.log import record_change

    check_allowed(acting_user, Permission.CONTRACT_WRITE)
    before = sorted(m.pk for m in contract.modules.all())
    contract.modules.set(modules)
    record_change(
        "contract.update",
        contract,
        acting_user=acting_user,
        before={"module_ids": before},
        after={"module_ids": sorted(m.pk for m in modules)},
    )
