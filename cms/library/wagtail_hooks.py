from wagtail import hooks

from cms.org.scope import visible

from .admin import LibraryDocumentViewSet


@hooks.register("register_admin_viewset")
def register_library_listing():
    return LibraryDocumentViewSet()


@hooks.register("construct_document_chooser_queryset")
def scope_document_chooser(documents, request):
    """The chooser offers only documents in the user's scope, on top of Wagtail's collection permissions."""
    return documents.filter(pk__in=visible(request.user, documents.model).values("pk"))
