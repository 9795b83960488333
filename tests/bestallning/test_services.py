"""Every rule of the order's life: delegation, care package, frequency on the order, one order in
force, immutability after sending, change of need, and concurrent edits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bestallning import selectors, services
from bestallning.choices import ApprovalStatus, OrderStatus
from bestallning.models import Decision, Order, OrderedIntervention
from tests.bestallning.conftest import TODAY, catalogue, make_decision, make_order, row
from tests.factories import ProviderFactory

# ------------------------------------------------------------------------------- decisions


def test_a_decision_within_the_delegation_needs_no_manager(world):
    world.municipality.delegation_hours = 136
    world.municipality.save()
    assert make_decision(world, hours=Decimal("136")).approval_status == (
        ApprovalStatus.NOT_REQUIRED
    )


def test_a_decision_above_the_delegation_waits_for_the_manager_and_blocks_sending(world):
    world.municipality.delegation_hours = 136
    world.municipality.save()
    decision = make_decision(world, hours=Decimal("136.5"))
    assert decision.approval_status == ApprovalStatus.PENDING
    order = make_order(world, decision=decision)
    assert any("enhetschefens godkännande" in b for b in services.sending_blockers(order))
    with pytest.raises(ValidationError):
        services.order_send(order=order, by=world.officer)
    assert list(selectors.decisions_awaiting_manager(world.manager)) == [decision]
    assert list(selectors.decisions_awaiting_manager(world.other_manager)) == []
    services.decision_review(decision=decision, by=world.manager, approve=True)
    assert services.order_send(order=order, by=world.officer).status == OrderStatus.SENT


def test_not_approving_needs_a_reason_and_keeps_orders_blocked(world):
    world.municipality.delegation_hours = 100
    world.municipality.save()
    decision = make_decision(world, hours=Decimal("120"))
    with pytest.raises(ValidationError) as error:
        services.decision_review(decision=decision, by=world.manager, approve=False)
    assert "approval_comment" in error.value.message_dict
    services.decision_review(
        decision=decision, by=world.manager, approve=False, comment="Utred behovet av natt."
    )
    order = make_order(world, decision=decision)
    assert "Enhetschefen har inte godkänt beslutet." in services.sending_blockers(order)


def test_no_delegation_limit_means_no_approval(world):
    assert world.municipality.delegation_hours is None
    assert make_decision(world, hours=Decimal("300")).approval_status == (
        ApprovalStatus.NOT_REQUIRED
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_to": TODAY - datetime.timedelta(days=60)}, "valid_to"),
        ({"decided_on": TODAY + datetime.timedelta(days=1)}, "decided_on"),
        ({"outcome": "refused"}, "hours_per_month"),
    ],
)
def test_bad_decisions_are_refused_on_the_field_and_not_saved(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        make_decision(world, **overrides)
    assert field in error.value.message_dict
    assert not Decision.objects.exists()


def test_an_intervention_from_another_municipalitys_catalogue_is_refused(world):
    foreign = catalogue(world.other_municipality)["Duschhjälp"]
    with pytest.raises(ValidationError) as error:
        make_decision(world, granted_interventions=[foreign])
    assert "insatskatalog" in error.value.message_dict["granted_interventions"][0]
    decision = make_decision(world)
    order = services.order_create(
        decision=decision, by=world.officer, provider=world.provider, valid_from=TODAY
    )
    with pytest.raises(ValidationError) as error:
        services.order_save_draft(
            order=order, by=world.officer, version=order.version, fields={},
            interventions=[row(foreign)],
        )  # fmt: skip
    assert "insatskatalog" in error.value.message_dict["interventions-0-intervention_type"][0]
    assert not OrderedIntervention.objects.exists()


# ------------------------------------------------------------------------------- drafts


def test_care_package_needs_three_personal_care_interventions_at_the_visit(world, kinds):
    package = kinds["Omvårdnadspaket morgon"]
    two = [kinds["Personlig hygien"], kinds["På- och avklädning"]]
    with pytest.raises(ValidationError) as error:
        make_order(world, rows=[row(package, period="per_day", occasions=1,
                                    care_package_contents=two)])  # fmt: skip
    message = error.value.message_dict["interventions-0-care_package_contents"][0]
    assert "minst tre omvårdnadsinsatser" in message and "Nu ingår 2" in message
    assert not Order.objects.filter(interventions__isnull=False).exists()
    # A service intervention does not count towards the three.
    with pytest.raises(ValidationError):
        make_order(world, rows=[row(package, care_package_contents=[*two, kinds["Disk"]])])
    order = make_order(
        world, rows=[row(package, care_package_contents=[*two, kinds["Toalettbesök"]])]
    )
    assert order.interventions.get().care_package_contents.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 5000}, "minutes"),
        ({"occasions": 0}, "occasions"),
        ({"period": "per_day", "weekdays": []}, "weekdays"),
        ({"period": "every_n_weeks", "every_n_weeks": 1}, "every_n_weeks"),
    ],
)
def test_absurd_frequencies_are_refused_per_row_and_nothing_is_saved(
    world, kinds, overrides, field
):
    order = make_order(world)
    before = list(order.interventions.values_list("minutes", flat=True))
    with pytest.raises(ValidationError) as error:
        services.order_save_draft(
            order=order, by=world.officer, version=order.version, fields={"order_text": "Ny"},
            interventions=[row(kinds["Duschhjälp"], **overrides)],
        )  # fmt: skip
    assert f"interventions-0-{field}" in error.value.message_dict
    order.refresh_from_db()
    assert order.order_text == "" and list(
        order.interventions.values_list("minutes", flat=True)
    ) == (before)


def test_an_order_must_start_within_the_decision_period(world):
    decision = make_decision(world, valid_to=TODAY + datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        services.order_create(
            decision=decision, by=world.officer, provider=world.provider,
            valid_from=TODAY + datetime.timedelta(days=11),
        )  # fmt: skip
    assert "beslutets period" in error.value.message_dict["valid_from"][0]


def test_a_provider_of_another_municipality_cannot_get_the_order(world):
    elsewhere = ProviderFactory(municipality=world.other_municipality)
    with pytest.raises(ValidationError) as error:
        services.order_create(
            decision=make_decision(world), by=world.officer, provider=elsewhere, valid_from=TODAY
        )
    assert "provider" in error.value.message_dict


def test_two_officers_saving_the_same_draft_the_second_is_refused(world, kinds):
    order = make_order(world)
    read_by_both = order.version
    services.order_save_draft(
        order=order, by=world.officer, version=read_by_both, fields={"order_text": "Först"},
        interventions=[row(kinds["Duschhjälp"])],
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.order_save_draft(
            order=order, by=world.officer, version=read_by_both, fields={"order_text": "Sedan"},
            interventions=[row(kinds["Promenad"])],
        )  # fmt: skip
    assert "Någon annan har sparat" in error.value.messages[0]
    order.refresh_from_db()
    assert order.order_text == "Först"
    assert [str(i) for i in order.interventions.all()] == ["Duschhjälp"]


# ------------------------------------------------------------------------------- sending


def test_an_order_without_daily_visits_or_a_fixed_frequency_cannot_be_sent(world, kinds):
    order = make_order(world, daily_visits=None, rows=[row(kinds["Städning 2 rok"],
                                                            occasions=None)])  # fmt: skip
    blockers = services.sending_blockers(order)
    assert any("Antal besök per dag saknas" in b for b in blockers)
    assert any("Städning 2 rok saknar fast frekvens" in b for b in blockers)
    with pytest.raises(ValidationError):
        services.order_send(order=order, by=world.officer)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.sent_at is None


def test_sending_stores_the_quality_warnings_without_blocking(world, kinds):
    order = make_order(
        world,
        order_text="Hjälp med mat på kvällen kl. 18.00",
        overall_goals=["Skälig levnadsnivå"],
        rows=[row(kinds["Duschhjälp"], client_goal="")],
    )
    order = services.order_send(order=order, by=world.officer)
    kinds_found = {w["kind"] for w in order.quality_warnings}
    assert kinds_found == {"clock_time", "time_of_day", "generic_goal", "missing_goal"}
    fields = {w["field"] for w in order.quality_warnings}
    assert {"order_text", "overall_goals-0", "interventions-0-client_goal"} <= fields


def test_a_sent_order_never_changes(world, sent_order, kinds):
    with pytest.raises(ValidationError) as error:
        services.order_save_draft(
            order=sent_order, by=world.officer, version=sent_order.version,
            fields={"order_text": "Ändrad"}, interventions=[row(kinds["Promenad"])],
        )  # fmt: skip
    assert "skickad" in error.value.messages[0]
    sent_order.refresh_from_db()
    assert sent_order.order_text == ""
    assert [str(i) for i in sent_order.interventions.all()] == ["Duschhjälp"]
    with pytest.raises(ValidationError):
        services.order_send(order=sent_order, by=world.officer)
    with pytest.raises(ValidationError):
        services.order_delete_draft(order=sent_order, by=world.officer)


def test_only_one_order_per_client_and_provider_in_force_on_any_day(world):
    services.order_send(order=make_order(world), by=world.officer)
    second = make_order(world)
    with pytest.raises(ValidationError) as error:
        services.order_send(order=second, by=world.officer)
    assert "Gör en ändring" in error.value.messages[0]
    second.refresh_from_db()
    assert second.status == OrderStatus.DRAFT
    # Another provider may hold an order at the same time (e.g. while the client changes).
    other = make_order(world, provider=world.other_provider)
    assert services.order_send(order=other, by=world.officer).status == OrderStatus.SENT


def test_the_database_itself_refuses_overlapping_orders(world, sent_order):
    from django.db import IntegrityError, transaction

    twin = make_order(world)
    Order.objects.filter(pk=twin.pk).update(sent_at=sent_order.sent_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=twin.pk).update(status=OrderStatus.SENT)


# ------------------------------------------------------------------------------- provider


def test_receive_and_execute(world, sent_order):
    order = services.order_receive(order=sent_order, by=world.coordinator)
    assert order.status == OrderStatus.RECEIVED and order.received_by == world.coordinator
    with pytest.raises(ValidationError):
        services.order_receive(order=order, by=world.coordinator)
    with pytest.raises(ValidationError) as error:
        services.order_execute(
            order=order, by=world.coordinator, executed_on=order.valid_from - datetime.timedelta(1)
        )
    assert "executed_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.order_execute(
            order=order, by=world.coordinator, executed_on=TODAY + datetime.timedelta(days=1)
        )
    order = services.order_execute(order=order, by=world.coordinator, executed_on=TODAY)
    assert order.status == OrderStatus.EXECUTED and order.executed_on == TODAY


# ------------------------------------------------------------------------------- changes


def test_a_change_supersedes_the_old_order_from_a_date_and_shows_what_changed(
    world, sent_order, kinds
):
    services.order_execute(order=sent_order, by=world.coordinator, executed_on=TODAY)
    change = services.order_change_create(
        order=sent_order, by=world.officer, valid_from=TODAY + datetime.timedelta(days=7)
    )
    assert change.status == OrderStatus.DRAFT and change.supersedes == sent_order
    assert [str(i) for i in change.interventions.all()] == ["Duschhjälp"]
    change = services.order_save_draft(
        order=change, by=world.officer, version=change.version,
        fields={"daily_visits": 2, "order_text": "Ökat behov efter fall."},
        interventions=[row(kinds["Duschhjälp"], occasions=3), row(kinds["Promenad"])],
    )  # fmt: skip
    # The provider does not see a change while it is a draft.
    assert change not in selectors.orders_visible_to(world.coordinator)
    services.order_send(order=change, by=world.officer)
    sent_order.refresh_from_db()
    assert sent_order.status == OrderStatus.SUPERSEDED
    assert sent_order.valid_to == TODAY + datetime.timedelta(days=6)
    changes = {c.what: (c.before, c.after) for c in selectors.order_changes(change)}
    assert changes["Antal besök per dag"] == ("0", "2")
    assert changes["Duschhjälp: Frekvens"] == ("två gånger per vecka", "tre gånger per vecka")
    assert changes["Promenad"][1].startswith("Ny insats")
    assert "Beställningstext" in changes and "Beställd kvantitet" in changes


def test_there_is_one_change_at_a_time(world, sent_order):
    services.order_change_create(
        order=sent_order, by=world.officer, valid_from=TODAY + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        services.order_change_create(
            order=sent_order, by=world.officer, valid_from=TODAY + datetime.timedelta(days=2)
        )
    assert "redan en ändring" in error.value.messages[0]


def test_ending_an_order(world, sent_order):
    with pytest.raises(ValidationError) as error:
        services.order_end(order=sent_order, by=world.officer, ended_on=TODAY, reason=" ")
    assert "reason" in error.value.message_dict
    order = services.order_end(
        order=sent_order, by=world.officer, ended_on=TODAY, reason="Flyttat till särskilt boende."
    )
    assert order.status == OrderStatus.ENDED and order.valid_to == TODAY


# ------------------------------------------------------------------------------- change of need


def test_change_of_need_reaches_the_officer_who_answers_it(world, sent_order):
    report = services.need_change_report(
        order=sent_order, by=world.contact_person, direction="increased", duration="temporary",
        reason="illness", description="Lunginflammation, behöver mer hjälp två veckor.",
    )  # fmt: skip
    open_reports = selectors.need_changes_visible_to(world.officer).filter(answer="")
    assert list(open_reports) == [report]
    assert list(selectors.need_changes_visible_to(world.other_officer)) == []
    assert list(selectors.need_changes_visible_to(world.other_coordinator)) == []
    with pytest.raises(ValidationError) as error:
        services.need_change_answer(report=report, by=world.officer, answer="no_change")
    assert "answer_reason" in error.value.message_dict
    services.need_change_answer(
        report=report, by=world.officer, answer="no_change",
        reason="Tillfälligt: ryms inom ramen, följs upp om två veckor.",
    )  # fmt: skip
    report.refresh_from_db()
    assert not report.is_open and report.answered_by == world.officer
    with pytest.raises(ValidationError):
        services.need_change_answer(report=report, by=world.officer, answer="no_change",
                                    reason="igen")  # fmt: skip


def test_answering_with_a_new_order(world, sent_order):
    report = services.need_change_report(
        order=sent_order, by=world.coordinator, direction="decreased", duration="lasting",
        reason="other", description="Klarar duschen själv nu.",
    )  # fmt: skip
    change = services.order_change_create(
        order=sent_order, by=world.officer, valid_from=TODAY + datetime.timedelta(days=3)
    )
    answered = services.need_change_answer(
        report=report, by=world.officer, answer="new_order", new_order=change
    )
    assert answered.new_order == change


# ------------------------------------------------------------------------------- visibility


def test_providers_see_clients_only_through_sent_orders(world):
    from ramtid.selectors import clients_visible_to

    draft = make_order(world)
    assert world.client not in clients_visible_to(world.coordinator)
    services.order_send(order=draft, by=world.officer)
    assert list(clients_visible_to(world.coordinator)) == [world.client]
    assert list(clients_visible_to(world.contact_person)) == [world.client]
    assert list(clients_visible_to(world.other_coordinator)) == []
    assert list(selectors.orders_visible_to(world.other_coordinator)) == []
    assert list(selectors.decisions_visible_to(world.coordinator)) == []


# ------------------------------------------------------------------------------- notification


def test_sending_emails_the_providers_coordinators_once_without_personal_data(
    world, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from ramtid.celery import app

    # Run the task in-process here; tests/ramtid/test_worker.py covers the real worker path.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    world.coordinator.email = "samordnare@omsorg.example.se"
    world.coordinator.save()
    world.contact_person.email = "kontaktman@omsorg.example.se"
    world.contact_person.save()
    order = make_order(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_send(order=order, by=world.officer)
    [mail] = mailoutbox
    assert mail.to == ["samordnare@omsorg.example.se"]
    body = mail.subject + mail.body
    assert world.client.first_name not in body and world.client.last_name not in body
    assert world.client.personal_number[:8] not in body
    assert "Trygg Omsorg AB" in body
    # Idempotent: a redelivered task sends nothing more.
    assert services.order_notify_provider(order_id=order.pk) == 0
    assert len(mailoutbox) == 1
