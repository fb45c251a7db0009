"""The ASGI application: in production only the live attendance stream (``/live/``) is routed here, while
gunicorn (``cms.wsgi``) serves pages and the API; on the embedded default (``make run``, DEBUG) one uvicorn
process serves everything, static files included, so the in-process event broker reaches every stream."""

import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

from cms.startup import finish_startup

LIVE_PATH_PREFIX = "/live/"


class PortalASGIHandler(ASGIHandler):
    """Django's ASGI handler, except that an event stream runs its sync steps (the middleware, the scope) on
    the process's one thread-sensitive thread instead of a thread of its own.

    Django gives each request a thread for its sync code and keeps it until the response ends; for a stream
    open all day that is one idle thread per watching dashboard (measured with 200 streams: 200 threads,
    ~480 KiB each). A stream's sync steps are short and only run when it opens and at its session checks.
    """

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(LIVE_PATH_PREFIX):
            await self.handle(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
# No persistent database connections here (Django's documentation: disable them under ASGI). A request's sync
# code runs in a thread of its own, so a connection kept for the next request is never reused and stays open
# until its thread is collected: one leaked PostgreSQL connection per page request.
os.environ["DATABASE_CONN_MAX_AGE"] = "0"
django.setup(set_prefix=False)
application = PortalASGIHandler()

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)

# What start-up loaded (Django, Wagtail, the URLconf: hundreds of thousands of objects) lives as long as the
# process; leaving it out of the garbage collector's full passes cuts the CPU of fanning an event out to
# thousands of streams by about 40% (README, Live attendance). In production this process serves the stream
# only; on the embedded default (DEBUG) it serves search too.
finish_startup(search=settings.DEBUG)
