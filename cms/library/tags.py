"""Tags in the Wagtail admin, in the user's scope: Wagtail's tag autocomplete, the "popular tags" filters of its
documents and images listings and its image chooser's popular tags named the tags of every document and image (a
district office read the tags of the department's service documents there). They now name the tags of the
documents in the user's scope and of the images the user may choose (:func:`tags_seen_by`). The views are served
at Wagtail's own addresses (``urlpatterns``, before the admin's in ``cms.urls``), so Wagtail's links lead to them;
the chooser's view is Wagtail's chooser viewset's (``wagtail_hooks``)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404, JsonResponse
from django.urls import path
from taggit.models import Tag
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT
from wagtail.documents.views.documents import DocumentsFilterSet
from wagtail.documents.views.documents import IndexView as DocumentIndexView
from wagtail.images import get_image_model
from wagtail.images.views.chooser import ImageChooseView
from wagtail.images.views.images import ImagesFilterSet
from wagtail.images.views.images import IndexView as ImageIndexView

from cms.org.scope import images_in_admin, visible

from .models import LibraryDocument

#: How many tags a listing's "popular tags" filter offers, as Wagtail's.
POPULAR_TAGS = 10


def tags_seen_by(user, models: tuple[type, ...] | None = None) -> QuerySet:
    """The tags of the documents in ``user``'s scope and of the images the user may choose (of ``models`` only,
    when given)."""
    seen = {LibraryDocument: lambda: visible(user, LibraryDocument), get_image_model(): lambda: images_in_admin(user)}
    condition = Q(pk__in=[])
    for model, objects in seen.items():
        if models is None or model in models:
            condition |= Q(
                taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(model),
                taggit_taggeditem_items__object_id__in=objects().values("pk"),
            )
    return Tag.objects.filter(condition)


def popular_tags_seen_by(user, model: type) -> QuerySet:
    """The :data:`POPULAR_TAGS` tags of ``model``'s objects :func:`tags_seen_by` ``user`` that tag the most
    objects."""
    return (
        tags_seen_by(user, (model,))
        .annotate(item_count=Count("taggit_taggeditem_items"))
        .order_by("-item_count", "name")[:POPULAR_TAGS]
    )


def autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete (``wagtailadmin_tag_autocomplete``) over :func:`tags_seen_by` the user."""
    if app_name and model_name and (app_name, model_name) != (Tag._meta.app_label, Tag._meta.model_name):
        raise Http404  # no other tag model is used here
    term = request.GET.get("term")
    if not term:
        return JsonResponse([], safe=False)
    tags = tags_seen_by(request.user).filter(name__istartswith=term).distinct().order_by("name")
    return JsonResponse(list(tags.values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]), safe=False)


class _ScopedPopularTags:
    """A media listing's filters with its "popular tags" filter over :func:`tags_seen_by` the user (none when the
    user sees no tagged object)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tag" not in self.filters:
            return
        choices = [(tag.name, tag.name) for tag in popular_tags_seen_by(self.request.user, self.tagged_model)]
        if choices:
            self.filters["tag"].extra["choices"] = choices
        else:
            del self.filters["tag"]


class ScopedDocumentsFilterSet(_ScopedPopularTags, DocumentsFilterSet):
    tagged_model = LibraryDocument


class ScopedImagesFilterSet(_ScopedPopularTags, ImagesFilterSet):
    @property
    def tagged_model(self):
        return get_image_model()


class ScopedImageChooseView(ImageChooseView):
    """Wagtail's image chooser with its popular tags among the images the user may choose (Wagtail's chooser
    viewset takes it: ``wagtail_hooks``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["popular_tags"] = popular_tags_seen_by(self.request.user, self.model)
        return context


class ScopedDocumentIndexView(DocumentIndexView):
    filterset_class = ScopedDocumentsFilterSet


class ScopedImageIndexView(ImageIndexView):
    filterset_class = ScopedImagesFilterSet


urlpatterns = [
    path("tag-autocomplete/", autocomplete),
    path("tag-autocomplete/<slug:app_name>/<slug:model_name>/", autocomplete),
    path("documents/", ScopedDocumentIndexView.as_view()),
    path("documents/results/", ScopedDocumentIndexView.as_view(results_only=True)),
    path("images/", ScopedImageIndexView.as_view()),
    path("images/results/", ScopedImageIndexView.as_view(results_only=True)),
]
