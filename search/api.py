from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .engine import MATCH_CAP
from .forms import SearchForm
from .services import SearchUnavailable, run_search


class SearchResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    number = serializers.CharField(allow_blank=True)
    date = serializers.DateField(allow_null=True)
    issuer = serializers.CharField(allow_blank=True)
    snippet = serializers.CharField()


class AbbreviationSerializer(serializers.Serializer):
    abbreviation = serializers.CharField()
    name = serializers.CharField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_is_lower_bound = serializers.BooleanField(
        help_text=f"True when there are more results than the count (counting stops at {MATCH_CAP:,})."
    )
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    fallback = serializers.BooleanField(help_text="True when the engine was unreachable and the database answered.")
    corrected_query = serializers.CharField(
        allow_null=True,
        help_text="The query with its misspelt words corrected (a word the dictionary does not know, or a real "
        "word typed for its twin one similar letter away), or written otherwise (typed with the English layout "
        "on: «yfrfp» for «наказ»; a word written together with a number apart from it: «ЗНО-2024», «ЗНО 2024»), "
        "when the results are for it (the query as typed found nothing with all its words), else null.",
    )
    abbreviations = AbbreviationSerializer(
        many=True,
        help_text="The abbreviations and full names among the query's words: the results have either spelling.",
    )
    results = SearchResultSerializer(many=True)


class ServiceUnavailable(APIException):
    status_code = 503
    default_code = "search_unavailable"
    default_detail = "Search is unavailable right now."


class SearchAPI(APIView):
    """GET /api/search/?q=...&kind=&year=&issuer=&district=&status=&order=relevance|date&page=N"""

    permission_classes = [IsAuthenticated]

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What to search for (Ukrainian word forms match)."),
            OpenApiParameter("kind", str),
            OpenApiParameter("year", int),
            OpenApiParameter("issuer", str),
            OpenApiParameter("district", int),
            OpenApiParameter("status", str),
            OpenApiParameter("order", str, enum=["relevance", "date"]),
            OpenApiParameter("page", int),
        ],
        responses=SearchResponseSerializer,
    )
    def get(self, request):
        form = SearchForm(request.GET, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors)
        text = (form.cleaned_data["q"] or "").strip()
        if not text:
            raise ValidationError({"q": [_("Enter what to search for.")]})
        page = form.cleaned_data.get("page") or 1
        try:
            outcome = run_search(
                request.user,
                text,
                filters=form.filters(),
                order=form.cleaned_data.get("order") or "relevance",
                page=page,
            )
        except SearchUnavailable as error:
            raise ServiceUnavailable from error
        if outcome.page != page:  # beyond the last page, as DRF's paginator answers
            raise NotFound(_("Invalid page."))
        return Response(
            {
                "count": outcome.total,
                "count_is_lower_bound": outcome.total_is_lower_bound,
                "page": outcome.page,
                "num_pages": outcome.num_pages,
                "fallback": outcome.fallback,
                "corrected_query": outcome.corrected,
                "abbreviations": [{"abbreviation": short, "name": name} for short, name in outcome.abbreviations],
                "results": SearchResultSerializer(outcome.hits, many=True).data,
            }
        )
