"""An action already done (in another tab, by a colleague, or on a page brought back with Back)
leads to the object's page with what has happened, as a sent draft does; not to a 403. Someone
with no right to the action still gets 403, another organisation 404."""

import datetime

import pytest
from django.urls import reverse

from bestallning import services
from bestallning.choices import OrderStatus
from bestallning.models import NeedChangeReport
from tests.bestallning.conftest import TODAY, make_decision, make_order

pytestmark = pytest.mark.django_db


def infos(response) -> list[str]:
    """The information messages the redirect's page shows (showing them uses them up)."""
    page = response.client.get(response["Location"], follow=True)
    return [str(m) for m in page.context["messages"] if m.level_tag == "info"]


def test_the_second_tab_receiving_an_order_is_told_it_is_already_received(world, sent_order):
    http = world.login(world.coordinator)
    url = reverse("order_receive", args=[sent_order.pk])
    assert http.post(url, {"next": reverse("start")})["Location"] == reverse("start")
    sent_order.refresh_from_db()
    received_at = sent_order.received_at

    again = http.post(url, {"next": reverse("start")})
    assert again.status_code == 302
    assert again["Location"] == reverse("order_detail", args=[sent_order.pk])
    assert infos(again) == ["Beställningen är redan kvitterad."]
    sent_order.refresh_from_db()
    assert (sent_order.status, sent_order.received_at) == (OrderStatus.RECEIVED, received_at)


def test_the_second_tab_executing_an_order_is_told_it_is_already_executed(world, sent_order):
    http = world.login(world.coordinator)
    url = reverse("order_execute", args=[sent_order.pk])
    http.post(url, {"executed_on": TODAY.isoformat()})
    sent_order.refresh_from_db()
    assert sent_order.status == OrderStatus.EXECUTED

    yesterday = TODAY - datetime.timedelta(days=1)
    again = http.post(url, {"executed_on": yesterday.isoformat(), "next": reverse("start")})
    assert again["Location"] == reverse("order_detail", args=[sent_order.pk])
    assert infos(again) == ["Beställningen är redan verkställd."]
    sent_order.refresh_from_db()
    assert sent_order.executed_on == TODAY  # the first date stands

    # An executed order has been received too.
    received = http.post(reverse("order_receive", args=[sent_order.pk]))
    assert infos(received) == ["Beställningen är redan kvitterad."]


def test_a_replaced_order_is_not_received_and_says_why(world, sent_order):
    change = services.order_change_create(
        order=sent_order, by=world.officer, valid_from=TODAY + datetime.timedelta(days=1)
    )
    services.order_send(order=change, by=world.officer)
    http = world.login(world.coordinator)
    response = http.post(reverse("order_receive", args=[sent_order.pk]))
    assert response["Location"] == reverse("order_detail", args=[sent_order.pk])
    assert infos(response) == ["Beställningen har ersatts av en ny beställning."]


def test_a_withdrawn_decision_brought_back_with_back_is_told_it_is_withdrawn(world):
    decision = make_decision(world)
    http = world.login(world.officer)
    url = reverse("decision_withdraw", args=[decision.pk])
    assert http.post(url, {"reason": "Registrerat på fel brukare."}).status_code == 302

    for method, data in (("get", {}), ("post", {"reason": "En gång till."})):
        again = getattr(http, method)(url, data)
        assert again.status_code == 302, method
        assert again["Location"] == reverse("decision_detail", args=[decision.pk])
        assert infos(again) == ["Beslutet är redan återkallat."]
    decision.refresh_from_db()
    assert decision.withdrawal_reason == "Registrerat på fel brukare."


