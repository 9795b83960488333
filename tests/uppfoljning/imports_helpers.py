"""Orders and visit files for the import and plausibility tests (engineer A's part of issue 9)."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

from django.utils import timezone

from bestallning import services as order_services
from bestallning.models import Order
from ramtid.celery import app
from tests.bestallning.conftest import make_decision, make_order
from uppfoljning.imports import create_file_import

ZONE = ZoneInfo("Europe/Stockholm")
TODAY = timezone.localdate()
HEADER = ("besoks_id", "personnummer", "start", "slut", "personal", "insats", "status", "orsak")


def sent_order(world, *, client=None, provider=None, valid_from=None, valid_to=None) -> Order:
    """An issued order in force from `valid_from` (default 120 days ago), open-ended."""
    valid_from = valid_from or TODAY - datetime.timedelta(days=120)
    decision = make_decision(
        world, client=client or world.client, valid_from=valid_from, decided_on=valid_from
    )
    order = make_order(world, decision=decision, provider=provider, valid_from=valid_from)
    order = order_services.order_send(order=order, by=world.officer)
    if valid_to is not None:
        Order.objects.filter(pk=order.pk).update(valid_to=valid_to)
        order.refresh_from_db()
    return order


def day(n_days_ago: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n_days_ago)


def last_month(n: int = 0) -> datetime.date:
    """The 10th of last month plus `n` days (n < 18): in the past and in one month, whatever
    today is."""
    first = TODAY.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=10) + datetime.timedelta(days=n)


def at(on: datetime.date, clock: str) -> str:
    """A cell for start/slut: `YYYY-MM-DD HH:MM`."""
    return f"{on:%Y-%m-%d} {clock}"


def local(on: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime.datetime.combine(on, datetime.time(hour, minute), tzinfo=ZONE)


def visit_row(client, external_id: str, on: datetime.date, begin="08:00", end="08:45", **cells):
    row = {
        "besoks_id": external_id,
        "personnummer": f"{client.personal_number[:8]}-{client.personal_number[8:]}",
        "start": at(on, begin),
        "slut": at(on, end),
        "personal": "P1",
        "insats": "",
        "status": "utförd",
        "orsak": "",
    }
    row.update(cells)
    return row


def csv_bytes(
    rows: list[dict],
    *,
    header=HEADER,
    delimiter=";",
    encoding="utf-8",
    bom=False,
    newline="\r\n",
) -> bytes:
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(_quoted(str(row.get(name, "")), delimiter) for name in header))
    data = (newline.join(lines) + newline).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _quoted(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def upload(world, data: bytes, *, by=None, provider=None, file_name="besok.csv", callbacks=None):
    """create_file_import, and the queued check run (Celery eager) after commit."""
    return create_file_import(
        provider=provider or world.provider,
        by=by or world.coordinator,
        file_name=file_name,
        stream=io.BytesIO(data),
    )


def file_importer(world, monkeypatch, capture):
    """`run(data)`: upload a file, run its check (Celery eager, after commit), return the import
    as it ended. `capture` is pytest-django's django_capture_on_commit_callbacks."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    def run(data: bytes, **kwargs):
        with capture(execute=True):
            visit_import = upload(world, data, **kwargs)
        visit_import.refresh_from_db()
        return visit_import

    return run


def errors_of(visit_import) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in visit_import.error_rows.order_by("row", "id")]
