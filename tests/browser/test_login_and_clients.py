"""A case officer's first minutes, in a real browser: log in, find a client, open the case.

Also what every page must keep: no console errors (a CSP violation is one), nothing requested from
anywhere but our own server, and a skip link first in the tab order.
"""

import os
import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-testlösenord"


def only_our_server(watched, live_server) -> None:
    assert watched.requests, "the page made no requests at all?"
    foreign = [url for url in watched.requests if not url.startswith(live_server.url + "/")]
    assert foreign == [], f"requests outside the live server: {foreign}"


def focus_by_tabbing(page, name: str, limit: int = 20) -> None:
    """Press Tab until the link or button called `name` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused == name:
            return
    pytest.fail(f"{name!r} could not be reached with Tab")


def test_officer_logs_in_finds_a_client_and_opens_the_case(
    page, watched, live_server, world, transactional_db
):
    client = world.client  # Lisa Andersson, in the officer's unit
    ClientFactory(ordering_unit=world.unit, first_name="Bertil", last_name="Svensson")
    ClientFactory(
        ordering_unit=world.unit,
        first_name="Karin",
        last_name="Berg",
        responsible_officer=world.officer,
        protected_identity=True,
    )

    # Log in through the form: the start page needs a login and sends us there.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in/\?next=/$"))
    page.get_by_label("Användarnamn").press_sequentially(world.officer.username)
    page.get_by_label("Lösenord").press_sequentially(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(live_server.url + reverse("start"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Start")
    expect(page.get_by_text("Du har behörighet att se 3 brukare.")).to_be_visible()

    # To the client list with the keyboard, through the main menu.
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Start")).to_have_attribute("aria-current", "page")
    focus_by_tabbing(page, "Brukare")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("client_list"))
    expect(nav.get_by_role("link", name="Brukare")).to_have_attribute("aria-current", "page")
    table = page.locator("#client-table")
    expect(table.get_by_role("row")).to_have_count(4)  # a header row and three clients
    expect(table).to_contain_text(client.personal_number_masked)
    expect(table).not_to_contain_text(client.personal_number_display)
    expect(table.locator("tbody").get_by_text("Skyddade personuppgifter")).to_have_count(1)
    if os.environ.get("RAMTID_SCREENSHOT"):
        page.screenshot(path=os.environ["RAMTID_SCREENSHOT"], full_page=False)

    # Typing part of the surname narrows the table through htmx, without loading a new page.
    page.evaluate("() => { window.stillTheSamePage = true }")
    search = page.get_by_label("Sök på namn eller personnummer")
    with page.expect_response(
        lambda r: r.url.endswith(reverse("client_list")) and r.request.method == "POST"
    ) as searched:
        search.press_sequentially("nders", delay=50)
    assert searched.value.request.headers.get("hx-request") == "true"
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Andersson, Lisa")
    expect(table).not_to_contain_text("Svensson")
    expect(page.get_by_role("status")).to_have_text("1 brukare matchar sökningen.")
    assert page.evaluate("() => window.stillTheSamePage") is True

    # Searching by a personal number sends it in the request body, never in a URL.
    search.fill("")
    with page.expect_response(lambda r: client.personal_number[8:] in (r.request.post_data or "")):
        search.press_sequentially(client.personal_number_display)
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Andersson, Lisa")

    # The client's own page shows the full number; the address bar shows none of it.
    table.get_by_role("link", name="Andersson, Lisa").click()
    expect(page).to_have_url(live_server.url + reverse("client_detail", args=[client.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lisa Andersson")
    expect(page.locator("dl")).to_contain_text(client.personal_number_display)
    expect(page.get_by_role("link", name="Registerutdrag (PDF)")).to_be_visible()

    digits = client.personal_number
    for url in [page.url, *watched.requests]:
        for part in (digits, digits[2:], digits[:8], digits[2:8], digits[8:]):
            assert part not in url, f"{part} of the personal number is in {url}"

    assert watched.errors == []
    only_our_server(watched, live_server)


def log_in_with_a_cookie(page, live_server, user) -> None:
    """Skip the login form (the first test uses it): a session made by Django's test client."""
    session = HttpClient()
    session.force_login(user)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(
    page, watched, live_server, world, transactional_db
):
    log_in_with_a_cookie(page, live_server, world.officer)
    for url in (
        reverse("start"),
        reverse("client_list"),
        reverse("client_detail", args=[world.client.pk]),
    ):
        response = page.goto(url)
        # The console check below means something only while the CSP forbids inline code.
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        assert focused == "Hoppa till huvudinnehållet", url
        expect(page.get_by_role("link", name="Hoppa till huvudinnehållet")).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main", url

    assert watched.errors == []
    only_our_server(watched, live_server)
