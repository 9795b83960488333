"""Signing in (issue 10): the lockout after repeated failures, on the site and in the admin, the
password rules, and changing one's own password."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from ramtid.password_validation import PredictablePasswordValidator
from tests.factories import UserFactory

PASSWORD = "ett-långt-testlösenord"  # UserFactory's
LOGIN_PAGES = ["/logga-in/", "/admin/login/"]


def _sign_in(http: HttpClient, url: str, username: str, password: str):
    return http.post(url, {"username": username, "password": password, "next": "/"})


def _signed_in(http: HttpClient) -> bool:
    return SESSION_KEY in http.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_five_failures_lock_the_username_out_even_with_the_right_password(world, url):
    user = world.administrator  # staff, so the admin would let her in
    http = HttpClient()
    for _ in range(5):
        response = _sign_in(http, url, user.username, "fel-lösenord-igen")
        assert not _signed_in(http)

    response = _sign_in(http, url, user.username, PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(http)
    page = response.content.decode()
    assert "Inloggningen är tillfälligt spärrad" in page
    assert "30 minuter" in page
    # The next attempt with the right password, from another browser, is refused too.
    assert _sign_in(HttpClient(), url, user.username, PASSWORD).status_code == 429


def test_the_lockout_counts_the_site_and_the_admin_together(world):
    user = world.administrator
    for url in ["/logga-in/", "/admin/login/", "/logga-in/", "/admin/login/", "/logga-in/"]:
        _sign_in(HttpClient(), url, user.username, "fel-lösenord-igen")
    assert _sign_in(HttpClient(), "/logga-in/", user.username, PASSWORD).status_code == 429


def test_the_lockout_is_for_that_username_only(world):
    for _ in range(5):
        _sign_in(HttpClient(), "/logga-in/", world.officer.username, "fel-lösenord-igen")
    http = HttpClient()
    response = _sign_in(http, "/logga-in/", world.manager.username, PASSWORD)
    assert response.status_code == 302
    assert _signed_in(http)


def test_a_success_resets_the_count(world):
    user = world.officer
    for _ in range(4):
        _sign_in(HttpClient(), "/logga-in/", user.username, "fel-lösenord-igen")
    assert _sign_in(HttpClient(), "/logga-in/", user.username, PASSWORD).status_code == 302
    for _ in range(4):
        _sign_in(HttpClient(), "/logga-in/", user.username, "fel-lösenord-igen")

    http = HttpClient()
    assert _sign_in(http, "/logga-in/", user.username, PASSWORD).status_code == 302
    assert _signed_in(http)


def test_after_the_cool_off_the_right_password_works_again(world):
    user = world.officer
    for _ in range(5):
        _sign_in(HttpClient(), "/logga-in/", user.username, "fel-lösenord-igen")
    # Attempts while locked out do not prolong the lockout.
    _sign_in(HttpClient(), "/logga-in/", user.username, PASSWORD)
    AccessAttempt.objects.filter(username=user.username).update(
        attempt_time=AccessAttempt.objects.get(username=user.username).attempt_time
        - timedelta(minutes=31)
    )

    http = HttpClient()
    assert _sign_in(http, "/logga-in/", user.username, PASSWORD).status_code == 302
    assert _signed_in(http)


def test_the_limit_and_the_cool_off_are_settings(world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=10)
    for _ in range(2):
        _sign_in(HttpClient(), "/logga-in/", world.officer.username, "fel-lösenord-igen")
    response = _sign_in(HttpClient(), "/logga-in/", world.officer.username, PASSWORD)
    assert response.status_code == 429
    assert "10 minuter" in response.content.decode()


def test_the_attempt_is_recorded_with_the_address_the_audit_trail_trusts(world):
    # Not behind a proxy (DJANGO_BEHIND_PROXY off): a forwarded address is not believed.
    HttpClient().post(
        "/logga-in/",
        {"username": world.officer.username, "password": "fel-lösenord-igen"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    attempt = AccessAttempt.objects.get(username=world.officer.username)
    assert attempt.ip_address == "198.51.100.7"
    assert PASSWORD not in attempt.post_data and "fel-lösenord-igen" not in attempt.post_data


# --- Password rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Sommar2026!!",
        "Vinter-2025!",
        "!!Juli-2025??",
        "Password2024!",
        "Lösenord1234!",
        "Måndag12345!",
        "Qwerty123456",
    ],
)
def test_a_guessable_word_with_digits_and_signs_is_refused(db, password):
    user = UserFactory(username="anna", first_name="Anna", last_name="Svensson")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any("årstid" in message for message in refused.value.messages)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("kort-1!", "minst 12 tecken"),
        ("123456789012345", "enbart numeriskt"),
        ("annasvensson1", "likt"),
        ("password1234", "vanligt"),
    ],
)
def test_the_other_rules_speak_swedish(db, password, why):
    user = UserFactory(username="annasvensson", first_name="Anna", last_name="Svensson")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(why in message for message in refused.value.messages), refused.value.messages


@pytest.mark.parametrize(
    "password", ["blå-tröja-cykel-fika", "Korrekt häst batteri 7", "ramtid-demo-2026"]
)
def test_a_passphrase_passes(db, password):
    validate_password(password, UserFactory(username="anna", first_name="Anna"))


def test_the_predictable_rule_looks_only_at_the_letters():
    rule = PredictablePasswordValidator()
    rule.validate("s0mmarfest-2026")  # "smmarfest": not a word on the lists
    with pytest.raises(ValidationError):
        rule.validate("2026 SOMMAR 2026")


# --- Changing one's password ------------------------------------------------------------------


def test_every_signed_in_user_finds_the_page_from_the_header(world):
    http = world.login(world.contact_person)
    start = http.get(reverse("start")).content.decode()
    assert f'href="{reverse("password_change")}"' in start
    page = http.get(reverse("password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Byt lösenord</h1>" in html
    assert 'autocomplete="current-password"' in html
    assert 'autocomplete="new-password"' in html


def test_the_page_needs_a_sign_in(db):
    response = HttpClient().get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_changing_the_password_signs_out_every_other_session_and_keeps_this_one(world):
    user = world.officer
    here = world.login(user)
    elsewhere = world.login(user)
    assert elsewhere.get(reverse("start")).status_code == 200

    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "blå-tröja-cykel-fika",
            "new_password2": "blå-tröja-cykel-fika",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("start")
    user.refresh_from_db()
    assert user.check_password("blå-tröja-cykel-fika")
    page = here.get(reverse("start"))
    assert page.status_code == 200
    assert "Ditt lösenord är bytt" in page.content.decode()
    signed_out = elsewhere.get(reverse("start"))
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("login"))


def test_a_refused_password_is_not_saved_and_the_error_names_the_field(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Sommar2026!!",
            "new_password2": "Sommar2026!!",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Formuläret innehåller fel" in html
    assert "årstid" in html
    world.officer.refresh_from_db()
    assert world.officer.check_password(PASSWORD)


def test_a_wrong_old_password_is_refused(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("password_change"),
        {
            "old_password": "inte-det-gamla-lösenordet",
            "new_password1": "blå-tröja-cykel-fika",
            "new_password2": "blå-tröja-cykel-fika",
        },
    )
    assert response.status_code == 200
    world.officer.refresh_from_db()
    assert world.officer.check_password(PASSWORD)
