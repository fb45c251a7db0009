def portal_endpoints_only(endpoints, **kwargs):
    """The OpenAPI schema describes the portal's own API, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
