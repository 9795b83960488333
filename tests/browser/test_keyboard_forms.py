"""The order form and the plan form with the keyboard alone (issue 11, WCAG 2.1.1, 2.4.3, 2.4.7):
only Tab, Shift+Tab, Enter, Space, the arrow keys and typing, never a click.

- The officer goes from the decision to a new order, fills the interventions (the time basis
  follows her typing), saves the draft and sends it.
- The contact person writes the plan's items, participation and approval while it autosaves,
  and completes it.

At every stop focus is visible (the ring of app.css: an outline or a box-shadow), the fields come
in the order of the page, an autosave or a recalculation neither moves focus nor loses what is
being typed, and only a press of the explicit button sends or completes anything.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bestallning.models import Order
from genomforandeplan import services as plan_services
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import ImplementationPlan, PlanVersion
from tests.bestallning.conftest import TODAY, catalogue, make_decision
from tests.browser.test_login_and_clients import log_in_with_a_cookie, only_our_server
from tests.genomforandeplan.conftest import executed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What has focus: its field name (or the text of a link or button), its label, and whether the
# focus ring shows (an outline, or app.css's box-shadow halo).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const text = (node) => (node ? node.textContent : "").replace(/\\s+/g, " ").trim();
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: e.tagName.toLowerCase(),
    type: e.type || "",
    name: e.name || "",
    id: e.id || "",
    label: text(e.labels && e.labels[0]) || e.getAttribute("aria-label") || text(e),
    value: "value" in e ? e.value : null,
    checked: !!e.checked,
    ring: outline || (style.boxShadow && style.boxShadow !== "none"),
  };
}"""


class Keyboard:
    """Tab through a page as a keyboard user, checking the ring at every stop and keeping the
    order of the stops."""

    def __init__(self, page):
        self.page = page
        self.stops: list[dict] = []
        self.no_ring: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        here = self.focused()
        if here is not None:
            self.stops.append(here)
            if not here["ring"]:
                self.no_ring.append(f"{here['tag']} {here['name'] or here['label']!r}")
        return here

    def tab_to(self, match, limit: int = 80, key: str = "Tab") -> dict:
        """Tab until the focused element matches (a name, or a label's start): fails if it is
        not reached."""
        for _ in range(limit):
            here = self.press(key)
            if here and _matches(here, match):
                return here
        pytest.fail(f"{match!r} was not reached with {key}; the last stops: {self.names()[-12:]}")

    def names(self) -> list[str]:
        return [stop["name"] or stop["label"] for stop in self.stops]

    def order_of(self, *wanted: str) -> list[int]:
        """Where each wanted name (or label's start) was first reached, in the stops so far."""
        return [
            next(i for i, stop in enumerate(self.stops) if _matches(stop, want)) for want in wanted
        ]


def _matches(here: dict, match: str) -> bool:
    return here["name"] == match or here["label"].startswith(match)


def type_date(page, day) -> None:
    """Type a date into the focused, empty date field. Chromium's field is three parts and a
    calendar button, each a Tab stop, laid out in the browser's language (not the page's):
    Debian's Chromium here has month/day/year, and a full part moves on to the next by itself."""
    page.keyboard.type(f"{day:%m%d%Y}")
    value = page.evaluate("() => document.activeElement.value")
    if value != f"{day:%Y-%m-%d}":
        pytest.fail(f"typing {day:%m%d%Y} gave {value!r}: not a month/day/year date field?")


def type_while_it_saves(page, url: str, first: str, rest: str) -> None:
    """Type `first`, pause until the page's background request to `url` goes (the autosave's
    800 ms pause), and type `rest` while its answer arrives and is swapped into the page."""
    page.keyboard.type(first)
    with page.expect_response(lambda r: r.url.endswith(url)):
        with page.expect_request(lambda r: r.url.endswith(url)):
            pass
        page.keyboard.type(rest, delay=40)


def posts(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "POST" else None)
    return seen


def path_of(urls: list[str], live_server) -> list[str]:
    return [url.removeprefix(live_server.url) for url in urls]


# ---------------------------------------------------------------------------------------------
# The order


