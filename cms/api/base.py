"""Base classes for the JSON API: authentication by session or token, scope-filtered querysets."""

from django.contrib.auth.decorators import login_not_required
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from cms.org.scope import visible


class ScopedAPIMixin:
    """Every API queryset goes through the scope module; out-of-scope objects answer 404."""

    permission_classes = [IsAuthenticated]
    scoped_queryset = None

    def get_queryset(self):
        return visible(self.request.user, self.scoped_queryset.all())

    @classmethod
    def as_view(cls, **initkwargs):
        # The API answers unauthenticated requests with a JSON 401/403, not a redirect to the login page.
        return login_not_required(super().as_view(**initkwargs))


class ScopedListAPIView(ScopedAPIMixin, generics.ListAPIView):
    pass


class ScopedRetrieveAPIView(ScopedAPIMixin, generics.RetrieveAPIView):
    pass


def valid_filter_qs(filterset):
    """The filtered queryset, or a 400 naming the invalid filters (an API never silently ignores them)."""
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs
