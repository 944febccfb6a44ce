"""Customizations by customer, module and object; installations by customer, product,
version and environment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from palier.catalogue import actions as catalogue_actions
from palier.customers import actions as customer_actions
from palier.customers.models import (
    Customization,
    Installation,
    Module,
    Product,
    ProductVersion,
)
from palier.imports.columns import Column
from palier.imports.engine import Kind, Row
from palier.imports.kinds.customers import CUSTOMER_NUMBER, customers_by_number
from palier.imports.values import choice, date, limited, text
from palier.lib.words import words as _  # said again in each reader's language

BUILT_BY = {
    "vendor": "vendor", "vendor staff": "vendor", "vendor_staff": "vendor",
    "editeur": "vendor", "fournisseur": "vendor", "hersteller": "vendor", "fornitore": "vendor",
    "customer_authorized": "customer_authorized",
    "customer, authorized": "customer_authorized",
    "customer with authorization": "customer_authorized",
    "client autorise": "customer_authorized", "kunde bewilligt": "customer_authorized",
    "cliente autorizzato": "customer_authorized",
    "customer_unauthorized": "customer_unauthorized",
    "customer, unauthorized": "customer_unauthorized",
    "customer without authorization": "customer_unauthorized",
    "client non autorise": "customer_unauthorized",
    "kunde nicht bewilligt": "customer_unauthorized",
    "cliente non autorizzato": "customer_unauthorized",
}  # fmt: skip


def _modules() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for m in Module.objects.all():
        modules.setdefault(m.code.casefold(), m)
        modules.setdefault(m.name.casefold(), m)
    return modules


class CustomizationKind(Kind):
    name = "customizations"
    label = gettext_lazy("Customizations")
    key_columns = ("customer", "module", "object")
    columns = [
        CUSTOMER_NUMBER,
        Column("module", "Module", "Module", "Modul", "Modulo", limited(100), required=True),
        Column("object", "Object", "Objet", "Objekt", "Oggetto", limited(200), required=True),
        Column("built_by", "Built by", "Réalisée par", "Erstellt von", "Realizzata da",
               choice(BUILT_BY, gettext_lazy(
                   "vendor, customer_authorized or customer_unauthorized")), required=True),
        Column("author", "Author", "Auteur", "Autor", "Autore", limited(200)),
        Column("built_on", "Built on", "Réalisée le", "Erstellt am", "Realizzata il", date),
        Column("authorization_reference", "Authorization reference",
               "Référence de l’autorisation", "Referenz der Bewilligung",
               "Riferimento dell’autorizzazione", limited(80)),
        Column("authorization_date", "Authorization date", "Date de l’autorisation",
               "Datum der Bewilligung", "Data dell’autorizzazione", date),
        Column("description", "Description", "Description", "Beschreibung", "Descrizione", text),
    ]  # fmt: skip
    FIELDS = ("built_by", "author", "built_on", "authorization_reference",
              "authorization_date", "description")  # fmt: skip

    def load(self, rows: list[Row]):
        numbers = {r.values["customer"] for r in rows if r.values.get("customer")}
        customers = customers_by_number(numbers)
        ids = {c.pk for c in customers.values()}
        existing = {
            (c.customer_id, c.module_id, c.object.casefold()): c
            for c in Customization.objects.filter(customer_id__in=ids)
        }
        return {"customers": customers, "modules": _modules(), "existing": existing}

    def check(self, row: Row, context) -> None:
        v = row.values
        row.label = f"{v['module'] or ''} / {v['object'] or ''}"
        customer = context["customers"].get((v["customer"] or "").casefold())
        module = context["modules"].get((v["module"] or "").casefold())
        if customer is None:
            self.problem(row, "customer", _("No customer has this number."))
        if module is None:
            self.problem(
                row, "module", _("No module is called “%(name)s”.") % {"name": v["module"]}
            )
        if v.get("built_by") == "customer_authorized" and not v.get("authorization_reference"):
            self.problem(
                row,
                "authorization_reference",
                _("A customization built with authorization needs the authorization's reference."),
            )
        if row.problems:
            return
        wanted = {k: v[k] for k in self.FIELDS if k in v and v[k] not in (None,)}
        target = context["existing"].get((customer.pk, module.pk, v["object"].casefold()))
        if target is None:
            row.changes = {"customer": customer, "module": module, "object": v["object"], **wanted}
        else:
            row.target = target
            row.changes = self.differences(target, wanted)

    def apply(self, row: Row, context, acting_user) -> None:
        if row.target is None:
            customer_actions.do_create_customization(acting_user=acting_user, **row.changes)
        else:
            customer_actions.do_update_customization(
                row.target, acting_user=acting_user, **row.changes
            )


class InstallationKind(Kind):
    name = "installations"
    label = gettext_lazy("Installations")
    key_columns = ("customer", "product", "version", "environment")
    columns = [
        CUSTOMER_NUMBER,
        Column("product", "Product", "Produit", "Produkt", "Prodotto", limited(100),
               required=True),
        Column("version", "Version", "Version", "Version", "Versione", limited(40),
               required=True),
        Column("environment", "Environment", "Environnement", "Umgebung", "Ambiente",
               limited(40)),
        Column("installed_on", "Installed on", "Installée le", "Installiert am",
               "Installata il", date),
    ]  # fmt: skip

    def load(self, rows: list[Row]):
        numbers = {r.values["customer"] for r in rows if r.values.get("customer")}
        customers = customers_by_number(numbers)
        versions: dict[tuple[str, str], ProductVersion] = {}
        products = {
            name.casefold() for pair in Product.objects.values_list("code", "name") for name in pair
        }
        for v in ProductVersion.objects.select_related("product"):
            versions[(v.product.code.casefold(), v.number.casefold())] = v
            versions.setdefault((v.product.name.casefold(), v.number.casefold()), v)
        ids = {c.pk for c in customers.values()}
        existing = {
            (i.customer_id, i.version_id, i.environment.casefold()): i
            for i in Installation.objects.filter(customer_id__in=ids)
        }
        return {
            "customers": customers,
            "products": products,
            "versions": versions,
            "existing": existing,
        }

    def check(self, row: Row, context) -> None:
        v = row.values
        environment = v.get("environment") or "production"
        v["environment"] = environment
        row.label = f"{v['product'] or ''} {v['version'] or ''} ({environment})"
        product, number = (v["product"] or "").casefold(), (v["version"] or "").casefold()
        customer = context["customers"].get((v["customer"] or "").casefold())
        version = context["versions"].get((product, number))
        if customer is None:
            self.problem(row, "customer", _("No customer has this number."))
        if product not in context["products"]:
            self.problem(
                row,
                "product",
                _("No product has this code or name: %(product)s.") % {"product": v["product"]},
            )
        elif version is None:
            self.problem(
                row,
                "version",
                _("This product has no version %(number)s.") % {"number": v["version"]},
            )
        if row.problems:
            return
        target = context["existing"].get((customer.pk, version.pk, environment.casefold()))
        wanted = {"installed_on": v["installed_on"]} if v.get("installed_on") else {}
        if target is None:
            row.changes = {
                "customer": customer,
                "version": version,
                "environment": environment,
                **wanted,
            }
        else:
            row.target = target
            row.changes = self.differences(target, wanted)

    def apply(self, row: Row, context, acting_user) -> None:
        catalogue_actions.do_save_installation(row.target, acting_user=acting_user, **row.changes)
