"""The follow-up's harness of `make bench` (tests/bench/followup.py), once at a small scale: the
raw floor and the app's import and monthly check all run on the generated files and are reported
against their targets, and the harness runs again from the same state. The figures at 20,000
clients are `make bench`'s, not the suite's."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from ramtid import loaddata
from tests.bench import followup, scale
from uppfoljning.choices import ImportStatus
from uppfoljning.loaddata import MANIFEST
from uppfoljning.models import MonthlyTimeResult, PerformedVisit, VisitImport

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture
def small(db, tmp_path):
    loaddata.mark_database()
    call_command("generate_load_data", clients=150, seed=3, today=TODAY, visits_dir=tmp_path,
                 stdout=StringIO())  # fmt: skip
    return followup.Visits.read(tmp_path)


def test_the_raw_floor_copies_every_row_into_a_bare_table(small):
    assert small.month == datetime.date(2026, 2, 1)
    assert len(small.files) == 8
    seconds, rows = followup.raw_copy(small)
    assert rows == small.rows > 10_000
    assert seconds > 0
    steps = followup.lower_bound()
    assert len(steps) == 2 and all(value > 0 for value in steps.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [followup.RAW_TABLE])
        assert cursor.fetchone()[0] is None  # dropped after the floor's last step


def test_import_and_monthly_check_against_their_floor_and_again(small):
    out = StringIO()
    pairs = followup.run(small, out=out)
    assert [pair.error for pair in pairs] == ["", "", ""]
    importing, checking, continuity = pairs
    assert importing.raw and importing.app and checking.raw and checking.app
    assert importing.extra["created"] == small.rows
    assert PerformedVisit.objects.filter(month=small.month).count() == small.rows
    imports = VisitImport.objects.all()
    assert [i.status for i in imports] == [ImportStatus.DONE] * 8
    results = MonthlyTimeResult.objects.filter(month=small.month)
    assert results.count() >= checking.extra["orders"] > 50
    assert {"within", "over", "under"} <= set(results.values_list("status", flat=True))
    assert continuity.app and continuity.raw == checking.raw
    assert results.filter(continuity_staff__gt=0).exists()  # stored by the bench's third step
    report = followup.table(pairs)
    assert report.count("\n") == 4
    assert "Personalkontinuiteten 2026-02" in report
    assert f"Import av {small.rows:,} besök (8 filer)".replace(",", " ") in report
    assert "≤ 1.5×" in report and "≤ 3×" in report
    assert "Månadskontrollen 2026-02" in report
    # The floor of the import's own rules: the COPY plus typing the times and indexing the ids.
    steps = importing.extra["lower_bound"]
    assert set(steps) == {"tiderna som tidpunkter", "index på besöks-id"}
    assert all(value > 0 for value in steps.values())
    assert "Importens golv enligt kraven" in followup.lower_bound_text(importing)

    # Again: the month is restored first, so it is a first import again, not an update.
    again = followup.run(small, out=StringIO())
    assert [pair.error for pair in again] == ["", "", ""]
    assert again[0].extra["created"] == small.rows and again[0].extra["updated"] == 0
    assert PerformedVisit.objects.filter(month=small.month).count() == small.rows
    assert VisitImport.objects.count() == 8
    assert MonthlyTimeResult.objects.filter(month=small.month).count() == results.count()


def test_a_rejected_file_is_reported_not_timed_as_a_success(small):
    first = small.files[0]
    first.path.write_text(first.path.read_text(encoding="utf-8").replace("utförd", "klar", 1),
                          encoding="utf-8")  # fmt: skip
    importing, _checking, _continuity = followup.run(small, out=StringIO())
    assert importing.error.startswith(f"{first.path.name}: Avvisad, 1 fel")
    assert "FEL:" in followup.table([importing])


def test_the_table_judges_each_ratio_against_its_target():
    pairs = [
        followup.Pair("Import", "COPY", 1.5, raw=2.0, app=2.9),
        followup.Pair("Kontroll", "aggregat", 3.0, raw=0.5, app=1.6),
    ]
    rows = followup.table(pairs).splitlines()[2:]
    assert rows[0].endswith("| 2.00 s | 2.90 s | 1.45× | ≤ 1.5× | ok |")
    assert rows[1].endswith("| 0.50 s | 1.60 s | 3.20× | ≤ 3× | över målet |")


def test_the_kept_data_needs_the_visit_files(small, tmp_path):
    assert scale._visits_there(None, clients=150, seed=3)
    assert scale._visits_there(tmp_path, clients=150, seed=3)
    assert not scale._visits_there(tmp_path, clients=150, seed=4)
    small.files[0].path.unlink()
    assert not scale._visits_there(tmp_path, clients=150, seed=3)
    (tmp_path / MANIFEST).write_text("{")
    assert not scale._visits_there(tmp_path, clients=150, seed=3)
