from django.shortcuts import render

from cms.accounts.roles import Role
from cms.org.scope import scope_of

from .selectors import dashboard_context

TEMPLATES = {
    "city": "dashboard/city.html",
    "district": "dashboard/district.html",
    "school": "dashboard/school.html",
}


def home(request):
    """Each role lands on its own dashboard: its unit, its scope, the tools of its role."""
    scope = scope_of(request.user)
    if scope.is_site_admin or request.user.role == Role.SITE_ADMIN:
        template = "dashboard/site_admin.html"
    else:
        template = TEMPLATES.get(scope.level, "dashboard/no_role.html")
    return render(request, template, dashboard_context(request.user))
