from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("", include("cms.accounts.urls")),
    path("cabinet/", include("cms.dashboard.urls")),
    path("org/", include("cms.org.urls")),
    path("communities/", include("cms.groups.urls")),
    path("audit/", include("cms.audit.urls")),
    path("api/", include("cms.api.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Wagtail's own page-login form is shadowed: everyone signs in through the portal's sign-in.
    path(
        "pages/_util/login/",
        login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
        name="frontend_login_redirect",
    ),
    # Wagtail's page tree; media files are never served directly, documents only through their view.
    path("pages/", include(wagtail_urls)),
]
