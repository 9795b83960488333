"""Load data: contact persons and implementation plans in every state (the third stage of
`manage.py generate_load_data`; ramtid/loaddata.py says how and why).

For each client's orders at a provider (bestallning.loaddata's chains), with the municipality's
deadline (Stockholm: ready within 15 days of the start, followed up every 6 months):
- most executed orders have a contact person and a deputy; some have none yet;
- before the deadline, the plan is missing, a draft or ready early; after it, most plans were
  ready on time, a seventh late (the client approved after the deadline), and some are missing
  (none, or a draft never completed);
- a completed version waits for the officer (ready), or was approved, or returned with a comment
  and either reworked or still returned; after a change order most plans got a new version
  against it, the rest need revision; some approved plans are drafts of a new version again;
- approved plans are followed up every six months or so, some overdue.

Each version is frozen as the services freeze it (genomforandeplan.services.snapshot): the
headings, the items of the order it followed with their frequencies in words, and the day the
client approved it.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from bestallning.choices import OrderStatus
from bestallning.loaddata import Chain, OrderInfo
from genomforandeplan import rules
from genomforandeplan.choices import CHECKLIST_STEPS, PlanStatus, ReviewOutcome
from genomforandeplan.demo import WORDS
from genomforandeplan.models import (
    HEADING_FIELDS,
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanReview,
    PlanVersion,
)
from genomforandeplan.services import frequency_text
from ramtid.loaddata import LoadData, as_json, copy_rows, days, moment, reserve_ids

PARTICIPANTS = (
    (("client",), 60),
    (("client", "relative"), 25),
    (("client", "guardian"), 8),
    (("relative",), 4),
    (("client", "representative"), 3),
)
INFLUENCES = (
    "{name} bestämde tiderna för besöken och vad som är viktigast att hinna.",
    "{name} ville att samma personal kommer så ofta det går.",
    "{name} och anhöriga bestämde i vilken ordning hjälpen ges på morgonen.",
    "{name} ville själv välja kläder och när duschen ska vara.",
)
LIFE_STORIES = (
    "{name} har arbetat som lärare och tycker om att läsa.",
    "{name} har bott i området i fyrtio år och känner många grannar.",
    "{name} har arbetat på sjukhus och har två barn som bor i närheten.",
)
RETURN_COMMENTS = (
    "Tillsynen saknar hur {name} vill ha hjälpen. Komplettera och gå igenom planen igen.",
    "Planen säger inte hur {name} har varit delaktig. Komplettera.",
)
FOLLOW_UP_NOTES = (
    "{name} är nöjd med hjälpen; tiderna ändras inte.",
    "Vi gick igenom planen med {name}. Inget behöver ändras.",
    "{name} orkar mindre än förut; vi har rapporterat förändrat behov.",
)


@dataclass
class VersionInfo:
    order: OrderInfo
    number: int
    approved_on: datetime.date
    completed_on: datetime.date
    review: tuple[str, datetime.date, str] | None = None  # (outcome, on, comment)
    id: int | None = None


@dataclass
class PlanInfo:
    chain: Chain
    writer: int
    started_on: datetime.date
    order: OrderInfo  # the order the plan is written against (its latest version's)
    working: OrderInfo  # the order whose interventions the working copy has
    status: str = PlanStatus.DRAFT
    versions: list[VersionInfo] = field(default_factory=list)
    follow_ups: list[tuple[datetime.date, bool]] = field(default_factory=list)
    id: int | None = None


def load(build: LoadData) -> None:
    """The plans' stage (the third of RAMTID_LOAD_DATA_LOADERS)."""
    plans = _Plans(build)
    for chain in build.shared["chains"]:
        plans.of(chain)
    plans.write()


