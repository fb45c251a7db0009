from django.urls import include, path
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
    # Wagtail's page tree; media files are never served directly, documents only through their view.
    path("pages/", include(wagtail_urls)),
]
