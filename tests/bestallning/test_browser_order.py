"""The order page in a real browser: the time basis beside the form follows the officer's typing
through htmx, without a page load, a save or an inline script."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bestallning.models import Order
from tests.bestallning.conftest import catalogue, make_order, row
from tests.browser.test_login_and_clients import log_in_with_a_cookie, only_our_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_total_follows_the_minutes_as_the_officer_types(
    page,
    watched,
    live_server,
    world,
):
    kinds = catalogue(world.municipality)
    order = make_order(world, rows=[row(kinds["Duschhjälp"], occasions=2, minutes=30)])
    log_in_with_a_cookie(page, live_server, world.officer)

    response = page.goto(reverse("order_edit", args=[order.pk]))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    total = page.locator("#time-basis-total")
    aside = page.get_by_role("complementary", name="Tidsunderlag")
    # 2 × 30 minutes a week with 4.35 weeks a month: 261 minutes.
    expect(total).to_contain_text("4:21 timmar/månad")
    page.evaluate("() => { window.stillTheSamePage = true }")

    minutes = page.get_by_label("Minuter per tillfälle")
    minutes.press("Control+a")
    with page.expect_response(
        lambda r: (
            r.url.endswith(reverse("order_time_basis", args=[order.pk]))
            and r.request.method == "POST"
        )
    ) as recalculated:
        minutes.press_sequentially("40", delay=50)
    assert recalculated.value.request.headers.get("hx-request") == "true"

    # 2 × 40 × 4.35 = 348 minutes, in the total and on the intervention's row.
    expect(total).to_contain_text("5:48 timmar/månad")
    expect(aside.get_by_role("row", name=re.compile("Duschhjälp"))).to_contain_text("5:48")
    assert page.evaluate("() => window.stillTheSamePage") is True
    # Typing saves nothing: the draft keeps its 30 minutes until "Spara utkast".
    assert Order.objects.get(pk=order.pk).interventions.get().minutes == 30

    # Choosing another intervention puts in its standard time, and the total follows.
    page.get_by_label("Insats", exact=True).select_option(label="Promenad (30 min)")
    expect(minutes).to_have_value("30")
    expect(total).to_contain_text("4:21 timmar/månad")

    # "Lägg till insats" appends a row and moves focus into it; the package contents show only
    # for a care package, and per day asks for weekdays (CSS alone).
    page.get_by_role("button", name="Lägg till insats").click()
    second = page.get_by_role("group", name="Insats 2")
    kind = second.get_by_label("Insats", exact=True)
    expect(kind).to_be_focused()
    package = second.get_by_role("group", name="Omvårdnadsinsatser i paketet")
    expect(package).to_be_hidden()
    kind.select_option(label="Omvårdnadspaket morgon (45 min)")
    expect(package).to_be_visible()
    expect(second.get_by_label("Minuter per tillfälle")).to_have_value("45")
    weekdays = second.get_by_role("group", name="Veckodagar")
    expect(weekdays).to_be_hidden()
    second.get_by_label("per dag").check()
    expect(weekdays).to_be_visible()
    second.get_by_label("Antal tillfällen").fill("1")
    # 45 min a day × 30.44 days = 1370 minutes, with the walk's 261: 1631 = 27:11.
    expect(total).to_contain_text("27:11 timmar/månad")
    assert page.evaluate("() => window.stillTheSamePage") is True

    assert watched.errors == []
    only_our_server(watched, live_server)


def test_a_long_order_passes_axe_and_its_time_basis_scrolls_by_keyboard(
    page, watched, live_server, world
):
    """Many interventions make the time basis beside the form scroll on its own: it must be
    reachable by keyboard (axe: scrollable-region-focusable), and the page must pass axe."""
    from axe_playwright_python.sync_playwright import Axe

    kinds = catalogue(world.municipality)
    names = ["Duschhjälp", "Promenad", "Tillsyn", "Toalettbesök", "Personlig hygien", "Hårvård",
             "På- och avklädning", "Egenvård", "Social samvaro", "Matning", "Disk", "Ärenden",
             "Städning 2 rok", "Tvätt i bostad", "Renbäddning", "Inköp utan kund"]  # fmt: skip
    order = make_order(world, rows=[row(kinds[name]) for name in names])
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("order_edit", args=[order.pk]))
    aside = page.get_by_role("complementary", name="Tidsunderlag")
    assert aside.evaluate("a => a.scrollHeight > a.clientHeight")  # it does scroll
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    aside.focus()
    expect(aside).to_be_focused()  # a keyboard user can reach it and scroll it
    assert watched.errors == []


def test_tabbing_onto_the_send_button_sends_nothing(page, watched, live_server, world):
    """The time basis request fires as the officer types; with focus on "Skicka till
    utföraren" (its formaction is the send URL) it must still only recompute, never send."""
    kinds = catalogue(world.municipality)
    order = make_order(world, rows=[row(kinds["Duschhjälp"])])
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("order_edit", args=[order.pk]))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    send = page.get_by_role("button", name="Skicka till utföraren")
    page.get_by_label("Personfaktorer").fill("Tycker om att prata om sina barnbarn.")
    send.focus()  # as a quick Tab would, before the time basis request goes
    page.wait_for_timeout(1200)
    assert posts and all(
        url.endswith(reverse("order_time_basis", args=[order.pk])) for url in posts
    )
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert watched.errors == []
