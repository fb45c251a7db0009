"""Which accounts must use a second factor, and whether a session has passed it."""

from django.conf import settings
from django_otp import user_has_device


def two_factor_required(user) -> bool:
    return user.is_superuser or user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def is_verified(user) -> bool:
    """Whether this request's session passed the second factor (django-otp marks request.user)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_two_factor_step(user) -> bool:
    """True while a signed-in session still has to enrol or verify a TOTP device."""
    if is_verified(user):
        return False
    return two_factor_required(user) or user_has_device(user, confirmed=True)
