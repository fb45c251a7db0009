from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cms.accounts.roles import has_capability
from cms.org.scope import visible
from cms.pages.models import RegulationPage

from .forms import SearchForm
from .models import QueryLogEntry
from .services import SearchUnavailable, run_search

PER_PAGE = 10


def search_page(request):
    if not has_capability(request.user, "library"):
        raise PermissionDenied
    form = SearchForm(request.GET or None, user=request.user)
    outcome = None
    if form.is_valid() and (form.cleaned_data["q"] or "").strip():
        try:
            outcome = run_search(
                request.user,
                form.cleaned_data["q"],
                filters=form.filters(),
                order=form.cleaned_data.get("order") or "relevance",
                page=form.cleaned_data.get("page") or 1,
                per_page=PER_PAGE,
            )
        except SearchUnavailable:
            messages.error(request, _("Search is unavailable right now. Try again in a few minutes."))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "search/results.html", {"form": form, "outcome": outcome, "query": query.urlencode()})


def autocomplete(request):
    """Titles that start with what the user typed, for the search box (in scope only)."""
    if not has_capability(request.user, "library"):
        raise PermissionDenied
    text = (request.GET.get("q") or "").strip()[:100]
    if len(text) < 2:
        return JsonResponse({"results": []})
    pages = visible(request.user, RegulationPage.objects.all()).autocomplete(text, fields=["title"])[:8]
    return JsonResponse({"results": [{"title": page.title, "url": page.url} for page in pages]})


def query_log(request):
    """What people search for and how often nothing was found (no user identities are kept)."""
    if not has_capability(request.user, "review_list"):
        raise PermissionDenied
    entries = QueryLogEntry.objects.values("query").annotate(total=Sum("searches"))
    return render(
        request,
        "search/query_log.html",
        {
            "unanswered": entries.filter(results=0).order_by("-total", "query")[:50],
            "popular": entries.order_by("-total", "query")[:50],
        },
    )
