"""Retention (gallring, issue 10; uppfoljning.retention): a client whose retention period has
passed since the last entry is made anonymous everywhere, audit events included; nothing
outside that scope is touched; the dashboards' figures stay; the report comes first and changes
nothing; a second run changes nothing more; the removal is recorded by ids and counts; and the
application's database role cannot use the owner's function on a client who is not due."""

from __future__ import annotations

import datetime
import logging
from io import StringIO

import pytest
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from bestallning.models import Decision, NeedChangeReport, Order
from genomforandeplan.models import (
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanReview,
    PlanVersion,
)
from ramtid import database_roles
from ramtid.choices import Role
from ramtid.models import AccessLog, Client, ClientRelative
from tests.factories import ProviderFactory, UserFactory, member
from tests.uppfoljning.retention_helpers import (
    Org,
    age,
    case,
    client_rows,
    cutoff,
    fingerprint,
    found,
    set_dates,
    statistics,
    today,
    triggers_skipped,
    years_before,
)
from uppfoljning import retention
from uppfoljning.choices import RetentionRunKind
from uppfoljning.models import (
    IndividualReview,
    MonthlyTimeResult,
    PerformedVisit,
    RetentionRun,
)
from uppfoljning.tasks import retention_task

ROLE = "ramtid_app_retention_test"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def here(world) -> Org:
    return Org(
        world.municipality,
        world.unit,
        world.officer,
        world.provider,
        world.coordinator,
        world.contact_person,
    )


@pytest.fixture
def there(world) -> Org:
    """The other municipality (Stockholm), with a provider and its staff."""
    provider = ProviderFactory(municipality=world.other_municipality, name="Söder Omsorg AB")
    coordinator = member(
        UserFactory(username="sodersamordnare"), Role.PROVIDER_COORDINATOR, provider=provider
    )
    contact = member(UserFactory(username="soderkontakt"), Role.CONTACT_PERSON, provider=provider)
    return Org(
        world.other_municipality,
        world.other_unit,
        world.other_officer,
        provider,
        coordinator,
        contact,
    )


@pytest.fixture
def no_notice(settings):
    """A report may be carried out the day it is made (the notice is tested on its own)."""
    settings.RAMTID_RETENTION_NOTICE_DAYS = 0


def remove(org: Org) -> RetentionRun | None:
    """The report, then its removal, today."""
    retention.make_report(municipality=org.municipality, on=today(), started_by="test")
    return retention.carry_out(municipality=org.municipality, started_by="test")


def due_ids(org: Org, on: datetime.date | None = None) -> list[int]:
    return retention.due_clients(municipality=org.municipality, on=on or today()).client_ids


def kept_values(client: Client) -> dict[str, list]:
    """The fields retention keeps, of every row about the client, by model."""
    result = {}
    for model, queryset in client_rows(client):
        treatment = _treatment(model)
        if treatment is None or (treatment.deleted and model is _tracked(model)):
            continue
        names = [n for n in treatment.kept if n in _field_names(model)]
        names += [n for n in _field_names(model) if n.startswith("pgh_")]
        result[model._meta.label] = sorted(
            map(repr, queryset.values_list(*[n for n in names if n != "pk"]))
        )
    return result


def everything_about(client: Client) -> dict[str, list]:
    """Every value of every row about the client, audit events included."""
    return {
        model._meta.label: sorted(map(repr, queryset.values_list()))
        for model, queryset in client_rows(client)
    }


def _tracked(model):
    return getattr(model, "pgh_tracked_model", None) or model


def _treatment(model) -> retention.Treatment | None:
    return retention.CLIENT_DATA.get(_tracked(model)._meta.label)


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields() if field.concrete}


# ---------------------------------------------------------------------------------------------
# What is removed, and what stays


