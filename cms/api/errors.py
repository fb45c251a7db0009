from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with every error body shaped as {"error": code, "detail": ...}."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data
        code = getattr(exc, "default_code", "error")
        if isinstance(detail, dict) and set(detail) == {"detail"}:
            detail = detail["detail"]
        response.data = {"error": code, "detail": detail}
    return response
