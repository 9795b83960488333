"""The log review in Chromium, by keyboard alone: find a client by personal number (which never
reaches an address), read the flagged log, draw the month's sample and give the conclusion; the
pages pass axe."""

import datetime
import os

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ramtid.choices import AccessAction, Role
from ramtid.models import AccessLog, AccessLogReview
from tests.factories import ClientFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user) -> None:
    session = HttpClient()
    session.force_login(user)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_security_officer_reviews_the_log_by_keyboard(page, watched, live_server, world):
    from axe_playwright_python.sync_playwright import Axe

    reviewer = member(
        UserFactory(username="loggkontroll", first_name="Sofia", last_name="Lind"),
        Role.SECURITY_OFFICER,
        municipality=world.municipality,
    )
    protected = ClientFactory(
        ordering_unit=world.unit,
        responsible_officer=world.officer,
        first_name="Greta",
        last_name="Skyddad",
        protected_identity=True,
    )
    colleague = member(UserFactory(username="kollega"), Role.CASE_OFFICER, unit=world.unit)
    for user, client in ((world.officer, protected), (colleague, protected)):
        AccessLog.objects.create(
            user=user, client_ids=[client.pk], action=AccessAction.VIEW, what="Brukarsidan"
        )
    number = protected.personal_number
    _log_in(page, live_server, reviewer)
    page.goto(reverse("start"))

    # The menu leads to the log review.
    page.get_by_role("link", name="Loggkontroll").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Loggkontroll")

    # The client is found by her personal number, posted: the address gets her id only.
    page.get_by_label("Namn, personnummer eller användarnamn").focus()
    page.keyboard.type(f"{number[:8]}-{number[8:]}")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Brukare: Greta Skyddad")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{reverse('log_review')}?brukare={protected.pk}")
    table = page.get_by_role("table", name="Åtkomster, den senaste först")
    # The two reads, and the reviewer's own first look at the log: reading it is logged too.
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="kollega")).to_contain_text("Utanför uppdraget")
    expect(rows.filter(has_text=world.officer.username)).not_to_contain_text("Utanför uppdraget")
    expect(rows.filter(has_text="loggkontroll")).to_contain_text("Loggkontroll")
    expect(table.locator(".tag", has_text="Skyddade personuppgifter")).to_have_count(3)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # The month's sample: the link, the form, Enter draws it.
    page.get_by_role("link", name="Stickprov för den månatliga loggkontrollen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stickprov för loggkontroll")
    today = timezone.localdate()
    # (Tab moves between a date field's own parts in Chromium: the dates are filled in.)
    page.get_by_label("Från och med").fill((today - datetime.timedelta(days=7)).isoformat())
    page.get_by_label("Till och med").fill(today.isoformat())
    page.get_by_label("Antal åtkomster i stickprovet").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Stickprov")
    review = AccessLogReview.objects.get()
    expect(page).to_have_url(live_server.url + reverse("log_review_sample", args=[review.pk]))
    expect(page.get_by_text("Stickprovet är draget")).to_be_visible()
    sample = page.get_by_role("table", name="Åtkomsterna i stickprovet, den senaste först")
    expect(sample.locator("tbody tr")).to_have_count(len(review.sample))
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # The conclusion, given once: then only read.
    page.get_by_role("textbox", name="Slutsats").focus()
    page.keyboard.type("Kollegans läsning av skyddad brukare utreds med enhetschefen.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Spara slutsatsen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Slutsatsen är sparad.")).to_be_visible()
    expect(page.get_by_text("Slutsatsen kan inte ändras.")).to_be_visible()
    expect(page.get_by_role("button", name="Spara slutsatsen")).to_have_count(0)
    review.refresh_from_db()
    assert review.concluded_by == reviewer

    if os.environ.get("RAMTID_SCREENSHOT"):
        page.screenshot(path=os.environ["RAMTID_SCREENSHOT"], full_page=True)
    for url in [page.url, *watched.requests]:
        assert number[2:8] not in url and number[-4:] not in url.split("?")[0]
    assert watched.errors == []
