"""The WSGI application (gunicorn ``cms.wsgi:application``): pages and the API, search included."""

import os

from django.core.wsgi import get_wsgi_application

from cms.startup import finish_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
application = get_wsgi_application()
finish_startup(search=True)
