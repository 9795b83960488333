"""Sessions (issue 10): the idle timeout and its warning, the longest session, and nothing a
signed-in user sees kept in the browser's cache (`Cache-Control: no-store`)."""

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ramtid.session_timeout import LAST_ACTIVITY, SIGNED_IN_AT

IDLE = 30 * 60


def _set(http: HttpClient, **values) -> None:
    session = http.session
    for key, value in values.items():
        session[key] = value
    session.save()


def _is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_stored_session_expires_after_the_idle_time_not_eight_hours(world):
    http = world.login(world.officer)
    assert http.get(reverse("start")).status_code == 200
    stored = Session.objects.get(session_key=http.session.session_key)
    left = (stored.expire_date - timezone.now()).total_seconds()
    assert IDLE - 60 < left <= IDLE


def test_thirty_idle_minutes_sign_the_user_out(world):
    http = world.login(world.officer)
    assert http.get(reverse("start")).status_code == 200
    _set(http, **{LAST_ACTIVITY: time.time() - IDLE - 1})

    assert _is_sent_to_login(http.get(reverse("start")))
    assert SESSION_KEY not in http.session


def test_an_expired_stored_session_is_signed_out(world):
    http = world.login(world.officer)
    Session.objects.filter(session_key=http.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert _is_sent_to_login(http.get(reverse("start")))


def test_activity_keeps_the_session(world):
    http = world.login(world.officer)
    _set(http, **{LAST_ACTIVITY: time.time() - IDLE + 60})

    assert http.get(reverse("client_list")).status_code == 200

    assert time.time() - http.session[LAST_ACTIVITY] < 5
    stored = Session.objects.get(session_key=http.session.session_key)
    assert (stored.expire_date - timezone.now()).total_seconds() > IDLE - 60


def test_the_idle_time_is_a_setting(world, settings):
    settings.RAMTID_SESSION_IDLE_SECONDS = 10 * 60
    http = world.login(world.officer)
    _set(http, **{LAST_ACTIVITY: time.time() - 11 * 60})
    assert _is_sent_to_login(http.get(reverse("start")))


def test_an_active_session_still_ends_eight_hours_after_signing_in(world):
    http = world.login(world.officer)
    _set(http, **{SIGNED_IN_AT: time.time() - 8 * 3600 - 1, LAST_ACTIVITY: time.time()})
    assert _is_sent_to_login(http.get(reverse("start")))


def test_signing_in_starts_the_clock(world):
    http = HttpClient()
    http.post(
        reverse("login"),
        {"username": world.officer.username, "password": "ett-långt-testlösenord"},
    )
    assert time.time() - http.session[SIGNED_IN_AT] < 5
    assert time.time() - http.session[LAST_ACTIVITY] < 5


def test_the_page_carries_the_warning_and_its_script(world):
    http = world.login(world.officer)
    html = http.get(reverse("start")).content.decode()
    assert 'role="alertdialog"' in html
    assert 'id="session-warning"' in html
    assert f'data-seconds-left="{IDLE}"' in html or f'data-seconds-left="{IDLE - 1}"' in html
    assert "Fortsätt vara inloggad" in html
    assert "ramtid/session" in html  # the script, a file: no inline script under the CSP
    assert "<script>" not in html


def test_the_signed_out_page_has_no_warning(db):
    html = HttpClient().get(reverse("login")).content.decode()
    assert "session-warning" not in html


def test_asking_how_long_is_left_is_not_activity_and_staying_is(world):
    http = world.login(world.officer)
    long_ago = time.time() - IDLE + 120
    _set(http, **{LAST_ACTIVITY: long_ago})

    status = http.get(reverse("session_status"))
    assert status.status_code == 200
    assert 110 <= status.json()["seconds_left"] <= 120
    assert http.session[LAST_ACTIVITY] == long_ago
    assert "no-store" in status["Cache-Control"]

    stay = http.post(reverse("session_status"))
    assert stay.status_code == 200
    assert stay.json()["seconds_left"] >= IDLE - 1
    assert time.time() - http.session[LAST_ACTIVITY] < 5


def test_an_ended_session_has_no_time_left_and_cannot_be_renewed(world):
    http = world.login(world.officer)
    _set(http, **{LAST_ACTIVITY: time.time() - IDLE - 1})
    assert http.get(reverse("session_status")).json() == {"seconds_left": 0}
    assert http.post(reverse("session_status")).json() == {"seconds_left": 0}
    assert SESSION_KEY not in http.session
    assert HttpClient().post(reverse("session_status")).json() == {"seconds_left": 0}


def test_staying_needs_the_csrf_token(world):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.officer)
    assert http.post(reverse("session_status")).status_code == 403


# --- Cache-Control: no-store ------------------------------------------------------------------


def test_a_page_for_a_signed_in_user_is_not_stored(world):
    response = world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_pdf_is_not_stored(world):
    response = world.login(world.officer).get(reverse("client_export", args=[world.client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_the_api_is_not_stored_by_session_or_token_user(world):
    by_session = world.login(world.officer).get("/api/brukare/")
    assert by_session.status_code == 200
    assert "no-store" in by_session["Cache-Control"]

    api = APIClient()
    api.force_authenticate(world.officer)
    by_api_user = api.get("/api/brukare/")
    assert by_api_user.status_code == 200
    assert "no-store" in by_api_user["Cache-Control"]