class _Plans:
    def __init__(self, build: LoadData):
        self.build = build
        self.rng: random.Random = build.rng("genomforandeplan")
        self.yesterday = build.today - days(1)
        self.deadline = build.municipality.plan_deadline_days
        self.follow_up_months = build.municipality.plan_follow_up_months
        self.assignments: list[tuple] = []
        self.plans: list[PlanInfo] = []

    def of(self, chain: Chain) -> None:
        rng = self.rng
        issued = [o for o in chain.orders if o.status != OrderStatus.DRAFT]
        if not issued:
            return
        first = issued[0]
        writer = self._assign(chain, issued)
        limit = min(self.yesterday, chain.ended_on or self.yesterday)
        if first.executed_on is None:
            if rng.random() < 0.15:
                started = min(first.sent_on + days(rng.randint(1, 5)), self.yesterday)
                self.plans.append(PlanInfo(chain, writer, started, first, first))
            return
        executed, due = first.executed_on, first.executed_on + days(self.deadline)
        draw = rng.random()
        if due > self.yesterday:
            if draw < 0.35:
                return
            room = (self.yesterday - executed).days
            if draw < 0.8 or room < 2:
                self._draft(chain, writer, executed, limit)
                return
            ready_on = executed + days(rng.randint(2, room))
        elif draw < 0.07:
            return
        elif draw < 0.11:
            self._draft(chain, writer, executed, limit)
            return
        elif draw < 0.25:
            ready_on = due + days(rng.randint(1, 120))
        else:
            ready_on = executed + days(rng.randint(3, self.deadline))
        if ready_on > limit:
            self._draft(chain, writer, executed, limit)
            return
        started = max(first.sent_on, ready_on - days(rng.randint(1, 7)))
        plan = PlanInfo(chain, writer, started, first, first)
        self._versions(plan, ready_on, limit)
        self._follow_ups(plan, limit)
        self.plans.append(plan)

    def _assign(self, chain: Chain, issued: list[OrderInfo]) -> int:
        """The contact person and deputy, named for each order of the chain (a change gets its
        own assignment, as the services make it); the writer of the plan either way."""
        rng, provider = self.rng, chain.provider
        contact = rng.choice(provider.contact_persons)
        deputies = [p for p in provider.contact_persons if p != contact]
        deputy = rng.choice(deputies) if deputies and rng.random() < 0.7 else None
        if rng.random() >= (0.92 if issued[0].executed_on else 0.5):
            return contact
        coordinator = rng.choice(provider.coordinators)
        for order in issued:
            base = order.executed_on if order is issued[0] and order.executed_on else order.sent_on
            assigned = min(base + days(rng.randint(0, 6)), self.yesterday)
            if order.valid_to:
                assigned = min(assigned, max(order.valid_to, order.sent_on))
            self.assignments.append((order.id, contact, deputy, coordinator, assigned))
        return contact

    def _draft(self, chain: Chain, writer: int, executed: datetime.date, limit) -> None:
        if limit < executed:
            return
        started = min(executed + days(self.rng.randint(0, 20)), limit)
        order = self._current(chain, started)
        self.plans.append(PlanInfo(chain, writer, started, order, order))

    def _current(self, chain: Chain, on: datetime.date) -> OrderInfo:
        """The newest order sent by `on`: the one a plan completed then is written against."""
        sent = [o for o in chain.orders if o.sent_on and o.sent_on <= on]
        return sent[-1] if sent else chain.orders[0]

    def _versions(self, plan: PlanInfo, ready_on: datetime.date, limit: datetime.date) -> None:
        """Complete, review, rework or revise, until the story reaches yesterday."""
        rng, chain = self.rng, plan.chain
        version = self._complete(plan, ready_on, limit)
        returns = 0
        while True:
            reviewed = version.completed_on + days(rng.randint(1, 12))
            if reviewed > self.yesterday:
                plan.status = PlanStatus.READY
                return
            name = chain.client.first_name
            if returns < 2 and rng.random() < 0.08:
                returns += 1
                comment = rng.choice(RETURN_COMMENTS).format(name=name)
                version.review = (ReviewOutcome.RETURNED, reviewed, comment)
                again = reviewed + days(rng.randint(3, 25))
                if again > limit:
                    plan.status = PlanStatus.RETURNED
                    return
                version = self._complete(plan, again, limit)
                continue
            version.review = (ReviewOutcome.APPROVED, reviewed, "")
            plan.status = PlanStatus.APPROVED
            later = [
                o
                for o in chain.orders
                if o.sent_on and o.sent_on > version.approved_on and o is not version.order
            ]
            if later and rng.random() < 0.6:
                change = later[0]
                again = max(change.sent_on, change.valid_from) + days(rng.randint(5, 40))
                if again <= limit:
                    version = self._complete(plan, again, limit)
                    continue
            if rng.random() < 0.06:
                # A revision begun: saving an approved plan makes it a draft of a new version.
                plan.status = PlanStatus.DRAFT
                plan.working = self._current(chain, self.yesterday)
            return

    def _complete(self, plan: PlanInfo, approved_on: datetime.date, limit) -> VersionInfo:
        order = self._current(plan.chain, approved_on)
        completed = min(approved_on + days(self.rng.randint(0, 2)), max(limit, approved_on))
        version = VersionInfo(order, len(plan.versions) + 1, approved_on, completed)
        plan.versions.append(version)
        plan.order = plan.working = order
        return version

    def _follow_ups(self, plan: PlanInfo, limit: datetime.date) -> None:
        """Every six months from the first approval, give or take; a sixth stop (overdue)."""
        rng = self.rng
        day = plan.versions[0].approved_on
        while True:
            day = _plus_months(day, self.follow_up_months) + days(rng.randint(-10, 25))
            if day > limit or rng.random() < 0.15:
                return
            plan.follow_ups.append((day, rng.random() < 0.08))

    # -- writing -------------------------------------------------------------------------------

    def write(self) -> None:
        build, rng = self.build, self.rng
        build.count(
            ContactAssignment,
            copy_rows(
                ContactAssignment,
                (
                    "order",
                    "contact_person",
                    "deputy",
                    "assigned_by",
                    "assigned_on",
                ),
                self.assignments,
            ),
        )
        for plan, pk in zip(
            self.plans, reserve_ids(ImplementationPlan, len(self.plans)), strict=True
        ):
            plan.id = pk
        versions = [version for plan in self.plans for version in plan.versions]
        for version, pk in zip(versions, reserve_ids(PlanVersion, len(versions)), strict=True):
            version.id = pk
        texts = {plan.id: self._texts(plan) for plan in self.plans}
        build.count(
            ImplementationPlan,
            copy_rows(
                ImplementationPlan,
                PLAN_FIELDS,
                (self._plan_row(plan, texts[plan.id]) for plan in self.plans),
            ),
        )
        build.count(
            PlanItem,
            copy_rows(
                PlanItem,
                ITEM_FIELDS,
                ((plan.id, *item) for plan in self.plans for item in self._items(plan.working)),
            ),
        )
        build.count(
            PlanVersion,
            copy_rows(
                PlanVersion,
                VERSION_FIELDS,
                (
                    (
                        version.id,
                        plan.id,
                        version.number,
                        version.order.id,
                        as_json(self._snapshot(plan, version, texts[plan.id])),
                        version.approved_on,
                        plan.writer,
                        moment(version.completed_on, rng),
                    )
                    for plan in self.plans
                    for version in plan.versions
                ),
            ),
        )
        build.count(
            PlanReview,
            copy_rows(
                PlanReview,
                REVIEW_FIELDS,
                (
                    (version.id, outcome, comment, _officer(plan), moment(on, rng, hours=(9, 17)))
                    for plan in self.plans
                    for version in plan.versions
                    if version.review
                    for outcome, on, comment in [version.review]
                ),
            ),
        )
        build.count(
            PlanFollowUp,
            copy_rows(
                PlanFollowUp,
                FOLLOW_UP_FIELDS,
                (
                    (
                        plan.id,
                        day,
                        rng.choice(FOLLOW_UP_NOTES).format(name=plan.chain.client.first_name),
                        changed,
                        plan.writer,
                    )
                    for plan in self.plans
                    for day, changed in plan.follow_ups
                ),
            ),
        )

    def _texts(self, plan: PlanInfo) -> dict:
        """What the contact person wrote with the client: the same in the working copy and in
        every version (only the items follow the order)."""
        rng, name = self.rng, plan.chain.client.first_name
        participants = rng.choices([p for p, _w in PARTICIPANTS], [w for _p, w in PARTICIPANTS])[0]
        place = rng.choices(("home", "phone", "other"), (85, 10, 5))[0]
        absent = "client" not in participants
        first_approval = plan.versions[0].approved_on if plan.versions else None
        steps = [key for key, _label in CHECKLIST_STEPS]
        if first_approval:
            prepared = max(plan.chain.orders[0].valid_from, first_approval - days(3))
            done = steps if plan.follow_ups else steps[:-1]
            checklist = {
                key: (
                    prepared if key in {"read_order", "prepare_meeting"} else first_approval
                ).isoformat()
                for key in done
            }
        else:
            checklist = {key: plan.started_on.isoformat() for key in steps[:2]}
        return {
            "can_do_myself": "Jag klarar en del själv och vill vara med så mycket jag kan.",
            "need_help_with": "Det som står under varje insats.",
            "how_and_when": "Som vi har kommit överens om under varje insats.",
            "who_helps": "Hemtjänstpersonalen, helst samma personer.",
            "my_goal": "Jag vill bo kvar hemma och känna mig trygg.",
            "participants": list(participants),
            "meeting_place": place,
            "meeting_place_other": "På dagverksamheten" if place == "other" else "",
            "client_influence": rng.choice(INFLUENCES).format(name=name),
            "deviation_reason": f"{name} var på korttidsboende när planen skrevs."
            if absent
            else "",
            "deviation_helper": "Dottern, som känner hennes eller hans vanor." if absent else "",
            "life_story": rng.choice(LIFE_STORIES).format(name=name) if rng.random() < 0.6 else "",
            "checklist": checklist,
            "client_approval_how": rng.choice(
                ("Muntligt i hemmet.", "Muntligt per telefon.", "Skriftligt.")
            ),
        }

    def _plan_row(self, plan: PlanInfo, texts: dict) -> tuple:
        reviews = sum(1 for version in plan.versions if version.review)
        lock = 1 + 2 * len(plan.versions) + reviews + (plan.status == PlanStatus.DRAFT)
        return (
            plan.id,
            plan.chain.client.id,
            plan.chain.provider.id,
            plan.order.id,
            plan.status,
            lock,
            plan.working.daily_visits,
            *(texts[key] for key in HEADING_FIELDS),
            texts["participants"],
            texts["meeting_place"],
            texts["meeting_place_other"],
            texts["client_influence"],
            texts["deviation_reason"],
            texts["deviation_helper"],
            texts["life_story"],
            as_json(texts["checklist"]),
            "{}",
            None,
            "",
            plan.writer,
            moment(plan.started_on, self.rng),
            self._covers(plan),
        )

    @staticmethod
    def _covers(plan: PlanInfo) -> bool:
        """covers_order, as services.refresh_coverage would store it, decided by the coverage
        check (rules.coverage_gaps, which reports.PlanCoversOrder is held equal to) on what is
        written: the working order's lines and daily visits against the order the plan follows.
        Computed here and copied with the row, as the generator updates nothing."""

        def items(order: OrderInfo, *, parts: bool) -> list[rules.Item]:
            return [
                rules.Item(
                    line.type_id,
                    line.row.name,
                    line.period,
                    line.occasions,
                    line.every_n_weeks,
                    tuple((part, str(part)) for part in line.contents)
                    if parts and line.is_package
                    else (),
                )
                for line in order.lines
            ]

        return not rules.coverage_gaps(
            ordered=items(plan.order, parts=True),
            planned=items(plan.working, parts=False),
            ordered_daily_visits=plan.order.daily_visits,
            planned_daily_visits=plan.working.daily_visits,
            frequency_text=frequency_text,
        )

    def _items(self, order: OrderInfo) -> list[tuple]:
        return [
            (
                line.type_id,
                line.period,
                line.occasions,
                line.every_n_weeks,
                position,
                *_words(line.row.name, line.row.name.lower()),
            )
            for position, line in enumerate(order.lines)
        ]

    def _snapshot(self, plan: PlanInfo, version: VersionInfo, texts: dict) -> dict:
        """As genomforandeplan.services.snapshot freezes a plan."""
        items = []
        for line in version.order.lines:
            item = rules.Item(
                line.type_id, line.row.name, line.period, line.occasions, line.every_n_weeks
            )
            words = _words(line.row.name, line.row.name.lower())
            items.append(
                {
                    "name": line.row.name,
                    "intervention_type_id": line.type_id,
                    "frequency": _frequency(item),
                    "headings": dict(zip(HEADING_FIELDS, words, strict=True)),
                }
            )
        return {
            "order_id": version.order.id,
            "headings": {key: texts[key] for key in HEADING_FIELDS},
            "planned_daily_visits": version.order.daily_visits,
            "items": items,
            **{key: texts[key] for key in SNAPSHOT_TEXTS},
            "coverage_reasons": {},
            "client_approved_on": version.approved_on.isoformat(),
            "client_approval_how": texts["client_approval_how"],
        }


