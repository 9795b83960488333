"""The notices' page and the start page's section pass axe in a real browser, with the menu's
count, and nothing on them breaks the Content-Security-Policy (no console errors)."""

import datetime

import pytest
from django.urls import reverse

from tests.bestallning.conftest import TODAY
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.uppfoljning.plan_check_helpers import executed
from uppfoljning.plan_check import run_plan_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("url", [reverse("notice_list"), reverse("start")], ids=["list", "start"])
@pytest.mark.parametrize("who", ["coordinator", "officer"])
def test_the_notices_pass_axe(page, watched, live_server, world, url, who):
    executed(world, on=TODAY - datetime.timedelta(days=30), client=world.client)
    run_plan_check()
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(url)
    assert response.status == 200
    assert page.locator(".site-nav .nav-count").inner_text().startswith("2")
    assert page.get_by_role("cell", name="Kontaktman inte utsedd").count() == 1
    assert_passes_axe(page)
    assert watched.errors == []
