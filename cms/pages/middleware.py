"""Wagtail admin views over every page of the site, whatever the user's scope: the department's alone."""

from django.core.exceptions import PermissionDenied

from cms.org.scope import scope_of

#: Wagtail's report of the page types (each type's number of pages and its last edited page, anywhere in the
#: site, drafts too) and a type's flat listing of pages (whose count, on OpenSearch, was of every page of the
#: type: Wagtail narrows it by the type's pointer key, which its search backends leave out of an engine's
#: query). A district office read other districts' titles and counts in them.
CITY_WIDE_ADMIN_VIEWS = frozenset(
    {
        "wagtailadmin_reports:page_types_usage",
        "wagtailadmin_reports:page_types_usage_results",
        "wagtailadmin_pages:type_use",
        "wagtailadmin_pages:type_use_results",
    }
)


class CityWideAdminViewsMiddleware:
    """Refuses the views of :data:`CITY_WIDE_ADMIN_VIEWS` (403) to a user whose scope is not the whole city."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in CITY_WIDE_ADMIN_VIEWS and not scope_of(request.user).is_city:
            raise PermissionDenied
        return None
