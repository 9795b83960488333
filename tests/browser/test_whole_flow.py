"""The whole chain in a real browser, as the people in it use it (issue 11, "Tested as a person
would"): each signs in with username and password on the login page and works through the pages,
from the start page's worklists, with links, buttons and forms; nothing is posted behind the UI's
back and nothing under test is made with a factory.

1. The case officer records a decision for Lisa, builds the order on it and sends it.
2. The provider's coordinator receives it, records the start and names a contact person.
3. The contact person writes the plan with Lisa (participation, approval) and completes it.
4. The officer approves the plan.
5. The coordinator uploads the month's visits as a file (a real Celery worker checks it through
   the real Redis, as in production), and beat's monthly time check runs on the worker.
6. The coordinator explains the month's deviation; the officer approves the explanation.
7. The unit manager reads the new figures in the plan coverage report and on her dashboard
   (översikt), and follows a figure to the client behind it.

The factories make only the world the chain runs in (tests/conftest.py `world`: the municipality,
its units and providers, users with their roles, Lisa) and the municipality's catalogue.

Each step leaves a full-page screenshot in $RAMTID_TEST_ARTEFACTS (default
.run/artefacts/whole-flow/, git-ignored), so a failed or a passed run can be looked at afterwards.

Dates: the monthly check follows a closed month, the previous one, up to its billing deadline.
The municipality's billing day is the 28th here (its rules are data), so the previous month is
still open to explanations on the 1st–28th, and beat's morning job starts its check. On the
29th–31st no closed month is open any more (a billing day is at most the 28th), and the test
follows the current month with the task beat's job sends for a municipality and a month, as
tests/uppfoljning/test_monthly_browser.py does. The order starts on the month's first day, so the
visits (on its 10th and 11th) and the client's approval of the plan (on its 6th) are in the past.
"""

from __future__ import annotations

import datetime
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from ramtid.celery import app
from ramtid.models import Municipality
from ramtid.services import catalogue_copy_defaults
from tests.browser.test_login_and_clients import only_our_server
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import previous_month
from uppfoljning.tasks import monthly_check_due_task, monthly_check_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "ett-långt-testlösenord"  # tests/factories.py UserFactory
BILLING_DAY = 28
ARTEFACTS = Path(
    os.environ.get("RAMTID_TEST_ARTEFACTS") or settings.BASE_DIR / ".run/artefacts/whole-flow"
)
SHOTS = [
    "01-officer-order-sent",
    "02-coordinator-executed-and-contact-person",
    "03-contact-person-plan-completed",
    "04-officer-plan-approved",
    "05a-coordinator-visits-imported",
    "05b-monthly-check-month-to-explain",
    "06a-coordinator-deviation-explained",
    "06b-officer-explanation-approved",
    "07a-manager-plan-report",
    "07b-manager-dashboard",
]


def month_to_follow(today: datetime.date) -> datetime.date:
    """The closed previous month while its billing deadline is ahead, else this month (above)."""
    if today.day <= BILLING_DAY:
        return previous_month(today)
    return today.replace(day=1)


# ---------------------------------------------------------------------------------------------
# What every person does: sign in and out, find a worklist, keep a screenshot


def named(user, first: str, last: str):
    """The world's users with people's names, so that the screenshots read as the app does."""
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def sign_in(page, user) -> None:
    """Open the app, which sends a signed-out user to the login page, and sign in there."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logga-in/\?next=/$"))
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start")
    expect(page.get_by_text(f"Välkommen, {user.get_full_name()}")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/logga-in/$"))


def worklist(page, title: str):
    """A worklist's table on the start page, named by its heading ("Planer att granska (1)")."""
    return page.get_by_role("table", name=re.compile(rf"^{re.escape(title)}\b"))


def menu(page):
    return page.get_by_role("navigation", name="Huvudmeny")


def keep(page, name: str) -> Path:
    """A full-page screenshot of where the step ended, kept as the test's artefact."""
    assert name in SHOTS
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fact(page, name: str, within=None):
    """The value of the fact `name` in a list of facts (<dl class="facts">), in `within` if
    given, else anywhere on the page."""
    term = page.locator("dt").get_by_text(name, exact=True)
    return (within or page).locator("dl.facts > div").filter(has=term).locator("dd")


