from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "palier.triage"
    label = "triage"
