from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "palier.imports"
    label = "imports"
    verbose_name = "Imports"
