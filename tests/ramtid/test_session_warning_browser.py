"""The idle timeout's warning in Chromium: it appears before the end with focus on "Fortsätt vara
inloggad", the keyboard keeps the session, and at the end it says the user has been signed out."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from playwright.sync_api import expect

from ramtid import session_timeout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_warning_keeps_the_session_and_then_says_it_ended(
    page, watched, live_server, world, settings, monkeypatch
):
    from axe_playwright_python.sync_playwright import Axe

    # A short session, warned about at once: 4 seconds after the page loads.
    settings.RAMTID_SESSION_IDLE_SECONDS = 184
    monkeypatch.setattr(session_timeout, "WARNING_SECONDS", 180)
    http = HttpClient()
    http.force_login(world.officer)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(reverse("client_list"))
    search = page.get_by_label("Sök på namn eller personnummer")
    search.focus()

    dialog = page.get_by_role("alertdialog", name="Du loggas snart ut")
    expect(dialog).to_be_visible(timeout=15_000)
    stay = dialog.get_by_role("button", name="Fortsätt vara inloggad")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text(re.compile(r"Om 3 minuter loggas du ut"))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(search).to_be_focused()  # back where the user was

    # The session ends on the server (signed out elsewhere, or idle): at its next check the page
    # says so, with a way back in.
    Session.objects.filter(session_key=cookie.value).delete()
    ended = page.get_by_role("alertdialog", name="Du har loggats ut")
    expect(ended).to_be_visible(timeout=15_000)
    expect(ended.get_by_role("link", name="Logga in igen")).to_have_attribute(
        "href", reverse("login") + "?next=" + reverse("client_list").replace("/", "%2F")
    )
    expect(ended.get_by_role("button")).to_have_count(0)
    assert watched.errors == []
