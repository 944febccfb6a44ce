from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "palier.knowledge"
    label = "knowledge"
