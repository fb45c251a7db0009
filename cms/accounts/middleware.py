import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from wagtail.log_actions import LogContext

from .two_factor import needs_two_factor_step

SESSION_STARTED_KEY = "ecab_session_started"


class SessionLifetimeMiddleware:
    """Ends a session once it is older than SESSION_ABSOLUTE_LIFETIME, however active it was.

    The idle timeout is SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST (Django's own mechanism).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None or time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
        return self.get_response(request)


# Views a signed-in user may reach before finishing the sign-in steps.
GATE_EXEMPT_URL_NAMES = {"accounts:logout", "accounts:two_factor", "accounts:password_change"}


class AccountGateMiddleware:
    """Holds a signed-in user at the second-factor step, then at a forced password change, until done.

    Also names the acting user in Wagtail's audit log context for the rest of the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        step = pending_sign_in_step(user)
        if step and not _is_exempt(request.path_info):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": "sign_in_incomplete", "next_step": reverse(step)}, status=403)
            return redirect(step)
        with LogContext(user=user):
            return self.get_response(request)


def pending_sign_in_step(user) -> str | None:
    """The URL name of the sign-in step the user still owes, if any."""
    if needs_two_factor_step(user):
        return "accounts:two_factor"
    if user.must_change_password:
        return "accounts:password_change"
    return None


def _is_exempt(path: str) -> bool:
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        return resolve(path).view_name in GATE_EXEMPT_URL_NAMES
    except Resolver404:
        return False
