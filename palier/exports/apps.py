from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "palier.exports"
    label = "exports"
    verbose_name = "Exports"
