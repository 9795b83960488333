"""The upload of visits in a real browser: the provider's coordinator chooses a semicolon,
Windows-1252 file (as Excel saves it) and presses the button; the page follows the check (htmx
polls while a real Celery worker, through the real Redis, does the work) and shows the result
without her reloading; the history lists it. A file with errors shows every error with its row.
The keyboard reaches the file and the button, and only the button sends; a double click sends
once; the upload, the history and the result pass axe."""

from __future__ import annotations

import contextlib
import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from ramtid.celery import app
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.uppfoljning.imports_helpers import (
    csv_bytes,
    last_month,
    sent_order,
    upload,
    visit_row,
)
from uppfoljning.choices import ImportStatus
from uppfoljning.models import PerformedVisit, VisitImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(world):
    return sent_order(world)


@pytest.fixture
def eager(monkeypatch):
    """The check runs at once, in the upload's request, after its commit (Celery eager)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def windows_1252_file(tmp_path, world, name="oktober.csv") -> str:
    """Two visits, semicolons, Windows-1252 (å, ä and ö as single bytes), as Excel saves it."""
    on = last_month()
    rows = [
        visit_row(world.client, "V-1", on, orsak="Dotter på besök"),
        visit_row(world.client, "V-2", on, "12:00", "12:30", status="avböjd", orsak="Mår dåligt"),
    ]
    data = csv_bytes(rows, encoding="cp1252")
    assert "å".encode("cp1252") in data and b"\xc3" not in data  # really not UTF-8
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def file_with_errors(tmp_path, world) -> str:
    on = last_month()
    rows = [
        visit_row(world.client, "E-1", on),  # row 2: fine
        visit_row(world.client, "E-2", on, status="klar"),  # row 3: unknown status, id twice
        visit_row(world.client, "E-3", on, "10:00", "09:00"),  # row 4: end before start
        visit_row(world.client, "E-4", on, start="2026-02-31 08:00"),  # row 5: no such day
        visit_row(world.client, "E-2", on, "13:00", "13:30"),  # row 6: id twice
    ]
    path = tmp_path / "fel.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    return str(path)


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, limit: int = 40) -> None:
    """Press Tab until `locator` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
    pytest.fail(f"{locator} could not be reached with Tab")


def fact(page, name: str):
    """The value of the fact `name` in the page's list of facts."""
    term = page.locator("dt").get_by_text(name, exact=True)
    return page.locator("dl.facts > div").filter(has=term).locator("dd")