def test_a_client_past_the_period_is_made_anonymous_everywhere(here, no_notice):
    gone = case(here, "Hjortron")
    age(gone.client, years=6)
    for needle in gone.needles:
        assert found(needle), needle  # the word is really there to begin with
    kept_before = kept_values(gone.client)
    approved = PlanVersion.objects.get(plan__client=gone.client).snapshot["client_approved_on"]

    removal = remove(here)

    for needle in gone.needles:
        assert found(needle) == {}, needle
    client = Client.objects.get(pk=gone.client.pk)
    assert (client.first_name, client.last_name) == ("Gallrad", "brukare")
    assert client.personal_number == f"{client.pk:012d}"
    assert (client.street_address, client.postal_code, client.city, client.phone) == ("",) * 4
    assert client.protected_identity is False and client.responsible_officer is None
    assert not ClientRelative.objects.filter(client=client).exists()
    # Texts that were there are marked as removed; those that were empty stay empty.
    decision = Decision.objects.get(client=client)
    assert decision.reasoning == retention_placeholder()
    plan = ImplementationPlan.objects.get(client=client)
    assert plan.coverage_reasons == {"missing-1": retention_placeholder()}
    assert plan.meeting_place == "other" and plan.participants == ["client", "relative"]
    version = PlanVersion.objects.get(plan=plan)
    assert version.snapshot["items"][0]["name"] == "Duschhjälp"
    assert version.snapshot["items"][0]["headings"]["my_goal"] == retention_placeholder()
    assert version.snapshot["client_approved_on"] == approved
    order = Order.objects.get(pk=gone.order.pk)
    assert order.quality_warnings == [
        {
            "field": "order_text",
            "field_label": "Beställningstext",
            "kind": "generic_goal",
            "message": retention_placeholder(),
            "suggestion": retention_placeholder(),
        }
    ]
    # Every field retention keeps is as it was, in every row and every audit event.
    assert kept_values(client) == kept_before
    # The audit entry names the client by id, with the rows per kind.
    assert removal.kind == RetentionRunKind.REMOVAL
    assert removal.client_ids == [client.pk]
    assert removal.counts["ramtid.Client"] == 1
    assert removal.counts["ramtid.ClientRelative"] == 1
    assert removal.counts["ramtid.ClientEvent"] >= 1
    assert removal.counts["bestallning.OrderEvent"] >= 3
    assert removal.counts["genomforandeplan.PlanVersion"] == 1
    assert removal.counts["uppfoljning.PerformedVisit"] == 2
    assert removal.cutoff == cutoff(here.municipality)


def retention_placeholder() -> str:
    return "[gallrad]"


def test_every_removed_field_was_filled_by_the_test_case(here):
    """The case the tests build has text in every field retention removes, so that finding the
    word nowhere afterwards proves each field, and each audit copy, was removed."""
    built = case(here, "Lingon")
    missing = []
    for model, queryset in client_rows(built.client):
        treatment = _treatment(model)
        if treatment is None:
            continue
        for name in treatment.removed:
            if name in _field_names(model) and not any(queryset.values_list(name, flat=True)):
                missing.append(f"{model._meta.label}.{name}")
    assert missing == []


def test_every_model_and_field_about_a_client_is_decided():
    """A new model or field that can hold client data fails here until uppfoljning.retention
    says whether it is removed or kept (and migration 0004's list does it)."""
    holding = {Client}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in holding or model._meta.app_label not in {
                "ramtid",
                "bestallning",
                "genomforandeplan",
                "uppfoljning",
            }:
                continue
            if any(
                field.is_relation and field.related_model in holding
                for field in model._meta.get_fields()
                if field.concrete
            ):
                holding.add(model)
                changed = True
    undecided = []
    for model in holding - {Client}:
        treatment = _treatment(model)
        if treatment is None:
            undecided.append(model._meta.label)
            continue
        names = _field_names(model) - {n for n in _field_names(model) if n.startswith("pgh_")}
        if model is _tracked(model):
            assert set(treatment.removed) | set(treatment.kept) == names, model._meta.label
            assert not set(treatment.removed) & set(treatment.kept), model._meta.label
        else:
            assert names <= set(treatment.removed) | set(treatment.kept) | set(treatment.marked), (
                model._meta.label
            )
    client = retention.CLIENT_DATA["ramtid.Client"]
    assert set(client.removed) | set(client.kept) | set(client.marked) == _field_names(Client)
    assert undecided == []


def test_the_dashboards_figures_survive(here, no_notice):
    for word in ("Blåbär", "Krusbär"):
        age(case(here, word).client, years=6)
    case(here, "Smultron")  # recent: stays as it is
    before = statistics()

    removal = remove(here)

    assert len(removal.client_ids) == 2
    assert statistics() == before


# ---------------------------------------------------------------------------------------------
# Scope: nothing outside it is touched


