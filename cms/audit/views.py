from axes.models import AccessFailureLog, AccessLog
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import ModelLogEntry, PageLogEntry

from cms.accounts.roles import has_capability

from .filters import ChangeFilter, FailureFilter, PageChangeFilter, SignInFilter

PAGE_SIZE = 50
TABS = {
    "signins": (SignInFilter, AccessLog.objects.order_by("-attempt_time")),
    "failures": (FailureFilter, AccessFailureLog.objects.order_by("-attempt_time")),
    "changes": (ChangeFilter, ModelLogEntry.objects.select_related("user", "content_type").order_by("-timestamp")),
    "pages": (PageChangeFilter, PageLogEntry.objects.select_related("user", "page").order_by("-timestamp")),
}


def audit_log(request):
    """Sign-in successes and failures, every change of role, group or permission, and publishing and
    archiving of pages (DON admins and site administrators)."""
    if not has_capability(request.user, "audit_log"):
        raise PermissionDenied
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "changes"
    filter_class, queryset = TABS[tab]
    entries = filter_class(request.GET or None, queryset=queryset.all())
    page = Paginator(entries.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"tab": tab, "filter": entries, "page": page, "query": query.urlencode()},
    )
