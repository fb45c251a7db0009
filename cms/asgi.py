"""The ASGI application: in production only the live attendance stream (``/live/``) is routed here, while
gunicorn (``cms.wsgi``) serves pages and the API; on the embedded default (``make run``, DEBUG) one uvicorn
process serves everything, static files included, so the in-process event broker reaches every stream."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
application = get_asgi_application()

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