_FREQUENCIES: dict[tuple, str] = {}


def _frequency(item: rules.Item) -> str:
    key = item.frequency_key()
    if key not in _FREQUENCIES:
        _FREQUENCIES[key] = frequency_text(item)
    return _FREQUENCIES[key]


def _words(name: str, lower: str) -> tuple[str, str, str, str, str]:
    return WORDS.get(name) or (
        "Jag klarar en del själv och säger till vad jag behöver.",
        f"Jag behöver hjälp med {lower}.",
        "Som beställningen säger, på tider vi kommer överens om.",
        "Hemtjänstpersonalen.",
        "Jag vill klara så mycket som möjligt själv.",
    )


def _officer(plan: PlanInfo) -> int:
    client = plan.chain.client
    return client.officer or client.unit.officers[0]


def _plus_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# What a version keeps of the plan beside the headings and items (services.snapshot).
SNAPSHOT_TEXTS = ("participants", "meeting_place", "meeting_place_other", "client_influence",
                  "deviation_reason", "deviation_helper", "life_story")  # fmt: skip
PLAN_FIELDS = (
    "id", "client", "provider", "order", "status", "version", "planned_daily_visits",
    *HEADING_FIELDS, "participants", "meeting_place", "meeting_place_other", "client_influence",
    "deviation_reason", "deviation_helper", "life_story", "checklist", "coverage_reasons",
    "client_approved_on", "client_approval_how", "created_by", "created_at", "covers_order",
)  # fmt: skip
ITEM_FIELDS = ("plan", "intervention_type", "period", "occasions", "every_n_weeks", "position",
               *HEADING_FIELDS)  # fmt: skip
VERSION_FIELDS = ("id", "plan", "number", "order", "snapshot", "client_approved_on",
                  "created_by", "created_at")  # fmt: skip
REVIEW_FIELDS = ("version", "outcome", "comment", "reviewed_by", "reviewed_at")
FOLLOW_UP_FIELDS = ("plan", "followed_up_on", "notes", "needs_changed", "followed_up_by")
