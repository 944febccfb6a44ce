from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "palier.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from palier.tickets.notifications import register_event_handler
        from palier.webhooks.delivery import on_ticket_event, on_ticket_events

        register_event_handler(on_ticket_event, batch=on_ticket_events)
