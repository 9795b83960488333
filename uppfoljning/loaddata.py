"""Load data: a month of visits as the providers' time registration would export them (the last
stage of `manage.py generate_load_data --visits-dir DIR`; ramtid/loaddata.py says how and why).

Nothing is written to the database: the visits are import files, one per provider (an import is
per provider), `DIR/<provider id>.csv` in the import format (semicolons, a header row,
`besoks_id;personnummer;start;slut;personal;insats;status;orsak`), for the last full calendar
month before the day of the run, with `DIR/visits.json` naming the month and the files. The bench
(tests/bench/followup.py) imports them through the app and copies them raw into PostgreSQL.

Each client with an executed order gets visits on the days an order of the chain is in force
(from its execution to its end), 2–6 a day by the order's daily visits, of lengths that add up
to its ordered minutes times the client's own rate for the month (most near 100 %, some well
over or under). The provider's clients are grouped in routes of a few clients: each route has
its staff for the day and for the evening (one on weekdays, another at weekends), who visit the
route's clients one after the other, so a staff code is never at two clients at once unless the
data means it; a substitute takes over a route's shift now and then (often on some routes, so
their clients meet more than ten staff in two weeks). Clients with supervision at night have a
night visit from a night patrol (some end after midnight, outside the ramtid window). A double
staffed intervention gives two rows, one per staff member. Some visits are declined, some
clients are absent for a stretch of days (hospital, short-term stay, relatives), and a few rows
are there for the plausibility checks: visits longer than four hours, a staff code at two
clients at once, a visit performed on a day the client was recorded absent.

Staff codes are pseudonymous ("P" and a number, per provider). Personal numbers are spelled as
different systems export them: most with century and hyphen, one provider without the hyphen,
one with ten digits. It is deterministic: the same seed, size and day give the same files.
"""

from __future__ import annotations

import csv
import datetime
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bestallning.choices import OrderStatus
from bestallning.loaddata import Chain, OrderInfo
from ramtid.loaddata import LoadData, ProviderInfo

HEADER = ("besoks_id", "personnummer", "start", "slut", "personal", "insats", "status", "orsak")
MANIFEST = "visits.json"
PERFORMED, DECLINED, ABSENT = "utförd", "avböjd", "frånvaro"

ROUTE_SIZE = 4  # clients per route: a staff member's round
NIGHT_PATROL_SIZE = 3  # night clients per night patrol (the last may end after midnight)
# The day's visits: (earliest start in minutes after midnight, shift, share of the day's time).
SLOTS = (
    (7 * 60, 0, 1.5),  # morning care
    (9 * 60 + 30, 0, 0.8),  # mid-morning
    (11 * 60 + 30, 0, 1.0),  # lunch
    (15 * 60, 1, 0.8),  # afternoon
    (17 * 60, 1, 1.0),  # dinner
    (19 * 60, 1, 1.2),  # evening care
)
SLOTS_FOR = {2: (0, 5), 3: (0, 2, 5), 4: (0, 2, 4, 5), 5: (0, 2, 3, 4, 5), 6: (0, 1, 2, 3, 4, 5)}
NIGHT_START = 22 * 60 + 15
NIGHT_SUPERVISION = "Tillsyn nattetid"
# How often things happen.
SUBSTITUTE_STABLE, SUBSTITUTE_UNSTABLE, UNSTABLE_ROUTES = 0.05, 0.5, 0.08
DECLINED_SHARE = 0.015
ABSENCE_SHARE = 0.05  # of clients, a stretch of 2–12 days
PERFORMED_WHEN_ABSENT = 0.15  # of absences, one day with a visit performed all the same
LONG_SHARE = 0.0006  # visits over four hours (a departure not registered)
OVERLAP_SHARE = 0.001  # visits registered on another route's staff at the same time
DECLINED_REASONS = (
    "Brukaren avböjde besöket.",
    "Ville inte ha dusch i dag.",
    "Anhörig var på plats och hjälpte till.",
    "",
)
ABSENCE_REASONS = ("Sjukhusvistelse", "Korttidsboende", "Hos anhöriga")
# The client's rate of performed to ordered time for the month: most near it, some over, some
# under (by which the monthly check finds work in every status).
RATES = (((0.93, 1.05), 72), ((1.14, 1.45), 14), ((0.55, 0.86), 14))


def visits_month(today: datetime.date) -> datetime.date:
    """The last full calendar month before `today`."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def load(build: LoadData) -> None:
    """The visits' stage (the last of RAMTID_LOAD_DATA_LOADERS): files only, when asked for."""
    if build.visits_dir is None:
        return
    manifest = write_visits(build, Path(build.visits_dir))
    build.counts["besök i importfiler"] = manifest["rows"]
    build.shared["visits"] = manifest


