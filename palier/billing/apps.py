from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "palier.billing"
    label = "billing"

    def ready(self) -> None:
        from palier.billing import checks  # noqa: F401 (registers the system checks)
