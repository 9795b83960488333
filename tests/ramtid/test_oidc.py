"""Single sign-on through OpenID Connect (issue 10, ramtid/oidc.py), against a real provider on
127.0.0.1 (tests/ramtid/fake_oidc_provider.py): the browser's part is played by the test client
and `requests`, everything else is the real flow over HTTP.

Single sign-on is switched on as ramtid/settings.py does it, by `single_sign_on()` with the
values the environment would give, and ramtid/urls.py is read again so that its addresses exist.
"""

import importlib
import re
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from axes.models import AccessLog as SignInLog
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import ramtid.settings
import ramtid.urls
from ramtid import oidc
from ramtid.models import Membership, User
from ramtid.session_timeout import LAST_ACTIVITY, SIGNED_IN_AT
from tests.factories import UserFactory
from tests.ramtid import fake_oidc_provider as fake
from tests.ramtid.fake_oidc_provider import FakeProvider

PASSWORD = "ett-långt-testlösenord"  # UserFactory's
SIGN_IN = "/oidc/logga-in/"
CALLBACK = "/oidc/callback/"
BUTTON = "Logga in med kommunens inloggning"


def _reload_urls() -> None:
    importlib.reload(ramtid.urls)
    clear_url_caches()


@contextmanager
def single_sign_on(issuer: str, **changes):
    """Single sign-on on, as ramtid/settings.py turns it on from these environment values."""
    values = {
        "issuer": issuer,
        "client_id": fake.CLIENT_ID,
        "client_secret": fake.CLIENT_SECRET,
        "claim": "preferred_username",
        "user_field": "username",
        "scopes": "openid profile email",
        "sign_algo": "RS256",
        "end_provider_session": True,
        **changes,
    }
    added = ramtid.settings.single_sign_on(
        **values,
        authentication_backends=settings.AUTHENTICATION_BACKENDS,
        content_security_policy=settings.CONTENT_SECURITY_POLICY,
    )
    oidc._discovered.clear()
    try:
        with override_settings(**added):
            _reload_urls()
            yield
    finally:
        _reload_urls()
        oidc._discovered.clear()


@pytest.fixture
def provider():
    with FakeProvider() as running:
        yield running


@pytest.fixture
def sso(provider):
    with single_sign_on(provider.issuer):
        yield provider


def _sign_in_at_provider(http: HttpClient, next_url: str | None = None):
    """The button, the provider's sign-in and the way back: the callback's response."""
    start = http.get(SIGN_IN + (f"?next={quote(next_url)}" if next_url else ""))
    assert start.status_code == 302, start
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    return http.get(at_provider.headers["Location"])


def _callback_url(http: HttpClient) -> str:
    """Where the provider sends the browser back, without going there."""
    start = http.get(SIGN_IN)
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    return at_provider.headers["Location"]


def _signed_in(http: HttpClient) -> bool:
    return SESSION_KEY in http.session


def _refused_with(http: HttpClient, response, reason: str) -> None:
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not _signed_in(http)
    page = http.get(response.url).content.decode()
    assert oidc.MESSAGES[reason] in page


# --- A known user --------------------------------------------------------------------------------


def test_a_known_user_signs_in_at_the_provider_and_lands_on_the_start_page(world, sso):
    officer = world.officer
    roles_before = list(Membership.objects.filter(user=officer).values_list("role", flat=True))
    # The provider's spelling of the username, and roles and groups of its own, which count for
    # nothing: roles come from Ramtid, approved by a second person.
    sso.claims = {
        "sub": "sub-handlaggare",
        "preferred_username": "Handlaggare",
        "roles": ["administrator", "unit_manager"],
        "groups": ["Ramtid-admin"],
    }
    http = HttpClient()

    response = _sign_in_at_provider(http)

    assert response.status_code == 302
    assert response.url == reverse("start")
    assert http.session[SESSION_KEY] == str(officer.pk)
    assert http.session[BACKEND_SESSION_KEY] == oidc.BACKEND
    start = http.get(response.url)
    assert start.status_code == 200
    assert str(officer) in start.content.decode()
    officer.refresh_from_db()
    assert not officer.is_staff and not officer.is_superuser
    assert list(Membership.objects.filter(user=officer).values_list("role", flat=True)) == (
        roles_before
    )
    # The whole flow went over HTTP to the provider: code for tokens, its keys, its userinfo.
    assert {"POST /token", "GET /jwks", "GET /userinfo"} <= set(sso.requests)
    # The sign-in is in the sign-in log, marked as made through the provider.
    logged = SignInLog.objects.get(username=officer.username)
    assert logged.path_info == CALLBACK


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/brukare/", "/brukare/"), ("https://angripare.example/", "/")],
)
def test_the_sign_in_goes_on_to_where_the_user_was_going_on_this_site_only(
    world, sso, next_url, lands_on
):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    response = _sign_in_at_provider(HttpClient(), next_url=next_url)
    assert response.status_code == 302
    assert response.url == lands_on


