"""Sign-in: password, lockout, second factor, forced password change, sign-out."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage

from .forms import ForcedPasswordChangeForm, SignInForm, TokenForm
from .middleware import pending_sign_in_step
from .security import ratelimit_ip_key
from .signals import remember_session
from .two_factor import is_verified, two_factor_required

LOGIN_RATELIMIT_GROUP = "accounts.login.failures"


def _ip_usage(request, *, increment: bool):
    return get_usage(
        request,
        group=LOGIN_RATELIMIT_GROUP,
        key=ratelimit_ip_key,
        rate=settings.LOGIN_IP_RATE,
        method="POST",
        increment=increment,
    )


def lockout_response(request, credentials=None, *args, **kwargs):
    """Called by django-axes when an account is locked after repeated failures."""
    return render(
        request,
        "accounts/locked_out.html",
        {"reason": "account", "cooloff_minutes": int(settings.AXES_COOLOFF_TIME * 60)},
        status=429,
    )


@method_decorator(login_not_required, name="dispatch")
@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class SignInView(auth_views.LoginView):
    """The start page: the login block. A signed-in user goes straight on to the dashboard."""

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        usage = _ip_usage(request, increment=False)
        # Peeking does not count this request, so the address is spent once its failures reach the limit.
        if usage and usage["count"] >= usage["limit"]:
            return render(
                request,
                "accounts/locked_out.html",
                {"reason": "address", "cooloff_minutes": usage["time_left"] // 60 + 1},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.data.get("username") and form.data.get("password"):
            _ip_usage(self.request, increment=True)
        return super().form_invalid(form)

    def get_success_url(self):
        step = pending_sign_in_step(self.request.user)
        return redirect(step).url if step else super().get_success_url()


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default): ends the session on the server."""


def _qr_data_uri(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def two_factor(request):
    """Verify a TOTP code, or enrol a first device when the role requires one."""
    user = request.user
    if is_verified(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    enrolling = not user_has_device(user, confirmed=True)
    if enrolling and not two_factor_required(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        device = device or TOTPDevice.objects.create(user=user, confirmed=False, name="TOTP")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        verified, wait_seconds = _verify(user, form.cleaned_data["token"], device)
        if wait_seconds:
            form.add_error(
                "token",
                _("Too many wrong codes. Wait %(seconds)d s and enter the current code.") % {"seconds": wait_seconds},
            )
        elif verified is not None:
            if enrolling:
                verified.confirmed = True
                verified.save(update_fields=["confirmed"])
            otp_login(request, verified)
            messages.success(request, _("Second factor confirmed."))
            step = pending_sign_in_step(user)
            return redirect(step or settings.LOGIN_REDIRECT_URL)
        else:
            form.add_error("token", _("The code is wrong or expired. Enter the current code from the app."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context.update({"qr": _qr_data_uri(device), "secret": base64.b32encode(device.bin_key).decode()})
    return render(request, "accounts/two_factor.html", context)


def _verify(user, token: str, enrolling_device: TOTPDevice | None) -> tuple[TOTPDevice | None, int]:
    """The device the code belongs to, or None; and how long to wait when every device is throttled."""
    devices = [enrolling_device] if enrolling_device else list(TOTPDevice.objects.filter(user=user, confirmed=True))
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            waits.append(max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1)
            continue
        if device.verify_token(token):
            return device, 0
    return None, (min(waits) if waits and len(waits) == len(devices) else 0)


@sensitive_post_parameters()
def password_change(request):
    user = request.user
    form = ForcedPasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        remember_session(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form, "forced": user.must_change_password})
