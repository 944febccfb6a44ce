from django.apps import AppConfig


class MailgatewayConfig(AppConfig):
    name = "palier.mailgateway"
    label = "mailgateway"