def posts(page) -> list[str]:
    """Record the URL of every POST the page sends from now on."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST"
            else None)  # fmt: skip
    return sent


def press_twice(page, button, url: str) -> None:
    """Press `button` a second time while the post of the first press is still on its way (a
    double click on a slow connection): the first post is held until the second press is made,
    then both (if there are two) are let through."""
    held = []

    def hold(route) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(url, hold)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the first press sent nothing"
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    for route in held:
        # A post the browser has given up on (replaced by the second) cannot go on.
        with contextlib.suppress(PlaywrightError):
            route.continue_()
    page.unroute(url, hold)


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the tests provide a real Redis"
    assert not settings.CELERY_TASK_ALWAYS_EAGER

    def start():
        return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)

    return start


@pytest.mark.worker
def test_the_coordinator_uploads_a_windows_1252_file_and_sees_it_checked_without_reloading(
    page, watched, live_server, world, order, tmp_path, worker
):
    log_in_with_a_cookie(page, live_server, world.coordinator)
    page.goto(reverse("visit_import_new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Läs in besök")
    assert_passes_axe(page)

    page.get_by_label("Fil med besök").set_input_files(windows_1252_file(tmp_path, world))
    page.get_by_role("button", name="Läs in filen").click()

    # The file is in the staging table and the check is queued on Redis: nobody has run it yet,
    # so the page shows where it stands and polls.
    visit_import = VisitImport.objects.get()
    expect(page).to_have_url(
        live_server.url + reverse("visit_import_detail", args=[visit_import.pk])
    )
    expect(page.get_by_text("Väntar på att kontrolleras")).to_be_visible()
    expect(page.locator("progress")).to_have_count(1)
    assert_passes_axe(page)
    assert VisitImport.objects.get().status == ImportStatus.QUEUED

    # A real worker takes the task from Redis; the page, polled by htmx, shows the result by
    # itself (the test never reloads it).
    with worker():
        expect(page.get_by_text("Nya besök")).to_be_visible(timeout=30_000)
    progress_url = reverse("visit_import_progress", args=[visit_import.pk])
    assert any(url.endswith(progress_url) for url in watched.requests), "htmx never polled"
    expect(fact(page, "Status")).to_have_text("Inläst")
    expect(fact(page, "Nya besök")).to_have_text("2")
    expect(fact(page, "Rader")).to_have_text("2")
    expect(page.locator("progress")).to_have_count(0)
    assert_passes_axe(page)
    visits = {v.external_id: v for v in PerformedVisit.objects.all()}
    assert sorted(visits) == ["V-1", "V-2"]
    assert visits["V-1"].reason == "Dotter på besök"  # read as Windows-1252, not mangled
    assert visits["V-2"].reason == "Mår dåligt"

    # The history, from the crumbs: the file, who read it in, and its rows.
    page.get_by_role("link", name="Besök", exact=True).first.click()
    expect(page).to_have_url(live_server.url + reverse("visit_imports"))
    row = page.get_by_role("row", name=re.compile("oktober.csv"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Inläst")
    expect(row.get_by_role("cell").nth(5)).to_have_text("2")
    assert_passes_axe(page)
    assert watched.errors == []


def test_a_file_with_errors_shows_every_error_with_its_row(
    page, watched, live_server, world, order, tmp_path, eager
):
    log_in_with_a_cookie(page, live_server, world.coordinator)
    page.goto(reverse("visit_import_new"))
    page.get_by_label("Fil med besök").set_input_files(file_with_errors(tmp_path, world))
    page.get_by_role("button", name="Läs in filen").click()

    expect(page.get_by_text("Inget sparades.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("5 fel")
    shown = [
        tuple(cell.inner_text().strip() for cell in row.locator("td").all()[:2])
        for row in table.locator("tbody tr").all()
    ]
    # Every error, each with its row and column; the besöks-id twice is named on both rows.
    assert shown == [
        ("3", "besoks_id"),
        ("3", "status"),
        ("4", "slut"),
        ("5", "start"),
        ("6", "besoks_id"),
    ]
    expect(table.locator("tbody tr", has_text="Okänd status")).to_have_count(1)
    assert not PerformedVisit.objects.exists()
    assert VisitImport.objects.get().status == ImportStatus.REJECTED
    assert_passes_axe(page)

    page.goto(reverse("visit_imports"))
    expect(page.get_by_role("row", name=re.compile("fel.csv"))).to_contain_text("Avvisad")
    assert_passes_axe(page)
    assert watched.errors == []


def test_the_keyboard_reaches_the_file_and_the_button_and_only_the_button_sends(
    page, watched, live_server, world, order, tmp_path, eager
):
    log_in_with_a_cookie(page, live_server, world.coordinator)
    page.goto(reverse("visit_import_new"))
    sent = posts(page)

    # The file input by Tab. (Its file chooser is the browser's own dialog: whether Space opens
    # it in headless Chromium depends on timing, so the file is chosen as the dialog would.)
    file_input = page.get_by_label("Fil med besök")
    tab_to(page, file_input)
    expect(file_input).to_be_focused()
    file_input.set_input_files(windows_1252_file(tmp_path, world))

    # Choosing the file sends nothing; neither does tabbing on to the button.
    button = page.get_by_role("button", name="Läs in filen")
    tab_to(page, button)
    page.wait_for_timeout(300)
    assert sent == []
    assert not VisitImport.objects.exists()
    expect(page).to_have_url(live_server.url + reverse("visit_import_new"))

    # The explicit press sends it.
    page.keyboard.press("Enter")
    expect(page.get_by_text("Nya besök")).to_be_visible()
    assert VisitImport.objects.get().status == ImportStatus.DONE
    assert PerformedVisit.objects.count() == 2
    assert watched.errors == []


def test_a_second_press_while_the_first_is_on_its_way_makes_one_import(
    page, watched, live_server, world, order, tmp_path, eager
):
    log_in_with_a_cookie(page, live_server, world.coordinator)
    page.goto(reverse("visit_import_new"))
    page.get_by_label("Fil med besök").set_input_files(windows_1252_file(tmp_path, world))
    sent = posts(page)
    press_twice(page, page.get_by_role("button", name="Läs in filen"),
                live_server.url + reverse("visit_import_new"))  # fmt: skip

    expect(page.get_by_text("Nya besök")).to_be_visible()
    page.wait_for_timeout(500)  # a second post would have arrived by now
    assert sent == [live_server.url + reverse("visit_import_new")]
    assert VisitImport.objects.count() == 1
    assert PerformedVisit.objects.count() == 2
    assert watched.errors == []


# ---------------------------------------------------------------------------------------------
# The pages that show the visits: a client's month and the staff continuity


@pytest.fixture
def visits_of_last_month(world, order, eager):
    """Lisa's month through the import: a visit over four hours (a flag), one before the ramtid
    window, one declined, and eleven staff codes in two weeks (over the continuity goal)."""
    on = last_month()
    rows = [
        visit_row(world.client, "L-1", on, "08:00", "13:00", personal="P1"),
        visit_row(world.client, "L-2", on, "06:00", "06:30", personal="P2"),
        visit_row(world.client, "L-3", on, "18:00", "18:30", status="avböjd", orsak="Ville vila"),
        *(
            visit_row(
                world.client,
                f"K-{n}",
                last_month(1 + n % 5),
                f"{14 + n % 4}:00",
                f"{14 + n % 4}:20",
                personal=f"S{n}",
            )
            for n in range(11)
        ),
    ]
    visit_import = upload(world, csv_bytes(rows, encoding="cp1252"))
    visit_import.refresh_from_db()
    assert visit_import.status == ImportStatus.DONE, visit_import.errors
    return on


@pytest.mark.parametrize("who", ["officer", "coordinator"])
def test_a_clients_visits_of_a_month_pass_axe(
    page, watched, live_server, world, visits_of_last_month, who
):
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    manad = f"{visits_of_last_month:%Y-%m}"
    response = page.goto(reverse("client_visits", args=[world.client.pk]) + f"?manad={manad}")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Besök {manad} för Lisa Andersson")
    expect(page.locator("tbody tr")).to_have_count(14)
    expect(page.get_by_role("heading", name="Att kontrollera")).to_be_visible()
    expect(page.get_by_text("Utanför ramtiden")).to_have_count(1)
    assert_passes_axe(page)

    # The table is wider than the screen: the keyboard reaches it and scrolls it sideways.
    table = page.get_by_role("region", name="Besök, 14 st.")
    tab_to(page, table)
    assert table.evaluate("element => element.scrollWidth > element.clientWidth")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.table-wrap').scrollLeft > 0", timeout=2_000
    )

    # To the month before by the link: an empty month passes too.
    page.get_by_role("link", name="Föregående månad").click()
    expect(page.get_by_text("Inga besök är inlästa")).to_be_visible()
    assert_passes_axe(page)
    assert watched.errors == []


@pytest.mark.parametrize("who", ["officer", "coordinator"])
def test_the_staff_continuity_passes_axe(
    page, watched, live_server, world, visits_of_last_month, who
):
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(reverse("continuity"))
    assert response.status == 200
    assert_passes_axe(page)

    manad = f"{visits_of_last_month:%Y-%m}"
    page.goto(reverse("continuity") + f"?manad={manad}")
    expect(page.get_by_role("link", name="Lisa Andersson")).to_be_visible()
    assert_passes_axe(page)
    assert watched.errors == []
