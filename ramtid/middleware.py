"""The core's own middleware (the audit context is in ramtid.audit)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django_htmx.http import trigger_client_event

# The event an htmx request without a session raises on the element that made it (it bubbles to
# the document): static/ramtid/app.js shows the notice, the plan's autosave its status.
SIGNED_OUT_EVENT = "ramtid:signed-out"


class HtmxSignedOutMiddleware:
    """An htmx request whose session has expired gets a 401 with the event `ramtid:signed-out`,
    not the redirect to the login page.

    htmx follows a redirect inside its request and would swap the whole login page into the part
    of the page it updates (the plan's save status, the order's time basis): a second <main>, a
    new title, focus moved, and what the user typed out of sight. htmx 2 swaps no 4xx response
    (its default `responseHandling`), so the page stays as it is; the event carries the address
    to sign in again with this page as `next`, for app.js's link in a new tab. Every other
    request still gets the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not (getattr(request, "htmx", False) and _is_sign_in_redirect(request, response)):
            return response
        signed_out = HttpResponse(status=401)
        # The page the request came from (None when it names another site): after signing in
        # again the new tab shows it, not the htmx endpoint that found the session gone.
        page = request.htmx.current_url_abs_path
        login_url = redirect_to_login(page).url if page else resolve_url(settings.LOGIN_URL)
        return trigger_client_event(signed_out, SIGNED_OUT_EVENT, {"login_url": login_url})


def _is_sign_in_redirect(request: HttpRequest, response: HttpResponse) -> bool:
    """The redirect `login_required` answers an anonymous user with."""
    return (
        isinstance(response, HttpResponseRedirectBase)
        and not request.user.is_authenticated
        and urlsplit(response.url).path == urlsplit(resolve_url(settings.LOGIN_URL)).path
    )


class NoStoreMiddleware:
    """Whatever a signed-in user is shown (pages, PDFs, exports, the API, by session or token) is
    not kept by the browser or a proxy: `Cache-Control: no-store` among others, so that the back
    button after signing out, or the next user of a shared computer, finds no client data.
    Static files never get here (WhiteNoise answers them first) and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view: DRF puts the user a token authenticated on the request too.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
