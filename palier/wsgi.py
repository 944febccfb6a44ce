import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
django_application = get_wsgi_application()

from palier.lib.body_limit import BodyLimitMiddleware  # noqa: E402 (after Django is set up)

# Request bodies are capped before Django reads them (docs/security.md, "Limits").
application = BodyLimitMiddleware(django_application)
