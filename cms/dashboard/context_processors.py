from cms.accounts.middleware import pending_sign_in_step

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    # No tools until the sign-in steps (second factor, password change) are done: they would only bounce back.
    if user is None or not user.is_authenticated or pending_sign_in_step(user):
        return {"nav_items": []}
    return {"nav_items": items_for(user)}
