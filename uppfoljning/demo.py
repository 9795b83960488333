"""The demo's follow-up: visits, the monthly time check and the plan check's notices, for the
orders bestallning.demo and the plans genomforandeplan.demo load.

`python manage.py load_demo` runs `notices_before_plans` between bestallning.demo and
genomforandeplan.demo (the daily plan check as it ran while those plans were late), and `load`
last (settings.RAMTID_DEMO_LOADERS):

- Visits for the last full months (the last three, and the one before for the clients whose
  orders began then) are imported through the import service, one file per provider, as a
  coordinator uploads them: each client's days in force, two to four visits a day, with staff
  codes that keep continuity.
- The monthly check runs for each month as beat would have run it: first on the check day after
  the month, then again today, which freezes the months whose billing deadline has passed.

    Elsa Andersson      over in every month, never explained: an individual review for her
                        officer (three months in a row)
    Karin Engström      under in the last month (a short-term stay), explained by Strandvägen:
                        waits for the officer's decision
    Gösta Karlsson      over the month before (influenza, help with meals), explained by
                        Lindgården and approved: that month is frozen with its decision
    Olof Ekman          under in the last month, not yet explained (the provider's to do)
    the others          within the tolerance (some visits declined)

- The plan check runs again at the end: the notices of the plans and contact persons that were
  late and have since been made are closed; Olof Ekman's (no contact person) and Folke Holm's
  (no plan) stay open.

- Complaints (synpunkter och klagomål, 002; uppfoljning.complaints), one of each kind a
  worklist shows:

    Gösta Karlsson      his daughter on the morning visits' times, at Lindgården: answered by
                        its coordinator in nine days (on time), closed by his officer
    Elsa Andersson      herself on the staff's manner, at Lindgården: received 20 days ago and
                        not answered, late (the coordinator's to answer, the officer's to chase)
    Åke Lindberg        his wife on the decision, to the unit: received 3 days ago, open (the
                        officers' to answer)

Idempotent: nothing is imported or checked again once the demo's imports exist (their file names
are the natural key), and a complaint is registered only when its client has none with its text.
Written through the services (the import, the check, the explanation and the decision, the
complaints), attributed to the task "load_demo"; an explanation given before a deadline that has
since passed is recorded as given then, as the plans' demo records the day the client approved,
and a complaint's registration, answer and closing are stamped with their days.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from bestallning import demo as order_demo
from bestallning.models import Order
from bestallning.states import ISSUED_STATUSES
from ramtid import demo as core_demo
from ramtid.models import Client, Municipality, Provider, User
from uppfoljning import complaints, imports, monthly, plan_check
from uppfoljning.choices import (
    AnswerMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
    ExplanationCategory,
    ExplanationDecision,
    ImportStatus,
)
from uppfoljning.loaddata import HEADER
from uppfoljning.models import (
    Complaint,
    IndividualReview,
    MonthlyTimeResult,
    Notice,
    PerformedVisit,
    VisitImport,
)
from uppfoljning.partitions import next_month

COUNTED_MODELS = (
    VisitImport,
    PerformedVisit,
    MonthlyTimeResult,
    IndividualReview,
    Notice,
    Complaint,
)
FILE_PREFIX = "demo-besok-"
MONTHS = 4  # the last three full months, and the one before for orders that began then

OVER, UNDER = "Elsa Andersson", "Olof Ekman"
# Chosen for orders in force in those months whatever the day (the demo's orders start at a
# number of days before today).
EXPLAINED = "Karin Engström"  # under in the last month, explanation waiting
APPROVED = "Gösta Karlsson"  # over the month before, explanation approved
# (visit times, minutes after midnight) by visits a day.
TIMES = {2: (8 * 60, 17 * 60), 3: (8 * 60, 12 * 60, 19 * 60),
         4: (7 * 60 + 30, 11 * 60 + 30, 16 * 60 + 30, 20 * 60)}  # fmt: skip
DECLINED_REASON = "Brukaren avböjde besöket."
ABSENCE_REASON = "Korttidsboende"


def months(today: datetime.date) -> list[datetime.date]:
    """The demo's months, oldest first: the last MONTHS full months before today."""
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    result = [last]
    for _ in range(MONTHS - 1):
        result.insert(0, (result[0] - datetime.timedelta(days=1)).replace(day=1))
    return result


