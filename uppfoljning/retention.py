"""Retention (gallring, issue 10): a client's records are made anonymous once the municipality's
retention period (`Municipality.retention_years`, 5 by default: SoL's "fem år efter det att
sista anteckningen gjordes") has passed since the last entry about the client.

The rule (uppfoljning migration 0004, in SQL so that the report and the removal agree):
- The last entry is the latest date or timestamp of the client's own row, decisions, orders,
  ordered interventions, changes of need, contact persons, plans, plan items, versions, plan
  reviews and follow-ups, time results, visits and individual reviews, and of every audit event
  about any of them. Reads (the access log) and the daily check's reminders are not entries.
- A client is due when the last entry is on or before the day `retention_years` before the run
  (2021-12-01 for a run on 2026-12-01), no order of the client is in force or open (issued and
  not ended), and the client has not been removed already. Clients born on the 5th, 15th or 25th
  of a month are kept for research (SoL 12 kap. 2 §, socialtjänstförordningen 7 kap.); a
  municipality where everything is kept for research sets a retention period of 100 years.

The schedule: a report a month ahead, then the removal. On the 1st of every month at 03:15
(settings.CELERY_BEAT_SCHEDULE, Swedish time) the task, for each municipality,
1. carries out the latest report that is at least `RAMTID_RETENTION_NOTICE_DAYS` (28) days old
   and not carried out yet: it removes the clients it names that are still due today. A client
   with a new entry since the report is kept, and counted as such;
2. makes the report for the next run: the clients that will be due on the 1st of next month,
   with the rows per kind that would go, and stores it (RetentionRun, kind "report").
So nothing is removed that was not announced in a stored report at least four weeks before,
which the municipality's archivist or security officer reads (`manage.py run_retention
--dry-run` prints the same report for any day), and nothing waits for a person to remember it:
SoL wants the records gone by the end of the following year. A report made by hand counts as
notice too; the removal always re-checks each client against the rule on the day.

What "removed" means, model by model, is CLIENT_DATA below. In short: the figures the dashboards
count stay (orders' dates, status, hours and minutes; decisions' outcome, kind and hours; the
time results' minutes; visits' minutes and staff codes; plans' dates and versions; reviews' and
follow-ups' dates, reasons and outcomes; who did what and when), tied to a client row that keeps
only its unit, municipality, gender and registration date. Everything that names, locates or
describes the person goes: name, personal number, address, phone, protected identity, the
relatives (deleted), and every free text (order and plan texts, goals, explanations, reasons,
review answers, plan versions' texts). A removed text becomes "[gallrad]" where there was one, so
"a reason was given" still counts. The audit events, which copy the rows, get the same treatment
from the owner's function, which alone may write them; the access log, which names clients by id
only, stays as it is.

Idempotent: a removed client is never due again, a carried-out report is not carried out again,
and a report for a day that has one is not made again. One run per municipality at a time (a
transaction-level advisory lock). Logs and output name clients by id, never by name or number.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ramtid.models import Municipality
from uppfoljning.choices import RetentionRunKind
from uppfoljning.models import RetentionRun
from uppfoljning.partitions import next_month

logger = logging.getLogger(__name__)

# A report is carried out when it is at least this many days old (a month's notice: the 1st of
# one month to the 1st of the next is never less than 28 days).
DEFAULT_NOTICE_DAYS = 28


@dataclass(frozen=True)
class Treatment:
    """What retention does to one model's rows: the fields it removes, the fields it keeps and
    why. `deleted` rows go entirely; their audit events keep `kept` and lose `removed`. An audit
    event model (pghistory) gets its tracked model's treatment."""

    removed: tuple[str, ...]
    kept: tuple[str, ...]
    why: str
    deleted: bool = False
    # Fields the removal sets to say it happened (Client.removed_on): neither kept nor removed.
    marked: tuple[str, ...] = ()


_HEADINGS = ("can_do_myself", "need_help_with", "how_and_when", "who_helps", "my_goal")

