from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "palier.customers"
    label = "customers"
    verbose_name = "Customers"
