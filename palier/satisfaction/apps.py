from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "palier.satisfaction"
    label = "satisfaction"

    def ready(self) -> None:
        from palier.tickets.notifications import register_event_handler

        register_event_handler(_on_ticket_event)


def _on_ticket_event(event) -> None:
    # Imported at the first event, not by every process's start-up: surveys import the
    # ticket actions, which `palier mail ingest` (once per mail, storing only) never needs.
    from palier.satisfaction.surveys import on_ticket_event

    on_ticket_event(event)