# Every model that holds data about a client (a test walks the models and fails on one that is
# missing here or on a field that is in neither list). The SQL that does it is the list of steps
# in uppfoljning migration 0004; another test checks the two agree, field by field.
CLIENT_DATA: dict[str, Treatment] = {
    "ramtid.Client": Treatment(
        removed=("personal_number", "first_name", "last_name", "street_address", "postal_code",
                 "city", "phone", "protected_identity", "responsible_officer"),
        kept=("id", "municipality", "ordering_unit", "gender", "created_at"),
        marked=("removed_on",),
        why="The row stays, so that the client's orders, plans and time results still count per "
        "unit and gender (003: hours granted to women and men); it is named 'Gallrad brukare' "
        "and its personal number becomes its id, twelve digits that are no date.",
    ),
    "ramtid.ClientRelative": Treatment(
        removed=("name", "relationship", "phone", "email"),
        kept=("id", "client", "kind"),
        deleted=True,
        why="Another person's contact details, of use to no figure: deleted.",
    ),
    "bestallning.Decision": Treatment(
        removed=("reasoning", "purpose_and_goal", "approval_comment", "withdrawal_reason"),
        kept=("id", "client", "decided_by", "outcome", "kind", "legal_basis", "decided_on",
              "valid_from", "valid_to", "hours_per_month", "approval_status", "approved_by",
              "approved_at", "withdrawn_at", "withdrawn_by", "created_at",
              "granted_interventions"),
        why="Outcome, kind, period and hours are the statistics of decisions; the reasoning is "
        "the person's case.",
    ),
    "bestallning.GrantedIntervention": Treatment(
        removed=(),
        kept=("id", "decision", "intervention_type"),
        why="Catalogue interventions only.",
    ),
    "bestallning.Order": Treatment(
        removed=("order_text", "daily_visits_description", "overall_goals", "body_functions",
                 "environmental_factors", "health_condition", "personal_factors",
                 "ended_reason", "quality_warnings"),
        kept=("id", "client", "decision", "provider", "ordered_by", "supersedes", "status",
              "valid_from", "valid_to", "daily_visits", "ordered_minutes", "version",
              "created_at", "sent_at", "sent_by", "provider_notified_at", "received_at",
              "received_by", "executed_on"),
        why="Dates, status, provider and ordered minutes are the orders' statistics; the texts "
        "describe the person. Quality warnings keep their field and kind (the counts of weak "
        "orders), not their message, which may quote the text.",
    ),
    "bestallning.OrderedIntervention": Treatment(
        removed=("description", "client_goal"),
        kept=("id", "order", "intervention_type", "life_area", "life_area_category", "period",
              "occasions", "weekdays", "every_n_weeks", "minutes", "double_staffing",
              "assessed_level", "intended_level", "support_orientation",
              "care_package_contents", "position"),
        why="The time basis and the coded ICF levels count; the description and goal are the "
        "person's.",
    ),
    "bestallning.NeedChangeReport": Treatment(
        removed=("description", "answer_reason"),
        kept=("id", "order", "reported_by", "reported_at", "direction", "duration", "reason",
              "answer", "answered_by", "answered_at", "new_order"),
        why="Direction, duration, coded reason and answer count; the descriptions go.",
    ),
    "genomforandeplan.ContactAssignment": Treatment(
        removed=(),
        kept=("id", "order", "contact_person", "deputy", "assigned_by", "assigned_on"),
        why="Staff and a date (the dignity guarantee's five days).",
    ),
    "genomforandeplan.ImplementationPlan": Treatment(
        removed=(*_HEADINGS, "meeting_place_other", "client_influence", "deviation_reason",
                 "deviation_helper", "life_story", "coverage_reasons", "client_approval_how"),
        kept=("id", "client", "provider", "order", "status", "version", "planned_daily_visits",
              "participants", "meeting_place", "checklist", "client_approved_on",
              "created_by", "created_at", "covers_order"),
        why="Dates, status, coded participation and the checklist's days count (plans on "
        "time, participation); the plan's words are the person's.",
    ),
    "genomforandeplan.PlanItem": Treatment(
        removed=_HEADINGS,
        kept=("id", "plan", "intervention_type", "period", "occasions", "every_n_weeks",
              "position"),
        why="What is planned and how often counts (plan against order); the words go.",
    ),
    "genomforandeplan.PlanVersion": Treatment(
        removed=("snapshot",),
        kept=("id", "plan", "number", "order", "client_approved_on", "created_by", "created_at"),
        why="The version's dates measure timeliness; its frozen texts go, its interventions, "
        "frequencies, participants and dates stay in the snapshot.",
    ),
    "genomforandeplan.PlanReview": Treatment(
        removed=("comment",),
        kept=("id", "version", "outcome", "reviewed_by", "reviewed_at"),
        why="The outcome counts; the comment describes the plan.",
    ),
    "genomforandeplan.PlanFollowUp": Treatment(
        removed=("notes",),
        kept=("id", "plan", "followed_up_on", "needs_changed", "followed_up_by"),
        why="The date and whether needs changed count; the notes go.",
    ),
    "uppfoljning.PerformedVisit": Treatment(
        removed=("reason",),
        kept=("provider", "month", "external_id", "client", "order", "start", "end",
              "minutes", "staff", "intervention_type", "status", "outside_window",
              "visit_import"),
        why="Minutes, status and staff codes are performed time and continuity; the free "
        "reason goes.",
    ),
    "uppfoljning.MonthlyTimeResult": Treatment(
        removed=("explanation_text", "decision_reason"),
        kept=("id", "order", "month", "client", "provider", "ordering_unit", "days_in_force",
              "ordered_minutes", "performed_minutes", "declined_minutes", "absent_minutes",
              "deviation_minutes", "deviation_percent", "status", "billing_deadline",
              "checked_at", "explanation_category", "explained_by", "explained_at", "decision",
              "decided_by", "decided_at", "frozen_at", "continuity_staff",
              "continuity_window_end"),
        why="The month's minutes, status, category, decision and staff continuity (a count of "
        "staff codes and a date) are the follow-up's statistics; the texts go.",
    ),
    "uppfoljning.Notice": Treatment(
        removed=(),
        kept=("id", "key", "kind", "order", "plan", "client", "provider", "ordering_unit",
              "due_on", "created_at", "closed_at", "mailed_at"),
        why="Kinds and dates only (late plans per provider).",
    ),
    "uppfoljning.IndividualReview": Treatment(
        removed=("interventions_work", "needs_met", "decision_must_change", "client_took_part",
                 "client_satisfied", "contacted_others"),
        kept=("id", "key", "client", "order", "ordering_unit", "reason", "due_on", "created_at",
              "contacted_contact_person", "outcome", "done_on", "done_by"),
        why="Reason, dates and outcome count (reviews on time); the answers are the person's.",
    ),
    # Issue 11 (uppfoljning migration 0005 adds its rows to 0004's list and its dates to the
    # last entry).
    "uppfoljning.Complaint": Treatment(
        removed=("raised_by_name", "description", "answer_text", "closing_note",
                 "registration_number"),
        kept=("id", "client", "ordering_unit", "about", "provider", "received_on", "answer_due",
              "raised_by", "category", "registered_by", "registered_at", "answer_method",
              "answered_on", "answered_at", "answered_by", "closed_at", "closed_by"),
        why="Who it concerns, the category, who raised it (a kind) and the dates count "
        "(complaints answered in time, per provider and unit); the texts are the person's.",
    ),
    "ramtid.AccessLog": Treatment(
        removed=(),
        kept=("id", "at", "user", "client_ids", "action", "what", "ip_address", "channel",
              "acted_as"),
        why="Names clients by id only, and the id then names a client without personal data; "
        "the log is the evidence of who read what, append-only.",
    ),
}  # fmt: skip


