from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "palier.dashboards"
    label = "dashboards"
