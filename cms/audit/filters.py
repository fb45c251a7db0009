import django_filters
from axes.models import AccessFailureLog, AccessLog
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry, PageLogEntry


class SignInFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("Login"), lookup_expr="iexact")
    ip_address = django_filters.CharFilter(label=_("IP address"))
    since = django_filters.DateFilter(label=_("From"), field_name="attempt_time", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="attempt_time", lookup_expr="date__lte")

    class Meta:
        model = AccessLog
        fields = ["username", "ip_address", "since", "until"]


class FailureFilter(SignInFilter):
    class Meta:
        model = AccessFailureLog
        fields = ["username", "ip_address", "since", "until", "locked_out"]


class ChangeFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=[])
    user = django_filters.CharFilter(label=_("By (login)"), field_name="user__username", lookup_expr="iexact")
    since = django_filters.DateFilter(label=_("From"), field_name="timestamp", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="timestamp", lookup_expr="date__lte")

    class Meta:
        model = ModelLogEntry
        fields = ["action", "user", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.log_actions import registry

        self.filters["action"].extra["choices"] = sorted(registry.get_choices(), key=lambda c: c[0])


class PageChangeFilter(ChangeFilter):
    class Meta:
        model = PageLogEntry
        fields = ["action", "user", "since", "until"]
