from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "palier.satisfaction"
    label = "satisfaction"

    def ready(self) -> None:
        from palier.satisfaction.surveys import on_ticket_event
        from palier.tickets.notifications import register_event_handler

        register_event_handler(on_ticket_event)
