"""The follow-up's benchmark at Stockholm's scale: `make bench` (README "Benchmarks", issue 9 §7).

    python -m tests.bench.followup [--stamp FILE] [--visits-dir DIR] [--clients 20000] [--seed 1]
                                   [--fresh]

The database is made ready as for the pages (tests/bench/scale.py `prepare`), with the month of
visits that `generate_load_data --visits-dir` writes as import files, one per provider (about
2.4 million rows at 20,000 clients). Then, in the same run on the same PostgreSQL, each pair:

- the raw floor of the import: PostgreSQL COPY of the same files, streamed from here as the app
  streams them, into a bare table (text columns, no index, no constraint), against the app's
  import of each file: `uppfoljning.imports.create_file_import` and `run_import`, as the Celery
  task runs it (checked row by row, set-based, and saved);
- the raw floor of the monthly check: one plain aggregate of ordered against performed minutes
  per order for the month (a GROUP BY over the month's stored visits joined to the orders),
  against `uppfoljning.monthly.run_monthly_check` for the month;
- the same aggregate against staff continuity stored on the month's results
  (`uppfoljning.monthly.store_continuity`, the second step of the monthly beat job, issue 11):
  it reads the same visits, so the same floor and target.

Targets: the import at most 1.5 times the raw COPY, the monthly check at most 3 times the raw
aggregate. It is re-runnable: each run first restores the state before the import (it drops the
month's partition of the visits table and deletes the month's imports and results, none of
which the generator wrote), so every run measures a first import into an empty month; what the
run imported and checked is kept, so the pages measured after it (scale.py) see a month of
follow-up, and the generated data is kept for the next run.

Between the import and the aggregate the month's partition is vacuumed and analysed (not
timed): what autovacuum has done by the time the check runs, days after the imports.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramtid.settings")

IMPORT_TARGET, CHECK_TARGET = 1.5, 3.0
RAW_TABLE = "bench_raw_visits"
CHUNK = 1 << 20
AGGREGATE_ROUNDS = 3

# The simplest honest aggregate: performed minutes per order against its ordered minutes.
AGGREGATE_SQL = """
SELECT v.order_id, o.ordered_minutes,
       SUM(v.minutes) FILTER (WHERE v.status = 'performed') AS performed
FROM uppfoljning_performedvisit v
JOIN bestallning_order o ON o.id = v.order_id
WHERE v.month = %s
GROUP BY v.order_id, o.ordered_minutes
"""


@dataclass(frozen=True)
class VisitFile:
    provider_id: int
    provider_name: str
    path: Path
    rows: int


@dataclass
class Visits:
    """What the generator wrote (its visits.json)."""

    month: datetime.date
    today: datetime.date
    municipality: str
    files: list[VisitFile]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @classmethod
    def read(cls, directory: Path) -> Visits:
        from uppfoljning.loaddata import MANIFEST

        manifest = json.loads((directory / MANIFEST).read_text())
        return cls(
            month=datetime.date.fromisoformat(f"{manifest['month']}-01"),
            today=datetime.date.fromisoformat(manifest["today"]),
            municipality=manifest["municipality"],
            files=[
                VisitFile(f["provider"], f["provider_name"], directory / f["file"], f["rows"])
                for f in manifest["files"]
            ],
        )


@dataclass
class Pair:
    """One of the app's operations against its raw floor."""

    label: str
    raw_label: str
    target: float
    raw: float | None = None  # seconds
    app: float | None = None
    note: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.raw is None or self.app is None or not self.raw:
            return None
        return self.app / self.raw


# ---------------------------------------------------------------------------------------------
# The state before the import


def reset(visits: Visits) -> None:
    """Drop the month's partition and delete the month's imports and results of the files'
    providers: the state the generator left. Nothing generated is touched."""
    from django.db import connection, transaction

    from uppfoljning.models import MonthlyTimeResult, VisitImport
    from uppfoljning.partitions import partition_name

    providers = [f.provider_id for f in visits.files]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{partition_name(visits.month)}"')
        MonthlyTimeResult.objects.filter(month=visits.month, provider__in=providers).delete()
        VisitImport.objects.filter(provider__in=providers).delete()
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")


def vacuum_month(month: datetime.date) -> None:
    """What autovacuum does after a bulk load (hint bits, visibility map, statistics); inside a
    transaction (the suite's test) only the statistics."""
    from django.db import connection

    from uppfoljning.partitions import partition_name

    with connection.cursor() as cursor:
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f'{command} "{partition_name(month)}"')


# ---------------------------------------------------------------------------------------------
# The raw floor


