from django.apps import AppConfig


class EngineeringConfig(AppConfig):
    name = "palier.engineering"
    label = "engineering"
