from wagtail import hooks
from wagtail.images.views.chooser import viewset as image_chooser_viewset

from cms.org.scope import visible
from search.indexing import reindex_on_commit

from .admin import LibraryDocumentViewSet
from .api import ScopedDocumentsAdminAPIViewSet, ScopedImagesAdminAPIViewSet
from .models import LibraryDocument
from .tags import ScopedImageChooseView

# Wagtail's image chooser offers the popular tags of the images the user may choose (its views are made from this
# class when the admin's URLs are, after the hooks are read).
image_chooser_viewset.choose_view_class = ScopedImageChooseView


@hooks.register("register_admin_viewset")
def register_library_listing():
    return LibraryDocumentViewSet()


@hooks.register("construct_admin_api", order=1)  # after Wagtail's own endpoints, in their place
def scope_admin_api(router):
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)


@hooks.register("construct_document_chooser_queryset")
def scope_document_chooser(documents, request):
    """The chooser offers only documents in the user's scope, on top of Wagtail's collection permissions."""
    return documents.filter(pk__in=visible(request.user, documents.model).values("pk"))


@hooks.register("after_bulk_action")
def reindex_documents_moved_in_bulk(request, action_type, objects, action) -> None:
    """The bulk «Add to collection» moves documents with one UPDATE, without saving them (Wagtail's signal
    handlers do not see it): once committed, they are indexed again. An engine filters the scope on the
    collection it stores: a document moved out of a district was still counted for its schools, and one moved
    into the city's collection was not found by the other districts'."""
    if action_type != "add_to_collection" or not issubclass(action.model, LibraryDocument):
        return
    reindex_on_commit(LibraryDocument, [document.pk for document in objects])
