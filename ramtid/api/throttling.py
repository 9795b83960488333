"""Rate limits for API keys (issue 10): RAMTID_API_RATE requests per key, e.g. "120/min".

Counted per key in Django's cache (Redis in production, so every worker counts together; the
tests run against Redis too). Requests made in a session (a person trying the API docs) are not
limited: the sign-in lockout and the session's idle end concern them.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.translation import ngettext
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from ramtid.models import ApiToken


class ApiTokenThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str | None:
        # Read per request from the settings, not once from DRF's THROTTLE_RATES: tests and a
        # deployment change it as any other setting. Empty: no limit.
        return settings.RAMTID_API_RATE or None

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}

    def throttle_failure(self) -> bool:
        # DRF's own 429 says "Expected available in N seconds" in English: raised here with a
        # Swedish message instead, and the wait in Retry-After as DRF sets it.
        wait = math.ceil(self.wait() or 1)
        error = Throttled(
            detail=ngettext(
                "För många anrop med den här API-nyckeln (högst %(rate)s). Försök igen om "
                "%(wait)d sekund.",
                "För många anrop med den här API-nyckeln (högst %(rate)s). Försök igen om "
                "%(wait)d sekunder.",
                wait,
            )
            % {"rate": self.rate, "wait": wait}
        )
        error.wait = wait
        raise error