def test_ending_an_ended_order_and_answering_an_answered_report(world, sent_order):
    report = services.need_change_report(
        order=sent_order, by=world.coordinator, direction="decreased", duration="lasting",
        reason="other", description="Klarar mer själv.",
    )  # fmt: skip
    http = world.login(world.officer)
    answer_url = reverse("need_change_answer", args=[report.pk])
    http.post(answer_url, {"answer_reason": "Ryms inom ramen."})
    again = http.post(answer_url, {"answer_reason": "Ryms inom ramen."})
    assert again["Location"] == reverse("need_change_detail", args=[report.pk])
    assert infos(again) == ["Rapporten är redan besvarad."]

    end_url = reverse("order_end", args=[sent_order.pk])
    http.post(end_url, {"ended_on": TODAY.isoformat(), "reason": "Flyttar till SÄBO."})
    again = http.get(end_url)
    assert again["Location"] == reverse("order_detail", args=[sent_order.pk])
    assert infos(again) == ["Beställningen är redan avslutad."]

    # The provider, on the ended order's page from before: a report goes on an order in force.
    report_url = reverse("need_change_create", args=[sent_order.pk])
    provider = world.login(world.contact_person).get(report_url)
    assert provider["Location"] == reverse("order_detail", args=[sent_order.pk])
    assert infos(provider) == [
        "Beställningen är avslutad. Förändrade behov rapporteras på den beställning som gäller."
    ]


def test_a_draft_is_not_ended_but_deleted(world):
    order = make_order(world)
    response = world.login(world.officer).get(reverse("order_end", args=[order.pk]))
    assert response["Location"] == reverse("order_edit", args=[order.pk])
    assert infos(response) == [
        "Utkastet är inte skickat och behöver inte avslutas. Ta bort det om det inte ska skickas."
    ]


@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("contact_person", "order_receive", 403),  # the provider's, but not a coordinator
        ("contact_person", "order_execute", 403),
        ("officer", "order_receive", 403),
        ("officer", "order_execute", 403),
        ("manager", "order_execute", 403),
        ("other_coordinator", "order_receive", 404),  # another provider's order
        ("other_coordinator", "order_execute", 404),
    ],
)
def test_no_right_to_the_action_is_still_403_and_another_organisation_404(
    world, sent_order, who, url_name, status
):
    services.order_execute(order=sent_order, by=world.coordinator, executed_on=TODAY)
    response = world.login(getattr(world, who)).post(
        reverse(url_name, args=[sent_order.pk]), {"executed_on": TODAY.isoformat()}
    )
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("other_officer", 404)])
def test_no_right_to_withdraw_is_still_403_after_the_withdrawal(world, who, status):
    decision = make_decision(world)
    services.decision_withdraw(decision=decision, by=world.officer, reason="Fel brukare.")
    url = reverse("decision_withdraw", args=[decision.pk])
    assert world.login(getattr(world, who)).get(url).status_code == status


@pytest.mark.parametrize(("who", "status"), [("coordinator", 403), ("other_officer", 404)])
def test_no_right_to_answer_is_still_403_after_the_answer(world, sent_order, who, status):
    report = services.need_change_report(
        order=sent_order, by=world.coordinator, direction="decreased", duration="lasting",
        reason="other", description="Klarar mer själv.",
    )  # fmt: skip
    services.need_change_answer(report=report, by=world.officer, answer="no_change",
                                reason="Ryms inom ramen.")  # fmt: skip
    url = reverse("need_change_answer", args=[report.pk])
    response = world.login(getattr(world, who)).post(url, {"answer_reason": "x"})
    assert response.status_code == status


def test_the_same_change_of_need_sent_twice_is_one_report(world, sent_order):
    # Issue 10: a double press created two rows.
    fields = dict(
        order=sent_order, by=world.coordinator, direction="increased", duration="lasting",
        reason="illness", description="Behöver hjälp även på kvällen.",
    )  # fmt: skip
    first = services.need_change_report(**fields)
    again = services.need_change_report(**fields)
    assert again.pk == first.pk
    assert NeedChangeReport.objects.filter(order=sent_order).count() == 1
    other = services.need_change_report(**{**fields, "description": "Och på natten."})
    assert other.pk != first.pk
    # The same words a while later are a new report.
    NeedChangeReport.objects.filter(pk=first.pk).update(
        reported_at=first.reported_at - datetime.timedelta(minutes=11)
    )
    assert services.need_change_report(**fields).pk not in (first.pk, other.pk)