@dataclass
class _Client:
    """A client's chain at the provider during the month, and how the month goes for it."""

    chain: Chain
    in_force: dict[int, OrderInfo]  # day of month -> the order in force
    spelled: str
    rate: float
    per_day: int
    night: bool
    absent: set[int] = field(default_factory=set)
    absence_reason: str = ""
    performed_anyway: int | None = None


def write_visits(build: LoadData, directory: Path) -> dict:
    """Write one import file per provider for the month before build.today, and the manifest.
    Returns the manifest."""
    started = time.monotonic()
    month = visits_month(build.today)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    month_days = (next_month - month).days
    rng = build.rng("uppfoljning")
    directory.mkdir(parents=True, exist_ok=True)
    # "YYYY-MM-DD HH:MM" for every minute of the month and the day after (night visits).
    dates = [month + datetime.timedelta(days=d) for d in range(month_days + 1)]
    clock = [f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)]
    chains = [c for c in build.shared["chains"] if c.orders[0].executed_on is not None]
    files = []
    total = 0
    for provider in build.providers:
        mine = [c for c in chains if c.provider is provider]
        clients = [
            client
            for client in (_client(rng, chain, month, month_days, provider) for chain in mine)
            if client is not None
        ]
        name = f"{provider.id}.csv"
        rows = _Rows(rng, provider, month, dates, clock)
        with (directory / name).open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(rows.of(clients, month_days))
        files.append(
            {
                "provider": provider.id,
                "provider_name": provider.name,
                "file": name,
                "rows": rows.count,
            }
        )
        total += rows.count
    manifest = {
        "month": f"{month:%Y-%m}",
        "municipality": build.municipality.name,
        "clients": build.clients,
        "seed": build.seed,
        "today": build.today.isoformat(),
        "rows": total,
        "files": files,
        "seconds": round(time.monotonic() - started, 1),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _client(rng, chain: Chain, month, month_days, provider) -> _Client | None:
    in_force = {}
    for order in chain.orders:
        if order.executed_on is None or order.status == OrderStatus.DRAFT:
            continue
        first = max(order.valid_from, order.executed_on, month)
        last = min(order.valid_to or datetime.date.max, month + datetime.timedelta(month_days - 1))
        for d in range((first - month).days, (last - month).days + 1):
            in_force[d] = order
    if not in_force:
        return None
    order = next(iter(in_force.values()))
    night = any(line.row.name == NIGHT_SUPERVISION for line in order.lines)
    low, high = rng.choices([r for r, _w in RATES], [w for _r, w in RATES])[0]
    per_day = min(6, max(2, 3 + order.daily_visits + rng.choice((-1, 0, 0, 1))))
    if night:
        per_day = min(per_day, 5)  # the night visit makes the sixth
    client = _Client(
        chain, in_force, _spelling(chain, provider, month), rng.uniform(low, high), per_day, night
    )
    if rng.random() < ABSENCE_SHARE:
        days = sorted(in_force)
        start = rng.choice(days)
        client.absent = {d for d in range(start, start + rng.randint(2, 12)) if d in in_force}
        client.absence_reason = rng.choice(ABSENCE_REASONS)
        if rng.random() < PERFORMED_WHEN_ABSENT:
            client.performed_anyway = rng.choice(sorted(client.absent))
    return client


def _spelling(chain: Chain, provider: ProviderInfo, month: datetime.date) -> str:
    """The personal number as this provider's system exports it."""
    number = chain.client.personal_number  # stored: twelve digits, no hyphen
    if provider.number == 2:
        return number
    if provider.number == 3 and int(number[:4]) >= month.year - 95:
        return f"{number[2:8]}-{number[8:]}"
    return f"{number[:8]}-{number[8:]}"


class _Rows:
    """The rows of one provider's file, as a generator; counts them."""

    def __init__(self, rng, provider, month, dates, clock):
        self.rng, self.provider, self.dates, self.clock = rng, provider, dates, clock
        self.day_names = [d.isoformat() for d in dates]
        # An order in force all month has its ordered minutes for the month, whatever its length.
        self.month_days = len(dates) - 1
        self.count = 0
        self.first_id = int(f"{month:%Y%m}") * 10_000_000
        self._next_code = 1000 + rng.randrange(0, 9000)

    def code(self) -> str:
        self._next_code += 1
        return f"P{self._next_code:05d}"

    def at(self, day: int, minute: int) -> str:
        day, minute = day + minute // 1440, minute % 1440
        return f"{self.day_names[day]} {self.clock[minute]}"

    def of(self, clients: list[_Client], month_days: int) -> Iterator[tuple]:
        rng = self.rng
        rng.shuffle(clients)
        routes = [clients[i : i + ROUTE_SIZE] for i in range(0, len(clients), ROUTE_SIZE)]
        # Each route's staff: [shift][weekday 0 / weekend 1], and the second staff member for
        # double staffing; a substitute pool used at most once per day and shift.
        staff = [
            ((self.code(), self.code()), (self.code(), self.code()), self.code()) for _ in routes
        ]
        unstable = [rng.random() < UNSTABLE_ROUTES for _ in routes]
        substitutes = [self.code() for _ in range(max(4, len(routes) // 4))]
        night = [c for c in clients if c.night]
        patrols = [
            night[i : i + NIGHT_PATROL_SIZE] for i in range(0, len(night), NIGHT_PATROL_SIZE)
        ]
        patrol_staff = [(self.code(), self.code()) for _ in patrols]
        for day in range(month_days):
            weekend = int(self.dates[day].isoweekday() >= 6)
            used = 0
            on_shift = []
            for r in range(len(routes)):
                shifts = []
                for shift in (0, 1):
                    chance = SUBSTITUTE_UNSTABLE if unstable[r] else SUBSTITUTE_STABLE
                    if rng.random() < chance:
                        if used == len(substitutes):
                            substitutes.append(self.code())
                        shifts.append(substitutes[used])
                        used += 1
                    else:
                        shifts.append(staff[r][shift][weekend])
                on_shift.append(shifts)
            for r, route in enumerate(routes):
                yield from self._route(day, route, on_shift, r, staff[r][2])
            for p, patrol in enumerate(patrols):
                yield from self._night(day, patrol, patrol_staff[p][weekend])

    def _route(self, day, route, on_shift, r, second) -> Iterator[tuple]:
        rng, at = self.rng, self.at
        clocks = [SLOTS[0][0] + int(rng.random() * 15), 15 * 60 + int(rng.random() * 15)]
        todays = []
        for client in route:
            order = client.in_force.get(day)
            if order is None:
                continue
            n = client.per_day
            slots = SLOTS_FOR[n]
            shares = sum(SLOTS[s][2] for s in slots)
            daily = order.ordered_minutes * client.rate / self.month_days
            double = any(line.double_staffing for line in order.lines)
            todays.append((client, slots, daily / shares, double))
        for slot in range(len(SLOTS)):
            earliest, shift, weight = SLOTS[slot]
            for client, slots, per_share, double in todays:
                if slot not in slots:
                    continue
                minutes = max(5, round(per_share * weight * (0.85 + 0.3 * rng.random())))
                start = max(clocks[shift], earliest + int(rng.random() * 10))
                staff = on_shift[r][shift]
                status, reason = PERFORMED, ""
                absent = day in client.absent and day != client.performed_anyway
                if absent:
                    status, reason = ABSENT, client.absence_reason
                elif rng.random() < DECLINED_SHARE:
                    status, reason = DECLINED, rng.choice(DECLINED_REASONS)
                # The round keeps its times whatever became of the visit.
                clocks[shift] = start + minutes + 4 + int(rng.random() * 9)
                if rng.random() < OVERLAP_SHARE and len(on_shift) > 1:
                    staff = on_shift[(r + 1) % len(on_shift)][shift]
                length = minutes
                if status == PERFORMED and rng.random() < LONG_SHARE:
                    length = 245 + int(rng.random() * 90)
                number = client.spelled
                if double and slot == slots[0]:
                    # Double staffing: two rows, each staff member's time; the ordered minutes
                    # count both, so each row has half the slot's share.
                    length = max(5, length // 2)
                    self.count += 1
                    yield (
                        self.first_id + self.count,
                        number,
                        at(day, start),
                        at(day, start + length),
                        second,
                        "",
                        status,
                        reason,
                    )
                self.count += 1
                yield (
                    self.first_id + self.count,
                    number,
                    at(day, start),
                    at(day, start + length),
                    staff,
                    "",
                    status,
                    reason,
                )

    def _night(self, day, patrol, staff) -> Iterator[tuple]:
        rng, at = self.rng, self.at
        clock = NIGHT_START + int(rng.random() * 10)
        for client in patrol:
            if day not in client.in_force:
                continue
            minutes = 10 + int(rng.random() * 8)
            status, reason = PERFORMED, ""
            if day in client.absent:
                status, reason = ABSENT, client.absence_reason
            self.count += 1
            yield (
                self.first_id + self.count,
                client.spelled,
                at(day, clock),
                at(day, clock + minutes),
                staff,
                "",
                status,
                reason,
            )
            clock += minutes + 10 + int(rng.random() * 15)