def test_the_officer_orders_with_the_keyboard_alone(page, watched, live_server, world):
    kinds = catalogue(world.municipality)
    decision = make_decision(world, granted_interventions=[kinds["Duschhjälp"]])
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("decision_detail", args=[decision.pk]))
    keys = Keyboard(page)

    # The decision's page: "Ny beställning" by Tab, opened with Enter.
    keys.tab_to("Ny beställning")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("order_create", args=[decision.pk]))

    # The provider (typing picks the option of a focused select), the date as given, Enter.
    provider = keys.tab_to("provider")
    assert provider["tag"] == "select"
    page.keyboard.type(world.provider.name[:5])
    assert keys.focused()["value"] == str(world.provider.pk)
    keys.tab_to("valid_from")
    keys.tab_to("Skapa utkast")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    order = Order.objects.get(decision=decision)
    edit_url = reverse("order_edit", args=[order.pk])
    expect(page).to_have_url(live_server.url + edit_url)
    sent = posts(page)

    # The draft: the decision's intervention is there; fill what sending needs.
    keys.tab_to("order_text")
    page.keyboard.type("Lisa vill ha hjälp på morgonen.")
    keys.tab_to("daily_visits")
    page.keyboard.type("0")
    kind = keys.tab_to("interventions-0-intervention_type")
    assert kind["value"] == str(kinds["Duschhjälp"].pk)
    area = keys.tab_to("interventions-0-life_area")
    page.keyboard.press("ArrowDown")  # a focused select changes with the arrow keys
    area = keys.focused()
    assert area["name"] == "interventions-0-life_area" and area["value"]
    # "Hur ofta": radios, one stop; the arrows move the choice, and back.
    period = keys.tab_to("interventions-0-period")
    assert period["checked"] and period["value"] == "per_week", period
    page.keyboard.press("ArrowRight")
    moved = keys.focused()
    assert moved["name"] == "interventions-0-period" and moved["value"] != "per_week"
    page.keyboard.press("ArrowLeft")
    assert keys.focused()["value"] == "per_week"
    time_basis = reverse("order_time_basis", args=[order.pk])
    keys.tab_to("interventions-0-occasions")
    page.keyboard.press("Control+a")
    with page.expect_response(lambda r: r.url.endswith(time_basis)):
        page.keyboard.type("3")
    # The time basis follows the minutes through htmx while she types; focus and the typing
    # stay in the field.
    total = page.locator("#time-basis-total")
    before = total.inner_text()
    keys.tab_to("interventions-0-minutes")
    page.keyboard.press("Control+a")
    type_while_it_saves(page, time_basis, "2", "5")
    expect(total).not_to_have_text(before)
    here = keys.focused()
    assert (here["name"], here["value"]) == ("interventions-0-minutes", "25")
    keys.tab_to("interventions-0-client_goal")
    page.keyboard.type("Lisa vill duscha själv med stöd.")
    keys.tab_to("overall_goals")
    page.keyboard.type("Att kunna bo kvar hemma.")
    keys.tab_to("Spara utkast")
    # Shift+Tab goes back the same way, to the goals as typed; Tab returns to the button.
    back = keys.tab_to("overall_goals", key="Shift+Tab", limit=8)
    assert back["value"] == "Att kunna bo kvar hemma."
    keys.tab_to("Spara utkast", limit=8)

    # The fields came in the page's order, each with the ring.
    order_of = keys.order_of(
        "valid_from",
        "order_text",
        "daily_visits",
        "interventions-0-intervention_type",
        "interventions-0-life_area",
        "interventions-0-period",
        "interventions-0-occasions",
        "interventions-0-minutes",
        "interventions-0-client_goal",
        "overall_goals",
        "Spara utkast",
    )
    assert order_of == sorted(order_of), keys.names()
    assert keys.no_ring == [], f"focus without a visible ring: {keys.no_ring}"
    # Typing has sent nothing but recalculations.
    assert set(path_of(sent, live_server)) <= {reverse("order_time_basis", args=[order.pk])}
    assert Order.objects.get(pk=order.pk).status == "draft"

    # "Spara utkast" with Enter; the page comes back with nothing blocking the send.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + edit_url)
    expect(page.locator("#send-blockers")).to_have_text(re.compile("kan skickas"))
    order.refresh_from_db()
    assert order.status == "draft" and order.order_text == "Lisa vill ha hjälp på morgonen."

    # Tabbing onto "Skicka till utföraren" and waiting sends nothing; Enter does.
    keys.tab_to("Skicka till utföraren", limit=120)
    page.wait_for_timeout(800)
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert reverse("order_send", args=[order.pk]) not in path_of(sent, live_server)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("order_detail", args=[order.pk]))
    assert Order.objects.get(pk=order.pk).status == "sent"

    assert keys.no_ring == [], f"focus without a visible ring: {keys.no_ring}"
    assert watched.errors == []
    only_our_server(watched, live_server)


# ---------------------------------------------------------------------------------------------
# The plan


SAVED = re.compile(r"Sparat \d\d:\d\d")