def notices_before_plans() -> core_demo.DemoResult:
    """The daily plan check as it ran before the demo's plans were written (settings put this
    between the orders' and the plans' loaders): the notices of the plans and contact persons
    that were late then. `load` runs the check again after the plans, which closes them."""
    with transaction.atomic(), pghistory.context(task=core_demo.AUDIT_TASK):
        before = Notice.objects.count()
        plan_check.run_plan_check()
        created = Notice.objects.count() - before
    return core_demo.DemoResult(created={str(Notice._meta.verbose_name_plural): created}, logins=[])


def load() -> core_demo.DemoResult:
    """Import the demo's visits and run the checks, unless they are there already."""
    with transaction.atomic(), pghistory.context(task=core_demo.AUDIT_TASK):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ramtid.load_demo'))")
        before = _counts()
        if not VisitImport.objects.filter(file_name__startswith=FILE_PREFIX).exists():
            _follow_up(timezone.localdate())
        plan_check.run_plan_check()
        _complaints(timezone.localdate())
        after = _counts()
    return core_demo.DemoResult(
        created={name: after[name] - before[name] for name in after}, logins=[]
    )


def _counts() -> dict[str, int]:
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in COUNTED_MODELS}


def _follow_up(today: datetime.date) -> None:
    demo_months = months(today)
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[spec.username for spec in core_demo.USERS])
    }
    orders = list(
        Order.objects.filter(
            client__municipality__code__in=[core_demo.JARFALLA, core_demo.STOCKHOLM],
            status__in=ISSUED_STATUSES,
        )
        .select_related("client__municipality", "provider", "ordered_by")
        .order_by("provider__name", "client__personal_number", "valid_from")
    )
    clients = {f"{o.client.first_name} {o.client.last_name}": o.client for o in orders}
    names = {client.pk: name for name, client in clients.items()}
    first, end = demo_months[0], next_month(demo_months[-1])
    by_provider: dict[str, list[tuple]] = {}
    for order in orders:
        by_provider.setdefault(order.provider.name, []).extend(
            _visits(order, names.get(order.client_id, ""), demo_months, first, end, today)
        )
    for provider_name, rows in by_provider.items():
        if rows:
            _import(provider_name, rows, demo_months, users)
    municipalities = list(
        Municipality.objects.filter(pk__in={order.client.municipality_id for order in orders})
    )
    # As beat ran it: on the check day after each month (or today, if that is still to come) …
    for month in demo_months:
        for municipality in municipalities:
            check_day = next_month(month).replace(day=municipality.monthly_check_day)
            monthly.run_month(municipality=municipality, month=month, today=min(check_day, today))
    _explain(clients, demo_months, users, today)
    # … and today, which freezes the months past their deadline and opens the reviews.
    for month in demo_months:
        for municipality in municipalities:
            monthly.run_month(municipality=municipality, month=month, today=today)


def _rate(name: str, month: datetime.date, demo_months: list[datetime.date]) -> float:
    """Performed time as a share of the ordered for the client and month."""
    if name == OVER:
        return 1.3
    if name == APPROVED and month == demo_months[-2]:
        return 1.35
    if name == UNDER and month == demo_months[-1]:
        return 0.55
    return 1.0


