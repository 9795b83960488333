"""The import pages: upload, progress, history with every error, the client's month; who sees
what (another organisation's import or client is a 404; an officer sees no error rows)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ramtid.celery import app
from ramtid.choices import Role
from ramtid.models import AccessLog
from tests.factories import ClientFactory, UserFactory, member
from tests.spreadsheets import xlsx_sheets
from tests.uppfoljning.imports_helpers import (
    csv_bytes,
    day,
    errors_of,
    file_importer,
    sent_order,
    visit_row,
)
from uppfoljning.choices import ImportChannel, ImportStatus
from uppfoljning.models import PerformedVisit, VisitImport, VisitImportError


@pytest.fixture
def imported(world, monkeypatch, django_capture_on_commit_callbacks):
    return file_importer(world, monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def order(world):
    return sent_order(world)


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_the_coordinator_uploads_a_file_and_sees_the_result(
    world, order, eager, django_capture_on_commit_callbacks
):
    http = world.login(world.coordinator)
    assert "Besök" in http.get(reverse("start")).content.decode()
    page = http.get(reverse("visit_import_new"))
    assert page.status_code == 200
    data = csv_bytes([visit_row(world.client, "V1", day(5)), visit_row(world.client, "V2", day(5))])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("visit_import_new"),
            {"provider": world.provider.pk, "file": SimpleUploadedFile("okt.csv", data)},
        )
    visit_import = VisitImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visit_import_detail", args=[visit_import.pk])
    assert visit_import.status == ImportStatus.DONE
    assert visit_import.created_by == world.coordinator
    detail = http.get(response["Location"]).content.decode()
    assert "okt.csv" in detail and "Inläst" in detail
    history = http.get(reverse("visit_imports")).content.decode()
    assert "okt.csv" in history


def test_the_administrator_imports_on_a_providers_behalf(world, order, imported):
    http = world.login(world.administrator)
    page = http.get(reverse("visit_import_new")).content.decode()
    assert world.provider.name in page and world.other_provider.name in page
    data = csv_bytes([visit_row(world.client, "A1", day(5))])
    response = http.post(
        reverse("visit_import_new"),
        {"provider": world.provider.pk, "file": SimpleUploadedFile("a.csv", data)},
    )
    assert response.status_code == 302
    assert VisitImport.objects.get().provider == world.provider


def test_others_may_not_upload(world):
    assert world.login(world.officer).get(reverse("visit_import_new")).status_code == 403
    assert world.login(world.contact_person).get(reverse("visit_import_new")).status_code == 403
    # A coordinator cannot choose another provider.
    http = world.login(world.coordinator)
    response = http.post(
        reverse("visit_import_new"),
        {"provider": world.other_provider.pk, "file": SimpleUploadedFile("x.csv", b"a")},
    )
    assert response.status_code == 200
    assert not VisitImport.objects.exists()


def test_the_progress_is_polled_until_the_import_has_finished(
    world, order, django_capture_on_commit_callbacks
):
    http = world.login(world.coordinator)
    data = csv_bytes([visit_row(world.client, "P1", day(5))])
    with django_capture_on_commit_callbacks(execute=False):  # the task is not run yet
        http.post(
            reverse("visit_import_new"),
            {"provider": world.provider.pk, "file": SimpleUploadedFile("p.csv", data)},
        )
    visit_import = VisitImport.objects.get()
    detail = http.get(reverse("visit_import_detail", args=[visit_import.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in detail
    assert "<progress" in detail
    progress = reverse("visit_import_progress", args=[visit_import.pk])
    polled = http.get(progress, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polled.content.decode()
    assert "HX-Refresh" not in polled

    from uppfoljning.imports import run_import

    run_import(import_id=visit_import.pk)
    polled = http.get(progress, headers={"HX-Request": "true"})
    assert "hx-trigger" not in polled.content.decode()
    assert polled["HX-Refresh"] == "true"


def test_the_errors_are_listed_page_by_page_and_as_csv_without_formulas(world, order, imported):
    rows = [visit_row(world.client, f"E{i}", day(5), status="klar") for i in range(130)]
    visit_import = imported(csv_bytes(rows))
    assert visit_import.error_count == 130
    http = world.login(world.coordinator)
    url = reverse("visit_import_detail", args=[visit_import.pk])
    first = http.get(url).content.decode()
    assert "Okänd status" in first and "Sida 1 av 2" in first
    assert "Sida 2 av 2" in http.get(url, {"sida": 2}).content.decode()
    VisitImportError.objects.filter(visit_import=visit_import, row=2).update(
        message="=cmd|' /C calc'!A0"
    )
    response = http.get(reverse("visit_import_errors_csv", args=[visit_import.pk]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffRad;Kolumn;Fel")
    assert "'=cmd" in body
    assert "\n2;status;'=cmd" in body.replace("\r\n", "\n")


def test_the_errors_are_an_excel_file_too_without_formulas(world, order, imported):
    rows = [visit_row(world.client, f"E{i}", day(5), status="klar") for i in range(3)]
    visit_import = imported(csv_bytes(rows))
    VisitImportError.objects.filter(visit_import=visit_import, row=2).update(
        message="=cmd|' /C calc'!A0"
    )
    http = world.login(world.coordinator)
    url = reverse("visit_import_errors_xlsx", args=[visit_import.pk])
    detail = http.get(reverse("visit_import_detail", args=[visit_import.pk])).content.decode()
    assert f'href="{url}"' in detail
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = http.get(url)

    assert response.status_code == 200
    assert f"inlasning-{visit_import.pk}-fel.xlsx" in response["Content-Disposition"]
    [sheet] = xlsx_sheets(response.content).values()  # fails on any formula cell
    assert sheet[0] == ["Rad", "Kolumn", "Fel"]
    assert len(sheet) == 1 + visit_import.error_count
    assert sheet[1] == [2, "status", "'=cmd|' /C calc'!A0"]
    assert not AccessLog.objects.filter(id__gt=last).exists()  # names no client
    # An officer sees no error rows: no file either.
    assert world.login(world.officer).get(url).status_code == 403


def test_an_officer_sees_the_history_of_providers_serving_her_unit_but_no_error_rows(
    world, order, imported
):
    visit_import = imported(csv_bytes([visit_row(world.client, "X1", day(5), status="klar")]))
    assert visit_import.status == ImportStatus.REJECTED
    http = world.login(world.officer)
    history = http.get(reverse("visit_imports"))
    assert history.status_code == 200
    assert world.provider.name in history.content.decode()
    detail = http.get(reverse("visit_import_detail", args=[visit_import.pk])).content.decode()
    assert "Okänd status" not in detail
    assert "Felen visas för utföraren" in detail
    url = reverse("visit_import_errors_csv", args=[visit_import.pk])
    assert http.get(url).status_code == 403
    # Another unit's officer does not see the provider's imports at all.
    other = world.login(world.other_officer)
    assert other.get(reverse("visit_import_detail", args=[visit_import.pk])).status_code == 404
    assert world.provider.name not in other.get(reverse("visit_imports")).content.decode()


@pytest.mark.parametrize(
    "who", ["other_coordinator", "other_officer", "other_manager", "fee_officer", "contact_person"]
)
def test_another_organisations_import_is_a_404(world, order, imported, who):
    visit_import = imported(csv_bytes([visit_row(world.client, "N1", day(5))]))
    http = world.login(getattr(world, who))
    for name in (
        "visit_import_detail",
        "visit_import_progress",
        "visit_import_errors_csv",
        "visit_import_errors_xlsx",
    ):
        assert http.get(reverse(name, args=[visit_import.pk])).status_code == 404


def test_the_history_costs_the_same_queries_for_5_and_50_imports(world):
    http = world.login(world.coordinator)
    http.get(reverse("visit_imports"))  # warm the session and the menu

    def count(n: int) -> int:
        VisitImport.objects.all().delete()
        users = [member(UserFactory(), Role.PROVIDER_COORDINATOR, provider=world.provider)
                 for _ in range(3)]  # fmt: skip
        VisitImport.objects.bulk_create(
            VisitImport(provider=world.provider, created_by=users[i % 3],
                        channel=ImportChannel.FILE, file_name=f"{i}.csv")
            for i in range(n)
        )  # fmt: skip
        from django.db import connection

        with CaptureQueriesContext(connection) as queries:
            assert http.get(reverse("visit_imports")).status_code == 200
        return len(queries)

    assert count(5) == count(50)


# ------------------------------------------------------------------------------- client's month


def test_the_clients_month_shows_visits_totals_and_is_logged(world, order, imported):
    rows = [
        visit_row(world.client, "M1", day(5), "08:00", "09:00"),
        visit_row(world.client, "M2", day(5), "12:00", "12:30", status="avböjd"),
    ]
    imported(csv_bytes(rows))
    month = day(5).strftime("%Y-%m")
    url = reverse("client_visits", args=[world.client.pk])
    for user in (world.coordinator, world.officer):
        response = world.login(user).get(url, {"manad": month})
        assert response.status_code == 200
        body = response.content.decode()
        assert "1:00 timmar, 1 besök" in body
        assert "0:30 timmar, 1 besök" in body
        assert AccessLog.objects.filter(user=user, client_ids=[world.client.pk]).exists()
    assert world.login(world.officer).get(url, {"manad": "2026-13"}).status_code == 404


def test_a_provider_sees_only_its_own_visits_of_a_client(world, order, imported, monkeypatch):
    # The client also has a service order with the other provider, which imported a visit.
    sent_order(world, provider=world.other_provider, valid_from=day(60))
    imported(csv_bytes([visit_row(world.client, "OURS", day(5), "08:00", "08:40")]))
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    theirs = file_importer(world, monkeypatch, _callbacks_that_run())
    theirs(
        csv_bytes([visit_row(world.client, "THEIRS", day(5), "10:00", "11:00")]),
        provider=world.other_provider,
        by=world.other_coordinator,
    )
    assert PerformedVisit.objects.count() == 2
    url = reverse("client_visits", args=[world.client.pk])
    month = {"manad": day(5).strftime("%Y-%m")}
    ours = world.login(world.coordinator).get(url, month).content.decode()
    assert "0:40 timmar, 1 besök" in ours and world.other_provider.name not in ours
    officer = world.login(world.officer).get(url, month).content.decode()
    assert "1:40 timmar, 2 besök" in officer


def _callbacks_that_run():
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def capture(execute=True):
        start = len(connection.run_on_commit)
        yield
        for _savepoints, callback, _robust in connection.run_on_commit[start:]:
            callback()
        del connection.run_on_commit[start:]

    return capture


@pytest.mark.parametrize("who", ["other_coordinator", "other_officer", "fee_officer"])
def test_another_organisations_client_page_is_a_404(world, order, who):
    url = reverse("client_visits", args=[world.client.pk])
    assert world.login(getattr(world, who)).get(url).status_code == 404


def test_the_menu_has_besok_for_coordinators_and_administrators_only(world):
    for user, shown in ((world.coordinator, True), (world.administrator, True),
                        (world.officer, False), (world.contact_person, False)):  # fmt: skip
        body = world.login(user).get(reverse("start")).content.decode()
        assert (f'href="{reverse("visit_imports")}"' in body) is shown, user


def test_a_rejected_upload_keeps_errors_out_of_the_visits(world, order, imported):
    stranger = ClientFactory(ordering_unit=world.unit)
    visit_import = imported(csv_bytes([visit_row(stranger, "S1", day(5))]))
    assert errors_of(visit_import)[0][1] == "personnummer"
    assert (
        stranger.personal_number
        not in world.login(world.coordinator)
        .get(reverse("visit_import_detail", args=[visit_import.pk]))
        .content.decode()
    )
