from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "palier.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from palier.ops import checks  # noqa: F401  (registers the system checks)