def _visits(order: Order, name: str, demo_months, first, end, today) -> list[tuple]:
    """The order's visits on its days in force in the demo's months (before today)."""
    # From the order's first day (executing it is recorded a day or two later) to its last.
    day = max(first, order.valid_from)
    last = min(end - datetime.timedelta(days=1), today - datetime.timedelta(days=1))
    if order.valid_to is not None:
        last = min(last, order.valid_to)
    rng = random.Random(f"demo:{order.client.personal_number}:{order.valid_from}")  # noqa: S311
    number = f"{order.client.personal_number[:8]}-{order.client.personal_number[8:]}"
    per_day = min(4, max(2, order.daily_visits or 2))
    staff = [f"P{rng.randint(100, 999)}" for _ in range(3)]
    absent = set()
    if name == EXPLAINED:
        # Five days at a short-term stay in the last month: that month is well under.
        last_month = demo_months[-1]
        absent = {last_month + datetime.timedelta(days=d) for d in range(21, 26)}
    rows = []
    while day <= last:
        month = day.replace(day=1)
        month_days = (next_month(month) - month).days
        share = (order.ordered_minutes or 0) * _rate(name, month, demo_months) / month_days
        minutes = max(5, round(share / per_day))
        for slot, start in enumerate(TIMES[per_day]):
            at = datetime.datetime.combine(day, datetime.time(start // 60, start % 60))
            status, reason = "utförd", ""
            if day in absent:
                status, reason = "frånvaro", ABSENCE_REASON
            elif rng.random() < 0.02:
                status, reason = "avböjd", DECLINED_REASON
            rows.append(
                (
                    number,
                    f"{at:%Y-%m-%d %H:%M}",
                    f"{at + datetime.timedelta(minutes=minutes):%Y-%m-%d %H:%M}",
                    # The same three staff, by weekday and visit: continuity.
                    staff[(day.weekday() + slot) % 3],
                    status,
                    reason,
                )
            )
        day += datetime.timedelta(days=1)
    return rows


def _import(provider_name: str, rows: list[tuple], demo_months, users) -> None:
    """One file of the provider's visits, uploaded by its coordinator and imported."""
    coordinator = users[order_demo._PROVIDER_STAFF[provider_name][0]]
    provider = coordinator.memberships.get().provider
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(
        (f"D{index:06d}", number, start, end, staff, "", status, reason)
        for index, (number, start, end, staff, status, reason) in enumerate(rows, start=1)
    )
    slug = provider_name.lower().split()[0].replace("å", "a").replace("ä", "a").replace("ö", "o")
    name = f"{FILE_PREFIX}{slug}-{demo_months[0]:%Y-%m}-{demo_months[-1]:%Y-%m}.csv"
    created = imports.create_file_import(
        provider=provider,
        by=coordinator,
        file_name=name,
        stream=io.BytesIO(out.getvalue().encode("utf-8")),
    )
    done = imports.run_import(import_id=created.pk)
    if done.status != ImportStatus.DONE:
        # The demo's own rows: a rejection is a fault in this module, shown in full.
        raise RuntimeError(f"Demons besök avvisades ({done.status}): {done.errors[:5]}")


def _explain(clients, demo_months, users, today) -> None:
    """Karin's month explained by Strandvägen (waiting for the officer); Gösta's explained by
    Lindgården and approved by his officer."""
    waiting = MonthlyTimeResult.objects.filter(
        order__client=clients[EXPLAINED], month=demo_months[-1]
    ).first()
    if waiting is not None:
        _give(
            waiting,
            users["samordnare.strandvagen"],
            ExplanationCategory.ABSENCE,
            "Karin var på korttidsboende fem dagar medan dottern var bortrest; besöken "
            "ställdes in.",
            today,
        )
    approved = (
        MonthlyTimeResult.objects.filter(order__client=clients[APPROVED], month=demo_months[-2])
        .order_by("order__valid_from")
        .first()
    )
    if approved is not None:
        approved = _give(
            approved,
            users["samordnare"],
            ExplanationCategory.TEMPORARY_NEED,
            "Gösta hade influensa och behövde hjälp med alla måltider i två veckor.",
            today,
        )
        monthly.decide_month(
            result=approved, by=approved.order.ordered_by, decision=ExplanationDecision.APPROVED
        )


def _give(result: MonthlyTimeResult, by: User, category: str, text: str, today):
    """The provider's explanation: through the service while the month can be explained, else
    as given a few days before its deadline (the history the demo records)."""
    if monthly.ResultState.of(result, today).explainable:
        return monthly.explain_month(result=result, by=by, category=category, text=text)
    given = timezone.make_aware(
        datetime.datetime.combine(
            result.billing_deadline - datetime.timedelta(days=3), datetime.time(10, 0)
        )
    )
    MonthlyTimeResult.objects.filter(pk=result.pk).update(
        explanation_category=category, explanation_text=text, explained_by=by, explained_at=given
    )
    result.refresh_from_db()
    return result


# ---------------------------------------------------------------------------------------------
# Complaints


@dataclass(frozen=True)
class DemoComplaint:
    client: str
    registered_by: str
    provider: str | None  # None: about the unit's handling
    received_days_ago: int
    raised_by: str
    raised_by_name: str
    category: str
    description: str
    # (answered days after received, by, how, text), and (closed days after received, by, note)
    answer: tuple[int, str, str, str] | None = None
    closed: tuple[int, str, str] | None = None
    registration_number: str = ""


COMPLAINTS = (
    DemoComplaint(
        "Gösta Karlsson", "handlaggare2", core_demo.LINDGARDEN, 30, ComplainantKind.RELATIVE,
        "Eva Karlsson, dotter", ComplaintCategory.TIMES,
        "Morgonbesöken kommer ibland först efter klockan tio, och pappa hinner bli orolig och "
        "försöker klä på sig själv.",
        answer=(9, "samordnare", AnswerMethod.PHONE,
                "Vi har ringt Eva och gått igenom morgonbesöken. Gösta får besöket mellan "
                "klockan åtta och nio och samma två medarbetare på morgnarna."),
        closed=(12, "handlaggare2", "Följs upp på nästa avstämningsmöte med Lindgården."),
        registration_number="SN 2026/0412",
    ),
    DemoComplaint(
        "Elsa Andersson", "handlaggare", core_demo.LINDGARDEN, 20, ComplainantKind.CLIENT, "",
        ComplaintCategory.TREATMENT,
        "Elsa ringde och berättade att personalen har bråttom och inte lyssnar när hon säger vad "
        "hon vill ha hjälp med på morgonen.",
    ),
    DemoComplaint(
        "Åke Lindberg", "handlaggare", None, 3, ComplainantKind.RELATIVE,
        "Kerstin Lindberg, hustru", ComplaintCategory.CASE_HANDLING,
        "Kerstin undrar varför Åke beviljades duschhjälp en gång i veckan när de ansökte om två, "
        "och vill ha beslutet förklarat.",
    ),
)  # fmt: skip


def _complaints(today: datetime.date) -> None:
    """The demo's complaints, through the services, with the days they were registered,
    answered and closed recorded as they happened (the services stamp today)."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[spec.username for spec in core_demo.USERS])
    }
    for spec in COMPLAINTS:
        first, last = spec.client.split(" ", 1)
        client = Client.objects.filter(
            first_name=first, last_name=last, municipality__code=core_demo.JARFALLA
        ).first()
        if client is None or client.complaints.filter(description=spec.description).exists():
            continue
        provider = None
        if spec.provider is not None:
            provider = Provider.objects.get(name=spec.provider)
        received = today - datetime.timedelta(days=spec.received_days_ago)
        complaint = complaints.register_complaint(
            client=client,
            by=users[spec.registered_by],
            about=ComplaintAbout.PROVIDER if provider else ComplaintAbout.ORDERING_UNIT,
            provider=provider,
            received_on=received,
            raised_by=spec.raised_by,
            raised_by_name=spec.raised_by_name,
            category=spec.category,
            description=spec.description,
            registration_number=spec.registration_number,
        )
        stamps = {"registered_at": _at(received, 10)}
        if spec.answer is not None:
            after, by, method, text = spec.answer
            answered = received + datetime.timedelta(days=after)
            complaint = complaints.answer_complaint(
                complaint=complaint,
                by=users[by],
                answer_text=text,
                answer_method=method,
                answered_on=answered,
            )
            stamps["answered_at"] = _at(answered, 15)
        if spec.closed is not None:
            after, by, note = spec.closed
            complaints.close_complaint(complaint=complaint, by=users[by], closing_note=note)
            stamps["closed_at"] = _at(received + datetime.timedelta(days=after), 11)
        Complaint.objects.filter(pk=complaint.pk).update(**stamps)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
