"""The library in the portal: document listings, regulation listings and the one document-serving view."""

import mimetypes

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.documents.models import document_served

from cms.accounts.roles import has_capability
from cms.org.scope import get_visible_or_404, readable_collection_paths, scope_of, visible

from .filters import DocumentFilter, RegulationFilter
from .models import LibraryDocument

PAGE_SIZE = 25


def _page_of(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def document_list(request):
    if not has_capability(request.user, "library"):
        raise PermissionDenied
    documents = visible(request.user, LibraryDocument).select_related("collection")
    document_filter = DocumentFilter(
        request.GET or None, queryset=documents, readable_collections=readable_collection_paths(scope_of(request.user))
    )
    page, query = _page_of(request, document_filter.qs)
    return render(request, "library/document_list.html", {"filter": document_filter, "page": page, "query": query})


def regulation_listing(request, queryset) -> dict:
    """Context for a normative-base page: its regulations filtered, sorted and paginated."""
    regulation_filter = RegulationFilter(request.GET or None, queryset=queryset)
    acts, query = _page_of(request, regulation_filter.qs)
    return {"filter": regulation_filter, "acts": acts, "query": query}


def serve_document(request, document_id: int, document_filename: str):
    """The only way a document leaves the server: scope-checked, always as an attachment."""
    document = get_visible_or_404(request.user, LibraryDocument, pk=document_id)
    if document.filename != document_filename:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing.")) from None
    document_served.send(sender=LibraryDocument, instance=document, request=request)
    content_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
    if content_type.startswith("text/") or "html" in content_type or "svg" in content_type:
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=document.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
