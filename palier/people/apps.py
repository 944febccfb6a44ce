from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "palier.people"
    label = "people"
    verbose_name = "People"
