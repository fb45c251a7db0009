from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cms.accounts.roles import has_capability

from .forms import SearchForm
from .models import QueryLogEntry
from .services import SearchUnavailable, autocomplete_titles, run_search

PER_PAGE = 10


def _page_number(value: str | None) -> int:
    """The page a results link asks for, leniently as Django's ``Paginator.get_page`` reads it: anything but
    a positive number is the first page; beyond the last, ``run_search`` shows the last."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), SearchForm.base_fields["page"].max_value)


def search_page(request):
    if not has_capability(request.user, "library"):
        raise PermissionDenied
    query = request.GET.copy()
    page = _page_number(query.pop("page", [None])[-1])
    form = SearchForm(query or None, user=request.user)
    del form.fields["page"]  # the pagination links carry it; a new search from the form starts at page 1
    outcome = None
    if form.is_valid() and (form.cleaned_data["q"] or "").strip():
        try:
            outcome = run_search(
                request.user,
                form.cleaned_data["q"],
                filters=form.filters(),
                order=form.cleaned_data.get("order") or "relevance",
                page=page,
                per_page=PER_PAGE,
            )
        except SearchUnavailable:
            messages.error(request, _("Search is unavailable right now. Try again in a few minutes."))
    return render(request, "search/results.html", {"form": form, "outcome": outcome, "query": query.urlencode()})


def autocomplete(request):
    """Titles that start with what the user typed, for the search box (in scope only)."""
    if not has_capability(request.user, "library"):
        raise PermissionDenied
    titles = autocomplete_titles(request.user, (request.GET.get("q") or "")[:100])
    return JsonResponse({"results": [{"title": title, "url": url} for title, url in titles]})


def query_log(request):
    """What people search for and how often nothing was found (no user identities are kept): for the city's
    editors only (``search_log``)."""
    if not has_capability(request.user, "search_log"):
        raise PermissionDenied
    entries = QueryLogEntry.objects.values("query").annotate(total=Sum("searches"), unanswered=Sum("unanswered"))
    return render(
        request,
        "search/query_log.html",
        {
            "unanswered": entries.filter(unanswered__gt=0).order_by("-unanswered", "-total", "query")[:50],
            "popular": entries.order_by("-total", "query")[:50],
        },
    )