def test_one_day_inside_the_period_is_untouched_and_the_day_itself_is_removed(here, no_notice):
    inside, outside = case(here, "Vinbär"), case(here, "Odon")
    for built in (inside, outside):
        age(built.client, years=6)
    last_day = cutoff(here.municipality)
    set_dates(Order.objects.filter(pk=inside.order.pk), valid_to=last_day + DAY)
    set_dates(Order.objects.filter(pk=outside.order.pk), valid_to=last_day)
    untouched = everything_about(inside.client)

    removal = remove(here)

    assert removal.client_ids == [outside.client.pk]
    assert not found(outside.word)
    assert everything_about(inside.client) == untouched


def _event(label: str):
    return apps.get_model(label).objects


# Each a later entry of another kind, set to the day after the last day the rule allows.
LATER_ENTRIES = {
    "order valid to": lambda c, day: Order.objects.filter(client=c).update(valid_to=day),
    "decision valid to": lambda c, day: Decision.objects.filter(client=c).update(valid_to=day),
    "decision approved": lambda c, day: Decision.objects.filter(client=c).update(
        approved_at=_moment(day)
    ),
    "change of need answered": lambda c, day: NeedChangeReport.objects.filter(
        order__client=c
    ).update(answered_at=_moment(day)),
    "contact person": lambda c, day: ContactAssignment.objects.filter(order__client=c).update(
        assigned_on=day
    ),
    "plan version approved": lambda c, day: PlanVersion.objects.filter(plan__client=c).update(
        client_approved_on=day
    ),
    "plan reviewed": lambda c, day: PlanReview.objects.filter(version__plan__client=c).update(
        reviewed_at=_moment(day)
    ),
    "plan followed up": lambda c, day: PlanFollowUp.objects.filter(plan__client=c).update(
        followed_up_on=day
    ),
    "visit": lambda c, day: PerformedVisit.objects.filter(client=c).update(end=_moment(day)),
    "time result decided": lambda c, day: MonthlyTimeResult.objects.filter(client=c).update(
        decided_at=_moment(day)
    ),
    "individual review done": lambda c, day: IndividualReview.objects.filter(client=c).update(
        done_on=day
    ),
    "client changed": lambda c, day: (
        _event("ramtid.ClientEvent").filter(pgh_obj_id=c.pk).update(pgh_created_at=_moment(day))
    ),
    "relative changed": lambda c, day: (
        _event("ramtid.ClientRelativeEvent").filter(client=c).update(pgh_created_at=_moment(day))
    ),
    "order changed": lambda c, day: (
        _event("bestallning.OrderEvent").filter(client=c).update(pgh_created_at=_moment(day))
    ),
    "granted interventions changed": lambda c, day: (
        _event("bestallning.GrantedInterventionEvent")
        .filter(decision__client=c)
        .update(pgh_created_at=_moment(day))
    ),
    "plan item changed": lambda c, day: (
        _event("genomforandeplan.PlanItemEvent")
        .filter(plan__client=c)
        .update(pgh_created_at=_moment(day))
    ),
    "time result explained": lambda c, day: (
        _event("uppfoljning.MonthlyTimeResultEvent")
        .filter(client=c)
        .update(pgh_created_at=_moment(day))
    ),
}


