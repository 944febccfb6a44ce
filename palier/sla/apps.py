from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "palier.sla"
    label = "sla"
