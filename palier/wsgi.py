import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
django_application = get_wsgi_application()

from palier.lib.body_limit import BodyLimitMiddleware  # noqa: E402 (after Django is set up)

# Request bodies are capped before Django reads them (docs/security.md, "Limits").
application = BodyLimitMiddleware(django_application)

# Everything loaded so far (Django, the apps, their modules) lives as long as the process:
# keep it out of the garbage collector's full passes, which otherwise walked it every few
# requests (2-3 ms of a queue page's CPU, docs/performance.md).
gc.collect()
gc.freeze()
