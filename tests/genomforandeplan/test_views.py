"""The pages for contact persons and plans: the coordinator's assignment, the contact person's
plan from start to the officer's approval and back, versions and their difference, and who
reaches what (another organisation's plan or order is a 404; the officer never sees a plan that
has not been ready once)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestallning import services as order_services
from genomforandeplan import services
from genomforandeplan.choices import CHECKLIST_STEPS, PlanStatus
from genomforandeplan.models import ContactAssignment, ImplementationPlan, PlanVersion
from ramtid.choices import Role
from tests.bestallning.conftest import catalogue, make_decision, make_order
from tests.factories import ClientFactory, UserFactory, member
from tests.genomforandeplan.conftest import TODAY, complete, executed_order, items_of, plan_fields

# ------------------------------------------------------------------------------- helpers


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def page_data(plan: ImplementationPlan, items=None, **fields) -> dict:
    """The plan page as posted: the plan's fields, one card per item, the version read."""
    plan.refresh_from_db()
    items = (
        items
        if items is not None
        else [
            {
                "intervention_type": item.intervention_type_id,
                "period": item.period,
                "occasions": item.occasions,
                "every_n_weeks": 2,
                "can_do_myself": item.can_do_myself,
                "need_help_with": item.need_help_with,
                "how_and_when": item.how_and_when,
                "who_helps": item.who_helps,
                "my_goal": item.my_goal,
            }
            for item in plan.items.all()
        ]
    )
    data = {
        "version": plan.version,
        "can_do_myself": plan.can_do_myself,
        "need_help_with": plan.need_help_with,
        "how_and_when": plan.how_and_when,
        "who_helps": plan.who_helps,
        "my_goal": plan.my_goal,
        "planned_daily_visits": plan.planned_daily_visits or 0,
        "participants": list(plan.participants),
        "meeting_place": plan.meeting_place,
        "meeting_place_other": plan.meeting_place_other,
        "client_influence": plan.client_influence,
        "deviation_reason": plan.deviation_reason,
        "deviation_helper": plan.deviation_helper,
        "life_story": plan.life_story,
        "client_approved_on": "",
        "client_approval_how": "",
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": plan.items.count(),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for key, day in (plan.checklist or {}).items():
        data[f"step_{key}"] = "on"
        data[f"step_{key}_on"] = day
    for key, reason in (plan.coverage_reasons or {}).items():
        data[f"reason_{key}"] = reason
    data.update(fields)
    for index, values in enumerate(items):
        for name, value in values.items():
            data[f"items-{index}-{name}"] = value
    return data


PARTICIPATION = {
    "participants": ["client", "relative"],
    "meeting_place": "home",
    "client_influence": "Lisa ville duscha på kvällen.",
}
APPROVAL = {"client_approved_on": TODAY.isoformat(), "client_approval_how": "Muntligt i hemmet."}


@pytest.fixture
def order(world):
    """Lisa's executed order, the world's contact person named hers (she writes the plan)."""
    return executed_order(world, contact_person=world.contact_person)


@pytest.fixture
def unassigned_order(world):
    return executed_order(world)


@pytest.fixture
def kinds(world):
    return catalogue(world.municipality)


def executed_order_for(world, client):
    start = TODAY - datetime.timedelta(days=3)
    decision = make_decision(
        world, client=client, valid_from=start, decided_on=start - datetime.timedelta(days=1)
    )
    order = make_order(world, decision=decision, valid_from=start)
    order = order_services.order_send(order=order, by=world.officer)
    return order_services.order_execute(order=order, by=world.coordinator, executed_on=start)


# ------------------------------------------------------------------------------- the journey


def test_coordinator_assigns_contact_person_and_a_deputy_elsewhere_is_refused(
    world, unassigned_order
):
    order = unassigned_order
    http = world.login(world.coordinator)
    url = reverse("contact_assign", args=[order.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "Utse kontaktman" in text_of(page)

    # A deputy who works at another provider: refused on the field, nothing saved.
    response = http.post(
        url, {"contact_person": world.contact_person.pk, "deputy": world.other_coordinator.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deputy"] == [
        f"Ersättaren måste arbeta hos {world.provider}."
    ]
    assert not ContactAssignment.objects.exists()

    response = http.post(
        url, {"contact_person": world.contact_person.pk, "deputy": world.coordinator.pk}
    )
    assert response.status_code == 302
    assignment = ContactAssignment.objects.get(order=order)
    assert (assignment.contact_person, assignment.deputy) == (
        world.contact_person,
        world.coordinator,
    )
    client_page = text_of(http.get(reverse("client_detail", args=[world.client.pk])))
    assert "Kontaktman och genomförandeplan" in client_page
    assert str(world.contact_person) in client_page


def test_start_page_lists_clients_without_contact_person(world):
    late = executed_order(world, executed_on=TODAY - datetime.timedelta(days=9))
    response = world.login(world.coordinator).get(reverse("start"))
    page = text_of(response)
    assert "Brukare utan kontaktman" in page
    assert "försenad" in page
    assert reverse("contact_assign", args=[late.pk]) in response.content.decode()


def test_the_plan_from_start_to_approval_and_back(world, order, kinds):
    contact = world.login(world.contact_person)

    # Start: pre-filled with the ordered intervention and its frequency.
    response = contact.post(reverse("plan_start", args=[order.pk]))
    plan = ImplementationPlan.objects.get(client=world.client)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_edit", args=[plan.pk])
    page = contact.get(response["Location"])
    formset = page.context["formset"]
    assert [f.initial["intervention_type"] for f in formset.forms] == [kinds["Duschhjälp"].pk]
    assert formset.forms[0].initial["occasions"] == 2
    assert "Med brukarens egna ord" in text_of(page)

    # Save headings.
    data = page_data(plan)
    data["items-0-need_help_with"] = "Hjälp att tvätta ryggen."
    data["my_goal"] = "Jag vill klara mig hemma."
    response = contact.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.context and response.context["error_list"]
    plan.refresh_from_db()
    assert plan.my_goal == "Jag vill klara mig hemma."
    assert plan.items.get().need_help_with == "Hjälp att tvätta ryggen."

    # A card for something not ordered: the coverage check names it.
    extra = {
        "intervention_type": kinds["Toalettbesök"].pk,
        "period": "per_day",
        "occasions": 1,
        "every_n_weeks": 2,
    }
    data = page_data(plan)
    data = page_data(plan, items=[*_items(data), extra])
    assert contact.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 302
    page = text_of(contact.get(reverse("plan_edit", args=[plan.pk])))
    assert "Finns i planen men är inte beställt: Toalettbesök" in page

    # "Markera planen som klar" saves the page and asks for confirmation; without
    # participation the confirmation page lists what blocks it and offers no button.
    plan.refresh_from_db()
    data = page_data(plan, my_goal="Sparat på vägen till bekräftelsen", complete="1", **APPROVAL)
    response = contact.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_complete", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.my_goal == "Sparat på vägen till bekräftelsen"
    confirm = contact.get(response["Location"])
    assert "Delaktighet saknas" in text_of(confirm)
    assert "Ja, frys version" not in text_of(confirm)
    response = contact.post(reverse("plan_complete", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 200
    assert "Delaktighet saknas" in text_of(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not PlanVersion.objects.exists()

    # With participation, a reason for the gap, the checklist and the approval: the
    # confirmation names the version and where it goes, and only its button completes.
    data = page_data(
        plan,
        complete="1",
        **PARTICIPATION,
        **APPROVAL,
        **{f"reason_extra-{kinds['Toalettbesök'].pk}": "Brukaren vill ha hjälp på natten."},
        **{f"step_{CHECKLIST_STEPS[0][0]}": "on"},
    )
    response = contact.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.context and response.context["error_list"]
    confirm = text_of(contact.get(reverse("plan_complete", args=[plan.pk])))
    assert "Ja, frys version 1 och skicka till handläggaren" in confirm
    assert world.unit.name in confirm
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT  # saved, not completed
    response = contact.post(reverse("plan_complete", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 302, text_of(response)[:2000]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    assert plan.checklist == {CHECKLIST_STEPS[0][0]: TODAY.isoformat()}

    # The officer sees it on her worklist and returns it with a comment.
    officer = world.login(world.officer)
    start = officer.get(reverse("start")).content.decode()
    assert "Planer att granska" in start
    assert reverse("plan_review", args=[plan.pk]) in start
    review = officer.get(reverse("plan_review", args=[plan.pk]))
    assert "Finns i planen men är inte beställt: Toalettbesök" in text_of(review)
    assert "Brukaren vill ha hjälp på natten." in text_of(review)
    response = officer.post(reverse("plan_review", args=[plan.pk]), {"approve": "0"})
    assert response.context["form"].errors["comment"]
    response = officer.post(
        reverse("plan_review", args=[plan.pk]),
        {"approve": "0", "comment": "Duschen ska vara på morgonen enligt beslutet."},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED

    # The provider sees the comment on the worklist and revises; the client approves again.
    start = text_of(contact.get(reverse("start")))
    assert "Duschen ska vara på morgonen enligt beslutet." in start
    plan.refresh_from_db()
    data = page_data(plan, my_goal="Jag vill duscha på morgonen.", **APPROVAL)
    assert contact.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 302
    plan.refresh_from_db()
    response = contact.post(reverse("plan_complete", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 302, text_of(response)[:2000]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY

    # The officer approves.
    response = officer.post(reverse("plan_review", args=[plan.pk]), {"approve": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED

    # Versions 1 and 2, the approved one marked; the difference shows the changed heading.
    detail = text_of(officer.get(reverse("plan_detail", args=[plan.pk])))
    assert "Version 1" in detail and "Version 2" in detail
    assert "Godkänd" in detail and "Återsänd" in detail
    version = officer.get(reverse("plan_version", args=[plan.pk, 1]))
    assert "Sparat på vägen till bekräftelsen" in text_of(version)
    diff = text_of(officer.get(reverse("plan_compare", args=[plan.pk]), {"a": 1, "b": 2}))
    assert "Hela planen – Mitt mål" in diff
    assert "Sparat på vägen till bekräftelsen" in diff and "Jag vill duscha på morgonen." in diff


def _items(data: dict) -> list[dict]:
    rows = []
    for index in range(int(data["items-TOTAL_FORMS"])):
        prefix = f"items-{index}-"
        rows.append({k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)})
    return rows


def test_a_stale_version_gets_the_conflict_message(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    contact = world.login(world.contact_person)
    stale = page_data(plan, my_goal="Mitt första mål")
    assert contact.post(reverse("plan_edit", args=[plan.pk]), page_data(plan)).status_code == 302
    response = contact.post(reverse("plan_edit", args=[plan.pk]), stale)
    assert response.status_code == 200
    assert "Någon annan har sparat planen sedan du öppnade den" in text_of(response)
    plan.refresh_from_db()
    assert plan.my_goal == ""


def test_an_error_on_a_card_goes_on_that_card(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    data = page_data(plan)
    data["items-0-period"] = "every_n_weeks"
    data["items-0-every_n_weeks"] = 1
    response = world.login(world.contact_person).post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["every_n_weeks"]


def test_autosave_saves_and_hands_back_the_new_version(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    data = page_data(plan, my_goal="Skrivet vid köksbordet")
    response = world.login(world.contact_person).post(
        reverse("plan_autosave", args=[plan.pk]), data, headers={"HX-Request": "true"}
    )
    plan.refresh_from_db()
    assert plan.my_goal == "Skrivet vid köksbordet"
    assert f'value="{plan.version}"' in response.content.decode()
    assert "Sparat" in text_of(response)


def test_follow_up_and_needs_revision_on_a_new_order(world, order, kinds):
    plan = services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    contact = world.login(world.contact_person)
    response = contact.post(
        reverse("plan_follow_up", args=[plan.pk]),
        {"followed_up_on": TODAY.isoformat(), "notes": "Fungerar bra.", "needs_changed": ""},
    )
    assert response.status_code == 302
    page = text_of(contact.get(reverse("plan_detail", args=[plan.pk])))
    assert "Fungerar bra." in page
    assert "Nästa uppföljning senast" in page


# ------------------------------------------------------------------------------- access


@pytest.fixture
def ready_plan(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    plan.refresh_from_db()
    return plan


def _outsiders(world) -> dict:
    other_contact = member(
        UserFactory(username="annankontaktman"), Role.CONTACT_PERSON, provider=world.other_provider
    )
    return {
        "other_officer": world.other_officer,
        "other_coordinator": world.other_coordinator,
        "other_contact_person": other_contact,
        "fee_officer": world.fee_officer,
    }


@pytest.mark.parametrize(
    "who", ["other_officer", "other_coordinator", "other_contact_person", "fee_officer"]
)
def test_outsiders_get_404_everywhere(world, ready_plan, order, who):
    http = world.login(_outsiders(world)[who])
    pk = ready_plan.pk
    for name, args in [
        ("plan_detail", [pk]),
        ("plan_edit", [pk]),
        ("plan_version", [pk, 1]),
        ("plan_compare", [pk]),
        ("plan_pdf", [pk]),
        ("plan_review", [pk]),
        ("plan_follow_up", [pk]),
        ("contact_assign", [order.pk]),
    ]:
        assert http.get(reverse(name, args=args)).status_code == 404, name
    assert http.post(reverse("plan_review", args=[pk]), {"approve": "1"}).status_code == 404
    assert http.post(reverse("plan_start", args=[order.pk])).status_code == 404
    assert (
        http.post(
            reverse("contact_assign", args=[order.pk]), {"contact_person": world.contact_person.pk}
        ).status_code
        == 404
    )


def test_officer_never_sees_a_draft_that_was_never_ready(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    officer = world.login(world.officer)
    for name in ("plan_detail", "plan_pdf", "plan_review", "plan_compare"):
        assert officer.get(reverse(name, args=[plan.pk])).status_code == 404, name


def test_officer_may_not_write_and_provider_may_not_review(world, ready_plan, order):
    officer = world.login(world.officer)
    assert officer.get(reverse("plan_edit", args=[ready_plan.pk])).status_code == 403
    assert officer.get(reverse("contact_assign", args=[order.pk])).status_code == 403
    contact = world.login(world.contact_person)
    assert contact.get(reverse("plan_review", args=[ready_plan.pk])).status_code == 403
    assert contact.get(reverse("contact_assign", args=[order.pk])).status_code == 403


def test_writes_are_posts(world, order):
    http = world.login(world.contact_person)
    assert http.get(reverse("plan_start", args=[order.pk])).status_code == 405
    plan = services.plan_start(order=order, by=world.contact_person)
    # The completion's GET is its confirmation page: it completes nothing.
    assert http.get(reverse("plan_complete", args=[plan.pk])).status_code == 200
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.versions.exists()
    assert http.get(reverse("plan_autosave", args=[plan.pk])).status_code == 405


# ------------------------------------------------------------------------------- queries


def _start_page_queries(http) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("start")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["coordinator", "contact_person", "officer"])
def test_start_page_queries_do_not_grow_with_the_number_of_plans(world, user):
    def add_client(index: int):
        client = ClientFactory(
            ordering_unit=world.unit, responsible_officer=world.officer, first_name=f"B{index}"
        )
        order = executed_order_for(world, client)
        plan = services.plan_start(order=order, by=world.contact_person)
        complete(world, plan)

    add_client(0)
    http = world.login(getattr(world, user))
    few = _start_page_queries(http)
    for index in range(1, 5):
        add_client(index)
    assert _start_page_queries(http) == few


# ------------------------------------------------------------------------------- issue 7


def test_spara_saves_how_and_when_the_client_approved(world, order):
    """Fault 4: every field on the page is saved by "Spara" and by autosave."""
    plan = services.plan_start(order=order, by=world.contact_person)
    contact = world.login(world.contact_person)
    data = page_data(plan, client_approved_on=TODAY.isoformat(),
                     client_approval_how="Med sin underskrift")  # fmt: skip
    assert contact.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.client_approved_on, plan.client_approval_how) == (TODAY, "Med sin underskrift")
    data = page_data(plan, client_approval_how="Muntligt, i hemmet")
    contact.post(reverse("plan_autosave", args=[plan.pk]), data, headers={"HX-Request": "true"})
    plan.refresh_from_db()
    assert plan.client_approval_how == "Muntligt, i hemmet"
    page = contact.get(reverse("plan_edit", args=[plan.pk]))
    assert page.context["plan_form"]["client_approval_how"].value() == "Muntligt, i hemmet"


def _label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S)
    assert match, field_id
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_fields_are_labelled_by_what_they_are_needed_for(world, order, kinds):
    """Fault 5: no field that completion requires says "(frivilligt)"."""
    plan = services.plan_start(order=order, by=world.contact_person)
    extra = services.PlanItemInput(intervention_type=kinds["Promenad"], period="per_week",
                                   occasions=1)  # fmt: skip
    plan = services.plan_save(plan=plan, by=world.contact_person, version=plan.version,
                              fields={}, items=[*items_of(plan), extra])  # fmt: skip
    html = world.login(world.contact_person).get(reverse("plan_edit", args=[plan.pk])).content
    html = html.decode()
    for field_id in ("id_client_approved_on", "id_client_approval_how", "id_client_influence",
                     "id_deviation_reason", f"id_reason_extra-{kinds['Promenad'].pk}"):  # fmt: skip
        label = _label_of(html, field_id)
        assert "krävs för att slutföra" in label and "frivilligt" not in label, label
    assert "frivilligt" not in _label_of(html, "id_items-0-occasions")
    assert "frivilligt" in _label_of(html, "id_life_story")  # truly optional stays so


def test_an_autosave_refreshes_the_check_and_the_blockers(world, order):
    """Fault 3: the answer carries the check against the order and the blockers, out of band,
    for the plan as just saved."""
    plan = services.plan_start(order=order, by=world.contact_person)
    contact = world.login(world.contact_person)
    data = page_data(plan, **PARTICIPATION)
    data["items-0-occasions"] = 1
    response = contact.post(reverse("plan_autosave", args=[plan.pk]), data,
                            headers={"HX-Request": "true"})  # fmt: skip
    html = response.content.decode()
    assert response["X-Ramtid-Save"] == "saved"
    assert (
        'id="section-coverage" aria-labelledby="section-coverage-title" hx-swap-oob="true"' in html
    )
    assert "Duschhjälp: planen säger en gång per vecka" in html
    assert '<div id="complete-blockers" hx-swap-oob="true">' in html
    assert "Delaktighet saknas" not in html
    assert "Rätta planen eller skriv ett skäl" in html
    # A stale version: nothing saved, and the answer says so and why.
    response = contact.post(reverse("plan_autosave", args=[plan.pk]), data,
                            headers={"HX-Request": "true"})  # fmt: skip
    assert response["X-Ramtid-Save"] == "stale"
    assert "någon annan har sparat planen" in text_of(response)


def test_the_confirmation_is_pressed_once_however_often_it_is_clicked(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    plan = services.plan_save(plan=plan, by=world.contact_person, version=plan.version,
                              fields=plan_fields(plan), items=items_of(plan))  # fmt: skip
    contact = world.login(world.contact_person)
    url = reverse("plan_complete", args=[plan.pk])
    first = contact.post(url, {"version": plan.version})
    second = contact.post(url, {"version": plan.version})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("plan_detail", args=[plan.pk])
    assert PlanVersion.objects.filter(plan=plan).count() == 1


def test_a_second_review_is_told_who_reviewed_first(world, order):
    plan = services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    first, second = world.login(world.officer), world.login(world.officer)
    url = reverse("plan_review", args=[plan.pk])
    assert first.post(url, {"approve": "1"}).status_code == 302
    response = second.post(url, {"approve": "0", "comment": "Saknar dusch."}, follow=True)
    assert f"Planen är redan granskad: godkänd av {world.officer}" in text_of(response)
    assert plan.versions.get().review.outcome == "approved"
