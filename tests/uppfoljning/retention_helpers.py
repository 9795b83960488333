"""A client with a whole case for the retention tests, every free text marked with a word of its
own, and the means to move the case back in time.

`case()` builds the case through the services (decision, order sent, executed, changed need
answered, contact person, plan written, completed, returned and followed up, a month's visits
and time result, an individual review, a complaint answered and closed) and then writes the
word into every field that retention removes (uppfoljning.retention.CLIENT_DATA), through the
ORM, so the audit events copy it too. `age()` then moves every date and timestamp of the case,
audit events included, years back, as the owner with the triggers skipped (tests run as the
owner: ramtid/database_roles.py lets the owner skip a trigger), so nothing new is written about
the client.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bestallning import services as order_services
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from genomforandeplan import services as plan_services
from genomforandeplan.models import (
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanVersion,
)
from ramtid.choices import Gender
from ramtid.demo import make_personal_number
from ramtid.models import Client, ClientRelative, Municipality, OrderingUnit, Provider, User
from tests.bestallning.conftest import catalogue, make_decision, make_order
from tests.factories import ClientFactory
from tests.uppfoljning.monthly_helpers import add_visits
from uppfoljning import complaints
from uppfoljning.models import (
    Complaint,
    IndividualReview,
    MonthlyTimeResult,
    Notice,
    PerformedVisit,
)
from uppfoljning.monthly import run_monthly_check
from uppfoljning.partitions import ensure_month_partitions, first_of_month

_serials = itertools.count(101)


@dataclass
class Org:
    """One municipality's people for a case: a unit and its officer, a provider and its staff."""

    municipality: Municipality
    unit: OrderingUnit
    officer: User
    provider: Provider
    coordinator: User
    contact_person: User


@dataclass
class Case:
    client: Client
    word: str
    personal_number: str
    phone: str
    order: Order

    @property
    def needles(self) -> list[str]:
        """What must be found nowhere once the client is removed."""
        return [self.word, self.personal_number, self.phone]


def today() -> datetime.date:
    return timezone.localdate()


