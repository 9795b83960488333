"""The month of visits the load-data generator writes as import files (uppfoljning/loaddata.py,
`generate_load_data --visits-dir`), at 300 clients: the import format, one file per provider,
rows the import accepts (a client with an executed order in force at that provider that day),
the work it leaves for the plausibility checks and the monthly check, and the same files for
the same seed."""

import collections
import csv
import datetime
import itertools
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from bestallning.models import Order
from bestallning.states import ISSUED_STATUSES
from ramtid import loaddata, personal_number
from ramtid.models import Client, Provider
from uppfoljning.loaddata import HEADER, MANIFEST, visits_month

TODAY = datetime.date(2026, 3, 16)
MONTH = datetime.date(2026, 2, 1)


def generate(directory, *, seed=5, clients=300) -> str:
    out = StringIO()
    call_command("generate_load_data", clients=clients, seed=seed, today=TODAY,
                 visits_dir=directory, stdout=out)  # fmt: skip
    return out.getvalue()


def read(directory) -> dict[str, list[dict]]:
    """Each provider's rows by the provider's name."""
    manifest = json.loads((directory / MANIFEST).read_text())
    files = {}
    for entry in manifest["files"]:
        raw = (directory / entry["file"]).read_text(encoding="utf-8")
        lines = raw.splitlines()
        assert lines[0] == ";".join(HEADER)
        files[entry["provider_name"]] = list(csv.DictReader(StringIO(raw), delimiter=";"))
        assert len(files[entry["provider_name"]]) == entry["rows"]
    return files


@pytest.fixture
def marked(db):
    loaddata.mark_database()


@pytest.fixture
def visits(marked, tmp_path):
    output = generate(tmp_path)
    return tmp_path, output


def test_the_last_full_month_before_the_day():
    assert visits_month(datetime.date(2026, 3, 16)) == datetime.date(2026, 2, 1)
    assert visits_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)
    assert visits_month(datetime.date(2026, 12, 31)) == datetime.date(2026, 11, 1)


def test_no_visits_without_a_directory(marked, tmp_path):
    out = StringIO()
    call_command("generate_load_data", clients=20, seed=1, today=TODAY, stdout=out)
    assert "Besök" not in out.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_one_file_per_provider_in_the_import_format(visits):
    directory, output = visits
    manifest = json.loads((directory / MANIFEST).read_text())
    assert manifest["month"] == "2026-02"
    assert manifest["today"] == TODAY.isoformat()
    providers = dict(Provider.objects.values_list("pk", "name"))
    assert {(f["provider"], f["provider_name"]) for f in manifest["files"]} == set(
        providers.items()
    )
    assert {f["file"] for f in manifest["files"]} == {f"{pk}.csv" for pk in providers}
    files = read(directory)
    rows = [row for provider_rows in files.values() for row in provider_rows]
    assert len(rows) == manifest["rows"]
    assert f"Besök för 2026-02: {manifest['rows']} rader i 8 filer" in output
    # 2–6 visits a day per client (a double-staffed visit is two rows): ~120 rows a client
    # with an order in a 30-day month, 2.4 million at 20,000 clients.
    assert 90 * 300 < len(rows) < 125 * 300
    for name, provider_rows in files.items():
        ids = [row["besoks_id"] for row in provider_rows]
        assert len(set(ids)) == len(ids), name
    for row in rows:
        start = datetime.datetime.strptime(row["start"], "%Y-%m-%d %H:%M")
        end = datetime.datetime.strptime(row["slut"], "%Y-%m-%d %H:%M")
        assert start.date().replace(day=1) == MONTH
        assert end > start
        assert re.fullmatch(r"P\d{5}", row["personal"])
        assert row["status"] in {"utförd", "avböjd", "frånvaro"}
        assert row["insats"] == ""
        assert (row["orsak"] != "") == (row["status"] == "frånvaro") or row["status"] == "avböjd"


def test_every_row_is_a_client_with_an_executed_order_in_force_at_that_provider(visits):
    directory, _output = visits
    files = read(directory)
    clients = dict(Client.objects.values_list("personal_number", "pk"))
    in_force = collections.defaultdict(list)
    for client, provider, valid_from, valid_to, executed in Order.objects.filter(
        status__in=ISSUED_STATUSES, executed_on__isnull=False
    ).values_list("client", "provider__name", "valid_from", "valid_to", "executed_on"):
        in_force[client, provider].append((max(valid_from, executed), valid_to))
    spellings = set()
    per_day = collections.Counter()
    for name, rows in files.items():
        for row in rows:
            number = row["personnummer"]
            spellings.add(re.sub(r"\d", "9", number))
            client = clients[personal_number.normalise(number, today=TODAY)]
            day = datetime.date.fromisoformat(row["start"][:10])
            assert any(
                first <= day and (last is None or day <= last)
                for first, last in in_force[client, name]
            ), (name, row["besoks_id"])
            if row["start"][11:] < "22:00":
                per_day[client, day] += 1
    # As different systems spell them: with century and hyphen, without hyphen, ten digits.
    assert spellings == {"99999999-9999", "999999999999", "999999-9999"}
    # 2–6 day visits a client and day (and one more row for a double-staffed one).
    assert set(per_day.values()) <= set(range(2, 8))
    assert {2, 6} <= set(per_day.values())


