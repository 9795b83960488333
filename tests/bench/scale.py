"""The page benchmarks at Stockholm's scale: `make bench` (README "Benchmarks", issue 8).

    python -m tests.bench.scale [--stamp FILE] [--clients 20000] [--seed 1] [--rounds 30]
                                [--budget 20] [--fresh]

First the database (DATABASE_URL; `make bench` gives a PostgreSQL of its own in .run/bench/) is
made ready: migrated, and filled by `generate_load_data` once. The stamp file records what was
generated (a hash of the generator's code, the seed and the size); while it matches and the
database is marked for load data, the data is kept between runs. Otherwise the database is
emptied and generated again. A database that is neither marked nor empty is refused: this never
touches the demo's or a real one.

Then each page is requested in-process through Django's test client, as its user, one request at
a time: two warm-up requests, then up to --rounds timed ones (fewer for slow pages once --budget
seconds have gone, at least five). The median and the 95th percentile (nearest rank) are printed
against the issue's targets: start pages and lists 150 ms at p95, detail pages 80 ms, PDFs
400 ms; with the queries and the size of one more request. Everything the requests write (the
access log, sessions) is rolled back at the end, so the kept data stays as generated.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import importlib
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramtid.settings")

# Targets at p95 in milliseconds, one request at a time (issue 8).
LIST_TARGET, DETAIL_TARGET, PDF_TARGET = 150, 80, 400
# Issue 11: the worklists, the manager's dashboard and the coverage report of a whole unit.
REPORT_TARGET = 300
MIN_ROUNDS = 5
WARM_UP = 2


@dataclass
class Page:
    label: str
    who: str
    user: object
    url: str
    target: int
    data: dict | None = None  # POSTed (the search: personal numbers never go in a URL)
    timings: list[float] = field(default_factory=list)
    queries: int | None = None
    size: int = 0
    error: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


# ---------------------------------------------------------------------------------------------
# The database


def generator_hash() -> str:
    """What decides the generated rows: the code of every loader and of the demo modules they
    take their rows and words from."""
    from django.conf import settings

    modules = {path.rsplit(".", 1)[0] for path in settings.RAMTID_LOAD_DATA_LOADERS}
    # The demo modules the loaders take from (an app's demo that its loader does not use, as
    # uppfoljning's, changes nothing generated).
    modules |= {
        f"{module.split('.')[0]}.demo"
        for module in modules
        if f"from {module.split('.')[0]}.demo import"
        in Path(importlib.import_module(module).__file__).read_text()
    }
    digest = hashlib.sha256()
    for module in sorted(modules):
        digest.update(Path(importlib.import_module(module).__file__).read_bytes())
    return digest.hexdigest()[:16]


def prepare(
    *,
    stamp: Path | None,
    clients: int,
    seed: int,
    fresh: bool,
    visits_dir: Path | None = None,
    out=sys.stdout,
):
    """Migrate, and generate the load data unless the kept data is what would be generated.
    With `visits_dir`, the month of visits too (as import files there: tests/bench/followup.py):
    the stamp records the directory, and the data is kept only while its files are there."""
    from django.core.management import call_command
    from django.db import connection

    from ramtid import loaddata
    from ramtid.models import Municipality

    wanted = {"generator": generator_hash(), "clients": clients, "seed": seed,
              "municipality": loaddata.DEFAULT_MUNICIPALITY}  # fmt: skip
    if visits_dir is not None:
        wanted["visits_dir"] = str(visits_dir)
    marked = loaddata.database_mark() == loaddata.LOAD_DATA_MARK
    if not marked and connection.introspection.table_names():
        raise SystemExit(
            "Databasen är inte märkt för lastdata och är inte tom: benchmarken rör den inte. "
            "make bench använder en egen databas i .run/bench/."
        )
    kept = _read(stamp) if stamp and marked and not fresh else None
    call_command("migrate", "--no-input", verbosity=0)
    if (
        kept == wanted
        and Municipality.objects.filter(name=wanted["municipality"]).exists()
        and _visits_there(visits_dir, clients=clients, seed=seed)
    ):
        out.write(f"Lastdatan från {stamp} används igen ({clients} brukare, frö {seed}).\n")
        return
    if marked:
        # The data is from another generator, seed or size: start from an empty database.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        call_command("migrate", "--no-input", verbosity=0)
    else:
        loaddata.mark_database()
    if stamp:
        stamp.unlink(missing_ok=True)
    started = time.monotonic()
    call_command("generate_load_data", clients=clients, seed=seed, visits_dir=visits_dir,
                 stdout=out)  # fmt: skip
    out.write(f"Genererat på {time.monotonic() - started:.1f} s.\n")
    if stamp:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(wanted, indent=2) + "\n")


def _visits_there(visits_dir: Path | None, *, clients: int, seed: int) -> bool:
    """The visit files of this size and seed are in `visits_dir` (or none were asked for)."""
    if visits_dir is None:
        return True
    from uppfoljning.loaddata import MANIFEST

    manifest = _read(visits_dir / MANIFEST)
    return bool(
        manifest
        and (manifest["clients"], manifest["seed"]) == (clients, seed)
        and all((visits_dir / f["file"]).is_file() for f in manifest["files"])
    )


def _read(stamp: Path) -> dict | None:
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# The pages


def pages(municipality_name: str = "Stockholm") -> list[Page]:
    """Each role's start page, the lists, the detail pages, the PDFs and the API lists, for the
    users and objects that carry the most: the district nearest 2,000 clients, the officer who
    sees all ten units, the largest provider."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.http import urlencode

    from bestallning.models import Order
    from genomforandeplan.choices import PlanStatus
    from genomforandeplan.models import ContactAssignment, ImplementationPlan
    from ramtid.choices import Role
    from ramtid.models import Client, Municipality, OrderingUnit, Provider, User

    municipality = Municipality.objects.get(name=municipality_name)
    units = OrderingUnit.objects.filter(municipality=municipality).annotate(n=Count("clients"))
    unit = min(units, key=lambda u: (abs(u.n - 2000), u.pk))
    # Annotated before filtering, so that the count is of all the user's units.
    officers = User.objects.annotate(
        units=Count("memberships", filter=Q(memberships__role=Role.CASE_OFFICER))
    ).filter(memberships__role=Role.CASE_OFFICER, memberships__ordering_unit=unit)
    officer = max(
        officers.filter(units=1),
        key=lambda user: (Client.objects.filter(responsible_officer=user).count(), -user.pk),
    )
    everywhere = officers.filter(units__gt=1).order_by("-units", "pk").first()
    manager = User.objects.filter(
        memberships__role=Role.UNIT_MANAGER, memberships__ordering_unit=unit
    ).first()
    provider = (
        Provider.objects.filter(municipality=municipality)
        .annotate(n=Count("orders__client", filter=Q(orders__sent_at__isnull=False), distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    coordinator = (
        User.objects.filter(
            memberships__role=Role.PROVIDER_COORDINATOR, memberships__provider=provider
        )
        .order_by("pk")
        .first()
    )
    contact = (
        ContactAssignment.objects.filter(order__provider=provider)
        .values("contact_person")
        .annotate(n=Count("pk"))
        .order_by("-n", "contact_person")
        .first()
    )
    contact_person = User.objects.get(pk=contact["contact_person"])
    # A client of the officer with an executed order at the largest provider and an approved,
    # followed-up plan: the fullest client, order and plan pages.
    plan = (
        ImplementationPlan.objects.filter(
            client__responsible_officer=officer,
            provider=provider,
            status=PlanStatus.APPROVED,
            follow_ups__isnull=False,
            order__status="executed",
        )
        .order_by("pk")
        .first()
    ) or ImplementationPlan.objects.filter(client__ordering_unit=unit).order_by("pk").first()
    order: Order = plan.order
    client: Client = plan.client
    provider_name = f"{provider.name}, {provider.n} brukare"
    district = f"{unit.name}, {unit.n} brukare"
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    year = {"fran": f"{year_ago:%Y-%m-%d}", "till": f"{today:%Y-%m-%d}"}
    return [
        Page("Start: handläggare i en stadsdel", district, officer, reverse("start"),
             LIST_TARGET),
        Page("Start: handläggare i alla tio enheter", "20 000 brukare", everywhere,
             reverse("start"), LIST_TARGET),
        Page("Start: enhetschef", district, manager, reverse("start"), LIST_TARGET),
        Page("Start: samordnare hos största utföraren", provider_name, coordinator,
             reverse("start"), LIST_TARGET),
        Page("Start: kontaktman hos största utföraren", provider_name, contact_person,
             reverse("start"), LIST_TARGET),
        Page("Brukarlistan", district, officer, reverse("client_list"), LIST_TARGET),
        Page("Brukarlistan", provider_name, coordinator, reverse("client_list"), LIST_TARGET),
        Page("Sök brukare på namn", district, officer, reverse("client_list"), LIST_TARGET,
             data={"q": "Lindqvist"}),
        Page("Brukarens sida", "handläggaren", officer,
             reverse("client_detail", args=[client.pk]), DETAIL_TARGET),
        Page("Beställningen", "handläggaren", officer,
             reverse("order_detail", args=[order.pk]), DETAIL_TARGET),
        Page("Genomförandeplanen", "handläggaren", officer,
             reverse("plan_detail", args=[plan.pk]), DETAIL_TARGET),
        Page("Beställningen som PDF", "handläggaren", officer,
             reverse("order_pdf", args=[order.pk]), PDF_TARGET),
        Page("Genomförandeplanen som PDF", "handläggaren", officer,
             reverse("plan_pdf", args=[plan.pk]), PDF_TARGET),
        Page("API: brukare", provider_name, coordinator, "/api/brukare/", LIST_TARGET),
        Page("API: beslut", "alla tio enheter", everywhere, "/api/beslut/", LIST_TARGET),
        Page("API: beställningar", provider_name, coordinator, "/api/bestallningar/",
             LIST_TARGET),
        Page("API: genomförandeplaner", provider_name, coordinator, "/api/genomforandeplaner/",
             LIST_TARGET),
        Page("API: insatskatalogen", provider_name, coordinator, "/api/insatser/", LIST_TARGET),
        Page("Arbetslista: saknade och sena planer", district, officer,
             reverse("worklist", args=["saknade-planer"]), REPORT_TARGET),
        Page("Arbetslista: planer att skriva", provider_name, coordinator,
             reverse("worklist", args=["planer-att-skriva"]), REPORT_TARGET),
        Page("Planrapporten, ett år", district, manager,
             reverse("plan_report") + "?" + urlencode({**year, "enhet": unit.pk}), REPORT_TARGET),
        Page("Planrapporten, ett år", provider_name, coordinator,
             reverse("plan_report") + "?" + urlencode(year), REPORT_TARGET),
        Page("Översikten (dashboard)", district, manager, reverse("dashboard"), REPORT_TARGET),
        Page("Översikten (dashboard)", provider_name, coordinator, reverse("dashboard"),
             REPORT_TARGET),
        Page("Översikten: beviljad tid, kvinnor och män", district, manager,
             reverse("dashboard_granted"), REPORT_TARGET),
        Page("Samverkansmötets underlag", provider_name, coordinator,
             reverse("liaison_pack", args=[unit.pk, provider.pk]), REPORT_TARGET),
    ]  # fmt: skip


def measure(page: Page, *, rounds: int, budget: float, warm_up: int = WARM_UP) -> Page:
    """Time the page: warm-up requests, then up to `rounds` (at least MIN_ROUNDS, fewer once
    `budget` seconds have gone); the queries and size of one more request."""
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    http = HttpClient()
    http.force_login(page.user)

    def request():
        if page.data is not None:
            return http.post(page.url, page.data)
        return http.get(page.url)

    for _ in range(warm_up):
        response = request()
        if response.status_code != 200:
            page.error = f"HTTP {response.status_code}"
            return page
    started = time.perf_counter()
    while len(page.timings) < rounds:
        before = time.perf_counter()
        response = request()
        page.timings.append((time.perf_counter() - before) * 1000)
        if response.status_code != 200:
            page.error = f"HTTP {response.status_code}"
            return page
        if len(page.timings) >= MIN_ROUNDS and time.perf_counter() - started > budget:
            break
    with CaptureQueriesContext(connection) as queries:
        response = request()
    page.queries = len(queries)
    page.size = len(response.content)
    return page


def run(
    page_list: list[Page], *, rounds: int, budget: float, warm_up: int = WARM_UP, out=sys.stdout
) -> list[Page]:
    """Measure every page in one transaction that is rolled back: the data stays as it was."""
    from django.db import transaction

    with transaction.atomic():
        for page in page_list:
            out.write(f"  {page.label} ({page.who}) …\n")
            out.flush()
            measure(page, rounds=rounds, budget=budget, warm_up=warm_up)
        transaction.set_rollback(True)
    return page_list


def table(page_list: list[Page]) -> str:
    """The figures as a Markdown table, each against its target."""
    lines = [
        "| sida | som | p50 | p95 | mål (p95) | | frågor | kB | mätningar |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for page in page_list:
        if page.error:
            lines.append(f"| {page.label} | {page.who} | – | – | {page.target} ms | "
                         f"FEL: {page.error} | | | |")  # fmt: skip
            continue
        verdict = "ok" if page.p95 <= page.target else "över målet"
        lines.append(
            f"| {page.label} | {page.who} | {page.p50:.0f} ms | {page.p95:.0f} ms | "
            f"{page.target} ms | {verdict} | {page.queries} | {page.size / 1024:.0f} | "
            f"{len(page.timings)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale")
    parser.add_argument("--stamp", type=Path, help="var det genererades anteckningar sparas")
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--budget", type=float, default=20.0, help="sekunder per sida")
    parser.add_argument("--fresh", action="store_true", help="generera på nytt i alla fall")
    parser.add_argument("--visits-dir", type=Path, help="besöksfilernas katalog (followup.py)")
    args = parser.parse_args(argv)
    django.setup()
    import ramtid.wsgi  # noqa: F401  # as a gunicorn worker starts (its gc.freeze too)

    prepare(stamp=args.stamp, clients=args.clients, seed=args.seed, fresh=args.fresh,
            visits_dir=args.visits_dir)  # fmt: skip
    print(f"Mäter {args.rounds} anrop per sida (minst {MIN_ROUNDS}, högst {args.budget:.0f} s), "
          "ett i taget, med Djangos testklient i processen:")  # fmt: skip
    page_list = pages()
    gc.freeze()  # the bench's own objects, which a worker does not have (ramtid/wsgi.py)
    measured = run(page_list, rounds=args.rounds, budget=args.budget)
    print()
    print(table(measured))
    missed = [page for page in measured if not page.error and page.p95 > page.target]
    failed = [page for page in measured if page.error]
    print()
    print(f"{len(measured) - len(missed) - len(failed)} av {len(measured)} sidor inom målet, "
          f"{len(missed)} över, {len(failed)} fel.")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
