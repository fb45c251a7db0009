import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import District, School
from .scope import visible


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or EDEBO code"), method="filter_q")
    district = django_filters.ModelChoiceFilter(label=_("District"), queryset=District.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=School.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=[])

    class Meta:
        model = School
        fields = ["q", "district", "status", "kind"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["district"].queryset = visible(user, District)
        kinds = visible(user, School).order_by("kind").values_list("kind", flat=True).distinct()
        self.filters["kind"].extra["choices"] = [(k, k) for k in kinds if k]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(edebo_code=value))