def _minutes(row) -> int:
    start = datetime.datetime.strptime(row["start"], "%Y-%m-%d %H:%M")
    end = datetime.datetime.strptime(row["slut"], "%Y-%m-%d %H:%M")
    return int((end - start).total_seconds() // 60)


def test_work_for_the_plausibility_checks(visits):
    directory, _output = visits
    rows = [row | {"provider": name} for name, rs in read(directory).items() for row in rs]
    statuses = collections.Counter(row["status"] for row in rows)
    assert 0.005 < statuses["avböjd"] / len(rows) < 0.03
    assert statuses["frånvaro"] > 0
    assert any(_minutes(row) > 240 for row in rows)
    # Night visits outside the ramtid window, some ending the next day.
    assert any(row["start"][11:] >= "22:00" for row in rows)
    assert any(row["slut"][:10] > row["start"][:10] for row in rows)
    # Double staffing: two rows, same client and time, two staff members.
    visits_at = collections.defaultdict(set)
    for row in rows:
        visits_at[row["provider"], row["personnummer"], row["start"]].add(row["personal"])
    assert any(len(staff) == 2 for staff in visits_at.values())
    # The same staff code at two clients at overlapping times: some, not many.
    by_staff = collections.defaultdict(list)
    for row in rows:
        if row["status"] != "frånvaro":
            by_staff[row["provider"], row["personal"]].append(
                (row["start"], row["slut"], row["personnummer"])
            )
    overlaps = 0
    for staff_rows in by_staff.values():
        staff_rows.sort()
        overlaps += sum(
            1 for a, b in itertools.pairwise(staff_rows)
            if b[0] < a[1] and b[2] != a[2]
        )  # fmt: skip
    assert 0 < overlaps < 0.01 * len(rows)
    # A performed visit on a day the client is recorded absent, somewhere.
    absent_days = {(r["provider"], r["personnummer"], r["start"][:10]) for r in rows
                   if r["status"] == "frånvaro"}  # fmt: skip
    assert any(
        (r["provider"], r["personnummer"], r["start"][:10]) in absent_days
        for r in rows
        if r["status"] == "utförd"
    )
    # Continuity: most clients meet few staff in two weeks, a few more than ten.
    staff_seen = collections.defaultdict(set)
    for row in rows:
        if row["start"][8:10] <= "14":
            staff_seen[row["provider"], row["personnummer"]].add(row["personal"])
    counts = [len(staff) for staff in staff_seen.values()]
    assert sorted(counts)[len(counts) // 2] <= 8
    assert any(count > 10 for count in counts)


def test_performed_time_is_near_the_ordered_with_some_over_and_under(visits):
    directory, _output = visits
    performed = collections.Counter()
    for name, rows in read(directory).items():
        for row in rows:
            if row["status"] == "utförd":
                number = personal_number.normalise(row["personnummer"], today=TODAY)
                performed[name, number] += _minutes(row)
    ordered = collections.Counter()
    for number, name, minutes, valid_from, valid_to, executed in Order.objects.filter(
        status__in=ISSUED_STATUSES, executed_on__isnull=False
    ).values_list("client__personal_number", "provider__name", "ordered_minutes", "valid_from",
                  "valid_to", "executed_on"):  # fmt: skip
        first = max(valid_from, executed, MONTH)
        last = min(valid_to or datetime.date.max, datetime.date(2026, 2, 28))
        if last >= first:
            ordered[name, number] += minutes * ((last - first).days + 1) / 28
    rates = sorted(performed[key] / ordered[key] for key in performed)
    assert 0.93 < rates[len(rates) // 2] < 1.1
    assert sum(rate > 1.15 for rate in rates) > 0.05 * len(rates)
    assert sum(rate < 0.85 for rate in rates) > 0.05 * len(rates)


def test_the_same_seed_gives_the_same_files(marked, tmp_path):
    with transaction.atomic():
        generate(tmp_path / "a", seed=5, clients=120)
        first = read(tmp_path / "a")
        transaction.set_rollback(True)
    with transaction.atomic():
        generate(tmp_path / "b", seed=5, clients=120)
        again = read(tmp_path / "b")
        transaction.set_rollback(True)
    generate(tmp_path / "c", seed=6, clients=120)
    other = read(tmp_path / "c")
    assert first == again
    assert first != other
