"""Small request helpers shared by the sign-in protection."""

from django.conf import settings


def client_ip(request) -> str:
    """The client address; behind a trusted proxy the first X-Forwarded-For entry it set."""
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= settings.TRUSTED_PROXY_COUNT:
            return parts[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def ratelimit_ip_key(group, request) -> str:
    return client_ip(request)
