"""The plan page in a real browser, as a contact person uses it on a tablet in the client's home:
the keyboard alone, a lost connection, an autosave while she writes, the confirmation before a
version is frozen (issue 7, faults 1–4)."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from genomforandeplan import services
from genomforandeplan.choices import PlanStatus
from genomforandeplan.models import ImplementationPlan, PlanVersion
from tests.browser.test_login_and_clients import log_in_with_a_cookie, only_our_server
from tests.genomforandeplan.conftest import executed_order, items_of, plan_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Sparat \d\d:\d\d")
OFFLINE = "Inte sparat – ingen anslutning"


@pytest.fixture
def plan(world):
    order = executed_order(world, contact_person=world.contact_person)
    return services.plan_start(order=order, by=world.contact_person)


def ready_to_complete_but_for_the_approval(world, plan) -> ImplementationPlan:
    """Everything completion needs is saved, except how the client approved."""
    return services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version,
        fields=plan_fields(plan, client_approval_how=""), items=items_of(plan),
    )  # fmt: skip


def posts(page) -> list[str]:
    """Every POST the page makes from now on, by path."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "POST" else None)
    return seen


def whole_plan(page):
    return page.get_by_role("region", name="Planen som helhet")


def test_tabbing_past_the_completion_button_completes_nothing(
    page, watched, live_server, world, plan
):
    plan = ready_to_complete_but_for_the_approval(world, plan)
    log_in_with_a_cookie(page, live_server, world.contact_person)
    edit_url = reverse("plan_edit", args=[plan.pk])
    page.goto(edit_url)
    sent = posts(page)
    status = page.locator("#autosave-status")

    how = page.get_by_label("Hur brukaren godkände planen")
    how.fill("Muntligt vid besöket, med dottern")
    # On through the page with the keyboard, past "Spara" and "Markera planen som klar …",
    # slower than the autosave's pause, so that it fires while focus is on those buttons.
    for _ in range(4):
        page.keyboard.press("Tab")
        page.wait_for_timeout(400)
    expect(status).to_have_text(SAVED)
    page.wait_for_timeout(1200)  # anything still queued has gone by now

    plan.refresh_from_db()
    assert plan.client_approval_how == "Muntligt vid besöket, med dottern"
    assert plan.status == PlanStatus.DRAFT
    assert not PlanVersion.objects.filter(plan=plan).exists()
    autosave = reverse("plan_autosave", args=[plan.pk])
    assert sent and {url.removeprefix(live_server.url) for url in sent} == {autosave}
    # The status line holds a status, not a page.
    assert len(status.inner_text()) < 200
    expect(page).to_have_url(live_server.url + edit_url)

    # Completing is the button, then a confirmation that names what is frozen; only its own
    # button completes.
    page.get_by_role("button", name="Markera planen som klar …").click()
    expect(page).to_have_url(live_server.url + reverse("plan_complete", args=[plan.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Markera planen som klar?")
    expect(page.get_by_text("blir version 1")).to_be_visible()
    assert not PlanVersion.objects.filter(plan=plan).exists()
    confirm = page.get_by_role("button", name="Ja, frys version 1 och skicka till handläggaren")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("plan_detail", args=[plan.pk]))
    version = PlanVersion.objects.get(plan=plan)
    assert version.snapshot["client_approval_how"] == "Muntligt vid besöket, med dottern"

    assert watched.errors == []
    only_our_server(watched, live_server)


def test_a_lost_connection_loses_nothing(page, live_server, world, plan):
    log_in_with_a_cookie(page, live_server, world.contact_person)
    edit_url = reverse("plan_edit", args=[plan.pk])
    page.goto(edit_url)
    status = page.locator("#autosave-status")
    goal = whole_plan(page).get_by_label("Mitt mål")

    page.context.set_offline(True)
    goal.fill("Skrivet när nätet var borta")
    expect(status).to_contain_text(OFFLINE)
    # "Spara" without a connection: no error page, nothing lost, the truth on the status line.
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(status).to_contain_text(OFFLINE)
    expect(page).to_have_url(live_server.url + edit_url)
    expect(goal).to_have_value("Skrivet när nätet var borta")
    kept = json.loads(page.evaluate(f"() => localStorage.getItem('ramtid:osparat:plan-{plan.pk}')"))
    assert ["my_goal", "Skrivet när nätet var borta"] in kept["values"]
    plan.refresh_from_db()
    assert plan.my_goal == ""

    # The connection returns: what was kept is sent, and the browser forgets it once saved.
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED)
    plan.refresh_from_db()
    assert plan.my_goal == "Skrivet när nätet var borta"
    page.wait_for_function(f"() => localStorage.getItem('ramtid:osparat:plan-{plan.pk}') === null")


def test_kept_input_meets_a_save_made_elsewhere_as_a_conflict(page, live_server, world, plan):
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.goto(reverse("plan_edit", args=[plan.pk]))
    status = page.locator("#autosave-status")
    page.context.set_offline(True)
    whole_plan(page).get_by_label("Mitt mål").fill("Mitt mål, skrivet offline")
    expect(status).to_contain_text(OFFLINE)

    # Meanwhile the coordinator saves the plan from the office.
    plan.refresh_from_db()
    services.plan_save(
        plan=plan, by=world.coordinator, version=plan.version,
        fields=plan_fields(plan, need_help_with="Från kontoret"), items=items_of(plan),
    )  # fmt: skip

    page.context.set_offline(False)
    expect(status).to_contain_text("någon annan har sparat planen")
    plan.refresh_from_db()
    assert (plan.my_goal, plan.need_help_with) == ("", "Från kontoret")

    # Reloaded, the page shows the other save and offers the kept input; taken back, it is
    # saved on top of the new version.
    page.reload()
    offer = page.get_by_role("alert").filter(has_text="som inte sparades")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Lägg tillbaka mina ändringar").click()
    expect(status).to_have_text(SAVED)
    plan.refresh_from_db()
    assert (plan.my_goal, plan.need_help_with) == ("Mitt mål, skrivet offline", "Från kontoret")


def test_input_kept_offline_is_put_back_when_the_plan_is_opened_again(
    page, live_server, world, plan
):
    log_in_with_a_cookie(page, live_server, world.contact_person)
    edit_url = reverse("plan_edit", args=[plan.pk])
    page.goto(edit_url)
    page.context.set_offline(True)
    whole_plan(page).get_by_label("Vad jag behöver hjälp med").fill("Hjälp med att duscha")
    expect(page.locator("#autosave-status")).to_contain_text(OFFLINE)
    page.close()  # the tablet's browser tab is closed before the connection comes back
    plan.refresh_from_db()
    assert plan.need_help_with == ""

    page.context.set_offline(False)
    again = page.context.new_page()
    again.goto(edit_url)
    expect(again.locator("#autosave-status")).to_have_text(SAVED)
    expect(whole_plan(again).get_by_label("Vad jag behöver hjälp med")).to_have_value(
        "Hjälp med att duscha"
    )
    plan.refresh_from_db()
    assert plan.need_help_with == "Hjälp med att duscha"


def test_the_check_and_the_blockers_follow_every_save(page, live_server, world, plan):
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.goto(reverse("plan_edit", args=[plan.pk]))
    coverage = page.locator("#section-coverage")
    blockers = page.locator("#complete-blockers")
    expect(coverage).to_contain_text("Stämmer")
    expect(blockers).to_contain_text("Delaktighet saknas")

    # Once a week instead of the ordered twice: the check says so after the autosave.
    card = page.get_by_role("group", name=re.compile("Insats 1"))
    card.get_by_label("Antal tillfällen").fill("1")
    expect(coverage).to_contain_text(
        "Duschhjälp: planen säger en gång per vecka, beställningen två gånger per vecka"
    )
    expect(coverage).not_to_contain_text("Stämmer")
    expect(blockers).to_contain_text("Rätta planen eller skriv ett skäl")

    # A reason, typed while the check is refreshed around it: nothing typed is lost and the
    # focus stays in the field.
    reason = coverage.get_by_label(re.compile("Skäl"))
    reason.press_sequentially("Brukaren vill bara duscha en gång i veckan.", delay=40)
    expect(coverage).to_contain_text("Skäl angivet")
    expect(reason).to_have_value("Brukaren vill bara duscha en gång i veckan.")
    expect(reason).to_be_focused()
    expect(blockers).not_to_contain_text("Rätta planen eller skriv ett skäl")

    # Participation filled in: that blocker goes too.
    page.get_by_label("Brukaren", exact=True).check()
    page.get_by_label("I brukarens hem").check()
    page.get_by_label("Hur brukaren påverkade planen").fill("Ville duscha på kvällen.")
    expect(blockers).not_to_contain_text("Delaktighet saknas")


def test_spara_saves_how_the_client_approved(page, live_server, world, plan):
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.goto(reverse("plan_edit", args=[plan.pk]))
    page.get_by_label("Datum då brukaren godkände planen").fill(plan.order.executed_on.isoformat())
    page.get_by_label("Hur brukaren godkände planen").fill("Med sin underskrift")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_text("Planen är sparad.")).to_be_visible()
    plan.refresh_from_db()
    assert plan.client_approval_how == "Med sin underskrift"
    assert plan.client_approved_on == plan.order.executed_on
    expect(page.get_by_label("Hur brukaren godkände planen")).to_have_value("Med sin underskrift")


