from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "palier.sla"
    label = "sla"

    def ready(self) -> None:
        from palier.sla.tasks import recompute_on_event, recompute_on_events
        from palier.tickets.notifications import register_event_handler

        register_event_handler(recompute_on_event, batch=recompute_on_events)
