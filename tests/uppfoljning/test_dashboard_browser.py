"""The managers' dashboard in a real browser (Chromium): the chart is drawn inline under the
strict Content-Security-Policy without a violation, the page passes axe, and a figure's link
leads to its clients."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.uppfoljning.test_dashboard import PERIOD, seeded  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_chart_under_the_csp_and_passes_axe(
    page,
    watched,
    live_server,
    world,
    seeded,  # noqa: F811
):
    log_in_with_a_cookie(page, live_server, world.manager)

    response = page.goto(reverse("dashboard") + "?" + urlencode(PERIOD))

    assert response.status == 200
    chart = page.get_by_role("img", name="Beställd och utförd tid per månad, timmar")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 300
    # The granted hours come in by htmx.
    page.get_by_text("Beviljad tid för kvinnor och män per handläggare").wait_for()
    assert_passes_axe(page)
    # No CSP report, no script error, nothing fetched from elsewhere.
    assert watched.errors == []
    assert all(url.startswith(live_server.url) for url in watched.requests)

    page.get_by_role("link", name="1 saknas").click()

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Planer som saknas, tidsfristen har gått ut"
    )
    assert page.get_by_role("table").get_by_role("row").count() == 2
    assert "Saknas" in page.get_by_role("table").inner_text()