def _moment(day: datetime.date) -> datetime.datetime:
    """Noon of the day in Swedish time."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.parametrize("entry", sorted(LATER_ENTRIES))
def test_any_later_entry_keeps_the_client(here, entry):
    built = case(here, "Nypon")
    age(built.client, years=6)
    assert due_ids(here) == [built.client.pk]
    last_day = cutoff(here.municipality)

    with triggers_skipped():
        assert LATER_ENTRIES[entry](built.client, last_day + DAY) >= 1
    assert due_ids(here) == []

    with triggers_skipped():
        LATER_ENTRIES[entry](built.client, last_day)
    assert due_ids(here) == [built.client.pk]


def test_a_client_with_an_order_in_force_is_never_due(here, no_notice):
    executed = case(here, "Rönnbär", ended=False)  # executed, no end
    sent = case(here, "Slån", ended=False)
    Order.objects.filter(pk=sent.order.pk).update(status="sent", executed_on=None)
    for built in (executed, sent):
        age(built.client, years=20)
    assert due_ids(here) == []
    assert remove(here) is not None
    assert found(executed.word) and found(sent.word)


def test_a_client_in_the_research_sample_is_kept(here, no_notice):
    sample = case(here, "Åkerbär", born_on_day=15)
    age(sample.client, years=6)

    report = retention.make_report(municipality=here.municipality, on=today())
    assert report.client_ids == [] and report.kept == {"research_sample": 1}
    retention.carry_out(municipality=here.municipality)
    assert found(sample.word)


def test_another_municipality_is_untouched(here, there, no_notice):
    local, foreign = case(here, "Hallon"), case(there, "Björnbär")
    for built in (local, foreign):
        age(built.client, years=6)
    there_before = everything_about(foreign.client)

    out = StringIO()
    call_command("run_retention", "--dry-run", "--municipality", "0123", stdout=out)
    call_command("run_retention", "--municipality", "0123", stdout=out)

    assert not found(local.word)
    assert found(foreign.word)
    assert not RetentionRun.objects.filter(municipality=there.municipality).exists()
    assert everything_about(foreign.client) == there_before
    # With its own, longer period the other municipality keeps its client on a run of all.
    there.municipality.retention_years = 10
    there.municipality.save()
    retention.run_scheduled()
    assert found(foreign.word)
    assert due_ids(there) == []


# ---------------------------------------------------------------------------------------------
# The report first; the removal a month later; twice is once


def test_the_report_changes_nothing_and_counts_what_the_removal_removes(here, no_notice):
    built = case(here, "Mullbär")
    age(built.client, years=6)
    before = fingerprint(without=("uppfoljning_retentionrun",))

    report = retention.make_report(municipality=here.municipality, on=today(), started_by="x")

    assert fingerprint(without=("uppfoljning_retentionrun",)) == before
    assert report.kind == RetentionRunKind.REPORT
    assert report.client_ids == [built.client.pk]
    assert report.cutoff == cutoff(here.municipality)
    removal = retention.carry_out(municipality=here.municipality)
    assert removal.report == report
    assert removal.counts == report.counts


def test_a_report_for_a_later_day_names_those_due_by_then(here):
    soon = case(here, "Kråkbär")
    age(soon.client, years=6)
    # The last entry a month after today's cutoff: due in a month.
    last = cutoff(here.municipality) + 30 * DAY
    set_dates(Order.objects.filter(client=soon.client), valid_to=last)
    assert due_ids(here) == []
    later = today() + datetime.timedelta(days=60)
    assert due_ids(here, on=later) == [soon.client.pk]


def test_nothing_is_removed_before_the_report_is_four_weeks_old(here):
    built = case(here, "Tranbär")
    age(built.client, years=6)

    report = retention.make_report(municipality=here.municipality, on=today())
    assert retention.carry_out(municipality=here.municipality) is None
    assert found(built.word)

    _made(report, days_ago=27)
    assert retention.carry_out(municipality=here.municipality) is None
    _made(report, days_ago=28)
    removal = retention.carry_out(municipality=here.municipality)
    assert removal.client_ids == [built.client.pk]
    assert not found(built.word)


def _made(report: RetentionRun, *, days_ago: int) -> None:
    made = _moment(today() - datetime.timedelta(days=days_ago))
    set_dates(RetentionRun.objects.filter(pk=report.pk), created_at=made)


def test_a_client_with_an_entry_since_the_report_is_kept(here, no_notice):
    built = case(here, "Hagtorn")
    age(built.client, years=6)
    report = retention.make_report(municipality=here.municipality, on=today())
    # The officer corrects the phone number: an entry today.
    Client.objects.filter(pk=built.client.pk).update(phone="08-555 55 55")

    removal = retention.carry_out(municipality=here.municipality)

    assert removal.report == report and removal.client_ids == []
    assert removal.kept == {"no_longer_due": 1}
    assert found(built.word)


def test_the_monthly_run_twice_changes_nothing_more(here):
    built = case(here, "Krikon")
    age(built.client, years=6)
    _made(retention.make_report(municipality=here.municipality, on=today()), days_ago=31)

    first = retention.run_scheduled()
    after_first = fingerprint()
    second = retention.run_scheduled()

    assert [run.kind for run in first] == ["removal", "report", "report"]
    assert first[0].client_ids == [built.client.pk]
    assert first[1].on_date == first[2].on_date > today()
    assert second == []
    assert fingerprint() == after_first
    # The command's removal again: nothing to carry out.
    out = StringIO()
    call_command("run_retention", stdout=out)
    assert "inget gallras" in out.getvalue()
    assert fingerprint() == after_first


def test_beat_runs_it_monthly_at_night_in_swedish_time(here):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-retention"]
    assert entry["task"] == "uppfoljning.tasks.retention_task"
    assert entry["schedule"] == crontab(hour=3, minute=15, day_of_month=1)
    assert settings.CELERY_TIMEZONE == "Europe/Stockholm"
    retention_task()
    assert RetentionRun.objects.filter(
        municipality=here.municipality, kind="report", started_by="Celery beat"
    ).exists()


# ---------------------------------------------------------------------------------------------
# The command, the log: ids and counts, never a name or a number


def test_the_command_prints_ids_and_counts_without_personal_data(here, no_notice, caplog):
    built = case(here, "Åkerbär2")
    age(built.client, years=6)
    caplog.set_level(logging.INFO)
    out = StringIO()

    call_command("run_retention", "--dry-run", "--municipality", "0123", stdout=out)
    call_command("run_retention", "--municipality", "0123", stdout=out)

    text = out.getvalue()
    assert f"Brukarnas id: {built.client.pk}." in text
    assert "Förhandsrapport" in text and "Gallrade brukare: 1." in text
    assert "brukare: 1" in text and "genomförandeplaner, historik:" in text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(built.client.pk) in logged
    for needle in [*built.needles, "Åkerbär2-Anna", built.personal_number[2:8]]:
        assert needle not in text and needle not in logged, needle


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "2030-01-01"], "--date går bara med --dry-run"),
        (["--dry-run", "--date", "1 januari"], "Ogiltigt datum"),
        (["--dry-run", "--municipality", "9999"], "ingen kommun med koden"),
    ],
)
def test_the_command_refuses_bad_arguments(here, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_retention", *arguments, stdout=StringIO())
    assert not RetentionRun.objects.exists()


# ---------------------------------------------------------------------------------------------
# As the application's database role


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    database_roles.secure(role=ROLE)
    return ROLE


def _as_app(sql: str, params=None):
    """Run `sql` as the application role in a savepoint; the error, if any."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute(sql, params)
    except DatabaseError as error:
        return error
    return None


