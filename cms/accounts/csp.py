"""Content Security Policy per area of the site.

The portal's own pages run no inline script at all. Wagtail 7.4's page editor still executes inline
scripts (panel and comment set-up), so the admin area — used by editors who passed the second factor —
is allowed inline scripts, and nothing else is relaxed: still no external host.
"""

from django.conf import settings

ADMIN_PREFIX = "/admin/"


class AdminInlineScriptsMiddleware:
    """Placed after django-csp's middleware, so it marks the response before the header is built."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(ADMIN_PREFIX):
            base = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
            response._csp_replace = {"script-src": [*base, "'unsafe-inline'"]}
        return response
