from django.apps import AppConfig


class MailgatewayConfig(AppConfig):
    name = "palier.mailgateway"
    label = "mailgateway"
    verbose_name = "Mail"

    def ready(self) -> None:
        from palier.mailgateway import checks  # noqa: F401 - registers the system check
        from palier.mailgateway.notices import on_ticket_event
        from palier.tickets.notifications import register_event_handler

        register_event_handler(on_ticket_event)
