"""Customers, contracts, customizations and the catalogue: changed here by the roles the
permission table allows (managers and administrators), each change in the audit log."""

from django.contrib import admin

from palier.accounts.permissions import Permission
from palier.audit.admin import AuditedAdmin, AuditedInline
from palier.customers.models import (
    Contract,
    Customer,
    Customization,
    Installation,
    Module,
    Product,
    ProductVersion,
)


class ContractInline(AuditedInline):
    model = Contract
    permission = Permission.CONTRACT_WRITE


class CustomizationInline(AuditedInline):
    model = Customization
    permission = Permission.CUSTOMIZATION_WRITE


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    permission = Permission.CUSTOMER_WRITE
    list_display = ("name", "code", "language", "account_manager")
    search_fields = ("name", "code")
    inlines = [ContractInline, CustomizationInline]


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    permission = Permission.CONTRACT_WRITE
    list_display = ("reference", "customer", "state", "start", "end", "tier", "hourly_rate")
    list_filter = ("state", "tier")
    search_fields = ("reference", "customer__name")


@admin.register(Customization)
class CustomizationAdmin(AuditedAdmin):
    permission = Permission.CUSTOMIZATION_WRITE
    list_display = ("object", "customer", "module", "built_by", "built_on")
    list_filter = ("built_by", "module")


class CatalogueAdmin(AuditedAdmin):
    permission = Permission.CATALOGUE_WRITE


@admin.register(Installation)
class InstallationAdmin(AuditedAdmin):
    permission = Permission.CUSTOMER_WRITE
    list_display = ("customer", "version", "environment", "installed_on")


admin.site.register(Product, CatalogueAdmin)
admin.site.register(Module, CatalogueAdmin)
admin.site.register(ProductVersion, CatalogueAdmin)
