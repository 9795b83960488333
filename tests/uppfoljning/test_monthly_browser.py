"""The monthly time check's pages in a real browser: the month's results and a result's page pass
axe for the officer and the provider's coordinator; the coordinator explains a month with the
keyboard alone (Tab, type, press: nothing is sent by tabbing or typing); the officer approves it
with an explicit press; a double click on "Godkänn" records one decision; and the back button
after the decision sends nothing again."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.uppfoljning.monthly_helpers import add_visits, sent_order
from tests.uppfoljning.test_imports_browser import posts, press_twice, tab_to
from uppfoljning.choices import ExplanationCategory, ExplanationDecision
from uppfoljning.models import MonthlyTimeResult, MonthlyTimeResultEvent
from uppfoljning.monthly import explain_month, run_monthly_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)  # this month: its billing deadline is ahead whatever the day
MANAD = f"{MONTH:%Y-%m}"
APPROVE = "Godkänn förklaringen"


@pytest.fixture
def result(world) -> MonthlyTimeResult:
    """Lisa's month at the world's provider: 3000 minutes ordered, 4000 performed (over)."""
    order = sent_order(world, client=world.client, monthly=3000,
                       valid_from=MONTH - datetime.timedelta(days=40))  # fmt: skip
    add_visits(order, MONTH, performed=4000, declined=45)
    # A second client within the tolerance, so that the list has more than one kind of row.
    within = sent_order(world, monthly=600, valid_from=MONTH - datetime.timedelta(days=40))
    add_visits(within, MONTH, performed=600)
    run_monthly_check(municipality=world.municipality, month=MONTH)
    return MonthlyTimeResult.objects.get(order=order)


@pytest.fixture
def explained(world, result) -> MonthlyTimeResult:
    return explain_month(result=result, by=world.coordinator,
                         category=ExplanationCategory.ABSENCE,
                         text="Dottern var hemma två veckor och hjälpte till.")  # fmt: skip


def decisions(result) -> int:
    """The decisions recorded on the month (its pghistory events)."""
    return MonthlyTimeResultEvent.objects.filter(pgh_obj_id=result.pk, pgh_label="decided").count()


@pytest.mark.parametrize("who", ["officer", "coordinator"])
def test_the_months_results_pass_axe(page, watched, live_server, world, result, who):
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(reverse("time_results") + f"?manad={MANAD}")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tidsuppföljning {MANAD}")
    expect(page.get_by_role("link", name="Lisa Andersson")).to_be_visible()
    assert_passes_axe(page)

    # The filter, with its explicit "Visa".
    page.get_by_label("Status").select_option(label="Överskriden")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_passes_axe(page)
    assert watched.errors == []


@pytest.mark.parametrize(
    ("who", "stage"),
    [
        ("coordinator", "to explain"),
        ("officer", "to explain"),
        ("coordinator", "explained"),
        ("officer", "explained"),
    ],
)
def test_a_results_page_passes_axe(page, watched, live_server, world, result, who, stage):
    if stage == "explained":
        explain_month(result=result, by=world.coordinator, category=ExplanationCategory.OTHER,
                      text="Extra besök under en förkylning.")  # fmt: skip
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(reverse("time_result", args=[result.pk]))
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tidsuppföljning {MANAD}")
    assert_passes_axe(page)

    # With the errors of an empty explanation shown, too.
    if (who, stage) == ("coordinator", "to explain"):
        page.get_by_role("button", name="Skicka förklaringen").click()
        expect(page.get_by_text("Formuläret innehåller fel")).to_be_visible()
        expect(page.get_by_role("group", name="Orsak")).to_have_attribute(
            "aria-describedby", re.compile(r"\bid_category_error\b")
        )
        expect(page.get_by_label("Förklaring", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        assert_passes_axe(page)
    assert watched.errors == []


def test_the_provider_explains_by_keyboard_and_the_officer_approves(
    page, watched, live_server, world, result
):
    log_in_with_a_cookie(page, live_server, world.coordinator)
    page.goto(reverse("time_result", args=[result.pk]))
    sent = posts(page)

    # Tab into the reasons (the first has focus), the arrow picks the second: "avböjt".
    tab_to(page, page.get_by_label(str(ExplanationCategory.ABSENCE.label)))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(str(ExplanationCategory.DECLINED.label))).to_be_checked()
    text = page.get_by_label("Förklaring", exact=True)
    tab_to(page, text)
    page.keyboard.type("Brukaren avböjde kvällsbesöken i två veckor.")
    button = page.get_by_role("button", name="Skicka förklaringen")
    tab_to(page, button)

    # Tabbing and typing sent nothing: no autosave, no submit on change.
    page.wait_for_timeout(500)
    assert sent == []
    result.refresh_from_db()
    assert result.explanation_category == ""

    # The explicit press sends it.
    page.keyboard.press("Enter")
    expect(page.get_by_text("Förklaringen är skickad till handläggaren.")).to_be_visible()
    assert sent == [live_server.url + reverse("time_result_explain", args=[result.pk])]
    result.refresh_from_db()
    assert result.explanation_category == ExplanationCategory.DECLINED
    assert result.explanation_text == "Brukaren avböjde kvällsbesöken i två veckor."
    assert result.explained_by == world.coordinator
    assert_passes_axe(page)

    # The officer, with the keyboard too: Tab to "Godkänn", and nothing until it is pressed.
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("time_result", args=[result.pk]))
    expect(page.get_by_text("Brukaren avböjde kvällsbesöken i två veckor.")).to_be_visible()
    approve = page.get_by_role("button", name=APPROVE)
    tab_to(page, approve)
    page.wait_for_timeout(300)
    assert len(sent) == 1
    assert decisions(result) == 0

    page.keyboard.press("Enter")
    expect(page.get_by_text("Förklaringen är godkänd.")).to_be_visible()
    result.refresh_from_db()
    assert (result.decision, result.decided_by) == (ExplanationDecision.APPROVED, world.officer)
    assert decisions(result) == 1
    expect(page.get_by_role("button", name=APPROVE)).to_have_count(0)
    assert_passes_axe(page)
    assert watched.errors == []


def test_a_double_click_on_godkann_records_one_decision(
    page, watched, live_server, world, explained
):
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("time_result", args=[explained.pk]))
    sent = posts(page)
    press_twice(page, page.get_by_role("button", name=APPROVE),
                live_server.url + reverse("time_result_decide", args=[explained.pk]))  # fmt: skip

    expect(page.get_by_text("Förklaringen är godkänd.")).to_be_visible()
    page.wait_for_timeout(500)  # a second post would have arrived by now
    assert sent == [live_server.url + reverse("time_result_decide", args=[explained.pk])]
    expect(page.get_by_text("Förklaringen är redan godkänd")).to_have_count(0)
    assert decisions(explained) == 1
    assert watched.errors == []


def test_the_back_button_after_the_decision_sends_nothing_again(
    page, watched, live_server, world, explained
):
    log_in_with_a_cookie(page, live_server, world.officer)
    url = reverse("time_result", args=[explained.pk])
    page.goto(url)
    sent = posts(page)
    page.get_by_role("button", name=APPROVE).click()
    expect(page.get_by_text("Förklaringen är godkänd.")).to_be_visible()
    assert len(sent) == 1

    # The decision answered with a redirect, so the history holds two GETs of the page and no
    # POST: going back (and forward again) shows the page without sending anything.
    # The page gone back to is the decided month, with no "Godkänn" left to press again.
    page.go_back()
    expect(page).to_have_url(live_server.url + url)
    expect(page.get_by_role("button", name=APPROVE)).to_have_count(0)
    expect(page.locator("#decision-title + p")).to_contain_text(
        str(ExplanationDecision.APPROVED.label)
    )
    page.go_forward()
    expect(page).to_have_url(live_server.url + url)
    page.wait_for_timeout(500)
    assert len(sent) == 1
    assert decisions(explained) == 1
    assert watched.errors == []