def test_the_contact_person_writes_and_completes_the_plan_with_the_keyboard_alone(
    page, watched, live_server, world
):
    order = executed_order(world, contact_person=world.contact_person)
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    log_in_with_a_cookie(page, live_server, world.contact_person)
    edit_url = reverse("plan_edit", args=[plan.pk])
    page.goto(edit_url)
    sent = posts(page)
    keys = Keyboard(page)
    status = page.locator("#autosave-status")
    autosave = reverse("plan_autosave", args=[plan.pk])

    # The card of the ordered intervention: what she needs help with, in her words. She goes
    # on typing while the autosave's answer arrives: focus and every letter stay.
    keys.tab_to("items-0-need_help_with")
    first, rest = "Jag behöver hjälp att kliva in i duschen", " och att tvätta håret."
    type_while_it_saves(page, autosave, first, rest)
    expect(status).to_have_text(SAVED)
    here = keys.focused()
    assert here["name"] == "items-0-need_help_with", here
    assert here["value"] == first + rest
    keys.tab_to("items-0-my_goal")
    page.keyboard.type("Att duscha själv med stöd.")

    # Participation: checkboxes with Space, the place with the arrow keys, the influence.
    keys.tab_to("Brukaren")
    page.keyboard.press("Space")
    relative = keys.tab_to("Anhörig eller närstående")
    page.keyboard.press("Space")
    assert keys.focused()["checked"] and not relative["checked"]
    place = keys.tab_to("meeting_place")
    if not place["checked"]:
        page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    place = keys.focused()
    assert place["name"] == "meeting_place" and place["checked"] and place["value"] == "home"
    keys.tab_to("client_influence")
    page.keyboard.type("Lisa ville duscha på kvällen.")

    # Tabbing on, slower than the autosave's pause: each save lands while focus is on a later
    # field, which keeps focus and what was typed there.
    keys.tab_to("client_approved_on", limit=120)
    type_date(page, TODAY)
    assert keys.focused()["value"] == f"{TODAY:%Y-%m-%d}"
    keys.tab_to("client_approval_how", limit=10)
    how = "Muntligt, i hemmet, med dottern."
    type_while_it_saves(page, autosave, how[:18], how[18:])
    here = keys.focused()
    assert (here["name"], here["value"]) == ("client_approval_how", how)
    # Past "Spara" to "Markera planen som klar …", pausing on each: the autosave goes, nothing
    # else, and the plan is still a draft.
    keys.tab_to("Spara", limit=5)
    page.wait_for_timeout(400)
    complete = keys.tab_to("complete", limit=5)
    assert complete["label"] == "Markera planen som klar …"
    page.wait_for_timeout(1500)  # the last autosave has gone by now
    expect(status).to_have_text(SAVED)
    assert set(path_of(sent, live_server)) == {autosave}
    plan = ImplementationPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.DRAFT and not PlanVersion.objects.filter(plan=plan).exists()
    assert plan.client_approval_how == "Muntligt, i hemmet, med dottern."
    assert plan.client_influence == "Lisa ville duscha på kvällen."
    assert str(plan.client_approved_on) == f"{TODAY:%Y-%m-%d}"
    expect(page.locator("#complete-blockers")).to_contain_text("Klar att markeras")

    # The fields came in the page's order, each with the ring.
    order_of = keys.order_of(
        "items-0-need_help_with",
        "items-0-my_goal",
        "Brukaren",
        "Anhörig eller närstående",
        "meeting_place",
        "client_influence",
        "client_approved_on",
        "client_approval_how",
        "Spara",
        "complete",
    )
    assert order_of == sorted(order_of), keys.names()
    assert keys.no_ring == [], f"focus without a visible ring: {keys.no_ring}"

    # Enter on "Markera planen som klar …" leads to the confirmation; only its own button,
    # pressed, freezes the version.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("plan_complete", args=[plan.pk]))
    assert not PlanVersion.objects.filter(plan=plan).exists()
    keys.tab_to("Ja, frys version 1")
    page.wait_for_timeout(500)
    assert not PlanVersion.objects.filter(plan=plan).exists()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("plan_detail", args=[plan.pk]))
    version = PlanVersion.objects.get(plan=plan)
    assert version.snapshot["client_approval_how"] == "Muntligt, i hemmet, med dottern."

    assert keys.no_ring == [], f"focus without a visible ring: {keys.no_ring}"
    assert watched.errors == []
    only_our_server(watched, live_server)


def test_an_autosave_while_she_types_a_reason_keeps_focus_and_text(
    page, watched, live_server, world
):
    """The check against the order is refreshed around its reason fields after every autosave
    (out of band): the field being typed in keeps focus and every letter."""
    order = executed_order(world, contact_person=world.contact_person)
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.goto(reverse("plan_edit", args=[plan.pk]))
    keys = Keyboard(page)
    autosave = reverse("plan_autosave", args=[plan.pk])
    coverage = page.locator("#section-coverage")

    # Three times a week where the order has two: once saved, the check asks for a reason.
    keys.tab_to("items-0-occasions")
    page.keyboard.press("Control+a")
    with page.expect_response(lambda r: r.url.endswith(autosave)):
        page.keyboard.type("3")
    expect(coverage.get_by_label(re.compile("^Skäl"))).to_have_count(1)
    reason = keys.tab_to("Skäl", limit=120)
    assert reason["name"].startswith("reason_")

    first, rest = "Brukaren vill duscha", " tre gånger i veckan under sommaren."
    type_while_it_saves(page, autosave, first, rest)
    # The answer has replaced the section around the field (out of band)…
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    here = keys.focused()
    assert (here["name"], here["value"]) == (reason["name"], first + rest)
    page.keyboard.type(" Hon orkar mer då.")
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    page.wait_for_timeout(1500)  # the last keystrokes' autosave
    here = keys.focused()
    assert here["value"] == first + rest + " Hon orkar mer då."
    plan = ImplementationPlan.objects.get(pk=plan.pk)
    assert first + rest + " Hon orkar mer då." in plan.coverage_reasons.values()
    assert keys.no_ring == [], f"focus without a visible ring: {keys.no_ring}"
    assert watched.errors == []