def years_before(day: datetime.date, years: int) -> datetime.date:
    """As PostgreSQL subtracts years (29 February → 28 February), the rule's own arithmetic."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (%s::date - make_interval(years => %s))::date", [day, years])
        return cursor.fetchone()[0]


def cutoff(municipality: Municipality) -> datetime.date:
    """The last day an entry may have for the client to be due today."""
    return years_before(today(), municipality.retention_years)


def case(org: Org, word: str, *, born_on_day: int = 12, ended: bool = True) -> Case:
    """A client of `org` with a whole case from about 200 days ago, ended 30 days ago unless
    `ended` is false; `word` is in every text retention removes."""
    serial = next(_serials)
    number = make_personal_number(datetime.date(1938, 4, born_on_day), serial)
    phone = f"070-{serial:03d} 11 22"
    client = ClientFactory(
        ordering_unit=org.unit,
        responsible_officer=org.officer,
        personal_number=number,
        first_name=f"{word}-Anna",
        last_name=f"{word}sson",
        gender=Gender.FEMALE,
        street_address=f"{word}gatan 3",
        postal_code="999 77",
        city=f"{word}by",
        phone=phone,
        protected_identity=True,
    )
    ClientRelative.objects.create(
        client=client,
        kind="next_of_kin",
        name=f"{word} Dotter",
        relationship=f"{word}dotter",
        phone=phone,
        email=f"{word.lower()}@example.se",
    )
    start = today() - datetime.timedelta(days=200)
    shower = catalogue(org.municipality)["Duschhjälp"]
    decision = make_decision(
        org,
        client=client,
        officer=org.officer,
        valid_from=start,
        decided_on=start,
        granted_interventions=[shower],
    )
    order = make_order(org, decision=decision, provider=org.provider, valid_from=start)
    order = order_services.order_send(order=order, by=org.officer)
    order = order_services.order_execute(order=order, by=org.coordinator, executed_on=start)
    Order.objects.filter(pk=order.pk).update(ordered_minutes=3000)
    report = order_services.need_change_report(
        order=order,
        by=org.coordinator,
        direction="increased",
        duration="temporary",
        reason="illness",
        description=f"{word} föll i badrummet.",
    )
    order_services.need_change_answer(
        report=report, by=org.officer, answer="no_change", reason=f"{word} klarar sig."
    )
    plan_services.contact_assign(order=order, by=org.coordinator, contact_person=org.contact_person)
    plan = _plan(org, order, word, approved_on=start + datetime.timedelta(days=10))
    month = first_of_month(start + datetime.timedelta(days=40))
    add_visits(order, month, performed=1500, absent=300, by=org.coordinator)
    PerformedVisit.objects.filter(client=client).update(reason=f"{word} på sjukhus")
    run_monthly_check(municipality=org.municipality, month=month)
    Notice.objects.create(
        key=f"retention-test:{order.pk}",
        kind="plan_late",
        order=order,
        plan=plan,
        client=client,
        provider=org.provider,
        ordering_unit=org.unit,
        due_on=start + datetime.timedelta(days=14),
    )
    review = IndividualReview.objects.create(
        key=f"retention-test:{client.pk}",
        client=client,
        order=order,
        ordering_unit=org.unit,
        reason="yearly",
        due_on=start + datetime.timedelta(days=120),
    )
    _complaint(org, client, start, word)
    _mark_texts(org, client, order, plan, review, word)
    if ended:
        order = order_services.order_end(
            order=order,
            by=org.officer,
            ended_on=today() - datetime.timedelta(days=30),
            reason=f"{word} flyttade till särskilt boende.",
        )
    return Case(client=client, word=word, personal_number=number, phone=phone, order=order)


def _plan(org: Org, order: Order, word: str, *, approved_on: datetime.date) -> ImplementationPlan:
    plan = plan_services.plan_start(order=order, by=org.contact_person)
    texts = {
        "can_do_myself": f"{word} klär sig själv.",
        "need_help_with": f"{word} behöver hjälp i duschen.",
        "how_and_when": f"{word} vill duscha på kvällen.",
        "who_helps": f"{word}s kontaktman.",
        "my_goal": f"{word} vill gå till affären.",
    }
    items = [
        plan_services.PlanItemInput(
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions,
            every_n_weeks=item.every_n_weeks,
            **texts,
        )
        for item in plan.items.all()
    ]
    fields = {
        **texts,
        "planned_daily_visits": plan.planned_daily_visits,
        "participants": ["client", "relative"],
        "meeting_place": "other",
        "meeting_place_other": f"{word}s sommarstuga",
        "client_influence": f"{word} ville själv välja tider.",
        "deviation_reason": f"{word} var trött.",
        "deviation_helper": f"{word} Dotter",
        "life_story": f"{word} var sjuksköterska.",
        "client_approved_on": approved_on,
        "client_approval_how": f"{word} godkände muntligt.",
    }
    plan = plan_services.plan_save(
        plan=plan, by=org.contact_person, version=plan.version, fields=fields, items=items
    )
    plan_services.plan_complete(plan=plan, by=org.contact_person)
    plan_services.plan_review(
        plan=plan, by=org.officer, approve=False, comment=f"{word} saknar kvällsbesöket."
    )
    plan_services.plan_follow_up(
        plan=plan,
        by=org.contact_person,
        followed_up_on=approved_on + datetime.timedelta(days=30),
        notes=f"{word} mår bättre.",
    )
    return plan


def _complaint(org: Org, client: Client, start: datetime.date, word: str) -> None:
    """A complaint about the provider, answered and closed (issue 11), every text with the word."""
    complaint = complaints.register_complaint(
        client=client,
        by=org.officer,
        about="provider",
        provider=org.provider,
        received_on=start + datetime.timedelta(days=20),
        raised_by="relative",
        raised_by_name=f"{word} Dotter",
        category="treatment",
        description=f"{word} fick vänta på morgonbesöket.",
        registration_number=f"{word}-17",
    )
    complaint = complaints.answer_complaint(
        complaint=complaint,
        by=org.coordinator,
        answer_text=f"{word} fick ett svar per telefon.",
        answer_method="phone",
        answered_on=start + datetime.timedelta(days=25),
    )
    complaints.close_complaint(complaint=complaint, by=org.officer, closing_note=f"{word} är nöjd.")


def _mark_texts(org, client, order, plan, review, word) -> None:
    """The word into every removed text the services left empty or generic (through the ORM,
    so the audit events copy it as they would a page's save)."""
    Decision.objects.filter(client=client).update(
        reasoning=f"{word} har svårt att gå.",
        purpose_and_goal=f"{word} ska kunna bo kvar.",
        approval_comment=f"{word} godkänd.",
        withdrawal_reason=f"{word} utredning.",
    )
    Order.objects.filter(pk=order.pk).update(
        order_text=f"{word} har en katt.",
        daily_visits_description=f"{word} morgon och kväll.",
        overall_goals=[f"{word} lever ett värdigt liv."],
        body_functions=f"{word} har yrsel.",
        environmental_factors=f"{word} bor på tredje våningen.",
        health_condition=f"{word} har diabetes.",
        personal_factors=f"{word} är rädd för hundar.",
        quality_warnings=[
            {
                "field": "order_text",
                "field_label": "Beställningstext",
                "kind": "generic_goal",
                "message": f"”{word}” är ett allmänt mål.",
                "suggestion": f"Skriv {word}s egna ord.",
            }
        ],
    )
    OrderedIntervention.objects.filter(order=order).update(
        description=f"{word} har svårt med balansen.", client_goal=f"{word} vill klara håret."
    )
    ImplementationPlan.objects.filter(pk=plan.pk).update(
        client_approval_how=f"{word} godkände skriftligt.",
        coverage_reasons={"missing-1": f"{word} vill inte.", f"{word}-nyckel": "fri text"},
    )
    result = MonthlyTimeResult.objects.get(order=order)
    MonthlyTimeResult.objects.filter(pk=result.pk).update(
        explanation_category="absence",
        explanation_text=f"{word} låg på sjukhus.",
        explained_by=org.coordinator,
        explained_at=timezone.now(),
    )
    MonthlyTimeResult.objects.filter(pk=result.pk).update(
        decision="approved",
        decision_reason=f"{word} rimligt.",
        decided_by=org.officer,
        decided_at=timezone.now(),
    )
    IndividualReview.objects.filter(pk=review.pk).update(
        interventions_work=f"{word} är nöjd med duschen.",
        needs_met=f"{word} behöver mer tid.",
        decision_must_change=f"{word} nej.",
        client_took_part=f"{word} ja, med dottern.",
        client_satisfied=f"{word} ja.",
        contacted_others=f"{word} Dotter per telefon.",
        outcome="unchanged",
        done_on=review.due_on,
        done_by=org.officer,
    )


# ---------------------------------------------------------------------------------------------
# Moving a case in time, as the owner, without a trace in the audit trail.

APPS = {"ramtid", "bestallning", "genomforandeplan", "uppfoljning"}

PGTRIGGER_NAMES = (
    "SELECT '{' || string_agg(DISTINCT tgname::text, ',') || '}' FROM pg_trigger "
    "WHERE NOT tgisinternal AND tgname LIKE 'pgtrigger\\_%'"
)


@contextmanager
def triggers_skipped() -> Iterator[None]:
    """pgtrigger's triggers skipped (the audit events, the append-only guards): the owner's
    privilege, as a migration has it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT set_config('pgtrigger.ignore', ({PGTRIGGER_NAMES}), true)")
        yield
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")


def client_rows(client: Client) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every row about the client, audit events included: the models with a client, or an
    order, plan, decision or plan version of the client."""
    orders = list(
        apps.get_model("bestallning.OrderEvent")
        .objects.filter(client=client)
        .values_list("pgh_obj_id", flat=True)
        .union(Order.objects.filter(client=client).values_list("pk", flat=True))
    )
    plans = list(ImplementationPlan.objects.filter(client=client).values_list("pk", flat=True))
    decisions = list(Decision.objects.filter(client=client).values_list("pk", flat=True))
    versions = list(PlanVersion.objects.filter(plan__in=plans).values_list("pk", flat=True))
    rows = []
    for model in apps.get_models():
        if model._meta.app_label not in {
            "ramtid",
            "bestallning",
            "genomforandeplan",
            "uppfoljning",
        }:
            continue
        names = {field.name for field in model._meta.concrete_fields}
        tracked = getattr(model, "pgh_tracked_model", None)
        if model is Client:
            queryset = model.objects.filter(pk=client.pk)
        elif tracked is Client:
            queryset = model.objects.filter(pgh_obj_id=client.pk)
        elif "client" in names:
            queryset = model.objects.filter(client_id=client.pk)
        elif "order" in names:
            queryset = model.objects.filter(order_id__in=orders)
        elif "plan" in names:
            queryset = model.objects.filter(plan_id__in=plans)
        elif "decision" in names:
            queryset = model.objects.filter(decision_id__in=decisions)
        elif "version" in names:
            queryset = model.objects.filter(version_id__in=versions)
        else:
            continue
        rows.append((model, queryset))
    return rows


def age(client: Client, *, years: int) -> None:
    """Every date and timestamp of the client's case, audit events included, `years` earlier."""
    interval = f"{years} years"
    months = [
        years_before(month, years)
        for month in PerformedVisit.objects.filter(client=client).values_list("month", flat=True)
    ]
    ensure_month_partitions(months)
    with triggers_skipped():
        for model, queryset in client_rows(client):
            dates = [f for f in model._meta.concrete_fields if isinstance(f, models.DateField)]
            if dates:
                queryset.update(
                    **{
                        f.name: RawSQL(f'"{f.column}" - %s::interval', [interval])  # noqa: S611
                        for f in dates
                    }
                )


def set_dates(queryset: models.QuerySet, **values) -> int:
    """Set fields without a trace in the audit trail (as `age` does)."""
    with triggers_skipped():
        return queryset.update(**values)


# ---------------------------------------------------------------------------------------------
# What the dashboards count, and the whole database's content.


def statistics() -> dict[str, list]:
    """The figures the dashboards need, grouped as they would be: per unit, provider, month,
    gender, status, kind. Retention must leave every one of them as it was."""

    def rows(queryset, *group, **figures) -> list:
        return sorted(
            tuple(row.values())
            for row in queryset.values(*group).annotate(**figures).order_by(*group)
        )

    return {
        "clients": rows(Client.objects, "ordering_unit", "gender", n=Count("id")),
        "decisions": rows(
            Decision.objects, "outcome", "kind", n=Count("id"), hours=Sum("hours_per_month")
        ),
        "orders": rows(
            Order.objects,
            "provider",
            "status",
            n=Count("id"),
            minutes=Sum("ordered_minutes"),
            first=Min("valid_from"),
            last=Max("valid_to"),
            executed=Max("executed_on"),
        ),
        "interventions": rows(
            OrderedIntervention.objects,
            "intervention_type",
            "period",
            "assessed_level",
            n=Count("id"),
            minutes=Sum("minutes"),
            occasions=Sum("occasions"),
        ),
        "need changes": rows(
            NeedChangeReport.objects, "direction", "duration", "reason", "answer", n=Count("id")
        ),
        "time results": rows(
            MonthlyTimeResult.objects,
            "ordering_unit",
            "provider",
            "month",
            "status",
            "explanation_category",
            "decision",
            n=Count("id"),
            ordered=Sum("ordered_minutes"),
            performed=Sum("performed_minutes"),
            declined=Sum("declined_minutes"),
            absent=Sum("absent_minutes"),
            deviation=Sum("deviation_minutes"),
        ),
        "visits": rows(
            PerformedVisit.objects,
            "provider",
            "month",
            "status",
            n=Count("external_id"),
            minutes=Sum("minutes"),
            staff=Count("staff", distinct=True),
        ),
        "plans": rows(
            ImplementationPlan.objects,
            "provider",
            "status",
            "meeting_place",
            n=Count("id"),
            first=Min("created_at"),
        ),
        "plan items": rows(PlanItem.objects, "intervention_type", "period", n=Count("id")),
        "plans on time": rows(
            PlanVersion.objects, "order__executed_on", "client_approved_on", "number", n=Count("id")
        ),
        "follow-ups": rows(PlanFollowUp.objects, "needs_changed", n=Count("id")),
        "reviews": rows(
            IndividualReview.objects, "reason", "outcome", "due_on", "done_on", n=Count("id")
        ),
        "notices": rows(Notice.objects, "kind", "due_on", n=Count("id")),
        "complaints": rows(
            Complaint.objects,
            "about",
            "provider",
            "category",
            "received_on",
            "answer_due",
            "answered_on",
            n=Count("id"),
        ),
    }


def tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "ORDER BY c.relname"
        )
        return [row[0] for row in cursor.fetchall()]


def fingerprint(*, without: tuple[str, ...] = ()) -> dict[str, str]:
    """Every table's content as one hash: equal fingerprints, nothing changed."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables():
            if table in without:
                continue
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" t'
            )
            result[table] = cursor.fetchone()[0]
    return result


def found(needle: str) -> dict[str, int]:
    """The tables with rows containing `needle` anywhere (any column, JSON and arrays too),
    case-insensitively, and how many."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            count = cursor.fetchone()[0]
            if count:
                result[table] = count
    return result
