"""Token authentication that reads the account's school with its token.

Every API request computes the user's scope (``cms.org.scope.scope_of``), and a school account's scope
needs its school's district: reading them with the token (one joined query) spares each request a second
query. The district row comes too: the attendance API answers with the school and its district
(``cms.org.scope.own_school``), without reading them again. Otherwise DRF's ``TokenAuthentication``:
``Authorization: Token <key>``, 401 with a ``WWW-Authenticate`` header when it is missing or wrong."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__school__district").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
