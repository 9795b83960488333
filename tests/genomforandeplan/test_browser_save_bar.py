"""The plan page's "Spara" bar stays at the bottom of the screen; a field reached with Tab must
never be behind it (WCAG 2.2, 2.4.11 Focus Not Obscured), on a small laptop screen either."""

import pytest
from django.urls import reverse

from genomforandeplan import services
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.conftest import catalogue, executed_order, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the focused element is, and where the bar is, in the viewport.
WHERE = """() => {
  const element = document.activeElement;
  const bar = document.querySelector(".save-bar").getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return {
    name: (element.name || element.id || element.textContent || "").trim().slice(0, 60),
    inBar: element.closest(".save-bar") !== null,
    top: box.top, bottom: box.bottom, barTop: bar.top, barBottom: bar.bottom,
    viewport: window.innerHeight,
  };
}"""


def test_no_field_reached_with_tab_is_behind_the_save_bar(page, watched, live_server, world):
    kinds = catalogue(world.municipality)
    order = executed_order(
        world,
        rows=[row(kinds["Duschhjälp"]), row(kinds["Promenad"])],
        contact_person=world.contact_person,
    )
    plan = services.plan_start(order=order, by=world.contact_person)
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(reverse("plan_edit", args=[plan.pk]))

    hidden, seen, stuck = [], 0, 0
    for _ in range(250):
        page.keyboard.press("Tab")
        where = page.evaluate(WHERE)
        if where["inBar"]:
            continue
        seen += 1
        if where["barBottom"] >= where["viewport"] - 1 and where["barTop"] < where["viewport"]:
            stuck += 1  # the bar is at the bottom of the screen, over the form
        if where["bottom"] > where["barTop"] and where["top"] < where["barBottom"]:
            hidden.append(where)
        if where["name"] == "complete":  # "Markera planen som klar …", the form's last button
            break
    else:
        pytest.fail("Tab never reached 'Markera planen som klar'")
    assert seen > 40 and stuck > 20  # the test went through a long form with the bar stuck
    assert hidden == [], [
        (h["name"], h["top"], h["bottom"], h["barTop"], h["barBottom"]) for h in hidden
    ]
    assert watched.errors == []
