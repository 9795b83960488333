"""Decisions and the frame they set (issue 7, faults 7, 8 and 10): a grant grants hours, a wrong
decision is corrected or withdrawn, its kind is on the order, its interventions pre-fill the
order and are checked against it, and an order above its decision is not sent. The order page
shows the quality warnings and the check against the decision as the officer types."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from bestallning import services
from bestallning.choices import ApprovalStatus, DecisionKind, OrderStatus
from bestallning.models import Decision, DecisionEvent, GrantedInterventionEvent, Order
from tests.bestallning.conftest import TODAY, make_decision, make_order, row
from tests.bestallning.test_views import page_data, row_data, text_of


def decision_data(**overrides) -> dict:
    data = {
        "outcome": "granted",
        "kind": "personal_care",
        "legal_basis": "SoL 4 kap. 1 §",
        "decided_on": TODAY.isoformat(),
        "valid_from": TODAY.isoformat(),
        "valid_to": "",
        "hours_per_month": "10",
        "reasoning": "Behöver hjälp med hygien.",
        "purpose_and_goal": "Att kunna bo kvar hemma.",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------- fault 8


def test_a_grant_of_no_hours_is_refused_on_the_hours_field(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("decision_create", args=[world.client.pk]), decision_data(hours_per_month="0")
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["hours_per_month"]
    assert "beviljar timmar" in message
    assert not Decision.objects.exists()
    # The database refuses it too, whatever path a row takes.
    decision = make_decision(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(hours_per_month=0)


def test_the_decisions_kind_is_recorded_and_on_the_order(world, kinds):
    http = world.login(world.officer)
    http.post(
        reverse("decision_create", args=[world.client.pk]),
        decision_data(kind="personal_care", granted_interventions=[kinds["Duschhjälp"].pk]),
    )
    decision = Decision.objects.get()
    assert decision.kind == DecisionKind.PERSONAL_CARE
    assert decision.heading == "Bifall Omvårdnad SoL 4 kap. 1 §"
    order = services.order_send(
        order=make_order(world, decision=decision, rows=[row(kinds["Duschhjälp"])]),
        by=world.officer,
    )
    page = text_of(world.login(world.coordinator).get(reverse("order_detail", args=[order.pk])))
    assert "Bifall Omvårdnad SoL 4 kap. 1 §" in page


def test_the_granted_interventions_pre_fill_the_order(world, kinds):
    decision = make_decision(
        world,
        granted_interventions=[kinds["Duschhjälp"], kinds["Promenad"], kinds["Tvätt i bostad"]],
    )
    order = services.order_create(
        decision=decision, by=world.officer, provider=world.provider, valid_from=TODAY
    )
    items = list(order.interventions.all())
    assert {str(item) for item in items} == {"Duschhjälp", "Promenad", "Tvätt i bostad"}
    assert all(item.minutes == item.intervention_type.standard_minutes for item in items)
    assert all(item.occasions is None for item in items)  # the frequency is the officer's
    page = world.login(world.officer).get(reverse("order_edit", args=[order.pk]))
    assert page.context["formset"].total_form_count() == 3


def test_the_order_page_flags_granted_not_ordered_and_ordered_not_granted(world, kinds):
    decision = make_decision(world, granted_interventions=[kinds["Duschhjälp"], kinds["Promenad"]])
    order = make_order(world, decision=decision, rows=[row(kinds["Duschhjälp"]),
                                                      row(kinds["Städning 2 rok"])])  # fmt: skip
    page = world.login(world.officer).get(reverse("order_edit", args=[order.pk]))
    check = text_of(page)
    assert "Beviljad men inte beställd Promenad" in check
    assert "Beställd men inte beviljad Städning 2 rok" in check


def test_a_decision_is_corrected_before_an_order_is_sent_and_the_trail_keeps_the_old(world):
    world.municipality.delegation_hours = 100
    world.municipality.save()
    decision = make_decision(world, hours=Decimal("10"))
    order = make_order(world, decision=decision)  # a draft: nothing sent yet
    http = world.login(world.officer)
    url = reverse("decision_edit", args=[decision.pk])
    form = http.get(url)
    assert form.context["form"]["hours_per_month"].value() == Decimal("10.00")
    corrected = decision_data(
        hours_per_month="120",
        decided_on=decision.decided_on.isoformat(),
        valid_from=decision.valid_from.isoformat(),
    )
    response = http.post(url, corrected)
    assert response.status_code == 302
    decision.refresh_from_db()
    # Above the delegation: the corrected decision goes to the unit manager.
    assert (decision.hours_per_month, decision.approval_status) == (
        Decimal("120.00"),
        ApprovalStatus.PENDING,
    )
    hours = list(
        DecisionEvent.objects.filter(pgh_obj=decision).order_by("pgh_id")
        .values_list("hours_per_month", flat=True)
    )  # fmt: skip
    assert hours == [Decimal("10.00"), Decimal("120.00")]
    assert DecisionEvent.objects.filter(pgh_obj=decision).last().pgh_context["user"] == (
        world.officer.pk
    )
    # Once the order is sent, the decision can no longer be corrected.
    services.decision_review(decision=decision, by=world.manager, approve=True)
    services.order_send(order=order, by=world.officer)
    response = http.get(url)
    assert response.status_code == 302
    with pytest.raises(ValidationError):
        services.decision_update(decision=decision, by=world.officer, hours_per_month=Decimal(5))


def test_a_correction_of_the_granted_interventions_is_in_the_audit_trail(world, kinds):
    decision = make_decision(world, granted_interventions=[kinds["Duschhjälp"]])
    services.decision_update(
        decision=decision, by=world.officer, granted_interventions=[kinds["Promenad"]]
    )
    labels = sorted(
        GrantedInterventionEvent.objects.filter(decision=decision).values_list(
            "pgh_label", "intervention_type__name"
        )
    )
    assert labels == [("granted", "Duschhjälp"), ("granted", "Promenad"),
                      ("ungranted", "Duschhjälp")]  # fmt: skip


def test_a_decision_in_use_is_withdrawn_with_a_reason_after_its_orders(world):
    decision = make_decision(world)
    order = services.order_send(order=make_order(world, decision=decision), by=world.officer)
    http = world.login(world.officer)
    url = reverse("decision_withdraw", args=[decision.pk])
    response = http.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"]
    # An order is still in force on it: end or replace it first.
    response = http.post(url, {"reason": "Fel timantal registrerades."})
    assert "gäller fortfarande på beslutet" in text_of(response)
    services.order_end(order=order, by=world.officer, ended_on=TODAY, reason="Fel beslut")
    response = http.post(url, {"reason": "Fel timantal registrerades."})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.is_withdrawn and decision.withdrawal_reason == "Fel timantal registrerades."
    assert decision.blocks_orders
    page = text_of(http.get(reverse("decision_detail", args=[decision.pk])))
    assert "Beslutet är återkallat" in page and "Fel timantal registrerades." in page
    with pytest.raises(ValidationError):
        services.order_create(decision=decision, by=world.officer, provider=world.provider,
                              valid_from=TODAY)  # fmt: skip


def test_outsiders_cannot_correct_or_withdraw(world):
    decision = make_decision(world)
    for name in ("decision_edit", "decision_withdraw"):
        url = reverse(name, args=[decision.pk])
        assert world.login(world.other_officer).get(url).status_code == 404
        assert world.login(world.coordinator).get(url).status_code == 404
        assert world.login(world.manager).get(url).status_code == 403


# ------------------------------------------------------------------------------- fault 7


def test_an_order_above_its_decision_is_not_sent(world, kinds):
    """60:54 on a 10:00 decision: refused with both figures, and nothing is sent."""
    decision = make_decision(world, hours=Decimal("10"))
    package = row(kinds["Omvårdnadspaket morgon"], period="per_day", occasions=2, minutes=60,
                  weekdays=list(range(1, 8)),
                  care_package_contents=[kinds["Personlig hygien"], kinds["Toalettbesök"],
                                         kinds["På- och avklädning"]])  # fmt: skip
    order = make_order(world, decision=decision, rows=[package])
    with pytest.raises(ValidationError) as error:
        services.order_send(order=order, by=world.officer)
    [message] = error.value.messages
    assert "60:53 timmar/månad" in message and "beslutets 10:00 timmar/månad" in message
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    # The page's send button is disabled and says why.
    page = world.login(world.officer).get(reverse("order_edit", args=[order.pk]))
    assert any("mer än beslutets 10:00" in b for b in page.context["blockers"])


def test_a_change_above_the_delegation_waits_for_the_manager(world, kinds):
    """The way around the delegation is closed: more hours means a new decision, and above the
    delegation that decision goes to the unit manager before the order can be sent."""
    world.municipality.delegation_hours = 50
    world.municipality.save()
    decision = make_decision(world, hours=Decimal("10"))
    order = make_order(world, decision=decision)
    decision = services.decision_update(decision=decision, by=world.officer,
                                        hours_per_month=Decimal("80"))  # fmt: skip
    assert decision.approval_status == ApprovalStatus.PENDING
    order.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.order_send(order=order, by=world.officer)
    assert "väntar på enhetschefens godkännande" in " ".join(error.value.messages)


# ------------------------------------------------------------------------------- fault 10


def test_quality_warnings_follow_the_typing_without_a_save(world, kinds):
    order = make_order(world, rows=[row(kinds["Duschhjälp"])])
    http = world.login(world.officer)
    data = page_data(order, [row_data(kinds["Duschhjälp"], description="Hjälp klockan sju.",
                                      client_goal="")],
                     order_text="Otrygg på natten. Hjälpa till med kvällsmål.")  # fmt: skip
    response = http.post(reverse("order_time_basis", args=[order.pk]), data)
    html = response.content.decode()
    assert 'id="warnings-order_text" hx-swap-oob="true"' in html
    order_text = html.split('id="warnings-order_text"')[1].split('id="warnings-')[0]
    assert "kvällsmål" in order_text and "natten" not in order_text
    description = html.split('id="warnings-interventions-0-description"')[1].split('id="warnings-')[
        0
    ]
    assert "Klockslag" in description
    assert "Lisas mål" in html or "Målet är att" in html  # the client's own name, or neutral
    order.refresh_from_db()
    assert order.order_text == ""  # typing saves nothing
    # Text fixed: the warning goes.
    data["order_text"] = "Kontaktperson för planering är dottern."
    html = http.post(reverse("order_time_basis", args=[order.pk]), data).content.decode()
    assert (
        "Tid på dygnet" not in html.split('id="warnings-order_text"')[1].split('id="warnings-')[0]
    )


def test_the_check_against_the_decision_is_live(world, kinds):
    decision = make_decision(world, granted_interventions=[kinds["Duschhjälp"]])
    order = make_order(world, decision=decision, rows=[row(kinds["Duschhjälp"])])
    http = world.login(world.officer)
    data = page_data(order, [row_data(kinds["Duschhjälp"]), row_data(kinds["Promenad"])])
    html = text_of(http.post(reverse("order_time_basis", args=[order.pk]), data))
    assert "Beställd men inte beviljad Promenad" in html


def test_the_live_request_never_sends(world, kinds):
    order = make_order(world, rows=[row(kinds["Duschhjälp"])])
    page = world.login(world.officer).get(reverse("order_edit", args=[order.pk]))
    html = page.content.decode()
    form = html.split('<form id="order-form"')[1].split(">")[0]
    assert "hx-post" not in form  # the live trigger is not the form: no formaction can take it
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT
