import copy

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.admin.urls import display_custom_404
from wagtail.utils.urlpatterns import decorate_urlpatterns

from cms.attendance import stream as attendance_stream
from cms.library import tags as admin_tags
from cms.library import views as library_views
from cms.library.api import wagtail_api
from cms.pages import admin_listings


def _as_wagtail_admin(views_under: dict[str, list]) -> list:
    """The views of each list, under its prefix, decorated as Wagtail decorates its admin's views: for a user with
    access to the admin only (in its language and time zone), with its 404 page, never cached. The views are
    copies, so that the lists named stay as they are (a URLconf read again decorates them once)."""
    patterns = [path(prefix, include([copy.copy(view) for view in views])) for prefix, views in views_under.items()]
    for decorator in (require_admin_access, display_custom_404, never_cache):
        patterns = decorate_urlpatterns(patterns, decorator)
    return patterns


# Wagtail's explorer, its locked pages and workflow reports, its tag autocomplete and its documents' and images'
# listings, with filters in the user's scope, at their own addresses (the explorer under its own names).
scoped_admin_urlpatterns = _as_wagtail_admin(
    {
        "pages/": admin_listings.explorer_urlpatterns,
        "reports/": admin_listings.report_urlpatterns,
        "": admin_tags.urlpatterns,
    }
)

urlpatterns = [
    path("", include("cms.accounts.urls")),
    path("cabinet/", include("cms.dashboard.urls")),
    path("org/", include("cms.org.urls")),
    path("communities/", include("cms.groups.urls")),
    path("audit/", include("cms.audit.urls")),
    path("library/", include("cms.library.urls")),
    path("experience/", include("cms.pages.urls")),
    path("search/", include("search.urls")),
    path("attendance/", include("cms.attendance.urls")),
    # Served by the ASGI process (uvicorn cms.asgi); see README, Deployment.
    path("live/attendance/", attendance_stream.attendance_events, name="live_attendance"),
    path("api/v2/", wagtail_api.urls),
    path("api/", include("cms.api.urls")),
    path("admin/", include(scoped_admin_urlpatterns)),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document URLs are replaced by the portal's scope-checked view (same name, so Wagtail's
    # links to documents lead to it); nothing under MEDIA_URL is ever served.
    path(
        "documents/<int:document_id>/<str:document_filename>",
        library_views.serve_document,
        name="wagtaildocs_serve",
    ),
    # Wagtail's own page-login form is shadowed: everyone signs in through the portal's sign-in.
    path(
        "pages/_util/login/",
        login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
        name="frontend_login_redirect",
    ),
    # Wagtail's page tree; media files are never served directly, documents only through their view.
    path("pages/", include(wagtail_urls)),
]
