from django.apps import AppConfig


def on_ticket_event(event) -> None:
    """Mail for a ticket event (notices.py, imported when the first event comes: a process
    that only stores mail, `palier mail ingest`, never pays for the templates and queries)."""
    from palier.mailgateway.notices import on_ticket_event as mail_for

    mail_for(event)


class MailgatewayConfig(AppConfig):
    name = "palier.mailgateway"
    label = "mailgateway"
    verbose_name = "Mail"

    def ready(self) -> None:
        from palier.mailgateway import checks  # noqa: F401 - registers the system check
        from palier.mailgateway.history import write
        from palier.tickets.labels import register_reason_writer
        from palier.tickets.notifications import register_event_handler

        register_event_handler(on_ticket_event)
        register_reason_writer(write)
