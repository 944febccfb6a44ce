from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "palier.tickets"
    label = "tickets"
    verbose_name = "Tickets"
