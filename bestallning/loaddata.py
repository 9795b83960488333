"""Load data: the decisions, orders and change-of-need reports of the load-data municipality
(the second stage of `manage.py generate_load_data`; ramtid/loaddata.py says how and why).

Every client gets a history spread over two years, relative to the day of the run:
- a tenth were registered in the last month: some have nothing decided yet, a refusal, a decision
  waiting for the unit manager, a draft order, or an order sent, received or just executed;
- the others have an executed order (a quarter of them changed once or twice: the change
  supersedes the order the day before it starts, with a new decision when the hours grow), an
  ended order, or a change of provider (the old order ended, the new one executed the next day).

Each order has 3–8 interventions from the municipality's catalogue (a care package with at least
three contents), with life areas and frequencies, so it could have been sent. Its decision grants
what it orders, with the kind those interventions give and hours that cover the order; above the
delegation the unit manager has approved it. A change answers a change-of-need report; some
reports are still open.

What the plans need is left in `build.shared["chains"]`: each client's orders at one provider.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal

from bestallning import ordered_time, rules
from bestallning.choices import (
    ApprovalStatus,
    DecisionOutcome,
    FunctionLevel,
    NeedChangeAnswer,
    NeedChangeDirection,
    NeedChangeDuration,
    NeedChangeReason,
    OrderStatus,
    Period,
    SupportOrientation,
)
from bestallning.demo import (
    CLEANING,
    EVENING_CARE,
    INCONTINENCE,
    LAUNDRY,
    MORNING_CARE,
    NIGHT_SUPERVISION,
    SHOPPING,
    SHOWER,
    SUPERVISION,
    TOILET,
    TRANSFER,
    WALK,
    Row,
)
from bestallning.models import (
    Decision,
    GrantedIntervention,
    NeedChangeReport,
    Order,
    OrderedIntervention,
)
from ramtid.loaddata import (
    ClientInfo,
    LoadData,
    ProviderInfo,
    copy_rows,
    days,
    moment,
    reserve_ids,
)

S, C = SupportOrientation.SUPPORTIVE, SupportOrientation.COMPENSATORY
DAY, WEEK, N_WEEKS = Period.PER_DAY, Period.PER_WEEK, Period.EVERY_N_WEEKS

# Beside the demo's rows (bestallning.demo), more of the catalogue, written the same way.
MORE_SERVICE = (
    Row("Matdistribution", 6, "Att bereda måltider", WEEK, 7, 5,
        "{name} orkar inte laga lagad mat själv men värmer maten i mikron.",
        "{name}s mål är att äta en lagad måltid varje dag.", C),
    Row("Renbäddning", 6, "Att göra ordning sovplatser", N_WEEKS, 1, 20,
        "{name} klarar inte att byta sängkläder, balansen räcker inte.",
        "{name}s mål är att sova i en ren säng.", C, every_n_weeks=2),
    Row("Disk", 6, "Att städa köksutrymme och köksredskap", WEEK, 3, 15,
        "{name} torkar av bordet men orkar inte stå vid diskbänken.",
        "{name}s mål är att ha ett rent kök.", S),
    Row("Källsortering", 6, "Att avlägsna avfall", WEEK, 1, 10,
        "{name} kan inte bära soporna till soprummet med rollatorn.",
        "{name}s mål är att ha rent och fräscht hemma.", C),
    Row("Enklare matlagning", 6, "Att bereda måltider", DAY, 1, 20,
        "{name} kan inte stå vid spisen men vill vara med och välja maten.",
        "{name}s mål är att äta mat som hon eller han tycker om.", S),
)  # fmt: skip
MORE_CARE = (
    Row("Trygghetsringning", 10, None, DAY, 1, 5,
        "{name} bor ensam och blir orolig på morgonen.",
        "{name}s mål är att känna sig trygg hemma.", S),
    Row("Omvårdnadspaket lunch", 5, "Att sköta kroppen", DAY, 1, 30,
        "{name} behöver hjälp vid toalettbesök och med att komma till bordet vid lunch.",
        "{name}s mål är att äta lunch i lugn och ro.", S),
    Row("Social samvaro", 7, "Att engagera sig i informella sociala relationer", WEEK, 1, 30,
        "{name} känner sig ensam sedan maken dog och går sällan ut.",
        "{name}s mål är att ha någon att prata med varje vecka.", S),
    Row("Hårvård", 5, "Att sköta kroppen", N_WEEKS, 1, 20,
        "{name} når inte att tvätta håret själv.",
        "{name}s mål är att känna sig välvårdad.", C, every_n_weeks=2),
    Row("Matning", 5, "Att äta", DAY, 2, 30,
        "{name} har svårt att föra skeden till munnen efter stroken.",
        "{name}s mål är att få i sig tillräckligt med mat.", C),
)  # fmt: skip
SERVICE_ROWS = (SHOPPING, CLEANING, LAUNDRY, *MORE_SERVICE)
CARE_ROWS = (SHOWER, MORNING_CARE, EVENING_CARE, SUPERVISION, WALK, TOILET, TRANSFER,
             NIGHT_SUPERVISION, INCONTINENCE, *MORE_CARE)  # fmt: skip
PACKAGE_CONTENTS = ("På- och avklädning", "Personlig hygien", "Toalettbesök", "Egenvård",
                    "Hårvård")  # fmt: skip
ORDER_SIZES, ORDER_SIZE_WEIGHTS = (3, 4, 5, 6, 7, 8), (10, 18, 24, 22, 15, 11)

GOALS = (
    ("Leva ett värdigt liv och känna välbefinnande",),
    ("Kunna bo kvar hemma", "Känna sig trygg"),
    ("Behålla sin förmåga att klara vardagen själv",),
)
ORDER_TEXTS = (
    "",
    "Kontaktperson för planering är dottern.",
    "Har en katt som ska vara instängd vid besöken.",
    "Ny brukare efter utskrivning från sjukhus.",
    "Brukaren har en god man som ska bjudas in till planeringen.",
    "Röker inte inomhus sedan förra året.",
)
END_REASONS = (
    "Har flyttat till ett särskilt boende.",
    "Behöver inte längre hjälp.",
    "Har avlidit.",
    "Har flyttat till en annan kommun.",
)
SWITCHED = "Har bytt utförare."
CHANGE_TEXT = "Ändrad beställning: ökat behov av personlig omvårdnad och tillsyn."


@dataclass
class Line:
    """One ordered intervention as generated."""

    row: Row
    type_id: int
    is_package: bool
    period: str
    occasions: int
    weekdays: list[int]
    every_n_weeks: int
    minutes: int
    double_staffing: bool
    contents: tuple[int, ...] = ()
    id: int | None = None

    def frequency(self) -> rules.Frequency:
        return rules.Frequency(
            period=Period(self.period),
            occasions=self.occasions,
            minutes=self.minutes,
            weekdays=frozenset(self.weekdays) or rules.ALL_WEEKDAYS,
            every_n_weeks=self.every_n_weeks,
            double_staffing=self.double_staffing,
        )


@dataclass
class DecisionInfo:
    client: ClientInfo
    officer: int
    decided_on: datetime.date
    valid_from: datetime.date
    lines: list[Line]
    hours: Decimal
    outcome: str = DecisionOutcome.GRANTED
    approval: str = ApprovalStatus.NOT_REQUIRED
    id: int | None = None


@dataclass
class OrderInfo:
    """An order as the plans' stage reads it."""

    client: ClientInfo
    provider: ProviderInfo
    decision: DecisionInfo
    officer: int
    lines: list[Line]
    valid_from: datetime.date
    status: str = OrderStatus.DRAFT
    sent_on: datetime.date | None = None
    received_on: datetime.date | None = None
    executed_on: datetime.date | None = None
    valid_to: datetime.date | None = None
    ended_reason: str = ""
    supersedes: OrderInfo | None = None
    order_text: str = ""
    ordered_minutes: int | None = None  # set when written, for an issued order
    id: int | None = None

    @property
    def daily_visits(self) -> int:
        per_day = [line for line in self.lines if line.period == DAY]
        return min(8, len(per_day) + (1 if any(line.occasions > 1 for line in per_day) else 0))


