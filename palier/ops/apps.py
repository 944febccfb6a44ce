from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "palier.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.db.backends.signals import connection_created

        from palier.lib.pg_instants import use_c_loader
        from palier.ops import checks  # noqa: F401  (registers the system checks)

        user_login_failed.connect(_count_sign_in_failure, dispatch_uid="palier-metrics-sign-in")
        # PostgreSQL: instants read by psycopg's C loader (lib/pg_instants.py).
        connection_created.connect(use_c_loader, dispatch_uid="palier-pg-instants")


def _count_sign_in_failure(sender, **kwargs) -> None:
    # prometheus-client is imported when it is needed, not by every process's start-up
    # (`palier mail ingest` runs once per mail and counts nothing).
    from palier.ops.metrics import count_sign_in_failure

    count_sign_in_failure(sender, **kwargs)