def notice_days() -> int:
    return getattr(settings, "RAMTID_RETENTION_NOTICE_DAYS", DEFAULT_NOTICE_DAYS)


def _lock(municipality: Municipality) -> None:
    """One retention run per municipality at a time (beat, a redelivery, the command)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('uppfoljning.retention'), %s::int)",
            [municipality.pk],
        )


@dataclass(frozen=True)
class Due:
    """The clients due for removal on a day: `client_ids` to remove, `research_sample` kept."""

    cutoff: datetime.date
    client_ids: list[int]
    research_sample: list[int]


def due_clients(*, municipality: Municipality, on: datetime.date) -> Due:
    """The rule of migration 0004 applied to the municipality's clients on `on`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (%s::date - make_interval(years => %s))::date",
            [on, municipality.retention_years],
        )
        cutoff = cursor.fetchone()[0]
        cursor.execute(
            "SELECT client_id, research_sample FROM uppfoljning_retention_due(%s, %s::date)",
            [municipality.pk, on],
        )
        rows = cursor.fetchall()
    return Due(
        cutoff=cutoff,
        client_ids=[client_id for client_id, research in rows if not research],
        research_sample=[client_id for client_id, research in rows if research],
    )


def count_rows(client_ids: list[int]) -> dict[str, int]:
    """The rows per kind that removing these clients touches (the owner's function, read only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT uppfoljning_retention_count(%s::bigint[])", [client_ids])
        counts = cursor.fetchone()[0]
    return json.loads(counts) if isinstance(counts, str) else counts


@transaction.atomic
def make_report(
    *, municipality: Municipality, on: datetime.date, started_by: str = ""
) -> RetentionRun:
    """The dry run: which clients would be removed on `on`, and how many rows of each kind.
    Stored, so that the removal a month later carries out what was announced; changes nothing
    else."""
    _lock(municipality)
    due = due_clients(municipality=municipality, on=on)
    report = RetentionRun.objects.create(
        municipality=municipality,
        kind=RetentionRunKind.REPORT,
        on_date=on,
        retention_years=municipality.retention_years,
        cutoff=due.cutoff,
        started_by=started_by[:100],
        client_ids=due.client_ids,
        counts=count_rows(due.client_ids),
        kept={"research_sample": len(due.research_sample)},
    )
    logger.info(
        "Gallring, förhandsrapport %s för kommun %s per %s: %s brukare (id %s)",
        report.pk,
        municipality.code,
        on,
        len(report.client_ids),
        report.client_ids,
    )
    return report


def pending_report(*, municipality: Municipality, today: datetime.date) -> RetentionRun | None:
    """The report the next removal carries out: the latest one made at least the notice days
    before `today`, unless it has been carried out. A newer report waits for its own notice."""
    latest = (
        RetentionRun.objects.filter(
            municipality=municipality,
            kind=RetentionRunKind.REPORT,
            created_at__date__lte=today - datetime.timedelta(days=notice_days()),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.removals.exists():
        return None
    return latest


@transaction.atomic
def carry_out(*, municipality: Municipality, started_by: str = "") -> RetentionRun | None:
    """The removal: the pending report's clients that are still due today are made anonymous,
    by the owner's function, which checks each again and writes the removal's RetentionRun.
    None when there is no report to carry out. Always today (the database's clock decides)."""
    _lock(municipality)
    today = timezone.localdate()
    report = pending_report(municipality=municipality, today=today)
    if report is None:
        return None
    listed = set(report.client_ids)
    due = due_clients(municipality=municipality, on=today)
    remove = [client_id for client_id in due.client_ids if client_id in listed]
    kept = {"no_longer_due": len(listed - set(remove))}
    if remove:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT uppfoljning_retention_remove(%s, %s::bigint[], %s::jsonb, %s)",
                [report.pk, remove, json.dumps(kept), started_by[:100]],
            )
            run = RetentionRun.objects.get(pk=cursor.fetchone()[0])
    else:
        # Nothing left to remove: recorded all the same, so the report counts as carried out.
        run = RetentionRun.objects.create(
            municipality=municipality,
            kind=RetentionRunKind.REMOVAL,
            on_date=today,
            retention_years=municipality.retention_years,
            cutoff=due.cutoff,
            started_by=started_by[:100],
            client_ids=[],
            counts=count_rows([]),
            kept=kept,
            report=report,
        )
    logger.info(
        "Gallring %s för kommun %s enligt förhandsrapport %s: %s brukare gallrade (id %s), "
        "%s inte längre aktuella",
        run.pk,
        municipality.code,
        report.pk,
        len(run.client_ids),
        run.client_ids,
        kept["no_longer_due"],
    )
    return run