def test_adding_a_card_focuses_it_and_breaks_no_rule_of_the_page(
    page, watched, live_server, world, plan
):
    """ "Lägg till insats" on the plan page: a new card, focus in it, no CSP error in the
    console, and the next autosave carries the new card."""
    log_in_with_a_cookie(page, live_server, world.contact_person)
    page.goto(reverse("plan_edit", args=[plan.pk]))
    page.get_by_role("button", name="Lägg till insats").click()
    second = page.get_by_role("group", name=re.compile("Insats 2"))
    kind = second.get_by_label("Insats", exact=True)
    expect(kind).to_be_focused()
    kind.select_option(label="Promenad (30 min)")
    second.get_by_label("Antal tillfällen").fill("1")
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    expect(second.locator(".plan-item__ordered")).to_contain_text("Inte beställd")
    assert [str(item) for item in ImplementationPlan.objects.get(pk=plan.pk).items.all()] == [
        "Duschhjälp",
        "Promenad",
    ]
    assert watched.errors == []


def test_spara_after_a_conflict_keeps_what_was_typed(page, live_server, world, plan):
    """Two tabs on one plan: the second one's text meets the first one's save. Pressing
    "Spara" there cannot save it, but the text is kept and offered back after a reload."""
    log_in_with_a_cookie(page, live_server, world.contact_person)
    edit_url = reverse("plan_edit", args=[plan.pk])
    first = page
    first.goto(edit_url)
    second = page.context.new_page()
    second.goto(edit_url)

    whole_plan(first).get_by_label("Mitt mål").fill("Från första fliken")
    expect(first.locator("#autosave-status")).to_have_text(SAVED)
    whole_plan(second).get_by_label("Vad jag behöver hjälp med").fill("Från andra fliken")
    expect(second.locator("#autosave-status")).to_contain_text("någon annan har sparat planen")
    second.get_by_role("button", name="Spara", exact=True).click()
    expect(second.get_by_role("heading", name="Planen är inte sparad")).to_be_visible()

    second.get_by_role("link", name="Öppna den senaste versionen av planen").click()
    offer = second.get_by_role("alert").filter(has_text="som inte sparades")
    offer.get_by_role("button", name="Lägg tillbaka mina ändringar").click()
    expect(second.locator("#autosave-status")).to_have_text(SAVED)
    plan.refresh_from_db()
    assert (plan.my_goal, plan.need_help_with) == ("Från första fliken", "Från andra fliken")
