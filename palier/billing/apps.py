from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "palier.billing"
    label = "billing"