def run_scheduled(*, started_by: str = "Celery beat") -> list[RetentionRun]:
    """Beat's monthly run, for every municipality, each in its own transaction: carry out the
    report made a month ago, then report on the next run's day (the 1st of next month) unless
    that report exists. Running it again the same day changes nothing."""
    today = timezone.localdate()
    next_run = next_month(today)
    runs = []
    for municipality in Municipality.objects.order_by("code"):
        removal = carry_out(municipality=municipality, started_by=started_by)
        if removal is not None:
            runs.append(removal)
        reported = RetentionRun.objects.filter(
            municipality=municipality, kind=RetentionRunKind.REPORT, on_date=next_run
        ).exists()
        if not reported:
            runs.append(make_report(municipality=municipality, on=next_run, started_by=started_by))
    remove_old_sign_ins()
    return runs


SIGN_IN_LOG_DAYS = 365


def remove_old_sign_ins() -> int:
    """django-axes's records of sign-ins and failed sign-ins (who, when, from which address and
    browser) older than RAMTID_SIGNIN_LOG_DAYS: personal data about the staff, kept for the log
    review of a year and no longer. Not the access log of client data, which stays. Returns the
    rows removed."""
    from axes.models import AccessFailureLog
    from axes.models import AccessLog as SignIn

    days = getattr(settings, "RAMTID_SIGNIN_LOG_DAYS", SIGN_IN_LOG_DAYS)
    before = timezone.now() - datetime.timedelta(days=days)
    removed = SignIn.objects.filter(attempt_time__lt=before).delete()[0]
    removed += AccessFailureLog.objects.filter(attempt_time__lt=before).delete()[0]
    if removed:
        logger.info("Gallring av inloggningsloggen: %s rader äldre än %s dagar", removed, days)
    return removed