def test_the_login_page_offers_the_provider_and_passwords_still_work(world, sso):
    http = HttpClient()
    page = http.get(reverse("login") + "?next=/brukare/").content.decode()
    assert f'href="{SIGN_IN}?next=/brukare/"' in page
    assert BUTTON in page
    assert 'name="password"' in page

    response = http.post(
        reverse("login"), {"username": world.manager.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert http.session[SESSION_KEY] == str(world.manager.pk)
    # A password sign-in does not ask the provider anything.
    assert sso.requests == []


def test_the_password_lockout_still_comes_first(world, sso):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AUTHENTICATION_BACKENDS[-1] == oidc.BACKEND
    for _ in range(5):
        HttpClient().post(
            reverse("login"), {"username": world.officer.username, "password": "fel-lösenord-igen"}
        )
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": world.officer.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert not _signed_in(http)


def test_the_idle_timeout_ends_a_session_signed_in_at_the_provider(world, sso):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    http = HttpClient()
    _sign_in_at_provider(http)
    assert time.time() - http.session[SIGNED_IN_AT] < 60

    session = http.session
    session[LAST_ACTIVITY] = time.time() - settings.RAMTID_SESSION_IDLE_SECONDS - 1
    session.save()
    response = http.get(reverse("start"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not _signed_in(http)


def test_an_account_switched_off_after_signing_in_is_signed_out(world, sso):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    http = HttpClient()
    _sign_in_at_provider(http)
    User.objects.filter(pk=world.officer.pk).update(is_active=False)

    response = http.get(reverse("start"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_matching_by_email_ignores_case(db, provider):
    user = UserFactory(username="a123", email="Anna.Berg@Kommun.se")
    provider.claims = {"sub": "sub-anna", "email": "anna.berg@kommun.se"}
    with single_sign_on(provider.issuer, claim="email", user_field="email"):
        http = HttpClient()
        response = _sign_in_at_provider(http)
    assert response.url == reverse("start")
    assert http.session[SESSION_KEY] == str(user.pk)


# --- Refused ------------------------------------------------------------------------------------


def test_an_unknown_user_is_refused_with_a_message_and_no_account_is_made(world, sso):
    sso.claims = {"sub": "sub-okand", "preferred_username": "okand", "email": "okand@kommun.se"}
    users = User.objects.count()
    http = HttpClient()

    _refused_with(http, _sign_in_at_provider(http), oidc.UNKNOWN)

    assert User.objects.count() == users


def test_an_inactive_user_is_refused(world, sso):
    User.objects.filter(pk=world.officer.pk).update(is_active=False)
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    http = HttpClient()
    _refused_with(http, _sign_in_at_provider(http), oidc.INACTIVE)


def test_nobody_signs_in_as_an_integration_account(db, sso):
    UserFactory(username="system-utforare", is_integration_account=True)
    sso.claims = {"sub": "sub-system", "preferred_username": "system-utforare"}
    http = HttpClient()
    _refused_with(http, _sign_in_at_provider(http), oidc.UNKNOWN)


def test_two_accounts_with_the_claimed_email_are_refused(db, provider):
    UserFactory(email="delad@kommun.se")
    UserFactory(email="Delad@kommun.se")
    provider.claims = {"sub": "sub-delad", "email": "delad@kommun.se"}
    with single_sign_on(provider.issuer, claim="email", user_field="email"):
        http = HttpClient()
        _refused_with(http, _sign_in_at_provider(http), oidc.AMBIGUOUS)


def test_a_provider_that_does_not_send_the_claim_is_refused(world, sso):
    sso.claims = {"sub": "sub-handlaggare"}
    http = HttpClient()
    _refused_with(http, _sign_in_at_provider(http), oidc.NO_CLAIM)


@pytest.mark.parametrize(
    "mischief",
    [
        fake.WRONG_KEY,
        fake.WRONG_NONCE,
        fake.WRONG_AUDIENCE,
        fake.WRONG_ISSUER,
        fake.EXPIRED,
        fake.UNSIGNED,
        fake.OTHER_SUBJECT,
    ],
)
def test_a_forged_or_wrong_token_is_refused(world, sso, mischief):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    sso.mischief = mischief
    http = HttpClient()
    _refused_with(http, _sign_in_at_provider(http), oidc.REJECTED)


def test_a_forged_state_is_refused(world, sso):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    http = HttpClient()
    back = urlsplit(_callback_url(http))
    query = parse_qs(back.query)

    response = http.get(CALLBACK, {"code": query["code"][0], "state": "förfalskad"})

    _refused_with(http, response, oidc.REJECTED)


def test_the_answer_works_only_in_the_browser_that_asked_and_only_once(world, sso):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    asked = HttpClient()
    back = _callback_url(asked)

    other = HttpClient()
    _refused_with(other, other.get(back), oidc.REJECTED)

    assert asked.get(back).url == reverse("start")
    assert _signed_in(asked)
    asked.post(reverse("logout"))
    _refused_with(asked, asked.get(back), oidc.REJECTED)


def test_a_sign_in_cancelled_at_the_provider_says_so(world, sso):
    http = HttpClient()
    state = parse_qs(urlsplit(http.get(SIGN_IN)["Location"]).query)["state"][0]
    response = http.get(CALLBACK, {"error": "access_denied", "state": state})
    _refused_with(http, response, oidc.CANCELLED)


def test_a_provider_that_does_not_answer_sends_the_user_back_with_a_message(db):
    with FakeProvider() as gone:
        issuer = gone.issuer  # an address where nothing listens once it has stopped
    with single_sign_on(issuer):
        http = HttpClient()
        response = http.get(SIGN_IN)
        _refused_with(http, response, oidc.UNAVAILABLE)
        assert BUTTON in http.get(reverse("login")).content.decode()


# --- Signing out ---------------------------------------------------------------------------------


def test_signing_out_ends_the_session_here_and_at_the_provider(world, sso):
    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    http = HttpClient()
    _sign_in_at_provider(http)
    id_token = http.session["oidc_id_token"]

    response = http.post(reverse("logout"))

    assert not _signed_in(http)
    assert response.status_code == 302
    address = urlsplit(response.url)
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{sso.issuer}/logout"
    assert parse_qs(address.query) == {
        "client_id": [fake.CLIENT_ID],
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/logga-in/"],
    }
    back = requests.get(response.url, allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://testserver/logga-in/"


def test_a_password_session_signs_out_here_only(world, sso):
    http = world.login(world.officer)
    response = http.post(reverse("logout"))
    assert response.url == reverse("login")
    assert not _signed_in(http)
    assert sso.requests == []


@pytest.mark.parametrize("why", ["setting off", "provider has no end-session endpoint"])
def test_without_the_provider_sign_out_only_the_session_here_ends(world, provider, why):
    provider.end_session = why != "provider has no end-session endpoint"
    provider.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    with single_sign_on(provider.issuer, end_provider_session=why != "setting off"):
        http = HttpClient()
        _sign_in_at_provider(http)
        response = http.post(reverse("logout"))
    assert response.url == reverse("login")
    assert not _signed_in(http)
    assert "GET /logout" not in provider.requests


def test_the_content_security_policy_lets_sign_out_go_on_to_the_provider(db, sso):
    policy = HttpClient().get(reverse("login"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", sso.issuer]


# --- Off by default ------------------------------------------------------------------------------


def test_off_by_default_nothing_of_it_is_there(world):
    assert settings.RAMTID_OIDC_ISSUER == ""
    assert oidc.BACKEND not in settings.AUTHENTICATION_BACKENDS
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")
    http = HttpClient()
    assert http.get(SIGN_IN).status_code == 404
    assert http.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404
    page = http.get(reverse("login")).content.decode()
    assert "kommunens inloggning" not in page
    assert 'name="password"' in page
    # Signing out is Django's.
    signed_in = world.login(world.officer)
    assert signed_in.post(reverse("logout")).url == reverse("login")


def test_switched_off_nothing_is_added():
    assert ramtid.settings.single_sign_on(
        issuer="",
        client_id="",
        client_secret="",
        claim="preferred_username",
        user_field="username",
        scopes="openid profile email",
        sign_algo="RS256",
        end_provider_session=True,
        authentication_backends=["x"],
        content_security_policy={},
    ) == {"RAMTID_OIDC_ISSUER": ""}


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"issuer": "http://login.kommun.se"}, "https"),
        ({"client_secret": ""}, "RAMTID_OIDC_CLIENT_SECRET"),
        ({"user_field": "first_name"}, "RAMTID_OIDC_USER_FIELD"),
        ({"claim": ""}, "RAMTID_OIDC_CLAIM"),
        ({"scopes": "profile email"}, "RAMTID_OIDC_SCOPES"),
        ({"sign_algo": "HS256"}, "RAMTID_OIDC_SIGN_ALGO"),
    ],
)
def test_a_bad_configuration_stops_the_start_with_a_message(change, names):
    values = {
        "issuer": "https://login.kommun.se/realms/ramtid",
        "client_id": "ramtid",
        "client_secret": "hemlig",
        "claim": "preferred_username",
        "user_field": "username",
        "scopes": "openid profile email",
        "sign_algo": "RS256",
        "end_provider_session": True,
        **change,
    }
    with pytest.raises(ImproperlyConfigured, match=names):
        ramtid.settings.single_sign_on(
            **values,
            authentication_backends=settings.AUTHENTICATION_BACKENDS,
            content_security_policy=settings.CONTENT_SECURITY_POLICY,
        )


# --- In the browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_button_signs_in_and_signing_out_passes_the_provider(
    page, watched, live_server, world, sso
):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    sso.claims = {"sub": "sub-handlaggare", "preferred_username": "handlaggare"}
    page.goto(reverse("login"))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_role("link", name=BUTTON).click()

    expect(page).to_have_url(live_server.url + reverse("start"))
    expect(page.locator(".site-header__name")).to_have_text(str(world.officer))

    # The sign-out form is redirected to the provider, which the content security policy allows,
    # and the provider sends the browser back to the login page.
    page.get_by_role("button", name="Logga ut").click()

    expect(page).to_have_url(live_server.url + reverse("login"))
    assert any(request.startswith("GET /logout ") for request in sso.requests)
    page.goto(reverse("start"))
    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("login"))))
    assert watched.errors == []
