"""A worklist's filters and sorting in Chromium (issue 11): with htmx the table follows each
choice without a new page, a screen reader hears the new count, the address follows the form,
and the back button returns to the list as it was before."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from playwright.sync_api import expect

from bestallning import services as order_services
from ramtid.models import Client
from tests.bestallning.conftest import TODAY, make_decision, make_order
from tests.factories import ClientFactory, UserFactory, member
from tests.genomforandeplan.test_worklists import clients

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user) -> None:
    session = HttpClient()
    session.force_login(user)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _missing_plan_at(world, provider, last_name: str) -> None:
    client = ClientFactory(
        ordering_unit=world.unit, responsible_officer=world.officer, last_name=last_name
    )
    start = TODAY - datetime.timedelta(days=40)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = order_services.order_send(
        order=make_order(world, decision=decision, provider=provider, valid_from=start),
        by=world.officer,
    )
    coordinator = member(UserFactory(), "provider_coordinator", provider=provider)
    order_services.order_execute(order=order, by=coordinator, executed_on=start)


def test_officer_filters_and_sorts_a_worklist_without_leaving_the_page(
    page, watched, live_server, world, transactional_db
):
    for order, last_name in zip(clients(world, 2), ["Östman", "Berg"], strict=True):
        Client.objects.filter(pk=order.client_id).update(last_name=last_name)
    _missing_plan_at(world, world.other_provider, "Andersén")
    _missing_plan_at(world, world.other_provider, "Cederlund")
    url = reverse("worklist", args=["saknade-planer"])
    _log_in(page, live_server, world.officer)
    page.goto(url)
    table = page.locator("#worklist-results table")
    expect(table.locator("tbody tr")).to_have_count(4)
    page.evaluate("() => { window.stillTheSamePage = true }")

    page.get_by_label("Utförare").select_option(label=world.other_provider.name)
    expect(page.get_by_role("status")).to_have_text("2 totalt. Mest brådskande först.")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page).to_have_url(
        re.compile(rf"\?provider={world.other_provider.pk}&sortera=bradskande$")
    )

    page.get_by_label("Sortera").focus()
    page.get_by_label("Sortera").select_option(label="Brukarens namn")
    expect(page.get_by_role("status")).to_have_text("2 totalt. Sorterad efter brukarens namn.")
    expect(table.locator("tbody tr").first).to_contain_text("Andersén")
    expect(table.locator("tbody tr").last).to_contain_text("Cederlund")
    expect(page).to_have_url(re.compile(r"&sortera=namn$"))
    csv_link = page.get_by_role("link", name=re.compile("Ladda ner CSV"))
    expect(csv_link).to_have_attribute(
        "href",
        reverse("worklist_csv", args=["saknade-planer"])
        + f"?provider={world.other_provider.pk}&sortera=namn",
    )
    assert page.evaluate("() => window.stillTheSamePage") is True
    # Focus stays where the user was (the swap replaces the results, not the form).
    assert page.evaluate("() => document.activeElement.id") == "id_sortera"

    # Back: the list as it was before the sorting (htmx keeps no copy of the page: it loads it).
    page.go_back()
    expect(page).to_have_url(re.compile(r"&sortera=bradskande$"))
    expect(page.get_by_label("Sortera")).to_have_value("bradskande")
    expect(page.get_by_label("Utförare")).to_have_value(str(world.other_provider.pk))
    expect(page.get_by_role("status")).to_have_text("2 totalt. Mest brådskande först.")
    page.go_back()
    expect(page).to_have_url(live_server.url + url)
    # A new document is loaded for the first entry (the reload above replaced the old one).
    expect(page.get_by_role("status")).to_have_text(
        "4 totalt. Mest brådskande först.", timeout=15_000
    )
    expect(table.locator("tbody tr")).to_have_count(4)
    assert watched.errors == []
