"""What an API key allows beside the roles of its organisation: reading only, or writing too."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ramtid.models import ApiToken


class ApiTokenScope(BasePermission):
    """A key that may only read (ApiToken.can_write off) is refused every other method (403).
    Requests made in a session are not concerned: their roles decide."""

    message = _(
        "API-nyckeln får bara läsa. Be kommunens administratör om en nyckel som får skriva."
    )

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in SAFE_METHODS:
            return token.can_write
        return True
