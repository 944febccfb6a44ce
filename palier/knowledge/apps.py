from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_defaults(sender, apps=None, **kwargs) -> None:
    # Only once the knowledge tables exist (not while migrating back below them).
    if apps is None:
        return
    try:
        apps.get_model("knowledge", "ArticleTranslation")
    except LookupError:
        return
    from palier.knowledge.defaults import install_default_articles

    install_default_articles()


class KnowledgeConfig(AppConfig):
    name = "palier.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        post_migrate.connect(_install_defaults, sender=self, dispatch_uid="knowledge-defaults")
