"""Plans: pre-filled from the order, participation, coverage, the approve/return loop, frozen
versions, revision on a new order, contact persons, follow-ups and who sees what."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from bestallning import services as order_services
from genomforandeplan import selectors, services
from genomforandeplan.choices import DeadlineStatus, PlanStatus
from genomforandeplan.models import PlanFollowUp, PlanVersion
from tests.bestallning.conftest import TODAY, catalogue, row
from tests.factories import UserFactory, member
from tests.genomforandeplan.conftest import complete, executed_order, items_of, plan_fields


def test_the_plan_starts_from_the_order(world, order, plan):
    assert [(str(i), i.period, i.occasions) for i in plan.items.all()] == [
        ("Duschhjälp", "per_week", 2)
    ]
    assert plan.planned_daily_visits == order.daily_visits
    assert services.coverage(plan) == []
    with pytest.raises(ValidationError):
        services.plan_start(order=order, by=world.contact_person)


def test_no_participation_no_completion_and_nothing_changes(world, plan):
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields={"participants": [], "meeting_place": "", "client_influence": ""},
        items=items_of(plan),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.plan_complete(
            plan=plan, by=world.contact_person, client_approved_on=TODAY,
            client_approval_how="Muntligt",
        )  # fmt: skip
    assert "Delaktighet saknas" in error.value.messages[0]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.versions.exists()


def test_a_documented_deviation_allows_completion(world, plan):
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields={"participants": [], "deviation_reason": "Lisa orkade inte delta efter sjukhus.",
                "deviation_helper": "Dottern Linnéa"},
        items=items_of(plan),
    )  # fmt: skip
    version = services.plan_complete(
        plan=plan, by=world.contact_person, client_approved_on=TODAY,
        client_approval_how="Dottern godkände för Lisas räkning, Lisa nickade ja.",
    )  # fmt: skip
    assert version.number == 1 and version.snapshot["deviation_helper"] == "Dottern Linnéa"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"meeting_place": "other", "meeting_place_other": ""}, "meeting_place_other"),
        ({"participants": ["neighbour"]}, "participants"),
        ({"checklist": {"read_order": "2026-02-30"}}, "checklist"),
        ({"checklist": {"read_order": "2999-01-01"}}, "checklist"),
    ],
)
def test_bad_plan_input_gets_a_swedish_message_and_nothing_is_saved(world, plan, fields, field):
    with pytest.raises(ValidationError) as error:
        services.plan_save(
            plan=plan, by=world.contact_person, version=plan.version,
            fields={"my_goal": "Ändrat", **fields}, items=items_of(plan),
        )  # fmt: skip
    assert field in error.value.message_dict
    plan.refresh_from_db()
    assert plan.my_goal == "" and plan.version == 1


def test_every_gap_must_be_fixed_or_given_a_reason(world, plan):
    kinds = catalogue(world.municipality)
    items = [
        services.PlanItemInput(intervention_type=kinds["Toalettbesök"], period="per_day",
                               occasions=3),
    ]  # fmt: skip
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields=plan_fields(plan, planned_daily_visits=2), items=items,
    )  # fmt: skip
    gaps = {gap.key: gap.message for gap in services.coverage(plan)}
    duschhjalp, toalett = kinds["Duschhjälp"].pk, kinds["Toalettbesök"].pk
    assert gaps == {
        f"missing-{duschhjalp}": "Saknas i planen: Duschhjälp",
        f"extra-{toalett}": "Finns i planen men är inte beställt: Toalettbesök",
        "daily_visits": "Dagliga besök: planen har 2 per dag, beställningen 0",
    }
    blockers = services.completion_blockers(plan)
    assert any("Saknas i planen: Duschhjälp" in b for b in blockers)
    reasons = {key: "Överenskommet med handläggaren per telefon." for key in gaps}
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields=plan_fields(plan, coverage_reasons=reasons), items=items,
    )  # fmt: skip
    assert services.completion_blockers(plan) == []


def test_frequency_mismatch_is_a_gap(world, plan):
    [item] = items_of(plan)
    item.occasions = 1
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version, fields=plan_fields(plan),
        items=[item],
    )  # fmt: skip
    [gap] = services.coverage(plan)
    assert gap.message == (
        "Duschhjälp: planen säger en gång per vecka, beställningen två gånger per vecka"
    )


def test_approve_and_return_loop_and_frozen_versions(world, plan):
    first = complete(world, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    assert list(selectors.plans_to_review(world.officer)) == [plan]
    with pytest.raises(ValidationError) as error:
        services.plan_review(plan=plan, by=world.officer, approve=False)
    assert "comment" in error.value.message_dict
    services.plan_review(plan=plan, by=world.officer, approve=False,
                         comment="Beskriv hur Lisa vill ha hjälp med duschen.")  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    # Revised and back: a second version, the first unchanged.
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields=plan_fields(plan, how_and_when="Dusch tisdag och fredag kväll, Lisa väljer."),
        items=items_of(plan),
    )  # fmt: skip
    second = services.plan_complete(
        plan=plan, by=world.contact_person, client_approved_on=TODAY, client_approval_how="Ja"
    )
    assert second.number == 2
    services.plan_review(plan=plan, by=world.officer, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    first.refresh_from_db()
    assert first.snapshot["headings"]["how_and_when"] == ""
    changes = {c.what for c in selectors.version_diff(first, second)}
    assert "Hela planen – Hur och när ska hjälpen utföras" in changes


@pytest.mark.parametrize(
    "statement",
    ["UPDATE genomforandeplan_planversion SET snapshot = '{}'",
     "DELETE FROM genomforandeplan_planversion",
     "UPDATE genomforandeplan_planreview SET comment = 'ändrad'"],
)  # fmt: skip
def test_the_database_refuses_to_change_a_completed_version(world, plan, statement):
    complete(world, plan)
    services.plan_review(plan=plan, by=world.officer, approve=True)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert PlanVersion.objects.get().snapshot["items"]


def test_a_new_order_marks_the_plan_for_revision_and_the_check_uses_it(world, order, plan):
    complete(world, plan)
    services.plan_review(plan=plan, by=world.officer, approve=True)
    assert not services.needs_revision(plan)
    kinds = catalogue(world.municipality)
    change = order_services.order_change_create(
        order=order, by=world.officer, valid_from=TODAY - datetime.timedelta(days=1)
    )
    change = order_services.order_save_draft(
        order=change, by=world.officer, version=change.version, fields={"daily_visits": 0},
        interventions=[row(kinds["Duschhjälp"]), row(kinds["Promenad"])],
    )  # fmt: skip
    assert not services.needs_revision(plan)  # a draft change is not an order yet
    order_services.order_send(order=change, by=world.officer)
    plan.refresh_from_db()
    assert services.needs_revision(plan)
    assert services.current_order(plan) == change
    assert [g.message for g in services.coverage(plan)] == ["Saknas i planen: Promenad"]
    # Revised against the new order, it no longer needs revision.
    items = [*items_of(plan),
             services.PlanItemInput(intervention_type=kinds["Promenad"], period="per_week",
                                    occasions=2)]  # fmt: skip
    plan = services.plan_save(plan=plan, by=world.contact_person, version=plan.version,
                              fields=plan_fields(plan), items=items)  # fmt: skip
    version = services.plan_complete(
        plan=plan, by=world.contact_person, client_approved_on=TODAY, client_approval_how="Ja"
    )
    plan.refresh_from_db()
    assert version.order == change and not services.needs_revision(plan)


def test_deadline_not_due_then_on_time(world):
    order = executed_order(world, executed_on=TODAY - datetime.timedelta(days=3))
    assert selectors.order_plan_deadline(order).status == DeadlineStatus.NOT_DUE
    complete(world, services.plan_start(order=order, by=world.contact_person))
    assert selectors.order_plan_deadline(order).status == DeadlineStatus.ON_TIME


def test_deadline_missing_when_not_ready_and_past_due(world):
    order = executed_order(world, executed_on=TODAY - datetime.timedelta(days=20))
    services.plan_start(order=order, by=world.contact_person)  # a draft is not a plan yet
    missing = selectors.order_plan_deadline(order)
    assert (missing.status, missing.days_late) == (DeadlineStatus.MISSING, 6)


def test_late_plan_is_counted_late(world):
    old = executed_order(world, executed_on=TODAY - datetime.timedelta(days=20))
    complete(world, services.plan_start(order=old, by=world.contact_person))
    late = selectors.order_plan_deadline(old)
    assert (late.status, late.days_late) == (DeadlineStatus.LATE, 6)
    assert late.due == TODAY - datetime.timedelta(days=6)


def test_contact_person_and_deputy(world, unassigned_order):
    order = unassigned_order
    assert list(selectors.orders_without_contact_person(world.coordinator)) == [order]
    assert selectors.contact_person_due(order) == order.executed_on + datetime.timedelta(days=5)
    outsider = member(UserFactory(), "contact_person", provider=world.other_provider)
    with pytest.raises(ValidationError) as error:
        services.contact_assign(order=order, by=world.coordinator,
                                contact_person=world.contact_person, deputy=outsider)  # fmt: skip
    assert "deputy" in error.value.message_dict
    services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person,
        deputy=world.coordinator,
    )  # fmt: skip
    assert list(selectors.orders_without_contact_person(world.coordinator)) == []


def test_follow_up_and_the_next_one_due(world, plan):
    with pytest.raises(ValidationError):
        services.plan_follow_up(plan=plan, by=world.contact_person, followed_up_on=TODAY,
                                notes="För tidigt")  # fmt: skip
    complete(world, plan)
    assert selectors.next_follow_up_due(plan) == TODAY + relativedelta(months=6)
    with pytest.raises(ValidationError) as error:
        services.plan_follow_up(plan=plan, by=world.contact_person, followed_up_on=TODAY,
                                notes=" ")  # fmt: skip
    assert "notes" in error.value.message_dict
    services.plan_follow_up(plan=plan, by=world.contact_person, followed_up_on=TODAY,
                            notes="Fungerar bra, Lisa duschar själv mer.")  # fmt: skip


def test_who_sees_the_plan(world, plan):
    assert list(selectors.plans_visible_to(world.contact_person)) == [plan]
    assert list(selectors.plans_visible_to(world.coordinator)) == [plan]
    # The officer sees it only once the client has approved it.
    assert list(selectors.plans_visible_to(world.officer)) == []
    for outsider in (world.other_coordinator, world.other_officer, world.other_manager,
                     world.fee_officer):  # fmt: skip
        assert list(selectors.plans_visible_to(outsider)) == []
    complete(world, plan)
    assert list(selectors.plans_visible_to(world.officer)) == [plan]
    assert list(selectors.plans_visible_to(world.manager)) == [plan]
    assert list(selectors.plans_visible_to(world.other_officer)) == []
    assert list(selectors.plans_visible_to(world.other_coordinator)) == []


def test_two_people_saving_the_same_plan_the_second_is_refused(world, plan):
    read = plan.version
    services.plan_save(plan=plan, by=world.contact_person, version=read,
                       fields={"my_goal": "Först"}, items=items_of(plan))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.plan_save(plan=plan, by=world.coordinator, version=read,
                           fields={"my_goal": "Sedan"}, items=items_of(plan))  # fmt: skip
    assert "Någon annan har sparat planen" in error.value.messages[0]
    plan.refresh_from_db()
    assert plan.my_goal == "Först"


def test_the_order_page_shows_the_plans_deadline_and_contact_person(world, order):
    from django.urls import reverse

    services.contact_assign(order=order, by=world.coordinator, contact_person=world.contact_person)
    page = world.login(world.officer).get(reverse("order_detail", args=[order.pk]))
    text = page.content.decode()
    assert "Planen ska vara klar" in text and "Ska vara klar senast" in text
    assert str(world.contact_person) in text


def test_the_pdf_of_a_draft_plan_says_it_is_a_draft_and_the_client_sees_the_headings(world, plan):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    response = world.login(world.contact_person).get(reverse("plan_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Utkast" in text
    assert "Vad jag behöver hjälp med" in text and "Mitt mål" in text
    assert "Duschhjälp" in text
    assert (
        world.login(world.other_coordinator).get(reverse("plan_pdf", args=[plan.pk])).status_code
        == 404
    )


# ------------------------------------------------------------------------------- issue 7


def test_a_care_package_written_out_in_the_plan_covers_the_order(world):
    """Fault 6: the parts of "Omvårdnadspaket morgon" written out one by one cover the package;
    they are not "inte beställt", and the package is not "saknas"."""
    kinds = catalogue(world.municipality)
    parts = [kinds["Personlig hygien"], kinds["På- och avklädning"], kinds["Toalettbesök"]]
    package = row(
        kinds["Omvårdnadspaket morgon"],
        period="per_day",
        occasions=1,
        weekdays=list(range(1, 8)),
        care_package_contents=parts,
    )
    order = executed_order(world, rows=[package], daily_visits=1)
    plan = services.plan_start(order=order, by=world.contact_person)
    written_out = [
        services.PlanItemInput(intervention_type=kind, period="per_day", occasions=1)
        for kind in parts
    ]
    plan = services.plan_save(
        plan=plan,
        by=world.contact_person,
        version=plan.version,
        fields=plan_fields(plan),
        items=written_out,
    )
    assert services.coverage(plan) == []
    # Leave one part out: that part, in its package, is what is missing.
    plan = services.plan_save(
        plan=plan,
        by=world.contact_person,
        version=plan.version,
        fields=plan_fields(plan),
        items=written_out[:2],
    )
    assert [gap.message for gap in services.coverage(plan)] == [
        "Saknas i planen: Toalettbesök (ingår i Omvårdnadspaket morgon)"
    ]


def test_the_deadline_is_measured_on_the_day_the_client_approved(world):
    """Fault 9: the client approved on time; the contact person recorded it two days later."""
    order = executed_order(world, executed_on=TODAY - datetime.timedelta(days=15))
    plan = services.plan_start(order=order, by=world.contact_person)
    approved_on = TODAY - datetime.timedelta(days=2)  # the deadline was yesterday
    version = complete(world, plan, approved_on=approved_on)
    assert version.client_approved_on == approved_on
    assert timezone.localdate(version.created_at) == TODAY  # the server's time stays beside it
    deadline = selectors.order_plan_deadline(order)
    assert (deadline.status, deadline.due) == (
        DeadlineStatus.ON_TIME,
        TODAY - datetime.timedelta(days=1),
    )
    deadlines = selectors.order_plan_deadlines([order])
    assert deadlines[order.pk].status == DeadlineStatus.ON_TIME


@pytest.mark.parametrize(
    ("approved_on", "words"),
    [
        (TODAY + datetime.timedelta(days=1), "framtiden"),
        (TODAY - datetime.timedelta(days=10), "då beställningen började gälla"),
    ],
)
def test_an_approval_date_that_cannot_be_true_is_refused(world, approved_on, words):
    order = executed_order(world, executed_on=TODAY - datetime.timedelta(days=3))
    plan = services.plan_start(order=order, by=world.contact_person)
    plan = services.plan_save(
        plan=plan,
        by=world.contact_person,
        version=plan.version,
        fields=plan_fields(plan, client_approved_on=None),
        items=items_of(plan),
    )
    with pytest.raises(ValidationError) as error:
        services.plan_complete(
            plan=plan,
            by=world.contact_person,
            client_approved_on=approved_on,
            client_approval_how="Muntligt",
        )
    assert any(words in message for message in error.value.messages)
    assert not PlanVersion.objects.exists()


def test_completing_against_a_version_someone_else_has_saved_over_freezes_nothing(world, plan):
    plan = services.plan_save(
        plan=plan,
        by=world.contact_person,
        version=plan.version,
        fields=plan_fields(plan),
        items=items_of(plan),
    )
    seen = plan.version
    services.plan_save(
        plan=plan,
        by=world.coordinator,
        version=seen,
        fields=plan_fields(plan, my_goal="Ändrat på kontoret"),
        items=items_of(plan),
    )
    with pytest.raises(services.StaleVersion):
        services.plan_complete(plan=plan, by=world.contact_person, version=seen)
    assert not PlanVersion.objects.exists()


def test_the_approval_is_frozen_with_the_version_and_a_revision_needs_its_own(world, plan):
    version = complete(world, plan)
    plan.refresh_from_db()
    assert version.client_approved_on == TODAY and version.snapshot["client_approval_how"]
    assert (plan.client_approved_on, plan.client_approval_how) == (None, "")
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields={"my_goal": "Nytt mål"}, items=items_of(plan),
    )  # fmt: skip
    assert plan.status == PlanStatus.DRAFT
    with pytest.raises(ValidationError) as error:
        services.plan_complete(plan=plan, by=world.contact_person)
    assert "Ange datum då brukaren godkände planen." in error.value.messages


def test_a_returned_plan_stays_returned_while_it_is_reworked(world, plan):
    """Typing in a returned plan must not hide the officer's comment or drop the plan from the
    provider's list of plans to write: it stays returned until the client approves the rework."""
    complete(world, plan)
    services.plan_review(plan=plan, by=world.officer, approve=False, comment="Duschen saknas.")
    plan.refresh_from_db()
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields={"my_goal": "Omarbetat"}, items=items_of(plan),
    )  # fmt: skip
    assert plan.status == PlanStatus.RETURNED
    complete(world, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    # An approved plan that is changed becomes the draft of the next version.
    services.plan_review(plan=plan, by=world.officer, approve=True)
    plan.refresh_from_db()
    plan = services.plan_save(plan=plan, by=world.contact_person, version=plan.version,
                              fields={}, items=items_of(plan))  # fmt: skip
    assert plan.status == PlanStatus.DRAFT


def test_the_same_follow_up_sent_twice_is_one_row(world, plan):
    # Issue 10: a double press created two rows.
    complete(world, plan)
    fields = dict(plan=plan, by=world.contact_person, followed_up_on=TODAY, notes="Allt fungerar.")
    first = services.plan_follow_up(**fields)
    assert services.plan_follow_up(**fields).pk == first.pk
    assert PlanFollowUp.objects.filter(plan=plan).count() == 1
