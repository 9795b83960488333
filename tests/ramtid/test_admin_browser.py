"""The admin in Chromium: a double click on "Spara" makes one API key, not two (the admin loads
Ramtid's page-wide script too, templates/admin/base_site.html)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ramtid.models import ApiToken
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.factories import integration_account
from tests.uppfoljning.test_imports_browser import posts, press_twice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_spara_makes_one_api_key(page, watched, live_server, world):
    system = integration_account(provider=world.provider)
    expires = timezone.localtime() + datetime.timedelta(days=30)
    log_in_with_a_cookie(page, live_server, world.administrator)
    url = reverse("admin:ramtid_apitoken_add")
    page.goto(live_server.url + url)
    page.locator("#id_name").fill("Lifecare")
    page.locator("#id_user").select_option(str(system.pk))
    page.locator("#id_provider").select_option(str(world.provider.pk))
    page.locator("#id_expires_at_0").fill(f"{expires:%Y-%m-%d}")
    page.locator("#id_expires_at_1").fill("12:00:00")
    sent = posts(page)

    press_twice(page, page.locator('input[name="_save"]'), live_server.url + url)

    expect(page.get_by_role("heading", name="API-nyckeln är skapad")).to_be_visible()
    page.wait_for_timeout(500)  # a second post would have arrived by now
    assert sent == [live_server.url + url]
    assert ApiToken.objects.filter(user=system).count() == 1
    assert watched.errors == []
