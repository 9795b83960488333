"""The demo's decisions and orders: every state the screens show, loaded once, attributed."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bestallning import examples, ordered_time, selectors, services
from bestallning.choices import ApprovalStatus, DecisionKind, NeedChangeAnswer, OrderStatus
from bestallning.models import (
    Decision,
    DecisionEvent,
    NeedChangeReport,
    Order,
    OrderedIntervention,
    OrderEvent,
)
from ramtid import demo
from ramtid.models import Client, User


def _load() -> str:
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def loaded(demo_loaded, db) -> str:
    """The demo, loaded once for this module (tests/conftest.py); each test's writes are undone."""
    return demo_loaded


def _total(order: Order) -> int:
    order = selectors.order_with_interventions(Order.objects.filter(pk=order.pk)).get()
    return ordered_time.order_time(order).total


def test_every_order_status_appears(loaded):
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert "biståndsbeslut: " in loaded and "beställningar: " in loaded


def test_loading_again_adds_nothing_even_on_a_later_day(loaded, monkeypatch):
    counts = _counts()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert "Inga nya rader" in _load()
    assert _counts() == counts


def test_the_demo_writes_are_attributed_to_the_load_demo_task(loaded):
    events = [*DecisionEvent.objects.all(), *OrderEvent.objects.all()]
    assert events
    assert {event.pgh_context["task"] for event in events} == {"load_demo"}


def test_a_superseded_order_is_replaced_by_a_sent_change_with_more_time(loaded):
    old = Order.objects.get(status=OrderStatus.SUPERSEDED, client__first_name="Gösta")
    new = old.superseded_by

    assert new.status == OrderStatus.SENT
    assert old.valid_to == new.valid_from - datetime.timedelta(days=1)
    assert _total(new) > _total(old)
    assert new.decision != old.decision
    # The provider's report led to it.
    report = NeedChangeReport.objects.get(order=old)
    assert (report.answer, report.new_order) == (NeedChangeAnswer.NEW_ORDER, new)


@pytest.mark.parametrize("code", [demo.JARFALLA, demo.STOCKHOLM])
def test_a_decision_above_the_delegation_waits_for_the_manager_with_its_draft(loaded, code):
    decision = Decision.objects.get(
        approval_status=ApprovalStatus.PENDING, client__municipality__code=code
    )

    assert decision.hours_per_month > decision.client.municipality.delegation_hours
    order = decision.orders.get()
    assert order.status == OrderStatus.DRAFT
    assert round(decision.hours_per_month * 60) == _total(order)
    assert OrderedIntervention.objects.filter(order=order, double_staffing=True).exists()
    # Nothing but the manager's approval stands between the draft and the provider.
    assert services.sending_blockers(order) == [
        "Beslutet är över handläggarens delegation och väntar på enhetschefens godkännande."
    ]


@pytest.mark.parametrize(
    ("username", "code"), [("chef", demo.JARFALLA), ("chef.ostermalm", demo.STOCKHOLM)]
)
def test_each_unit_manager_sees_her_decisions_to_approve_on_the_start_page(
    loaded, client, username, code
):
    client.force_login(User.objects.get(username=username))

    page = client.get(reverse("start")).content.decode()

    pending = Decision.objects.filter(approval_status=ApprovalStatus.PENDING)
    own = pending.filter(client__municipality__code=code)
    assert own.exists()
    assert "Inga beslut väntar på ditt godkännande" not in page
    for decision in pending:
        link = reverse("decision_review", args=[decision.pk])
        assert (link in page) == (decision in own), (username, decision.client)


def test_every_decision_has_a_kind_and_grants_what_its_orders_order(loaded):
    orders = Order.objects.select_related("decision", "client")
    assert {order.decision.kind for order in orders} == set(DecisionKind.values)
    for order in orders:
        # Nothing ordered that was not granted, nothing granted that was not ordered.
        assert services.decision_mismatches(order) == ([], []), order.client
    lisa = Decision.objects.get(client__personal_number=examples.LISA_PERSONAL_NUMBER)
    assert str(lisa).startswith("Bifall Omvårdnad SoL 4 kap. 1 §")  # 004 Bilaga 4


def test_every_draft_could_be_sent_but_for_a_managers_approval(loaded):
    for order in Order.objects.filter(status=OrderStatus.DRAFT).select_related("decision"):
        blockers = services.sending_blockers(order)
        if order.decision.approval_status == ApprovalStatus.PENDING:
            assert len(blockers) == 1, (order.client, blockers)
        else:
            assert blockers == [], (order.client, blockers)


def test_stockholms_own_interventions_are_ordered_in_stockholm_orders(loaded):
    own = {name for name, _category, _minutes in demo.OWN_CATALOGUE[demo.STOCKHOLM]}
    ordered = OrderedIntervention.objects.filter(
        intervention_type__name__in=own, order__status=OrderStatus.EXECUTED
    )

    assert set(ordered.values_list("intervention_type__name", flat=True)) == own
    assert set(ordered.values_list("order__client__municipality__code", flat=True)) == {
        demo.STOCKHOLM
    }
    # One client has all three, as 002's inspection describes.
    by_order = {}
    for order_id, name in ordered.values_list("order", "intervention_type__name"):
        by_order.setdefault(order_id, set()).add(name)
    assert own in by_order.values()


def test_one_change_of_need_is_open(loaded):
    open_report = NeedChangeReport.objects.get(answer="")
    assert open_report.order.status == OrderStatus.EXECUTED


def test_lisa_is_executed_in_jarfalla_by_lindgarden_and_handlaggare(loaded):
    client = Client.objects.get(personal_number=examples.LISA_PERSONAL_NUMBER)
    order = Order.objects.get(client=client)

    assert client.municipality.code == demo.JARFALLA
    assert (order.provider.name, order.ordered_by.username) == (demo.LINDGARDEN, "handlaggare")
    assert order.status == OrderStatus.EXECUTED
    assert order.executed_on == datetime.date(2022, 3, 14)
    assert _total(order) == 3096


def test_the_demo_shows_quality_warnings_and_a_protected_client(loaded):
    warned = [order for order in Order.objects.exclude(status=OrderStatus.DRAFT)
              if order.quality_warnings]  # fmt: skip
    assert {w["kind"] for order in warned for w in order.quality_warnings} >= {
        "clock_time",
        "time_of_day",
        "generic_goal",
    }
    assert Order.objects.filter(client__protected_identity=True).exists()


def test_every_decision_covers_its_orders_time(loaded):
    for order in Order.objects.select_related("decision"):
        assert order.decision.valid_from <= order.valid_from, order
        assert order.decision.decided_on <= timezone.localdate(), order
        assert round(order.decision.hours_per_month * 60) >= _total(order), order
