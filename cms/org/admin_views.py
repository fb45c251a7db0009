"""The scope on Wagtail admin views that its hooks do not reach (``cms.pages.wagtail_hooks``,
``cms.library.wagtail_hooks``): views over every page of the site are the department's (403 to anyone else), and
each object a view's request names must be one the admin lists to the user, else the view answers 404.

Wagtail's report of the page types (each type's number of pages and its last edited page, anywhere in the site,
drafts too) and a type's flat listing of pages (whose count, on OpenSearch, was of every page of the type: Wagtail
narrows it by the type's pointer key, which its search backends leave out of an engine's query) showed a district
office other districts' titles and counts.

Wagtail's explorer and page chooser show a page named as the parent (its title, its breadcrumbs), whatever the
user's scope; the page chooser's "chosen" step gives the title and URL of any page named by id; a move's
confirmation names both pages before its permission check; the image chooser's format step shows any image; a
bulk action lists by title the documents and images the user may not act on. A district office read the
department's drafts and other districts' pages, documents and images through them.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from .scope import images_in_admin, pages_hidden_in_admin, scope_of, visible

#: Views over every page of the site, whatever the user's scope: the department's alone.
CITY_WIDE_ADMIN_VIEWS = frozenset(
    {
        "wagtailadmin_reports:page_types_usage",
        "wagtailadmin_reports:page_types_usage_results",
        "wagtailadmin_pages:type_use",
        "wagtailadmin_pages:type_use_results",
    }
)


def _pages_in_admin(user) -> QuerySet:
    hidden = pages_hidden_in_admin(user)
    return Page.objects.exclude(hidden) if hidden is not None else Page.objects.all()


def _documents_in_scope(user) -> QuerySet:
    return visible(user, get_document_model())


#: View name -> the objects the user may see there, and the URL's keyword arguments that name them.
NAMED_IN_PATH: dict[str, tuple[Callable[..., QuerySet], tuple[str, ...]]] = {
    "wagtailadmin_explore": (_pages_in_admin, ("parent_page_id",)),
    "wagtailadmin_explore_results": (_pages_in_admin, ("parent_page_id",)),
    "wagtailadmin_choose_page_child": (_pages_in_admin, ("parent_page_id",)),
    "wagtailadmin_pages:move": (_pages_in_admin, ("page_to_move_id",)),
    "wagtailadmin_pages:move_confirm": (_pages_in_admin, ("page_to_move_id", "destination_id")),
    "wagtailimages_chooser:select_format": (images_in_admin, ("image_id",)),
}
#: View name -> the objects the user may see there, named by the query's ``id`` parameters.
NAMED_IN_QUERY: dict[str, Callable[..., QuerySet]] = {
    "wagtailadmin_choose_page_chosen_multiple": _pages_in_admin,
}


def _bulk_action_objects(kwargs: dict) -> Callable[..., QuerySet] | None:
    """What a user may see among a bulk action's objects: documents in the scope, images the user may choose
    (page bulk actions leave out the pages outside the scope themselves: ``cms.pages.admin``)."""
    model = (kwargs.get("app_label"), kwargs.get("model_name"))
    for model_class, objects in ((get_document_model(), _documents_in_scope), (get_image_model(), images_in_admin)):
        if model == (model_class._meta.app_label, model_class._meta.model_name):
            return objects
    return None


def _keys(values: Iterable[str]) -> set[int] | None:
    """The objects' keys named; None when one is not a key (the view answers that itself)."""
    try:
        return {int(value) for value in values}
    except (TypeError, ValueError):
        return None


class AdminScopeMiddleware:
    """Refuses the views of :data:`CITY_WIDE_ADMIN_VIEWS` (403) to a user whose scope is not the whole city, and
    answers 404 to a request of the views above that names an object the admin does not list to the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        name = match.view_name
        if name in CITY_WIDE_ADMIN_VIEWS and not scope_of(request.user).is_city:
            raise PermissionDenied
        if name in NAMED_IN_PATH:
            objects, arguments = NAMED_IN_PATH[name]
            keys = _keys(view_kwargs[argument] for argument in arguments)
        elif match.namespace == "wagtailadmin_pages" and "page_id" in view_kwargs:
            # Every view of one page (edit, history, revisions, workflow, usage …): most refuse a page the user
            # may not edit, but not all (a workflow's cancellation named its task); a page outside is not there.
            objects, keys = _pages_in_admin, _keys([view_kwargs["page_id"]])
        elif name in NAMED_IN_QUERY:
            objects, keys = NAMED_IN_QUERY[name], _keys(request.GET.getlist("id"))
        elif name == "wagtail_bulk_action" and (objects := _bulk_action_objects(view_kwargs)) is not None:
            ids = request.GET.getlist("id")
            keys = None if "all" in ids else _keys(ids)
        else:
            return None
        if not keys or not request.user.has_perm("wagtailadmin.access_admin"):
            return None  # the admin sends a user without access to sign in or away, as for any of its views
        if objects(request.user).filter(pk__in=keys).count() < len(keys):
            raise Http404
        return None
