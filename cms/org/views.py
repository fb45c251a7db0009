from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from cms.accounts.roles import has_capability
from cms.groups.models import Community

from .filters import SchoolFilter
from .models import School
from .scope import get_visible_or_404, scope_of, visible

PAGE_SIZE = 50


def require_capability(user, capability: str) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied


def school_list(request):
    require_capability(request.user, "schools_directory")
    schools = visible(request.user, School).select_related("district")
    school_filter = SchoolFilter(request.GET or None, queryset=schools, user=request.user)
    page = Paginator(school_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/school_list.html",
        {"filter": school_filter, "page": page, "query": query.urlencode()},
    )


def school_detail(request, pk: int):
    school = get_visible_or_404(request.user, School.objects.select_related("district"), pk=pk)
    communities = visible(request.user, Community).filter(memberships__school=school).order_by("name")
    return render(request, "org/school_detail.html", {"school": school, "communities": communities})


def my_school(request):
    scope = scope_of(request.user)
    if not scope.is_school:
        raise PermissionDenied
    return redirect("org:school_detail", pk=scope.school_id)
