"""The visit import (uppfoljning.imports): files in every spelling Excel writes, every error of a
bad file with its row, nothing saved from a bad file, the upsert by besöks-id, the ramtid window."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import ClientFactory
from tests.uppfoljning.imports_helpers import (
    HEADER,
    csv_bytes,
    day,
    errors_of,
    file_importer,
    last_month,
    local,
    sent_order,
    upload,
    visit_row,
)
from uppfoljning.choices import ImportStatus, VisitStatus
from uppfoljning.imports import COLUMNS, run_import, staging_table
from uppfoljning.models import PerformedVisit, VisitImport, VisitImportError

NO_ORDER = (
    "Ingen brukare med det personnumret har en beställning hos er som gäller den dag "
    "besöket börjar."
)

BAD_START = "Start är ingen giltig tidpunkt: skriv ÅÅÅÅ-MM-DD TT:MM, t.ex. 2026-10-01 07:30."
BAD_END = "Slut är ingen giltig tidpunkt: skriv ÅÅÅÅ-MM-DD TT:MM, t.ex. 2026-10-01 08:15."


@pytest.fixture
def imported(world, monkeypatch, django_capture_on_commit_callbacks):
    return file_importer(world, monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def order(world):
    return sent_order(world)


def _table_exists(name: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


# ------------------------------------------------------------------------------- good files


def test_a_semicolon_windows_1252_file_with_a_bom_like_header_order_is_saved(
    world, order, imported
):
    # Given a file as Swedish Excel writes it: semicolons, Windows-1252, columns in its own
    # order, an extra column, and a double-staffed visit (two rows, two staff).
    client = world.client
    header = ("personnummer", "besoks_id", "start", "slut", "personal", "status", "orsak", "x")
    rows = [
        visit_row(client, "A1", day(10), "08:00", "08:45", personal="P1"),
        visit_row(client, "A2", day(10), "08:00", "08:45", personal="P2"),
        visit_row(client, "A3", day(9), "12:00", "12:30", status="avböjd", orsak="Sov"),
        visit_row(client, "A4", day(8), "12:00", "12:30", status="Frånvaro", orsak="Sjukhus"),
    ]
    data = csv_bytes(rows, header=header, encoding="cp1252")
    assert "ö".encode("cp1252") in data

    # When it is uploaded and checked
    visit_import = imported(data)

    # Then every row is a visit of the order, with its minutes and status
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert (visit_import.rows_total, visit_import.created_count) == (4, 4)
    assert visit_import.updated_count == 0
    visits = {v.external_id: v for v in PerformedVisit.objects.all()}
    assert set(visits) == {"A1", "A2", "A3", "A4"}
    assert visits["A1"].minutes == 45
    assert visits["A1"].order_id == order.pk
    assert visits["A1"].client_id == client.pk
    assert visits["A1"].start == local(day(10), "08:00")
    assert {visits["A1"].staff, visits["A2"].staff} == {"P1", "P2"}
    assert visits["A3"].status == VisitStatus.DECLINED
    assert visits["A3"].reason == "Sov"
    assert visits["A4"].status == VisitStatus.ABSENT
    assert visits["A1"].month == day(10).replace(day=1)
    assert visits["A1"].visit_import_id == visit_import.pk
    assert not _table_exists(staging_table(visit_import.pk))


def test_a_utf8_file_with_a_bom_and_a_comma_file_are_read(world, order, imported):
    rows = [visit_row(world.client, "B1", day(5))]
    assert imported(csv_bytes(rows, bom=True)).status == ImportStatus.DONE
    rows = [visit_row(world.client, "B2", day(5), orsak="Ville vänta, sen ok")]
    visit_import = imported(csv_bytes(rows, delimiter=",", newline="\n"))
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert PerformedVisit.objects.get(external_id="B2").reason == "Ville vänta, sen ok"


def test_every_spelling_of_the_personal_number_finds_the_client(world, order, imported):
    number = world.client.personal_number  # twelve digits
    spellings = [number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}",
                 f" {number[:8]} - {number[8:]} "]  # fmt: skip
    rows = [
        visit_row(world.client, f"S{i}", day(5), personnummer=spelling)
        for i, spelling in enumerate(spellings)
    ]
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert PerformedVisit.objects.filter(client=world.client).count() == len(spellings)


def test_cells_that_look_like_formulas_are_kept_as_data(world, order, imported):
    rows = [visit_row(world.client, "=1+1", day(5), orsak="=HYPERLINK(\"http://x\")",
                      personal="@P1")]  # fmt: skip
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE
    visit = PerformedVisit.objects.get()
    assert (visit.external_id, visit.reason, visit.staff) == (
        "=1+1",
        '=HYPERLINK("http://x")',
        "@P1",
    )


def test_trailing_blank_and_empty_rows_are_not_rows(world, order, imported):
    data = csv_bytes([visit_row(world.client, "E1", day(5))]) + b";;;;;;;\r\n\r\n\r\n"
    visit_import = imported(data)
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert visit_import.created_count == 1


# ------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "", "Filen är tom.")]),
        (
            b"besoks_id;personnummer;start;slut;status\r\n1;2;3;4;5\r\n",
            [(1, "personal", "Kolumnen personal saknas i rubrikraden.")],
        ),
        (
            b"besoks_id;personnummer;start;slut;personal;status\r\n1;2;3;4;5;6\r\n1;2;3;4;5\r\n",
            [(3, "", "Raden har färre fält än rubrikraden.")],
        ),
        (
            b"besoks_id;personnummer;start;slut;personal;status\r\n1;2;3;4;5;6;7\r\n",
            [(2, "", "Raden har fler fält än rubrikraden.")],
        ),
        (
            b'besoks_id;personnummer;start;slut;personal;status\r\n1;2;3;4;5;6\r\n1;"2;3;4;5;6\r\n',
            [(3, "", 'Ett citattecken (") avslutas aldrig.')],
        ),
        (
            # Valid UTF-8 in its first MiB, so read as UTF-8; a 0x81 is no character in either.
            b"besoks_id;personnummer;start;slut;personal;status\r\n1;2;3;4;5;6\r\n1;2;3;4;5;\x81\r\n",
            [(3, "", "Raden har tecken som inte går att läsa: spara filen som UTF-8 eller CSV.")],
        ),
    ],
    ids=["empty", "missing-column", "short-row", "long-row", "unterminated-quote", "encoding"],
)
def test_a_file_that_cannot_be_read_is_rejected_at_once_naming_the_row(
    world, order, imported, data, expected
):
    visit_import = imported(data)
    assert visit_import.status == ImportStatus.REJECTED
    assert errors_of(visit_import) == expected
    assert visit_import.error_count == len(expected)
    assert not PerformedVisit.objects.exists()
    assert not _table_exists(staging_table(visit_import.pk))


def test_every_error_of_every_row_is_reported_and_nothing_is_saved(world, order, imported):
    client = world.client
    stranger = ClientFactory(ordering_unit=world.unit)  # exists, but no order with us
    rows = [
        visit_row(client, "OK1", day(6)),  # row 2: fine, but the file has errors
        visit_row(client, "R3", day(6), status="klar"),  # row 3
        visit_row(client, "R4", day(6), start="2026-02-31 08:00"),  # row 4
        visit_row(client, "R5", day(6), slut=f"{day(6):%Y-%m-%d} 25:00"),  # row 5
        visit_row(client, "R6", day(6), "09:00", "08:00"),  # row 6: end before start
        visit_row(client, "R7", day(6), "06:00", "23:30"),  # row 7: 17.5 hours
        visit_row(client, "R8", day(-2)),  # row 8: in the future
        visit_row(client, "R9", day(6), personnummer="19121212-121"),  # row 9: form
        visit_row(client, "R10", day(6), personnummer="19121212-1213"),  # row 10: checksum
        visit_row(stranger, "R11", day(6)),  # row 11: not our client
        visit_row(client, "R12", day(6), insats="Finns inte"),  # row 12
        visit_row(client, "DUP", day(6)),  # row 13
        visit_row(client, "DUP", day(7)),  # row 14
        visit_row(client, "", day(6), personal=""),  # row 15: two errors
        visit_row(client, "R16", day(6), start="idag"),  # row 16
    ]
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.REJECTED
    found = errors_of(visit_import)
    assert found == [
        (3, "status", "Okänd status: skriv utförd, avböjd eller frånvaro."),
        (4, "start", BAD_START),
        (5, "slut", BAD_END),
        (6, "slut", "Slut måste vara efter start."),
        (7, "slut", "Besöket är längre än 16 timmar."),
        (8, "start", "Besöket börjar i framtiden."),
        (9, "personnummer", "Personnumret har fel form: skriv ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, "
                            "ÅÅMMDD-NNNN eller ÅÅMMDD+NNNN."),
        (10, "personnummer", "Personnumret är inte giltigt: datumet finns inte eller "
                             "kontrollsiffran stämmer inte."),
        (11, "personnummer", NO_ORDER),
        (12, "insats", "Insatsen finns inte i kommunens insatskatalog."),
        (13, "besoks_id", "Samma besöks-id finns på flera rader."),
        (14, "besoks_id", "Samma besöks-id finns på flera rader."),
        (15, "besoks_id", "Besöks-id saknas."),
        (15, "personal", "Personal saknas."),
        (16, "start", BAD_START),
    ]  # fmt: skip
    assert visit_import.error_count == len(found)
    assert visit_import.errors[0] == {"row": 3, "column": "status", "message": found[0][2]}
    assert not PerformedVisit.objects.exists()
    assert not _table_exists(staging_table(visit_import.pk))
    # No message repeats a personal number.
    for number in (client.personal_number, stranger.personal_number):
        assert not VisitImportError.objects.filter(message__contains=number[2:8]).exists()


def test_another_providers_client_gets_the_same_message_as_an_unknown_number(
    world, order, imported
):
    # The client has an order, but with the other provider: to us it is as unknown as a number
    # that is nobody's.
    theirs = ClientFactory(ordering_unit=world.unit)
    sent_order(world, client=theirs, provider=world.other_provider)
    unknown = ClientFactory.build(ordering_unit=world.unit)  # valid, never saved
    rows = [visit_row(theirs, "T1", day(5)), visit_row(unknown, "T2", day(5))]
    visit_import = imported(csv_bytes(rows))
    assert errors_of(visit_import) == [(2, "personnummer", NO_ORDER), (3, "personnummer", NO_ORDER)]
    assert not PerformedVisit.objects.exists()


def test_a_visit_outside_the_orders_period_has_no_order(world, imported):
    sent_order(world, valid_from=day(30), valid_to=day(10))
    rows = [visit_row(world.client, "P1", day(31)), visit_row(world.client, "P2", day(20)),
            visit_row(world.client, "P3", day(9))]  # fmt: skip
    visit_import = imported(csv_bytes(rows))
    assert errors_of(visit_import) == [(2, "personnummer", NO_ORDER), (4, "personnummer", NO_ORDER)]


def test_the_intervention_is_found_by_name_in_any_case_or_by_id(world, order, imported):
    from ramtid.models import InterventionType

    shower = InterventionType.objects.get(municipality=world.municipality, name="Duschhjälp")
    other = InterventionType.objects.filter(municipality=world.other_municipality).first()
    rows = [visit_row(world.client, "I1", day(5), insats="duschhjälp"),
            visit_row(world.client, "I2", day(5), insats=str(shower.pk))]  # fmt: skip
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert set(PerformedVisit.objects.values_list("intervention_type_id", flat=True)) == {shower.pk}
    if other is not None:  # another municipality's catalogue is not ours
        visit_import = imported(
            csv_bytes([visit_row(world.client, "I3", day(5), insats=str(other.pk))])
        )
        assert visit_import.status == ImportStatus.REJECTED


# ------------------------------------------------------------------------------- upsert


def test_sending_a_visit_again_updates_it_and_a_moved_start_never_duplicates(
    world, order, imported
):
    # U1 and U2 start on the last day of the month before last.
    month_before = last_month().replace(day=1) - datetime.timedelta(days=1)
    rows = [visit_row(world.client, "U1", month_before, "08:00", "08:30"),
            visit_row(world.client, "U2", month_before, "23:50", "23:59")]  # fmt: skip
    assert imported(csv_bytes(rows)).created_count == 2

    # U1 is corrected within its month, U2's start moves into last month, U3 is new.
    moved_to = last_month().replace(day=1)
    rows = [visit_row(world.client, "U1", month_before, "08:00", "08:50"),
            visit_row(world.client, "U2", moved_to, "00:10", "00:40"),
            visit_row(world.client, "U3", moved_to, "01:00", "01:30")]  # fmt: skip
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    assert (visit_import.created_count, visit_import.updated_count) == (1, 2)
    assert PerformedVisit.objects.count() == 3
    assert PerformedVisit.objects.get(external_id="U1").minutes == 50
    moved = PerformedVisit.objects.get(external_id="U2")
    assert moved.month == moved_to
    assert visit_import.months == [f"{month_before:%Y-%m}", f"{moved_to:%Y-%m}"]

    # Sent again unchanged: nothing new, nothing changed.
    again = imported(csv_bytes(rows))
    assert (again.created_count, again.updated_count) == (0, 0)
    assert PerformedVisit.objects.count() == 3


def test_visits_outside_the_ramtid_window_are_kept_and_marked(world, order, imported):
    world.municipality.ramtid_window_start = datetime.time(7, 0)
    world.municipality.ramtid_window_end = datetime.time(22, 0)
    world.municipality.save()
    rows = [
        visit_row(world.client, "W1", day(5), "07:00", "22:00"),
        visit_row(world.client, "W2", day(5), "06:50", "07:30"),
        visit_row(world.client, "W3", day(5), "21:30", "22:10"),
        visit_row(world.client, "W4", day(5), "23:30", "00:15"),
    ]
    rows[3]["slut"] = f"{day(4):%Y-%m-%d} 00:15"  # a night visit that ends the next day
    visit_import = imported(csv_bytes(rows))
    assert visit_import.status == ImportStatus.DONE, errors_of(visit_import)
    marked = dict(PerformedVisit.objects.values_list("external_id", "outside_window"))
    assert marked == {"W1": False, "W2": True, "W3": True, "W4": True}
    assert PerformedVisit.objects.get(external_id="W4").minutes == 45


def test_the_check_runs_once(world, order, imported):
    visit_import = imported(csv_bytes([visit_row(world.client, "O1", day(5))]))
    assert run_import(import_id=visit_import.pk).status == ImportStatus.DONE
    assert PerformedVisit.objects.count() == 1
    assert VisitImport.objects.get().created_count == 1


def test_the_upload_queues_the_check_after_commit(world, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        visit_import = upload(world, csv_bytes([visit_row(world.client, "Q1", day(5))]))
    assert visit_import.status == ImportStatus.QUEUED
    assert visit_import.rows_total == 1
    assert len(callbacks) == 1
    assert _table_exists(staging_table(visit_import.pk))
    assert HEADER  # the default header is the documented one


def test_the_example_file_in_docs_is_in_the_format(world, imported):
    from pathlib import Path

    from django.conf import settings

    from ramtid.models import InterventionType
    from uppfoljning.imports import read_header

    data = (Path(settings.BASE_DIR) / "docs" / "besok-exempel.csv").read_bytes()
    header = read_header(data)
    assert (header.delimiter, header.encoding, header.bom) == (";", "UTF8", False)
    assert set(header.columns) == {c.name for c in COLUMNS}
    names = {line.split(";")[5] for line in data.decode().splitlines()[1:]} - {""}
    catalogue = set(
        InterventionType.objects.filter(municipality=None).values_list("name", flat=True)
    )
    assert names <= catalogue