def test_the_app_role_runs_retention_through_the_owners_function(here, app_role, no_notice):
    built = case(here, "Plommon")
    age(built.client, years=6)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        removal = remove(here)
        cursor.execute("RESET ROLE")
    assert removal.client_ids == [built.client.pk]
    assert not found(built.word)
    assert "uppfoljning_retentionrun" in database_roles.append_only_tables()


def test_the_app_role_cannot_erase_a_client_who_is_not_due(here, app_role):
    recent = case(here, "Krusbär")
    trail = found(recent.word)
    # A forged report naming the client is not enough: the function checks the rule itself.
    report = RetentionRun.objects.create(
        municipality=here.municipality,
        kind="report",
        on_date=today(),
        retention_years=5,
        cutoff=today(),
        client_ids=[recent.client.pk],
    )
    error = _as_app(
        "SELECT uppfoljning_retention_remove(%s, %s::bigint[], '{}', 'x')",
        [report.pk, [recent.client.pk]],
    )
    assert error is not None and "not due for removal" in str(error)
    assert found(recent.word) == trail
    # Nor may it call the part that writes, or change the record of runs.
    for sql, params in (
        ("SELECT uppfoljning_retention_work(%s::bigint[], true)", [[recent.client.pk]]),
        ("UPDATE uppfoljning_retentionrun SET client_ids = '{}' WHERE id = %s", [report.pk]),
        ("DELETE FROM uppfoljning_retentionrun WHERE id = %s", [report.pk]),
    ):
        error = _as_app(sql, params)
        assert error is not None and "permission denied" in str(error), sql
    assert found(recent.word) == trail


def test_moving_dates_back_does_not_bring_a_client_into_scope(here, app_role, no_notice):
    """The app role can change case dates, but each change is an audit event dated now, which
    is an entry: the client is not due, and the function refuses."""
    built = case(here, "Aronia")
    old = years_before(today(), 10)
    error = _as_app(
        "UPDATE bestallning_order SET valid_from = %s, valid_to = %s, created_at = %s, "
        "sent_at = %s, received_at = NULL WHERE client_id = %s; "
        "UPDATE ramtid_client SET created_at = %s WHERE id = %s",
        [old, old, _moment(old), _moment(old), built.client.pk, _moment(old), built.client.pk],
    )
    assert error is None
    assert due_ids(here) == []
    trail = found(built.word)  # the change itself is in the trail, with the texts
    report = RetentionRun.objects.create(
        municipality=here.municipality,
        kind="report",
        on_date=today(),
        retention_years=5,
        cutoff=today(),
        client_ids=[built.client.pk],
    )
    error = _as_app(
        "SELECT uppfoljning_retention_remove(%s, %s::bigint[], '{}', 'x')",
        [report.pk, [built.client.pk]],
    )
    assert error is not None and "not due for removal" in str(error)
    assert found(built.word) == trail


