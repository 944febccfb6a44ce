from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "palier.workspace"
    label = "workspace"
    verbose_name = "Agent workspace"
