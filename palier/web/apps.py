from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "palier.web"
    label = "web"
