"""Sessions end when idle: RAMTID_SESSION_IDLE_SECONDS without activity (30 minutes by default),
and at the latest RAMTID_SESSION_MAX_AGE after signing in, however active (README "Säkerhet och
dataskydd").

The session keeps when it was signed in and when it last saw activity. A request of a signed-in
session is activity: it renews the stored session's expiry (SESSION_COOKIE_AGE is the idle time),
at most once a minute, so that a page's requests do not each write the session. The page warns
a few minutes before the end (static/ramtid/session.js), asking `session_status` how much time
is left, which is not activity, and renewing the session through it when the user asks to stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

SIGNED_IN_AT = "ramtid_signed_in_at"
LAST_ACTIVITY = "ramtid_last_activity"
# Activity within this many seconds of the last recorded one is not written again.
TOUCH_INTERVAL = 60
# How long before the end the page warns.
WARNING_SECONDS = 3 * 60


def _signed_in(request: HttpRequest) -> bool:
    """Signed in with this session (not an API token, which DRF sets on the request later)."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    """Seconds until the session ends for idleness or age; 0 when it has ended."""
    now = time.time() if now is None else now
    session = request.session
    last = session.get(LAST_ACTIVITY, now)
    started = session.get(SIGNED_IN_AT, now)
    left = min(
        settings.RAMTID_SESSION_IDLE_SECONDS - (now - last),
        settings.RAMTID_SESSION_MAX_AGE - (now - started),
    )
    return max(0, int(left))


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Record activity: the stored session's expiry moves to now plus the idle time."""
    now = time.time()
    session = request.session
    session.setdefault(SIGNED_IN_AT, now)
    if force or now - session.get(LAST_ACTIVITY, 0) >= TOUCH_INTERVAL:
        session[LAST_ACTIVITY] = now


def start_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """On signing in (Django's user_logged_in, connected in RamtidConfig.ready): the session's
    age and idleness count from now, also for a session that was signed in before."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now


class SessionTimeoutMiddleware:
    """Signs out a session that has been idle or signed in too long before the view runs, and
    records the activity of every other signed-in request after it (the view of a sign-in
    included, which starts the clock)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request) and not seconds_left(request):
            logout(request)
        response = self.get_response(request)
        if _signed_in(request) and not getattr(request, "session_not_activity", False):
            touch(request)
        return response


def context_processor(request: HttpRequest) -> dict:
    """What the page's warning needs: the seconds left, counted from this request."""
    if not _signed_in(request):
        return {}
    touch(request)
    return {
        "session_timeout": {
            "seconds_left": seconds_left(request),
            "warning_seconds": WARNING_SECONDS,
        }
    }


@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """GET: the seconds left, without counting as activity (another tab may have renewed the
    session). POST: stay signed in, then the seconds left. 0 when the session has ended, which
    is an answer, not an error (the browser would log a 401 as one)."""
    if not _signed_in(request):
        return JsonResponse({"seconds_left": 0})
    if request.method == "POST":
        touch(request, force=True)
    else:
        request.session_not_activity = True
    return JsonResponse({"seconds_left": seconds_left(request)})