def kind_label(kind: str) -> str:
    """ "ramtid.ClientEvent" → "brukare, historik": the Swedish name of a count's kind."""
    model = apps.get_model(kind)
    tracked = getattr(model, "pgh_tracked_model", None)
    if tracked is not None:
        return f"{tracked._meta.verbose_name_plural}, historik"
    return str(model._meta.verbose_name_plural)


def describe(run: RetentionRun) -> list[str]:
    """A run as lines of Swedish text for the command's output: ids and counts, no names."""
    municipality = run.municipality
    if run.kind == RetentionRunKind.REPORT:
        lines = [
            f"Förhandsrapport {run.pk} för gallring i {municipality.name} ({municipality.code}) "
            f"per {run.on_date:%Y-%m-%d}.",
            f"Brukare som gallras: {len(run.client_ids)}.",
        ]
    else:
        lines = [
            f"Gallring {run.pk} i {municipality.name} ({municipality.code}) "
            f"{run.on_date:%Y-%m-%d}, enligt förhandsrapport {run.report_id}.",
            f"Gallrade brukare: {len(run.client_ids)}.",
        ]
    lines.append(
        f"Gallringsfrist {run.retention_years} år: senaste anteckningen "
        f"{run.cutoff:%Y-%m-%d} eller tidigare, ingen gällande beställning."
    )
    if run.client_ids:
        lines.append("Brukarnas id: " + ", ".join(str(pk) for pk in run.client_ids) + ".")
    if run.kept.get("research_sample"):
        lines.append(
            f"Sparas för forskningen (födda den 5, 15 eller 25): {run.kept['research_sample']}."
        )
    if run.kept.get("no_longer_due"):
        lines.append(
            f"Inte längre aktuella (ny anteckning sedan rapporten): {run.kept['no_longer_due']}."
        )
    rows = [(kind_label(kind), n) for kind, n in run.counts.items() if n]
    if rows:
        verb = "gallras" if run.kind == RetentionRunKind.REPORT else "gallrades"
        lines.append(f"Rader som {verb}:")
        lines += [f"  {label}: {n}" for label, n in rows]
    return lines
