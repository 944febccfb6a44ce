from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "palier.api"
    label = "api"
