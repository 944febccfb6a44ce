from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "palier.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from palier.ops import checks  # noqa: F401  (registers the system checks)
        from palier.ops.metrics import count_sign_in_failure

        user_login_failed.connect(count_sign_in_failure, dispatch_uid="palier-metrics-sign-in")
