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

from .scope import images_in_admin, pages_in_admin, scope_of, visible

#: Views over every page of the site, whatever the user's scope: the department's alone.
CITY_WIDE_ADMIN_VIEWS = frozenset(
    {
        "wagtailadmin_reports:page_types_usage",
        "wagtailadmin_reports:page_types_usage_results",
        "wagtailadmin_pages:type_use",
        "wagtailadmin_pages:type_use_results",
    }
)


def _documents_in_scope(user) -> QuerySet:
    return visible(user, get_document_model())


#: View name -> the objects the user may see there, and the URL's keyword arguments that name them. Such a view
#: keeps its name when the portal serves it (``cms.urls``), so that it is guarded here.
NAMED_IN_PATH: dict[str, tuple[Callable[..., QuerySet], tuple[str, ...]]] = {
    "wagtailadmin_explore": (pages_in_admin, ("parent_page_id",)),
    "wagtailadmin_explore_results": (pages_in_admin, ("parent_page_id",)),
    "wagtailadmin_choose_page_child": (pages_in_admin, ("parent_page_id",)),
}
#: URL namespace -> the objects the user may see in its views, and the keyword arguments that name them: every
#: view of one page (edit, history, revisions, workflow, usage, moves, a new page's parent …), one document, one
#: image. Most refuse an object the user may not edit with a redirect, which told that it is there; some showed
#: it (a workflow's cancellation named its task). An object the admin does not list is not there.
NAMED_IN_NAMESPACE: dict[str, tuple[Callable[..., QuerySet], tuple[str, ...]]] = {
    "wagtailadmin_pages": (pages_in_admin, ("page_id", "parent_page_id", "page_to_move_id", "destination_id")),
    "wagtailforms": (pages_in_admin, ("page_id",)),
    "wagtaildocs": (_documents_in_scope, ("document_id", "doc_id")),
    "wagtaildocs_chooser": (_documents_in_scope, ("pk",)),
    "wagtailimages": (images_in_admin, ("image_id",)),
    "wagtailimages_chooser": (images_in_admin, ("pk", "image_id")),
}


def _workflow_states_of_page(page_id) -> QuerySet:
    from wagtail.models import WorkflowState, get_default_page_content_type

    return WorkflowState.objects.filter(base_content_type=get_default_page_content_type(), object_id=str(page_id))


def _task_states_of_page(page_id) -> QuerySet:
    from wagtail.models import TaskState

    return TaskState.objects.filter(workflow_state__in=_workflow_states_of_page(page_id))


#: Keyword arguments of a page's views (beside ``page_id``) that name a part of its workflow -> that part among the
#: page's own, by the page's key and the argument's value: another page's part is not there. A workflow's
#: preview at a task named the task of any workflow («Модерація статей: Оболонський район»), and an action on
#: another page's task told that it is there.
OF_THE_PAGE: dict[str, Callable[[int, int], QuerySet]] = {
    "workflow_state_id": lambda page_id, key: _workflow_states_of_page(page_id).filter(pk=key),
    "task_state_id": lambda page_id, key: _task_states_of_page(page_id).filter(pk=key),
    "task_id": lambda page_id, key: _task_states_of_page(page_id).filter(task_id=key),
}
#: View name -> the position of the argument that names its page, for a view whose URL gives it unnamed.
NAMED_BY_POSITION = {"wagtailadmin_pages:revisions_compare": 0}
#: View name -> the objects the user may see there, named by the query's ``id`` parameters.
NAMED_IN_QUERY: dict[str, Callable[..., QuerySet]] = {
    "wagtailadmin_choose_page_chosen_multiple": pages_in_admin,
    "wagtaildocs_chooser:chosen_multiple": _documents_in_scope,
    "wagtailimages_chooser:chosen_multiple": images_in_admin,
}


def _bulk_action_objects(kwargs: dict) -> Callable[..., QuerySet] | None:
    """What a user may see among a bulk action's objects: documents in the scope, images the user may choose
    (page bulk actions leave out the pages outside the scope themselves: ``cms.pages.admin``)."""
    model = (kwargs.get("app_label"), kwargs.get("model_name"))
    for model_class, objects in ((get_document_model(), _documents_in_scope), (get_image_model(), images_in_admin)):
        if model == (model_class._meta.app_label, model_class._meta.model_name):
            return objects
    return None


#: The keys a database can be asked for: SQLite stops at a 64-bit integer (a larger one raised OverflowError).
_KEY_RANGE = range(-(2**63), 2**63)


def keys_named(values: Iterable[str]) -> set[int]:
    """The objects' keys named, or 404 when one is not a key: a view would fail on it (500)."""
    try:
        keys = {int(value) for value in values}
    except (TypeError, ValueError):
        raise Http404 from None
    if not all(key in _KEY_RANGE for key in keys):
        raise Http404
    return keys


def _named(match, view_args: tuple, view_kwargs: dict, request) -> tuple[Callable[..., QuerySet], Iterable] | None:
    """The objects a user may see in the view ``match`` resolved to and the values naming those its request names,
    or None for a view that names none of them."""
    name = match.view_name
    if name in NAMED_IN_PATH:
        objects, arguments = NAMED_IN_PATH[name]
        return objects, [view_kwargs[argument] for argument in arguments]
    if name in NAMED_BY_POSITION:
        return NAMED_IN_NAMESPACE[match.namespace][0], [view_args[NAMED_BY_POSITION[name]]]
    if name in NAMED_IN_QUERY:
        return NAMED_IN_QUERY[name], request.GET.getlist("id")
    if match.namespace in NAMED_IN_NAMESPACE:
        objects, arguments = NAMED_IN_NAMESPACE[match.namespace]
        values = [view_kwargs[argument] for argument in arguments if argument in view_kwargs]
        return (objects, values) if values else None
    if name == "wagtail_bulk_action":
        ids = [value for value in request.GET.getlist("id") if value != "all"]
        objects = _bulk_action_objects(view_kwargs)
        # A page bulk action leaves out the pages outside the scope itself; its keys are checked all the same.
        return (objects, ids) if objects is not None else (None, ids)
    return None


class AdminScopeMiddleware:
    """Refuses the views of :data:`CITY_WIDE_ADMIN_VIEWS` (403) to a user whose scope is not the whole city, and
    answers 404 to a request of the views above that names an object the admin does not list to the user, or
    names one by what is no key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        if match.view_name in CITY_WIDE_ADMIN_VIEWS and not scope_of(request.user).is_city:
            raise PermissionDenied
        named = _named(match, view_args, view_kwargs, request)
        if named is None:
            return None
        objects, values = named
        if not values or not request.user.has_perm("wagtailadmin.access_admin"):
            return None  # the admin sends a user without access to sign in or away, as for any of its views
        keys = keys_named(values)
        if objects is not None and objects(request.user).filter(pk__in=keys).count() < len(keys):
            raise Http404
        if match.namespace == "wagtailadmin_pages" and "page_id" in view_kwargs:
            for argument, of_the_page in OF_THE_PAGE.items():
                if argument in view_kwargs and not of_the_page(view_kwargs["page_id"], view_kwargs[argument]).exists():
                    raise Http404
        return None
