"""The daily plan check (issue 9 §3, §4): a notice when the contact person is not named within
the municipality's days, when the plan is not ready by its due day, and when the provider's
follow-up of the plan falls due; created once per key whatever the number of runs, closed when
done, e-mailed once without personal data; and the command that runs it by hand."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bestallning import services as order_services
from bestallning.models import Order
from genomforandeplan import services as plan_services
from ramtid import personal_number
from tests.bestallning.conftest import TODAY
from tests.uppfoljning.plan_check_helpers import D, executed, ready, with_emails
from uppfoljning import plan_check
from uppfoljning.choices import NoticeKind
from uppfoljning.models import Notice
from uppfoljning.plan_check import mail_notice, run_plan_check

DAY = datetime.timedelta(days=1)


@pytest.fixture
def eager(monkeypatch):
    """Celery tasks run in-process (tests/ramtid/test_worker.py covers a real worker)."""
    from ramtid.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def _keys(kind: NoticeKind | None = None) -> set[str]:
    notices = Notice.objects.all() if kind is None else Notice.objects.filter(kind=kind)
    return set(notices.values_list("key", flat=True))


def _open(kind: NoticeKind) -> list[Notice]:
    return list(Notice.objects.filter(kind=kind, closed_at__isnull=True))


# ---------------------------------------------------------------------------------------------
# Each kind on the right day, not the day before


@pytest.mark.parametrize(
    ("days", "started", "last_day"),
    [
        (5, D(2026, 1, 28), D(2026, 2, 2)),  # Järfälla's 5 days, over a month end
        (10, D(2026, 2, 20), D(2026, 3, 2)),  # 10 days over February's end
        (5, D(2025, 12, 29), D(2026, 1, 3)),  # over a year end
    ],
)
def test_contact_person_missing_comes_the_day_after_the_municipalitys_days(
    world, days, started, last_day
):
    world.municipality.contact_person_days = days
    world.municipality.save()
    order = executed(world, on=started)

    run_plan_check(today=last_day)
    assert not _open(NoticeKind.CONTACT_PERSON_MISSING)

    run_plan_check(today=last_day + DAY)
    [notice] = _open(NoticeKind.CONTACT_PERSON_MISSING)
    assert notice.key == f"contact_person_missing:{order.pk}"
    assert (notice.order_id, notice.client_id, notice.provider_id, notice.ordering_unit_id) == (
        order.pk, order.client_id, order.provider_id, world.unit.pk,
    )  # fmt: skip
    assert notice.due_on == last_day and notice.plan_id is None


@pytest.mark.parametrize(
    ("days", "started", "due"),
    [
        (14, D(2026, 1, 20), D(2026, 2, 3)),  # Järfälla's 14 days over a month end
        (15, D(2026, 2, 20), D(2026, 3, 7)),  # Stockholm's 15 over February's end
        (14, D(2028, 2, 20), D(2028, 3, 5)),  # a leap February
    ],
)
def test_plan_late_comes_the_day_after_the_due_day(world, days, started, due):
    world.municipality.plan_deadline_days = days
    world.municipality.save()
    order = executed(world, on=started)
    plan = plan_services.plan_start(order=order, by=world.contact_person)

    run_plan_check(today=due)
    assert not _open(NoticeKind.PLAN_LATE)

    run_plan_check(today=due + DAY)
    [notice] = _open(NoticeKind.PLAN_LATE)
    assert notice.key == f"plan_late:{order.pk}"
    assert notice.due_on == due and notice.plan_id == plan.pk


def test_plan_follow_up_comes_on_its_due_day_and_each_period_has_its_own(world):
    world.municipality.plan_follow_up_months = 6
    world.municipality.save()
    order = executed(world, on=D(2025, 8, 1))
    plan = ready(world, order, on=D(2025, 8, 31))  # + 6 months: the last of February

    run_plan_check(today=D(2026, 2, 27))
    assert not _open(NoticeKind.PLAN_FOLLOW_UP_DUE)

    run_plan_check(today=D(2026, 2, 28))
    [first] = _open(NoticeKind.PLAN_FOLLOW_UP_DUE)
    assert first.key == f"plan_follow_up_due:{plan.pk}:2026-02-28"
    assert (first.due_on, first.plan_id, first.order_id) == (D(2026, 2, 28), plan.pk, order.pk)

    # When the follow-up is recorded, the notice closes and the next period is due 6 months on
    plan_services.plan_follow_up(
        plan=plan, by=world.contact_person, followed_up_on=D(2026, 3, 2), notes="Fungerar."
    )
    run_plan_check(today=D(2026, 3, 3))
    first.refresh_from_db()
    assert first.closed_at is not None
    assert not _open(NoticeKind.PLAN_FOLLOW_UP_DUE)

    run_plan_check(today=D(2026, 9, 1))
    assert not _open(NoticeKind.PLAN_FOLLOW_UP_DUE)
    run_plan_check(today=D(2026, 9, 2))
    [second] = _open(NoticeKind.PLAN_FOLLOW_UP_DUE)
    assert second.key == f"plan_follow_up_due:{plan.pk}:2026-09-02"


def test_the_municipalitys_follow_up_months_are_used(world):
    world.municipality.plan_follow_up_months = 3
    world.municipality.save()
    order = executed(world, on=D(2026, 1, 10))
    ready(world, order, on=D(2026, 1, 20))
    run_plan_check(today=D(2026, 4, 19))
    assert not _open(NoticeKind.PLAN_FOLLOW_UP_DUE)
    run_plan_check(today=D(2026, 4, 20))
    assert [n.due_on for n in _open(NoticeKind.PLAN_FOLLOW_UP_DUE)] == [D(2026, 4, 20)]


def test_orders_not_executed_or_not_in_force_get_no_notice(world):
    # A sent order not yet started; an order whose last day has passed
    waiting = executed(world, on=D(2026, 1, 5))
    Order.objects.filter(pk=waiting.pk).update(status="received", executed_on=None)
    past = executed(world, on=D(2026, 1, 5))
    Order.objects.filter(pk=past.pk).update(valid_to=D(2026, 2, 28))

    run_plan_check(today=D(2026, 3, 1))

    assert not Notice.objects.exists()


# ---------------------------------------------------------------------------------------------
# Stable keys: twice or every day, nothing new


def test_running_twice_or_every_day_creates_nothing_new(
    world, django_capture_on_commit_callbacks, mailoutbox, eager
):
    with_emails(world)
    order = executed(world, on=D(2026, 1, 1))
    plan = ready(world, executed(world, on=D(2025, 6, 1)), on=D(2025, 6, 10))

    # When the check runs (the mail task runs on commit, eagerly)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        summary = run_plan_check(today=D(2026, 2, 1))
    assert len(callbacks) == 1  # one mail task for the run
    assert summary.created == {
        NoticeKind.CONTACT_PERSON_MISSING: 2,
        NoticeKind.PLAN_LATE: 1,
        NoticeKind.PLAN_FOLLOW_UP_DUE: 1,
    }
    rows = list(Notice.objects.order_by("pk").values())
    assert {r["key"] for r in rows} >= {
        f"plan_late:{order.pk}",
        f"plan_follow_up_due:{plan.pk}:2025-12-10",
    }
    mails = len(mailoutbox)
    assert mails == 2  # the coordinator and the officer

    # Then running again, the same day and the days after, changes nothing and mails nothing
    for today in (D(2026, 2, 1), D(2026, 2, 2), D(2026, 2, 20)):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            summary = run_plan_check(today=today)
        assert summary.created_total == 0 and summary.closed_total == 0
        assert callbacks == []
    assert list(Notice.objects.order_by("pk").values()) == rows
    assert len(mailoutbox) == mails
    # and the mail task delivered twice sends nothing the second time
    assert mail_notice(notice_id=rows[0]["id"]) == 0
    assert len(mailoutbox) == mails


# ---------------------------------------------------------------------------------------------
# Closing


def test_a_contact_person_named_closes_the_notice(world):
    order = executed(world, on=D(2026, 1, 1))
    run_plan_check(today=D(2026, 2, 1))
    [notice] = _open(NoticeKind.CONTACT_PERSON_MISSING)

    plan_services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person
    )
    summary = run_plan_check(today=D(2026, 2, 2))

    notice.refresh_from_db()
    assert notice.closed_at is not None
    assert summary.closed[NoticeKind.CONTACT_PERSON_MISSING] == 1
    # and it is not opened again
    run_plan_check(today=D(2026, 2, 3))
    assert not _open(NoticeKind.CONTACT_PERSON_MISSING)


def test_a_plan_ready_closes_the_notice_even_when_ready_late(world):
    order = executed(world, on=D(2026, 1, 1))
    run_plan_check(today=D(2026, 2, 1))
    [notice] = _open(NoticeKind.PLAN_LATE)

    ready(world, order, on=D(2026, 2, 1))
    run_plan_check(today=D(2026, 2, 2))

    notice.refresh_from_db()
    assert notice.closed_at is not None
    assert Notice.objects.filter(kind=NoticeKind.PLAN_LATE).count() == 1


@pytest.mark.parametrize("how", ["ended", "last day passed", "superseded"])
def test_an_order_no_longer_in_force_closes_its_notices(world, how):
    order = executed(world, on=D(2026, 1, 1))
    run_plan_check(today=D(2026, 2, 1))
    assert len(Notice.objects.filter(closed_at__isnull=True)) == 2

    if how == "ended":
        order_services.order_end(order=order, by=world.officer, ended_on=D(2026, 2, 1),
                                 reason="Flyttar.")  # fmt: skip
    elif how == "last day passed":
        Order.objects.filter(pk=order.pk).update(valid_to=D(2026, 2, 1))
    else:
        Order.objects.filter(pk=order.pk).update(status="superseded", valid_to=D(2026, 2, 1))
    run_plan_check(today=D(2026, 2, 2))

    assert not Notice.objects.filter(closed_at__isnull=True).exists()


def test_a_past_date_closes_nothing_that_is_still_to_do(world):
    executed(world, on=D(2026, 1, 1))
    run_plan_check(today=D(2026, 2, 1))
    # Run for an earlier day (the command's --date): not yet due then, but not done either
    summary = run_plan_check(today=D(2026, 1, 2))
    assert summary.closed_total == 0
    assert Notice.objects.filter(closed_at__isnull=True).count() == 2


def test_a_client_moved_to_another_unit_takes_its_open_notices_along(world):
    from tests.factories import OrderingUnitFactory

    order = executed(world, on=D(2026, 1, 1))
    run_plan_check(today=D(2026, 2, 1))
    unit = OrderingUnitFactory(municipality=world.municipality)
    order.client.__class__.objects.filter(pk=order.client_id).update(ordering_unit=unit)

    run_plan_check(today=D(2026, 2, 2))

    assert set(Notice.objects.values_list("ordering_unit_id", flat=True)) == {unit.pk}


# ---------------------------------------------------------------------------------------------
# E-mail: once, per recipient, without personal data


def test_the_mail_goes_once_to_each_recipient_and_names_no_one(
    world, django_capture_on_commit_callbacks, mailoutbox, settings, eager
):
    settings.RAMTID_SITE_URL = "https://ramtid.example.se"
    with_emails(world)
    # Two late orders at the world's provider and one at another, all the officer's clients
    first = executed(world, on=D(2026, 1, 1), client=world.client)
    executed(world, on=D(2026, 1, 2))
    elsewhere = executed(world, on=D(2026, 1, 3), provider=world.other_provider)

    with django_capture_on_commit_callbacks(execute=True):
        run_plan_check(today=D(2026, 2, 1))

    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(by_recipient) == [
        "annansamordnare@example.se", "handlaggare@example.se", "samordnare@example.se"
    ]  # fmt: skip
    assert all(len(mail.to) == 1 for mail in mailoutbox)
    coordinator = by_recipient["samordnare@example.se"].body
    assert "4 nya påminnelser" in coordinator  # 2 orders × (contact person, plan)
    assert "Kontaktman inte utsedd: 2" in coordinator
    assert "Genomförandeplan inte klar i tid: 2" in coordinator
    assert "6 nya påminnelser" in by_recipient["handlaggare@example.se"].body
    assert "2 nya påminnelser" in by_recipient["annansamordnare@example.se"].body
    assert "https://ramtid.example.se/paminnelser/" in coordinator
    # No name, no personal number in any spelling, not even the last four digits
    for mail in mailoutbox:
        text = mail.subject + "\n" + mail.body
        for order in (first, elsewhere):
            client = order.client
            number = personal_number.normalise(client.personal_number)
            assert client.first_name not in text and client.last_name not in text
            assert number not in text and number[2:] not in text
            assert number[-4:] not in re.sub(r"https?://\S+", "", text)
        assert "Lisa" not in text and "Andersson" not in text
    assert all(n.mailed_at for n in Notice.objects.all())


def test_a_notice_closed_before_the_mail_is_not_mailed(world, mailoutbox):
    with_emails(world)
    order = executed(world, on=D(2026, 1, 1))
    summary = run_plan_check(today=D(2026, 2, 1))  # the task would run after commit
    plan_services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person
    )
    run_plan_check(today=D(2026, 2, 1))

    assert mail_notice(notice_id=summary.new_ids[0]) == 2
    assert all("1 ny påminnelse" in mail.body for mail in mailoutbox)
    assert all("Kontaktman" not in mail.body for mail in mailoutbox)


def test_the_mail_task_runs_the_service(world, mailoutbox, eager):
    from uppfoljning.tasks import notice_mail_task

    with_emails(world)
    executed(world, on=D(2026, 1, 1))
    summary = run_plan_check(today=D(2026, 2, 1))
    notice_mail_task.delay(summary.new_ids[0])
    notice_mail_task.delay(summary.new_ids[0])  # delivered twice (acks_late): sent once
    assert len(mailoutbox) == 2


def test_the_link_falls_back_to_the_sites_host(settings):
    settings.RAMTID_SITE_URL = ""
    settings.ALLOWED_HOSTS = ["*", ".kommun.se", "ramtid.kommun.se"]
    settings.HTTPS = True
    assert plan_check.notice_list_url() == "https://ramtid.kommun.se/paminnelser/"


# ---------------------------------------------------------------------------------------------
# The command


def test_the_command_runs_the_check_for_a_date(world):
    order = executed(world, on=D(2026, 1, 1))
    out = StringIO()
    call_command("run_plan_check", "--date", "2026-01-07", stdout=out)
    assert set(_keys()) == {f"contact_person_missing:{order.pk}"}
    assert "Kontaktman inte utsedd: 1 nya, 0 stängda" in out.getvalue()
    assert "2026-01-07" in out.getvalue()

    out = StringIO()
    call_command("run_plan_check", "--date", "2026-01-16", stdout=out)
    assert _keys() == {f"contact_person_missing:{order.pk}", f"plan_late:{order.pk}"}
    assert "Klart: 1 nya påminnelser, 0 stängda." in out.getvalue()


def test_the_command_without_a_date_checks_today(world):
    executed(world, on=TODAY - datetime.timedelta(days=40))
    call_command("run_plan_check", stdout=StringIO())
    assert len(_keys()) == 2


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("run_plan_check", "--date", "2026-02-31")


def test_a_plan_never_ready_has_no_follow_up_due(world):
    order = executed(world, on=D(2025, 1, 1))
    plan_services.plan_start(order=order, by=world.contact_person)
    run_plan_check(today=D(2026, 2, 1))
    assert _keys() == {f"contact_person_missing:{order.pk}", f"plan_late:{order.pk}"}
