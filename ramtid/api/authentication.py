"""The API's keys (issue 10): `Authorization: Bearer <key>`.

A key (ramtid.models.ApiToken) belongs to an integration account and acts only in its own
provider or ordering unit (ramtid.permissions.act_through_api_token), only reads unless it may
write (ramtid.api.permissions.ApiTokenScope), and is rate-limited
(ramtid.api.throttling.ApiTokenThrottle). An unknown, expired or revoked key is a 401 with a
Swedish message. The credentials are looked up here, as DRF's own token authentication does,
since there is no user to scope a selector to yet.
"""

from __future__ import annotations

import pghistory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ramtid import api_keys, permissions, services
from ramtid.models import ApiToken

# "Bearer" (RFC 6750); "Token" too, the word DRF's tokens used, so a system configured for those
# only needs its new key.
KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ogiltig Authorization-rubrik: skriv Bearer, ett mellanslag och nyckeln.")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Okänd API-nyckel.")) from None
        token = self._token(key)
        services.api_token_used(token=token)
        permissions.act_through_api_token(token.user, token)
        # Writes made with the key name it in the audit trail, beside the account.
        pghistory.context(api_token=token.prefix)
        return token.user, token

    def _token(self, key: str) -> ApiToken:
        token = None
        if api_keys.looks_like_a_key(key):
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=api_keys.key_hash(key))
                .first()
            )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Okänd API-nyckel."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("API-nyckeln är återkallad. Be kommunens administratör om en ny.")
            )
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("API-nyckeln gick ut %(date)s. Be kommunens administratör om en ny.")
                % {"date": f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}"}
            )
        if not (token.user.is_active and token.user.is_integration_account):
            raise exceptions.AuthenticationFailed(_("Kontot som API-nyckeln hör till är avstängt."))
        return token

    def authenticate_header(self, request) -> str:
        # First among the authentication classes, so a refused key is a 401 with this header.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The key in the OpenAPI schema (and so in /api/docs/ and for schemathesis)."""

    target_class = "ramtid.api.authentication.ApiTokenAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        # The scheme's word, not a secret.
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106
        )
