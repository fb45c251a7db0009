"""Content Security Policy per area of the site: no 'unsafe-inline' scripts anywhere.

The portal's own pages run no inline script at all. Wagtail 7.4's admin still renders a few inline
initialisers next to its widgets (date pickers, choosers, inline panels). Rather than allowing every inline
script in the admin, each admin response lists the SHA-256 hashes of just those inline scripts that are one
of Wagtail's known initialiser calls with literal arguments; any other inline script — an injected one —
matches no hash and is blocked by the browser.
"""

import base64
import hashlib
import re

from django.conf import settings

ADMIN_PREFIX = "/admin/"
_STRING = r'"(?:[^"\\<]|\\.)*"'
_JSON = r"\{[^<]*\}"
KNOWN_INITIALISERS = [
    re.compile(rf"^(?:initDateChooser|initDateTimeChooser|initTimeChooser)\({_STRING}, {_JSON}\);$"),
    re.compile(rf"^new (?:Document|Page|Image|Snippet|Task|Workflow)Chooser\({_STRING}(?:, {_JSON})?\);$"),
    re.compile(rf"^\(function\(\) \{{\s*var panel = new InlinePanel\(JSON\.parse\({_STRING}\)\);\s*\}}\)\(\);$"),
]
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
# An inline panel's empty form is a <template> whose initialiser Wagtail copies with "__prefix__" replaced by
# the new form's index; the copies for the first forms added in one editing session are hashed too.
TEMPLATE_PREFIX = "__prefix__"
TEMPLATE_COPIES_HASHED = 30


def _is_known_initialiser(body: str) -> bool:
    code = body.strip()
    return any(pattern.match(code) for pattern in KNOWN_INITIALISERS)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources of the known Wagtail initialisers among the page's inline scripts."""
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs, body = match.group("attrs"), match.group("body")
        if "src=" in attrs or "application/json" in attrs or not body.strip():
            continue
        if _is_known_initialiser(body):
            copies = [body.replace(TEMPLATE_PREFIX, str(n)) for n in range(TEMPLATE_COPIES_HASHED)]
            for code in [body, *copies] if TEMPLATE_PREFIX in body else [body]:
                digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
                hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


class AdminScriptHashesMiddleware:
    """Placed after django-csp's middleware, so it marks the response before the header is built."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(ADMIN_PREFIX)
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
        ):
            hashes = inline_script_hashes(response.content.decode(response.charset or "utf-8", "replace"))
            if hashes:
                base = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
                response._csp_replace = {"script-src": [*base, *hashes]}
        return response