def test_the_audit_trail_records_again_right_after_a_removal(here, no_notice):
    """The function skips the triggers for its own writes only: in the same transaction, as the
    owner (who may skip triggers), the next change is audited again."""
    built, other = case(here, "Körsbär"), case(here, "Slånbär")
    age(built.client, years=6)
    events = apps.get_model("ramtid.ClientEvent").objects.filter(pgh_obj_id=other.client.pk)
    before = events.count()
    with transaction.atomic():
        remove(here)
        Client.objects.filter(pk=other.client.pk).update(phone="08-555 55 55")
        assert events.count() == before + 1


def test_a_removed_client_is_in_no_list_and_no_page(here, no_notice):
    """Gallrad: the rows stay for the statistics, but no client page or list shows the client,
    nor its orders and plans."""
    built = case(here, "Kaprifol")
    age(built.client, years=6)
    remove(here)
    built.client.refresh_from_db()
    assert built.client.removed_on is not None
    plan = ImplementationPlan.objects.get(client=built.client)
    decision = Decision.objects.get(client=built.client)
    other = case(here, "Kastanj")  # a client of the same officer, not removed
    browser = Browser()
    browser.force_login(here.officer)
    assert browser.get(reverse("client_detail", args=[other.client.pk])).status_code == 200
    listed = browser.get(reverse("client_list")).content.decode()
    assert "Gallrad" not in listed and "Kastanj" in listed
    for url in (
        reverse("client_detail", args=[built.client.pk]),
        reverse("order_detail", args=[built.order.pk]),
        reverse("plan_detail", args=[plan.pk]),
        reverse("plan_version", args=[plan.pk, 1]),
    ):
        assert browser.get(url).status_code == 404, url
    # The unit's decisions stay (hours granted count), with nothing personal left in them.
    page = browser.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    assert "Gallrad brukare" in page
    assert not [needle for needle in built.needles if needle in page]


def test_the_access_log_is_left_as_it_is(here, no_notice):
    built = case(here, "Fläder")
    age(built.client, years=6)
    AccessLog.objects.create(
        user=here.officer, client_ids=[built.client.pk], action="view", what="Brukarsidan"
    )
    remove(here)
    assert AccessLog.objects.get().client_ids == [built.client.pk]


def test_plan_items_and_relatives_events_lose_their_texts(here, no_notice):
    built = case(here, "Hassel")
    age(built.client, years=6)
    remove(here)
    items = PlanItem.objects.filter(plan__client=built.client)
    assert items and {item.my_goal for item in items} == {retention_placeholder()}
    events = apps.get_model("ramtid.ClientRelativeEvent").objects.filter(client=built.client)
    assert events and {(e.name, e.phone, e.email) for e in events} == {
        (retention_placeholder(), "", "")
    }


def test_the_monthly_job_removes_sign_in_records_older_than_a_year_only(here, no_notice, settings):
    """django-axes's sign-in records are personal data about the staff: kept
    RAMTID_SIGNIN_LOG_DAYS, then removed by the monthly job; the access log of clients stays."""
    from axes.models import AccessLog as SignIn

    settings.RAMTID_SIGNIN_LOG_DAYS = 365
    now = timezone.now()
    old = SignIn.objects.create(username="gammal", ip_address="10.0.0.1", user_agent="x")
    new = SignIn.objects.create(username="ny", ip_address="10.0.0.2", user_agent="x")
    SignIn.objects.filter(pk=old.pk).update(attempt_time=now - datetime.timedelta(days=366))
    SignIn.objects.filter(pk=new.pk).update(attempt_time=now - datetime.timedelta(days=364))
    AccessLog.objects.create(user=here.officer, client_ids=[1], action="view", what="x")
    retention.run_scheduled()
    assert list(SignIn.objects.values_list("username", flat=True)) == ["ny"]
    assert AccessLog.objects.count() == 1
    # Again: nothing more.
    assert retention.remove_old_sign_ins() == 0