def raw_copy(visits: Visits) -> tuple[float, int]:
    """COPY every file into a bare table of text columns, in one transaction; the seconds
    (commit included) and the rows copied."""
    from django.db import connection, transaction

    from uppfoljning.loaddata import HEADER

    columns = ", ".join(f"{name} text" for name in HEADER)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for visit_file in visits.files:
            with (
                visit_file.path.open("rb") as stream,
                cursor.copy(
                    f"COPY {RAW_TABLE} FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')"
                ) as copy,
            ):
                while chunk := stream.read(CHUNK):
                    copy.write(chunk)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_raw_visits")  # RAW_TABLE
        rows = cursor.fetchone()[0]
    return seconds, rows


# What any import meeting issue 9 §1 must do on top of the COPY, at the least: read the start and
# the end as times (a visit's month, its length, the order in force on its day all need them)
# and index the besöks-id (a visit sent again updates it, so the id is looked up). Each alone,
# on the bare table the floor filled, with nothing else: no personal number, no order, no check.
LOWER_BOUND_SQL = {
    "tiderna som tidpunkter": """
        CREATE TEMP TABLE bench_typed AS
        SELECT besoks_id, start::timestamp AS start_at, slut::timestamp AS end_at
        FROM bench_raw_visits""",
    "index på besöks-id": 'CREATE INDEX bench_raw_id ON bench_raw_visits (besoks_id COLLATE "C")',
}


def lower_bound() -> dict[str, float]:
    """The seconds of each step of LOWER_BOUND_SQL, then the bare table is dropped."""
    from django.db import connection, transaction

    timings = {}
    with connection.cursor() as cursor:
        for label, sql in LOWER_BOUND_SQL.items():
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql)
            timings[label] = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
        cursor.execute("DROP TABLE IF EXISTS bench_typed")
    return timings


def raw_aggregate(month: datetime.date, rounds: int = AGGREGATE_ROUNDS) -> tuple[float, int]:
    """The plain aggregate, `rounds` times; the median seconds and the orders it returned."""
    from django.db import connection

    timings, orders = [], 0
    with connection.cursor() as cursor:
        for _ in range(rounds):
            started = time.perf_counter()
            cursor.execute(AGGREGATE_SQL, [month])
            orders = len(cursor.fetchall())
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), orders


# ---------------------------------------------------------------------------------------------
# The app


def app_import(visits: Visits) -> tuple[float, dict]:
    """Each file through the app's import path, as the upload page and its Celery task do it,
    by a coordinator of the provider; the seconds of all files and the counts."""
    from ramtid.choices import Role
    from ramtid.models import Provider, User
    from uppfoljning.choices import ImportStatus
    from uppfoljning.imports import create_file_import, run_import
    from uppfoljning.models import VisitImport

    counts = {"created": 0, "updated": 0, "errors": 0, "rejected": []}
    seconds = 0.0
    for visit_file in visits.files:
        provider = Provider.objects.get(pk=visit_file.provider_id)
        coordinator = User.objects.filter(
            memberships__role=Role.PROVIDER_COORDINATOR, memberships__provider=provider
        ).order_by("pk")[0]
        started = time.perf_counter()
        with visit_file.path.open("rb") as stream:
            created = create_file_import(
                provider=provider, by=coordinator, file_name=visit_file.path.name, stream=stream
            )
        import_id = getattr(created, "pk", created)
        run_import(import_id=import_id)
        seconds += time.perf_counter() - started
        done = VisitImport.objects.get(pk=import_id)
        counts["created"] += done.created_count
        counts["updated"] += done.updated_count
        counts["errors"] += done.error_count
        if done.status != ImportStatus.DONE:
            counts["rejected"].append(
                f"{visit_file.path.name}: {done.get_status_display()}, {done.error_count} fel, "
                f"först {done.errors[:3]}"
            )
    return seconds, counts


def monthly_check(visits: Visits) -> tuple[float, object]:
    from ramtid.models import Municipality
    from uppfoljning.monthly import run_monthly_check

    municipality = Municipality.objects.get(name=visits.municipality)
    started = time.perf_counter()
    summary = run_monthly_check(municipality=municipality, month=visits.month, today=visits.today)
    return time.perf_counter() - started, summary


# ---------------------------------------------------------------------------------------------
# The run


def continuity_step(visits: Visits) -> tuple[float, object]:
    from ramtid.models import Municipality
    from uppfoljning.monthly import store_continuity

    municipality = Municipality.objects.get(name=visits.municipality)
    started = time.perf_counter()
    summary = store_continuity(municipality=municipality, month=visits.month)
    return time.perf_counter() - started, summary


