"""The client list's filters in Chromium: with htmx the table follows each choice without a new
page, the address keeps the filters (never the search), and the page passes axe."""

import os

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user) -> None:
    session = HttpClient()
    session.force_login(user)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_officer_filters_her_clients_and_searches_among_them(
    page, watched, live_server, world, transactional_db
):
    from axe_playwright_python.sync_playwright import Axe

    ake = ClientFactory(
        ordering_unit=world.unit,
        first_name="Åke",
        last_name="Öberg",
        responsible_officer=world.officer,
    )
    ClientFactory(ordering_unit=world.unit, first_name="Åsa", last_name="Ek")  # no officer
    _log_in(page, live_server, world.officer)
    page.goto(reverse("client_list"))
    table = page.locator("#client-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    page.evaluate("() => { window.stillTheSamePage = true }")

    page.get_by_label("Visa", exact=True).select_option(label="Mina brukare")
    expect(table.locator("tbody tr")).to_have_count(2)  # Lisa Andersson and Åke Öberg
    expect(page.get_by_role("status")).to_have_text("2 brukare matchar urvalet.")
    expect(page).to_have_url(live_server.url + reverse("client_list") + "?mina=1")

    page.get_by_label("Sök på namn eller personnummer").press_sequentially("ake", delay=30)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Öberg, Åke")
    expect(page.get_by_role("status")).to_have_text("1 brukare matchar sökningen.")

    # Every client here is without a started or waiting order.
    page.get_by_label("Beställningar").select_option(label="Väntar på start")
    expect(page.get_by_role("status")).to_have_text("Inga brukare matchar sökningen.")
    expect(page).to_have_url(live_server.url + reverse("client_list") + "?mina=1&status=vantar")
    assert page.evaluate("() => window.stillTheSamePage") is True

    # A reload keeps the filters and, as the search is never in the address, not the search.
    page.reload()
    expect(page.get_by_label("Visa", exact=True)).to_have_value("1")
    expect(page.get_by_label("Beställningar")).to_have_value("vantar")
    expect(page.get_by_label("Sök på namn eller personnummer")).to_have_value("")

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    for url in [page.url, *watched.requests]:
        assert ake.personal_number[2:8] not in url
        assert "q=" not in url and "=ake" not in url
    if os.environ.get("RAMTID_SCREENSHOT"):
        page.screenshot(path=os.environ["RAMTID_SCREENSHOT"], full_page=True)
    assert watched.errors == []