@dataclass
class Chain:
    """A client's orders at one provider, oldest first: the first, its changes, and how it
    ended (if it did)."""

    client: ClientInfo
    provider: ProviderInfo
    orders: list[OrderInfo] = field(default_factory=list)

    @property
    def ended_on(self) -> datetime.date | None:
        last = self.orders[-1]
        return last.valid_to if last.status == OrderStatus.ENDED else None


@dataclass
class ReportInfo:
    order: OrderInfo
    reported_on: datetime.date
    reporter: int
    answer: str = ""
    answered_on: datetime.date | None = None
    new_order: OrderInfo | None = None


def load(build: LoadData) -> None:
    """The orders' stage (the second of RAMTID_LOAD_DATA_LOADERS)."""
    histories = _Histories(build)
    for client in build.client_rows:
        histories.of(client)
    histories.write()
    build.shared["chains"] = histories.chains


class _Histories:
    def __init__(self, build: LoadData):
        self.build = build
        self.rng: random.Random = build.rng("bestallning")
        self.today = build.today
        self.yesterday = build.today - days(1)
        self.month = ordered_time.month_conversion(build.municipality)
        self.delegation = build.municipality.delegation_hours
        catalogue = build.catalogue
        self.service_rows = [row for row in SERVICE_ROWS if row.name in catalogue]
        self.care_rows = [row for row in CARE_ROWS if row.name in catalogue]
        self.contents = [catalogue[name].pk for name in PACKAGE_CONTENTS if name in catalogue]
        self.decisions: list[DecisionInfo] = []
        self.orders: list[OrderInfo] = []
        self.chains: list[Chain] = []
        self.reports: list[ReportInfo] = []

    # -- what happens to each client -----------------------------------------------------------

    def of(self, client: ClientInfo) -> None:
        rng, today = self.rng, self.today
        recent = (today - client.registered_on).days <= 30
        if recent:
            story = rng.choices(
                ("none", "refused", "pending", "draft", "sent", "received", "executed"),
                (8, 5, 6, 10, 18, 13, 40),
            )[0]
        else:
            story = rng.choices(
                ("executed", "ended", "switched", "refused", "none"), (78, 14, 5, 1, 2)
            )[0]
        if story == "none":
            return
        provider = self._provider()
        if story == "refused":
            decided = min(client.registered_on + days(rng.randint(2, 10)), self.yesterday)
            self._decision(client, decided, decided, self._lines(), refused=True)
            return
        if story in {"pending", "draft"}:
            decided = min(client.registered_on + days(rng.randint(1, 5)), self.yesterday)
            lines = self._lines()
            decision = self._decision(client, decided, decided, lines, pending=story == "pending")
            self._order(client, provider, decision, lines, today + days(rng.randint(2, 20)))
            return
        if story in {"sent", "received"}:
            sent = max(client.registered_on, today - days(rng.randint(1, 8)))
            sent = min(sent, self.yesterday)
            chain = self._first(client, provider, sent, sent + days(rng.randint(1, 14)))
            if story == "received":
                order = chain.orders[0]
                order.status = OrderStatus.RECEIVED
                order.received_on = min(sent + days(rng.randint(0, 2)), self.yesterday)
            return
        # Executed: the help started some days after registration (at the latest yesterday).
        starts = min(client.registered_on + days(rng.randint(4, 20)), self.yesterday)
        sent = max(client.registered_on, starts - days(rng.randint(1, 6)))
        chain = self._first(client, provider, sent, starts)
        self._execute(chain.orders[0])
        if story == "executed":
            self._changes(chain)
            self._maybe_open_report(chain)
        elif story == "ended":
            self._changes(chain, until=self.yesterday - days(30))
            self._end(chain, rng.choice(END_REASONS))
        else:
            self._end(chain, SWITCHED)
            switched_on = chain.ended_on + days(1)
            if switched_on > self.yesterday:
                return
            other = self._provider(besides=provider)
            sent = max(chain.orders[0].sent_on, chain.ended_on - days(rng.randint(1, 7)))
            new = self._first(client, other, sent, switched_on)
            self._execute(new.orders[0])
            self._maybe_open_report(new)

    def _provider(self, besides: ProviderInfo | None = None) -> ProviderInfo:
        providers = [p for p in self.build.providers if p is not besides]
        return self.rng.choices(providers, [p.share for p in providers])[0]

    def _first(self, client, provider, sent: datetime.date, starts: datetime.date) -> Chain:
        """An order sent on `sent`, starting `starts`, on a decision made a few days before."""
        rng = self.rng
        decided = max(client.registered_on, sent - days(rng.randint(0, 5)))
        lines = self._lines()
        decision = self._decision(client, decided, min(decided, starts), lines)
        order = self._order(client, provider, decision, lines, starts)
        self._send(order, sent)
        chain = Chain(client, provider, [order])
        self.chains.append(chain)
        return chain

    def _send(self, order: OrderInfo, sent: datetime.date) -> None:
        order.status, order.sent_on = OrderStatus.SENT, sent

    def _execute(self, order: OrderInfo) -> None:
        rng = self.rng
        order.executed_on = min(order.valid_from + days(rng.randint(0, 4)), self.yesterday)
        order.executed_on = max(order.executed_on, order.valid_from)
        order.received_on = min(order.sent_on + days(rng.randint(0, 2)), order.executed_on)
        order.status = OrderStatus.EXECUTED

    def _changes(self, chain: Chain, until: datetime.date | None = None) -> None:
        """A quarter of the orders are changed once, some twice: the change supersedes the order
        from the day before it starts. Changes that start later than a week ago are sent or
        received; the rest executed."""
        rng, until = self.rng, until or self.today + days(10)
        for chance in (0.25, 0.2):
            old = chain.orders[-1]
            if old.executed_on is None or rng.random() >= chance:
                return
            earliest = old.valid_from + days(30)
            if earliest > until:
                return
            starts = earliest + days(rng.randint(0, (until - earliest).days))
            sent = max(old.valid_from + days(1), starts - days(rng.randint(1, 10)))
            sent = min(sent, self.yesterday)
            if rng.random() < 0.6:
                # More help: a new decision with the added interventions and hours.
                lines = self._grow(old.lines)
                decided = max(old.valid_from + days(1), sent - days(rng.randint(0, 4)))
                decision = self._decision(chain.client, decided, min(decided, starts), lines)
            else:
                lines, decision = self._shrink(old.lines), old.decision
            change = self._order(
                chain.client, chain.provider, decision, lines, starts, supersedes=old
            )
            change.order_text = CHANGE_TEXT
            self._send(change, sent)
            old.status, old.valid_to = OrderStatus.SUPERSEDED, starts - days(1)
            chain.orders.append(change)
            if starts <= self.yesterday - days(2):
                self._execute(change)
            elif rng.random() < 0.5:
                change.status = OrderStatus.RECEIVED
                change.received_on = min(sent + days(rng.randint(0, 2)), self.yesterday)
            # The provider reported the change of need; the change answered it.
            reported = max(old.executed_on, sent - days(rng.randint(3, 20)))
            self.reports.append(
                ReportInfo(
                    old,
                    reported,
                    self._provider_staff(chain.provider),
                    NeedChangeAnswer.NEW_ORDER,
                    sent,
                    change,
                )
            )

    def _end(self, chain: Chain, reason: str) -> None:
        rng, last = self.rng, chain.orders[-1]
        start = (last.executed_on or last.valid_from) + days(20)
        ended = min(start + days(rng.randint(0, 400)), self.yesterday - days(rng.randint(1, 20)))
        last.valid_to = max(ended, last.executed_on or last.valid_from)
        last.status, last.ended_reason = OrderStatus.ENDED, reason

    def _maybe_open_report(self, chain: Chain) -> None:
        """A few orders in force have a change of need reported: most still open, some answered
        "no change"."""
        rng, order = self.rng, chain.orders[-1]
        if order.status != OrderStatus.EXECUTED or rng.random() >= 0.04:
            return
        reported = max(order.executed_on, self.today - days(rng.randint(1, 20)))
        reporter = self._provider_staff(chain.provider)
        if rng.random() < 0.75:
            self.reports.append(ReportInfo(order, reported, reporter))
        else:
            answered = min(reported + days(rng.randint(1, 5)), self.yesterday)
            self.reports.append(
                ReportInfo(order, reported, reporter, NeedChangeAnswer.NO_CHANGE, answered)
            )

    def _provider_staff(self, provider: ProviderInfo) -> int:
        return self.rng.choice(provider.contact_persons + provider.coordinators)

    # -- decisions and orders ------------------------------------------------------------------

    def _decision(self, client, decided, valid_from, lines, *, refused=False, pending=False):
        minutes = ordered_time.time_basis([line.frequency() for line in lines], self.month).total
        hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        if self.rng.random() < 0.3:
            # Some decisions leave room: the frame rounded up to the next five hours.
            hours = Decimal((int(hours) // 5 + 1) * 5)
        approval = ApprovalStatus.NOT_REQUIRED
        limit = self.delegation
        if pending:
            hours = max(hours, Decimal(limit + self.rng.randint(4, 40)) if limit else hours)
        if limit is not None and hours > limit:
            approval = ApprovalStatus.PENDING if pending else ApprovalStatus.APPROVED
        decision = DecisionInfo(
            client,
            client.officer or client.unit.officers[0],
            decided,
            valid_from,
            lines,
            Decimal(0) if refused else hours,
            DecisionOutcome.REFUSED if refused else DecisionOutcome.GRANTED,
            approval,
        )
        self.decisions.append(decision)
        return decision

    def _order(self, client, provider, decision, lines, starts, *, supersedes=None) -> OrderInfo:
        order = OrderInfo(
            client,
            provider,
            decision,
            decision.officer,
            lines,
            starts,
            supersedes=supersedes,
            order_text=self.rng.choice(ORDER_TEXTS),
        )
        self.orders.append(order)
        return order

    def _lines(self) -> list[Line]:
        """3–8 interventions: service only, personal care only, or both."""
        rng = self.rng
        size = rng.choices(ORDER_SIZES, ORDER_SIZE_WEIGHTS)[0]
        kind = rng.choices(("service", "care", "both"), (35, 10, 55))[0]
        if kind == "service":
            rows = rng.sample(self.service_rows, min(size, len(self.service_rows)))
        elif kind == "care":
            rows = rng.sample(self.care_rows, size)
        else:
            care = rng.randint(1, size - 1)
            rows = rng.sample(self.care_rows, care) + rng.sample(
                self.service_rows, min(size - care, len(self.service_rows))
            )
        return [self._line(row) for row in rows]

    def _line(self, row: Row) -> Line:
        rng = self.rng
        kind = self.build.catalogue[row.name]
        occasions = row.occasions
        if row.period == WEEK and row.occasions < 7:
            occasions = max(1, min(7, occasions + rng.choice((-1, 0, 0, 0, 1))))
        elif row.period == DAY and row.occasions > 1:
            occasions = max(1, occasions + rng.choice((-1, 0, 0, 1)))
        weekdays = []
        if row.period == DAY:
            weekdays = [1, 2, 3, 4, 5] if rng.random() < 0.15 else [1, 2, 3, 4, 5, 6, 7]
        every = rng.choice((2, 3, 4)) if row.period == N_WEEKS else 1
        contents = ()
        if kind.is_care_package:
            contents = tuple(sorted(rng.sample(self.contents, rng.randint(3, len(self.contents)))))
        return Line(
            row,
            kind.pk,
            kind.is_care_package,
            row.period,
            occasions,
            weekdays,
            every,
            max(5, row.minutes + rng.choice((-5, 0, 0, 0, 5))),
            rng.random() < 0.03,
            contents,
        )

    def _grow(self, lines: list[Line]) -> list[Line]:
        """The change after more needs: one or two more interventions (personal care first)."""
        have = {line.row.name for line in lines}
        extra = [row for row in self.care_rows + self.service_rows if row.name not in have]
        room = max(0, 8 - len(lines))
        added = self.rng.sample(extra, min(room, self.rng.randint(1, 2)))
        return [replace(line, id=None) for line in lines] + [self._line(row) for row in added]

    def _shrink(self, lines: list[Line]) -> list[Line]:
        """A change within the same decision: one frequency lowered, so the frame still holds."""
        copies = [replace(line, id=None) for line in lines]
        lowerable = [line for line in copies if line.occasions > 1]
        if lowerable:
            self.rng.choice(lowerable).occasions -= 1
        return copies

    # -- writing -------------------------------------------------------------------------------

    def write(self) -> None:
        build = self.build
        for decision, pk in zip(
            self.decisions, reserve_ids(Decision, len(self.decisions)), strict=True
        ):
            decision.id = pk
        for order, pk in zip(self.orders, reserve_ids(Order, len(self.orders)), strict=True):
            order.id = pk
            if order.status != OrderStatus.DRAFT:
                # What order_send stores: the time basis's total, from the lines in hand.
                frequencies = [line.frequency() for line in order.lines]
                order.ordered_minutes = ordered_time.time_basis(frequencies, self.month).total
        lines = [line for order in self.orders for line in order.lines]
        for line, pk in zip(lines, reserve_ids(OrderedIntervention, len(lines)), strict=True):
            line.id = pk
        build.count(
            Decision,
            copy_rows(Decision, DECISION_FIELDS, (self._decision_row(d) for d in self.decisions)),
        )
        build.count(
            GrantedIntervention,
            copy_rows(
                GrantedIntervention,
                ("decision", "intervention_type"),
                (
                    (d.id, type_id)
                    for d in self.decisions
                    if d.outcome != DecisionOutcome.REFUSED
                    for type_id in sorted({line.type_id for line in d.lines})
                ),
            ),
        )
        build.count(
            Order, copy_rows(Order, ORDER_FIELDS, (self._order_row(o) for o in self.orders))
        )
        build.count(
            OrderedIntervention,
            copy_rows(
                OrderedIntervention,
                INTERVENTION_FIELDS,
                (
                    self._intervention_row(o, position, line)
                    for o in self.orders
                    for position, line in enumerate(o.lines)
                ),
            ),
        )
        through = OrderedIntervention.care_package_contents.through
        copy_rows(
            through,
            ("orderedintervention", "interventiontype"),
            ((line.id, part) for line in lines for part in line.contents),
        )
        build.count(
            NeedChangeReport,
            copy_rows(NeedChangeReport, REPORT_FIELDS, (self._report_row(r) for r in self.reports)),
        )

    def _decision_row(self, d: DecisionInfo) -> tuple:
        rng, name = self.rng, d.client.first_name
        refused = d.outcome == DecisionOutcome.REFUSED
        kinds = {self.build.catalogue[line.row.name].category for line in d.lines}
        approved = d.approval == ApprovalStatus.APPROVED
        manager = d.client.unit.manager
        return (
            d.id,
            d.client.id,
            d.officer,
            d.outcome,
            rules.decision_kind(kinds),
            "SoL 4 kap. 1 §",
            d.decided_on,
            d.valid_from,
            None,
            d.hours,
            f"{name} har behov som kan tillgodoses på annat sätt, genom anhöriga och hjälpmedel."
            if refused
            else f"{name} behöver stöd i vardagen för att kunna bo kvar hemma.",
            "Att kunna bo kvar hemma under trygga förhållanden.",
            d.approval,
            manager if approved else None,
            moment(min(d.decided_on + days(1), self.yesterday), rng) if approved else None,
            moment(d.decided_on, rng),
        )

    def _order_row(self, o: OrderInfo) -> tuple:
        rng, name = self.rng, o.client.first_name
        sent_at = moment(o.sent_on, rng) if o.sent_on else None
        coordinator = rng.choice(o.provider.coordinators)
        created = (o.sent_on or self.yesterday) - days(rng.randint(0, 3))
        visits = o.daily_visits
        return (
            o.id,
            o.client.id,
            o.decision.id,
            o.provider.id,
            o.officer,
            o.supersedes.id if o.supersedes else None,
            o.status,
            o.valid_from,
            o.valid_to,
            o.order_text,
            visits,
            "personlig omvårdnad, tillsyn och hjälp i hemmet." if visits else "",
            list(rng.choice(GOALS)),
            f"{name} har nedsatt balans och blir lätt trött.",
            f"{name} bor ensam i en lägenhet med hiss.",
            f"{name} har hjärtsvikt och artros i knäna.",
            f"{name} har alltid varit händig och vill klara sig själv.",
            "[]",
            rng.randint(2, 5),
            moment(min(created, self.yesterday), rng),
            o.ordered_minutes,
            sent_at,
            o.officer if sent_at else None,
            sent_at + datetime.timedelta(minutes=2) if sent_at else None,
            moment(o.received_on, rng, hours=(17, 18)) if o.received_on else None,
            coordinator if o.received_on else None,
            o.executed_on,
            o.ended_reason,
        )

    def _intervention_row(self, o: OrderInfo, position: int, line: Line) -> tuple:
        row, name = line.row, o.client.first_name
        area = self.build.life_areas[row.area]
        category = self.build.life_area_categories.get((row.area, row.category))
        level = row.level
        intended = FunctionLevel.MILD if row.orientation == S and level == "moderate" else level
        return (
            line.id,
            o.id,
            line.type_id,
            area,
            category,
            line.period,
            line.occasions,
            line.weekdays,
            line.every_n_weeks,
            line.minutes,
            line.double_staffing,
            level,
            intended,
            row.description.format(name=name),
            row.goal.format(name=name),
            row.orientation,
            position,
        )

    def _report_row(self, r: ReportInfo) -> tuple:
        rng = self.rng
        increased = r.answer != NeedChangeAnswer.NO_CHANGE
        return (
            r.order.id,
            r.reporter,
            moment(min(r.reported_on, self.yesterday), rng),
            NeedChangeDirection.INCREASED
            if increased or rng.random() < 0.5
            else NeedChangeDirection.DECREASED,
            NeedChangeDuration.LASTING
            if r.new_order
            else rng.choice((NeedChangeDuration.LASTING, NeedChangeDuration.TEMPORARY)),
            rng.choice(
                (NeedChangeReason.ILLNESS, NeedChangeReason.HOSPITAL, NeedChangeReason.OTHER)
            ),
            f"{r.order.client.first_name} har blivit svagare och behöver mer hjälp.",
            r.answer,
            "Behovet är tillfälligt och ryms i nuvarande beställning."
            if r.answer == NeedChangeAnswer.NO_CHANGE
            else "",
            r.order.officer if r.answer else None,
            moment(r.answered_on, rng, hours=(13, 16)) if r.answered_on else None,
            r.new_order.id if r.new_order else None,
        )


DECISION_FIELDS = (
    "id", "client", "decided_by", "outcome", "kind", "legal_basis", "decided_on", "valid_from",
    "valid_to", "hours_per_month", "reasoning", "purpose_and_goal", "approval_status",
    "approved_by", "approved_at", "created_at",
)  # fmt: skip
ORDER_FIELDS = (
    "id", "client", "decision", "provider", "ordered_by", "supersedes", "status", "valid_from",
    "valid_to", "order_text", "daily_visits", "daily_visits_description", "overall_goals",
    "body_functions", "environmental_factors", "health_condition", "personal_factors",
    "quality_warnings", "version", "created_at", "ordered_minutes", "sent_at", "sent_by",
    "provider_notified_at", "received_at", "received_by", "executed_on", "ended_reason",
)  # fmt: skip
INTERVENTION_FIELDS = (
    "id", "order", "intervention_type", "life_area", "life_area_category", "period", "occasions",
    "weekdays", "every_n_weeks", "minutes", "double_staffing", "assessed_level",
    "intended_level", "description", "client_goal", "support_orientation", "position",
)  # fmt: skip
REPORT_FIELDS = (
    "order", "reported_by", "reported_at", "direction", "duration", "reason", "description",
    "answer", "answer_reason", "answered_by", "answered_at", "new_order",
)  # fmt: skip
