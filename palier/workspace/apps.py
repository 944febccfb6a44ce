from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "palier.workspace"
    label = "workspace"
    verbose_name = "Agent workspace"

    def ready(self) -> None:
        from palier.tickets.notifications import register_event_handler
        from palier.workspace.notifications import on_ticket_event

        register_event_handler(on_ticket_event)
