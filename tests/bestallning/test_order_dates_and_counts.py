"""What the order pages read out: the history in Swedish time, the officer's counts in agreement
with their number, and ending an order that has not started on a default the service accepts."""

import datetime
import re

import pytest
from django.urls import reverse

from bestallning import services
from bestallning.choices import OrderStatus
from bestallning.models import Order
from tests.bestallning.conftest import TODAY, make_order

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.mark.parametrize(
    ("moment", "swedish_day"),
    [
        # 00:30 in Stockholm in winter (UTC+1) and in summer (UTC+2): the day that has begun.
        (datetime.datetime(2025, 3, 9, 23, 30, tzinfo=UTC), "2025-03-10"),
        (datetime.datetime(2025, 6, 30, 22, 30, tzinfo=UTC), "2025-07-01"),
        (datetime.datetime(2025, 6, 30, 21, 59, tzinfo=UTC), "2025-06-30"),
    ],
)
def test_the_history_shows_the_swedish_day(world, sent_order, moment, swedish_day):
    services.order_receive(order=sent_order, by=world.coordinator)
    Order.objects.filter(pk=sent_order.pk).update(
        created_at=moment, sent_at=moment, received_at=moment
    )
    page = world.login(world.officer).get(reverse("order_detail", args=[sent_order.pk]))
    history = dict(page.context["history"])
    assert history["Skapad"].startswith(f"{swedish_day}, ")
    assert history["Skickad till utföraren"].startswith(f"{swedish_day}, ")
    assert history["Mottagen av utföraren"].startswith(f"{swedish_day}, ")


def start_page_counts(world) -> str:
    body = text_of(world.login(world.officer).get(reverse("start")))
    return re.search(r"\d+ förändrade? behov att besvara|\d+ förändrat behov att besvara", body)[0]


def report(world, order, description="Behöver mer hjälp en tid.") -> None:
    services.need_change_report(
        order=order, by=world.coordinator, direction="increased", duration="temporary",
        reason="illness", description=description,
    )  # fmt: skip


def test_the_officers_count_of_changed_needs_agrees_with_its_number(world, sent_order):
    assert start_page_counts(world) == "0 förändrade behov att besvara"
    report(world, sent_order)
    assert start_page_counts(world) == "1 förändrat behov att besvara"
    report(world, sent_order, "Behöver hjälp även på kvällen.")
    assert start_page_counts(world) == "2 förändrade behov att besvara"


def test_an_order_not_yet_started_is_ended_on_the_default_day(world):
    start = TODAY + datetime.timedelta(days=10)
    order = services.order_send(order=make_order(world, valid_from=start), by=world.officer)
    http = world.login(world.officer)
    url = reverse("order_end", args=[order.pk])

    page = http.get(url)
    form = page.context["form"]
    assert form["ended_on"].value() == start  # not today, which the service would refuse
    help_text = form.fields["ended_on"].help_text
    assert f"Tidigast {start:%Y-%m-%d}" in help_text
    assert "bara den dagen" in help_text
    assert f'value="{start:%Y-%m-%d}"' in page.content.decode()

    response = http.post(url, {"ended_on": f"{start:%Y-%m-%d}", "reason": "Tackar nej."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.valid_to) == (OrderStatus.ENDED, start)


def test_an_order_in_force_is_ended_today_by_default(world, sent_order):
    form = (
        world.login(world.officer).get(reverse("order_end", args=[sent_order.pk])).context["form"]
    )
    assert sent_order.valid_from < TODAY
    assert form["ended_on"].value() == TODAY