@contextmanager
def celery_worker():
    """A real Celery worker on the real Redis, as production runs the follow-up's tasks."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the tests provide a real Redis"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds} s")
        time.sleep(0.1)


def visits_file(path: Path, client, month: datetime.date) -> Path:
    """The provider's visits as its system exports them (uppfoljning/imports.py): semicolons,
    UTF-8, start and end in Swedish time. Two showers of 45 minutes in the month."""
    number = f"{client.personal_number[:8]}-{client.personal_number[8:]}"
    tenth, eleventh = month.replace(day=10), month.replace(day=11)
    path.write_text(
        "besoks_id;personnummer;start;slut;personal;insats;status;orsak\r\n"
        f"HF-1;{number};{tenth} 08:00;{tenth} 08:45;P1;Duschhjälp;utförd;\r\n"
        f"HF-2;{number};{eleventh} 08:00;{eleventh} 08:45;P2;Duschhjälp;utförd;\r\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------------------


@pytest.fixture
def artefacts() -> Path:
    """The screenshots' directory, emptied of this test's earlier screenshots."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        (ARTEFACTS / f"{name}.png").unlink(missing_ok=True)
    return ARTEFACTS


def test_the_whole_chain_from_decision_to_the_managers_figures(
    page, watched, live_server, world, tmp_path, artefacts
):
    today = timezone.localdate()
    month = month_to_follow(today)
    start, manad = month, f"{month:%Y-%m}"
    # The world: the municipality's catalogue and its rules for the monthly check.
    catalogue_copy_defaults(municipality=world.municipality)
    Municipality.objects.filter(pk=world.municipality.pk).update(
        monthly_check_day=1, billing_day=BILLING_DAY
    )
    lisa, provider = world.client, world.provider
    named(world.officer, "Karin", "Lund")
    named(world.coordinator, "Samir", "Haddad")
    named(world.contact_person, "Maria", "Berg")
    named(world.manager, "Eva", "Strand")
    contact_person = "Maria Berg"

    # -- 1. The officer records a decision, builds the order and sends it ---------------------
    sign_in(page, world.officer)
    menu(page).get_by_role("link", name="Brukare").click()
    page.get_by_role("link", name="Andersson, Lisa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lisa Andersson")
    page.get_by_role("link", name="Nytt beslut").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt biståndsbeslut")
    page.get_by_role("group", name="Utfall").get_by_label("Bifall", exact=True).check()
    page.get_by_role("group", name="Typ av insats").get_by_label("Omvårdnad", exact=True).check()
    page.get_by_label("Beslutsdatum").fill(f"{start}")
    page.get_by_label("Omfattning, timmar per månad").fill("10")
    page.get_by_label("Gäller från").fill(f"{start}")
    page.get_by_label("Duschhjälp (45 min)", exact=True).check()
    page.get_by_label("Motivering").fill("Lisa behöver hjälp att duscha efter höftoperationen.")
    page.get_by_label("Syfte och mål").fill("Att Lisa kan bo kvar hemma och sköta sin hygien.")
    page.get_by_role("button", name="Registrera beslutet").click()
    expect(page.get_by_text("Beslutet är registrerat.")).to_be_visible()

    page.get_by_role("link", name="Ny beställning").first.click()
    page.get_by_label("Utförare som brukaren har valt").select_option(label=provider.name)
    page.get_by_label("Beställningen gäller från").fill(f"{start}")
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_text("Utkastet är skapat.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beställning till {provider.name}")

    # The granted shower is on the order from the start; the officer completes its row.
    shower = page.get_by_role("group", name=re.compile(r"^Insats 1"))
    expect(shower.locator("legend").first).to_have_text("Insats 1: Duschhjälp")
    shower.get_by_label("Livsområde").select_option(label="Att tvätta sig")
    shower.get_by_label("Antal tillfällen").fill("2")
    shower.get_by_label("Brukarens mål").fill("Att kunna duscha tryggt två gånger i veckan.")
    page.get_by_label("Antal besök per dag").fill("0")
    page.get_by_label("Det utföraren behöver veta").fill(
        "Lisa har svårt att stå länge efter höftoperationen. Duschpall finns."
    )
    page.get_by_label("Mål, ett per rad").fill("Att Lisa kan bo kvar hemma.")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(page.locator("#send-blockers")).to_have_text(re.compile("Beställningen kan skickas"))
    page.get_by_role("button", name="Skicka till utföraren").click()

    expect(page.get_by_text(f"Beställningen är skickad till {provider.name}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beställning av hemtjänstinsatser")
    expect(page.locator(".page-heading__tags")).to_contain_text("Skickad")
    sheet = page.get_by_role("region", name="Beställningens uppgifter")
    expect(fact(page, "Beställning gäller", sheet)).to_have_text(f"{start}")
    expect(page.get_by_role("heading", name="Duschhjälp")).to_be_visible()
    # Twice a week at the catalogue's 45 minutes: 2 × 45 × 4.35 weeks = 391.5, 6:32 a month.
    expect(page.locator(".quantity")).to_have_text("Beställd kvantitet: 6:32 timmar/månad")
    keep(page, "01-officer-order-sent")
    sign_out(page)

    # -- 2. The coordinator receives it, records the start and names the contact person -------
    sign_in(page, world.coordinator)
    inbox = worklist(page, "Nya och ändrade beställningar")
    expect(inbox.get_by_role("row", name=re.compile("Lisa Andersson"))).to_contain_text("Skickad")
    inbox.get_by_role("link", name="Lisa Andersson").click()
    page.get_by_role("button", name="Kvittera mottagen").click()
    expect(
        page.get_by_text("Beställningen för Lisa Andersson är kvitterad som mottagen.")
    ).to_be_visible()
    expect(page.locator(".page-heading__tags")).to_contain_text("Mottagen")
    page.get_by_label("Verkställd från").fill(f"{start}")
    page.get_by_role("button", name="Registrera verkställd").click()
    expect(
        page.get_by_text(f"Beställningen för Lisa Andersson är verkställd från {start}")
    ).to_be_visible()
    expect(page.locator(".page-heading__tags")).to_contain_text("Verkställd")
    sheet = page.get_by_role("region", name="Beställningens uppgifter")
    expect(fact(page, "Verkställd", sheet)).to_have_text(f"{start}")
    plan_panel = page.get_by_role("region", name="Genomförandeplan och kontaktman")
    # The plan was due 14 days after the start (Järfälla's rule); registered late, it is due.
    expect(fact(page, "Planen ska vara klar", plan_panel)).to_contain_text(
        f"{start + datetime.timedelta(days=14)}"
    )
    expect(fact(page, "Status", plan_panel)).to_contain_text(
        re.compile(r"Saknas, \d+ dagar? försenad")
    )
    expect(fact(page, "Kontaktman", plan_panel)).to_have_text("Ingen utsedd")

    menu(page).get_by_role("link", name="Start").click()
    without = worklist(page, "Brukare utan kontaktman")
    without.get_by_role("link", name="Utse kontaktman för Lisa Andersson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utse kontaktman")
    page.get_by_label("Kontaktman").select_option(label=contact_person)
    page.get_by_role("button", name="Spara kontaktman").click()
    expect(page.get_by_text("Lisa Andersson har fått kontaktman.")).to_be_visible()
    plans = page.get_by_role("region", name="Kontaktman och genomförandeplan")
    expect(plans.get_by_role("row", name=re.compile(provider.name))).to_contain_text(contact_person)
    keep(page, "02-coordinator-executed-and-contact-person")
    sign_out(page)

    # -- 3. The contact person writes the plan with Lisa and completes it ---------------------
    sign_in(page, world.contact_person)
    to_write = worklist(page, "Genomförandeplaner att skriva")
    to_write.get_by_role("button", name="Påbörja plan för Lisa Andersson").click()
    expect(page.get_by_text("Planen är påbörjad med beställningens insatser.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genomförandeplan för Lisa Andersson")
    card = page.get_by_role("group", name=re.compile(r"^Insats 1"))
    expect(card).to_contain_text("Beställt:")
    card.get_by_label("Vad jag behöver hjälp med").fill("Hjälp att tvätta ryggen och fötterna.")
    card.get_by_label("Mitt mål").fill("Att själv kunna tvätta håret.")
    whole = page.get_by_role("region", name="Planen som helhet")
    whole.get_by_label("Mitt mål").fill("Att bo kvar hemma och känna mig ren och fräsch.")
    page.get_by_label("Brukaren", exact=True).check()
    page.get_by_label("Anhörig eller närstående").check()
    page.get_by_label("I brukarens hem").check()
    page.get_by_label("Hur brukaren påverkade planen").fill(
        "Lisa ville duscha på tisdag och fredag förmiddag och välja sina kläder själv."
    )
    page.get_by_label("Datum då brukaren godkände planen").fill(f"{start + datetime.timedelta(5)}")
    page.get_by_label("Hur brukaren godkände planen").fill("Muntligt vid besöket, med dottern.")
    # The plan saves itself as she writes; once saved, nothing blocks completion.
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"Sparat \d\d:\d\d"))
    expect(page.locator("#complete-blockers")).to_contain_text("Klar att markeras")
    expect(page.locator("#section-coverage")).to_contain_text("Stämmer")
    page.get_by_role("button", name="Markera planen som klar …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Markera planen som klar?")
    page.get_by_role("button", name="Ja, frys version 1 och skicka till handläggaren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genomförandeplan för Lisa Andersson")
    expect(page.get_by_text("Version 1 av planen är klar och godkänd av brukaren.")).to_be_visible()
    expect(page.locator(".page-heading__tags")).to_contain_text("Klar, väntar på handläggaren")
    expect(page.locator(".page-heading__tags")).to_contain_text("Klar i tid")
    keep(page, "03-contact-person-plan-completed")
    sign_out(page)

    # -- 4. The officer approves the plan -----------------------------------------------------
    sign_in(page, world.officer)
    to_review = worklist(page, "Planer att granska")
    expect(to_review.get_by_role("row", name=re.compile("Lisa Andersson"))).to_contain_text(
        "Klar i tid"
    )
    to_review.get_by_role("link", name="Granska planen för Lisa Andersson").click()
    page.get_by_label("Godkänn planen").check()
    page.get_by_role("button", name="Spara beslut").click()
    expect(page.get_by_text("Planen är godkänd.")).to_be_visible()
    # Back on her start page, nothing is left to review; Lisa's page shows the approved plan.
    expect(page.get_by_role("heading", name="Planer att granska (0)")).to_be_visible()
    menu(page).get_by_role("link", name="Brukare").click()
    page.get_by_role("link", name="Andersson, Lisa").click()
    plans = page.get_by_role("region", name="Kontaktman och genomförandeplan")
    row = plans.get_by_role("row", name=re.compile(provider.name))
    expect(row).to_contain_text(contact_person)
    expect(row.get_by_role("link", name="Genomförandeplan, version 1")).to_be_visible()
    expect(row).to_contain_text("Godkänd av handläggaren")
    expect(row).to_contain_text("Klar i tid")
    keep(page, "04-officer-plan-approved")
    sign_out(page)

    # -- 5. The month's visits come in as a file, and the monthly check runs ------------------
    sign_in(page, world.coordinator)
    with celery_worker():
        menu(page).get_by_role("link", name="Besök").click()
        page.get_by_role("link", name="Läs in besök").click()
        page.get_by_label("Fil med besök").set_input_files(
            visits_file(tmp_path / f"besok-{manad}.csv", lisa, month)
        )
        page.get_by_role("button", name="Läs in filen").click()
        # The worker checks the file; the page, polled by htmx, shows the result by itself.
        expect(fact(page, "Status")).to_have_text("Inläst", timeout=30_000)
        expect(fact(page, "Nya besök")).to_have_text("2")
        keep(page, "05a-coordinator-visits-imported")

        # Beat's morning job, sent through Redis: the worker runs the month's check.
        if month < today.replace(day=1):
            monthly_check_due_task.delay()
        else:
            monthly_check_task.delay(world.municipality.pk, month.isoformat())
        wait_for(
            lambda: MonthlyTimeResult.objects.filter(client=lisa, month=month).exists(),
            f"the worker did not check {manad}",
        )

    # Two showers of 45 minutes (1:30) against the whole month's 6:32: 5:02 under.
    menu(page).get_by_role("link", name="Start").click()
    to_explain = worklist(page, "Månader att förklara")
    row = to_explain.get_by_role("row", name=re.compile("Lisa Andersson"))
    expect(row).to_contain_text(manad)
    expect(row).to_contain_text("-5:02")
    deadline = (month + datetime.timedelta(days=31)).replace(day=BILLING_DAY)
    expect(row).to_contain_text(f"{deadline}")
    keep(page, "05b-monthly-check-month-to-explain")

    # -- 6. The coordinator explains the deviation; the officer decides ------------------------
    row.get_by_role("link", name=f"Förklara {manad} för Lisa Andersson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tidsuppföljning {manad}")
    expect(fact(page, "Beställd tid")).to_contain_text("6:32 h")
    expect(fact(page, "Utförd tid")).to_have_text("1:30 h")
    expect(fact(page, "Avvikelse")).to_have_text("-5:02 h (-77,0 %)")
    expect(page.locator(".page-heading__tags")).to_have_text("Underskriden")
    page.get_by_label("Frånvaro (sjukhus, korttidsboende, anhöriga)").check()
    page.get_by_label("Förklaring", exact=True).fill(
        "Lisa låg på sjukhus i två veckor och avböjde duschen veckan efter."
    )
    page.get_by_role("button", name="Skicka förklaringen").click()
    expect(page.get_by_text("Förklaringen är skickad till handläggaren.")).to_be_visible()
    keep(page, "06a-coordinator-deviation-explained")
    sign_out(page)

    sign_in(page, world.officer)
    to_decide = worklist(page, "Tid att besluta")
    to_decide.get_by_role("link", name=f"Besluta {manad} för Lisa Andersson").click()
    expect(page.get_by_text("Lisa låg på sjukhus i två veckor")).to_be_visible()
    page.get_by_role("button", name="Godkänn förklaringen").click()
    expect(page.get_by_text("Förklaringen är godkänd.")).to_be_visible()
    expect(page.get_by_role("region", name="Handläggarens beslut")).to_contain_text("Godkänd")
    keep(page, "06b-officer-explanation-approved")
    menu(page).get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="Tid att besluta (0)")).to_be_visible()
    sign_out(page)

    # -- 7. The unit manager's figures -------------------------------------------------------
    sign_in(page, world.manager)
    menu(page).get_by_role("link", name="Planrapport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planrapport")
    expect(
        page.get_by_text("1 av 1 har plan, 1 av 1 i tid, 1 av 1 täcker beställningen helt")
    ).to_be_visible()
    report_row = page.get_by_role("row", name=re.compile("Lisa Andersson"))
    expect(report_row).to_contain_text(provider.name)
    expect(report_row).to_contain_text("Klar i tid")
    expect(report_row).to_contain_text("5 dagar från start till klar")
    expect(report_row.get_by_role("cell").nth(1)).to_contain_text("Godkänd")
    expect(report_row.get_by_role("cell").last).to_have_text("Ja")
    keep(page, "07a-manager-plan-report")

    # Her dashboard, from her start page: the provider's row has the new order, with its plan
    # in time and covering the order, and the month's time; each figure leads to the clients.
    menu(page).get_by_role("link", name="Start").click()
    page.get_by_role("region", name="Översikt").get_by_role(
        "link", name="Gå till översikten"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    plans_section = page.get_by_role("region", name="Genomförandeplaner", exact=True)
    expect(plans_section).to_contain_text(
        "1 av 1 har plan, 1 av 1 i tid, 1 av 1 täcker beställningen helt."
    )
    by_provider = page.get_by_role("table", name="Genomförandeplaner per utförare")
    plan_cells = by_provider.get_by_role("row", name=re.compile(provider.name)).get_by_role("cell")
    # Verkställda, med plan, klar i tid, för sent, saknas, återsänd, median dagar, täcker helt.
    expect(plan_cells).to_have_text(["1", "1 (100 %)", "1 (100 %)", "0", "0", "0", "5", "1 av 1"])
    time_by_provider = page.get_by_role("table", name="Tid per utförare")
    time_cells = time_by_provider.get_by_role("row", name=re.compile(provider.name))
    # 6:32 ordered and 1:30 performed, in hours; one month under, its explanation decided.
    expect(time_cells.get_by_role("cell")).to_have_text(["6,5", "1,5", "23 %", "0", "1", "0"])
    keep(page, "07b-manager-dashboard")
    plan_cells.nth(1).get_by_role("link", name="1").click()  # the clients "med plan"
    expect(page.locator(".lead")).to_contain_text(f"{provider.name}: 1 rad.")
    expect(page.get_by_role("row", name=re.compile("Lisa Andersson"))).to_contain_text(
        f"verkställd {start}, handläggare Karin Lund"
    )
    sign_out(page)

    for name in SHOTS:
        shot = artefacts / f"{name}.png"
        assert shot.is_file() and shot.stat().st_size > 10_000, shot
    assert watched.errors == []
    only_our_server(watched, live_server)
