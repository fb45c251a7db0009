def portal_endpoints_only(endpoints, **kwargs):
    """The OpenAPI schema describes the portal's own API; Wagtail's API v2 (/api/v2/) and its admin API
    document themselves."""
    return [e for e in endpoints if e[0].startswith("/api/") and not e[0].startswith("/api/v2/")]