def run(visits: Visits, *, out=sys.stdout) -> list[Pair]:
    """Reset, then each pair in turn: raw COPY, the app's import, the raw aggregate, the
    monthly check, staff continuity (against the same aggregate)."""
    rows = f"{visits.rows:,}".replace(",", " ")
    importing = Pair(
        f"Import av {rows} besök ({len(visits.files)} filer)", "COPY till en bar tabell",
        IMPORT_TARGET,
    )  # fmt: skip
    checking = Pair(
        f"Månadskontrollen {visits.month:%Y-%m}", "ett aggregat per beställning", CHECK_TARGET
    )
    out.write("  återställer månaden …\n")
    out.flush()
    reset(visits)
    out.write("  COPY …\n")
    out.flush()
    importing.raw, copied = raw_copy(visits)
    if copied != visits.rows:
        importing.error = f"COPY gav {copied} rader, filerna har {visits.rows}"
    importing.extra["lower_bound"] = lower_bound()
    out.write("  importen genom appen …\n")
    out.flush()
    importing.app, counts = app_import(visits)
    importing.extra.update(counts)
    if counts["rejected"]:
        importing.error = "; ".join(counts["rejected"])
    elif counts["created"] + counts["updated"] != visits.rows:
        importing.error = (
            f"importen sparade {counts['created'] + counts['updated']} besök av {visits.rows}"
        )
    vacuum_month(visits.month)
    out.write("  aggregatet …\n")
    out.flush()
    checking.raw, orders = raw_aggregate(visits.month)
    out.write("  månadskontrollen …\n")
    out.flush()
    checking.app, summary = monthly_check(visits)
    checking.extra = {"orders": orders, "summary": summary}
    checking.note = f"{orders} beställningar med besök"
    out.write("  personalkontinuiteten …\n")
    out.flush()
    continuity = Pair(
        f"Personalkontinuiteten {visits.month:%Y-%m}",
        "samma aggregat",
        CHECK_TARGET,
        raw=checking.raw,
    )
    continuity.app, continuity.extra["summary"] = continuity_step(visits)
    return [importing, checking, continuity]


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def table(pairs: list[Pair]) -> str:
    """The pairs as a Markdown table, each ratio against its target."""
    lines = [
        "| steg | rått golv | golv | appen | kvot | mål | |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for pair in pairs:
        ratio = pair.ratio
        if pair.error:
            verdict = f"FEL: {pair.error}"
        elif ratio is None:
            verdict = "–"
        else:
            verdict = "ok" if ratio <= pair.target else "över målet"
        lines.append(
            f"| {pair.label} | {pair.raw_label} | {seconds(pair.raw)} | {seconds(pair.app)} | "
            f"{'–' if ratio is None else f'{ratio:.2f}×'} | ≤ {pair.target:g}× | {verdict} |"
        )
    return "\n".join(lines)


def lower_bound_text(importing: Pair) -> str:
    """The import's floor under its own rules: the COPY plus the least it must do on top."""
    steps = importing.extra.get("lower_bound") or {}
    if not steps or not importing.raw:
        return ""
    total = importing.raw + sum(steps.values())
    parts = " + ".join(f"{label} {value:.2f} s" for label, value in steps.items())
    return (
        f"Importens golv enligt kraven (issue 9 §1), utan en enda kontroll: COPY "
        f"{importing.raw:.2f} s + {parts} = {total:.2f} s, {total / importing.raw:.2f}× COPY "
        f"(målet {importing.target:g}×)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.followup")
    parser.add_argument("--stamp", type=Path, help="var det genererades anteckningar sparas")
    parser.add_argument("--visits-dir", type=Path, required=True, help="besöksfilernas katalog")
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="generera på nytt i alla fall")
    args = parser.parse_args(argv)
    django.setup()

    from tests.bench import scale

    scale.prepare(stamp=args.stamp, clients=args.clients, seed=args.seed, fresh=args.fresh,
                  visits_dir=args.visits_dir)  # fmt: skip
    visits = Visits.read(args.visits_dir)
    print(f"Uppföljningen: {visits.rows} besök för {visits.month:%Y-%m} i {len(visits.files)} "
          f"filer, rått golv och appen i samma körning mot samma PostgreSQL:")  # fmt: skip
    pairs = run(visits)
    print()
    print(table(pairs))
    print()
    print(lower_bound_text(pairs[0]))
    print()
    failed = [pair for pair in pairs if pair.error]
    over = [pair for pair in pairs if not pair.error and pair.ratio and pair.ratio > pair.target]
    print(f"{len(pairs) - len(failed) - len(over)} av {len(pairs)} inom målet, {len(over)} över, "
          f"{len(failed)} fel.")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
