"""What users read, worded right (issue 7, faults 5 and 11): fields labelled by what they are
needed for, hours shown as hours, Swedish genitives, a returned plan not called "klar", and the
contact person's date the same on the worklist and on the assignment page."""

import datetime
import re

from django.urls import reverse

from bestallning import services
from genomforandeplan import services as plan_services
from ramtid.formatting import every_n_months, genitive
from tests.bestallning.conftest import TODAY, make_order, row
from tests.bestallning.test_views import text_of
from tests.factories import ClientFactory
from tests.genomforandeplan.conftest import complete, executed_order


def _label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S)
    assert match, field_id
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_what_sending_needs_is_labelled_so_not_optional(world):
    order = make_order(world)
    html = world.login(world.officer).get(reverse("order_edit", args=[order.pk])).content.decode()
    for field_id in ("id_daily_visits", "id_interventions-0-occasions"):
        label = _label_of(html, field_id)
        assert "(krävs för att skicka)" in label and "frivilligt" not in label, label
    assert (
        "krävs för att skicka"
        in html.split('id="id_interventions-0-life_area"')[0].rsplit("<label", 1)[1]
    )
    assert "(frivilligt)" in _label_of(html, "id_body_functions")


def test_a_changed_order_shows_time_per_month_as_hours(world, kinds):
    sent = services.order_send(order=make_order(world), by=world.officer)
    change = services.order_change_create(
        order=sent, by=world.officer, valid_from=sent.valid_from + datetime.timedelta(days=1)
    )
    change = services.order_save_draft(
        order=change, by=world.officer, version=change.version, fields={"daily_visits": 0},
        interventions=[row(kinds["Duschhjälp"], occasions=3)],
    )  # fmt: skip
    services.order_send(order=change, by=world.officer)
    page = text_of(world.login(world.coordinator).get(reverse("order_detail", args=[change.pk])))
    assert "Minuter per månad" not in page
    assert "Duschhjälp: Tid per månad" in page
    assert re.search(r"\d+:\d\d timmar", page)


def test_the_change_of_need_page_uses_the_genitive(world):
    client = ClientFactory(ordering_unit=world.unit, first_name="Stig", last_name="Hedlund")
    from tests.bestallning.conftest import make_decision

    decision = make_decision(world, client=client)
    order = services.order_send(order=make_order(world, decision=decision), by=world.officer)
    page = text_of(
        world.login(world.coordinator).get(reverse("need_change_create", args=[order.pk]))
    )
    assert "att Stig Hedlunds behov har ändrats" in page
    assert (genitive("Lars"), genitive("Max"), genitive("Anna")) == ("Lars", "Max", "Annas")


def test_a_returned_plan_is_not_called_ready_late(world):
    order = executed_order(
        world,
        executed_on=TODAY - datetime.timedelta(days=40),
        contact_person=world.contact_person,
    )
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    complete(world, plan, approved_on=TODAY - datetime.timedelta(days=2))
    plan_services.plan_review(plan=plan, by=world.officer, approve=False, comment="Saknar dusch.")
    page = text_of(world.login(world.contact_person).get(reverse("start")))
    assert "Första versionen klar 24 dagar för sent" in page
    assert " Klar 24 dagar för sent" not in page


def test_the_contact_persons_date_is_the_same_on_the_worklist_and_the_assignment_page(world):
    sent = services.order_send(order=make_order(world, valid_from=TODAY), by=world.officer)
    due = (TODAY + datetime.timedelta(days=world.municipality.contact_person_days)).isoformat()
    http = world.login(world.coordinator)
    start = text_of(http.get(reverse("start")))
    assert "Inte verkställd" not in start
    assert due in start
    assert due in text_of(http.get(reverse("contact_assign", args=[sent.pk])))


def test_the_follow_up_interval_is_the_municipalitys(world):
    world.municipality.plan_follow_up_months = 4
    world.municipality.save()
    order = executed_order(world, contact_person=world.contact_person)
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    page = text_of(world.login(world.contact_person).get(reverse("plan_follow_up", args=[plan.pk])))
    assert "minst var fjärde månad" in page and "sjätte" not in page
    assert [every_n_months(n) for n in (1, 2, 6, 18)] == [
        "varje månad",
        "varannan månad",
        "var sjätte månad",
        "var 18:e månad",
    ]
