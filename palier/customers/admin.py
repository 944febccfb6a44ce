from django.contrib import admin

from palier.customers.models import (
    Contract,
    Customer,
    Customization,
    Installation,
    Module,
    Product,
    ProductVersion,
)


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0


class CustomizationInline(admin.TabularInline):
    model = Customization
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "language", "account_manager")
    search_fields = ("name", "code")
    inlines = [ContractInline, CustomizationInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("reference", "customer", "state", "start", "end", "tier", "hourly_rate")
    list_filter = ("state", "tier")
    search_fields = ("reference", "customer__name")


@admin.register(Customization)
class CustomizationAdmin(admin.ModelAdmin):
    list_display = ("object", "customer", "module", "built_by", "built_on")
    list_filter = ("built_by", "module")


admin.site.register(Product)
admin.site.register(Module)
admin.site.register(ProductVersion)
admin.site.register(Installation)
