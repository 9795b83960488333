"""A contact person writes only the plans of the clients she is the named contact person (or
deputy) for; the provider's coordinator writes every plan of the provider (issue 10: any contact
person could write any plan of her provider).

She reads no other plan either: a colleague's client's plan is not found (404), in the pages as
in the API, as another provider's is. An order she can see but whose plan she may not write is a
403 when she tries to start its plan. The client's contact person is the one the coordinator
named last: on a change order, the one named on the order it replaced until another is named.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bestallning import services as order_services
from genomforandeplan import permissions, services
from genomforandeplan.models import ImplementationPlan
from genomforandeplan.selectors import plans_visible_to
from ramtid.choices import Role
from tests.bestallning.conftest import make_decision, make_order
from tests.factories import ClientFactory, UserFactory, member
from tests.genomforandeplan.conftest import TODAY, assign_contact, complete
from tests.genomforandeplan.test_views import page_data

FOLLOW_UP = {"followed_up_on": TODAY.isoformat(), "notes": "Fungerar bra.", "needs_changed": ""}


def _executed_for(world, client):
    start = TODAY - datetime.timedelta(days=3)
    decision = make_decision(world, client=client, valid_from=start, decided_on=start)
    order = make_order(world, decision=decision, valid_from=start)
    order = order_services.order_send(order=order, by=world.officer)
    return order_services.order_execute(order=order, by=world.coordinator, executed_on=start)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def _plan_url(plan, action: str = "") -> str:
    return f"/api/genomforandeplaner/{plan.pk}/" + (f"{action}/" if action else "")


def _api_ids(api) -> set[int]:
    response = api.get("/api/genomforandeplaner/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def colleague(world):
    return member(UserFactory(username="kollega"), Role.CONTACT_PERSON, provider=world.provider)


@pytest.fixture
def cases(world, colleague):
    """Lisa (X), whose contact person is the world's, and Yngve (Y), whose contact person is
    her colleague at the same provider; each with a plan started."""
    yngve = ClientFactory(
        ordering_unit=world.unit, responsible_officer=world.officer, first_name="Yngve"
    )
    x_order = assign_contact(world, _executed_for(world, world.client), world.contact_person)
    y_order = assign_contact(world, _executed_for(world, yngve), colleague)
    return {
        "x_order": x_order,
        "y_order": y_order,
        "x_plan": services.plan_start(order=x_order, by=world.contact_person),
        "y_plan": services.plan_start(order=y_order, by=colleague),
    }


def test_she_cannot_write_or_read_a_colleagues_clients_plan_on_the_pages(world, cases):
    plan = cases["y_plan"]
    http = world.login(world.contact_person)

    for name in ("plan_edit", "plan_complete", "plan_follow_up", "plan_detail", "plan_pdf"):
        assert http.get(reverse(name, args=[plan.pk])).status_code == 404, name
    assert http.post(reverse("plan_edit", args=[plan.pk]), page_data(plan)).status_code == 404
    assert http.post(reverse("plan_autosave", args=[plan.pk]), page_data(plan)).status_code == 404
    assert http.post(reverse("plan_add_item", args=[plan.pk]), page_data(plan)).status_code == 404
    assert http.post(reverse("plan_follow_up", args=[plan.pk]), FOLLOW_UP).status_code == 404
    plan.refresh_from_db()
    assert plan.version == 1 and not plan.follow_ups.exists()


def test_she_cannot_start_a_colleagues_clients_plan(world, colleague):
    # The order is the provider's and she can read it; its plan is not hers to write: a 403.
    yngve = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    order = assign_contact(world, _executed_for(world, yngve), colleague)
    http = world.login(world.contact_person)
    assert http.get(reverse("order_detail", args=[order.pk])).status_code == 200

    assert http.post(reverse("plan_start", args=[order.pk])).status_code == 403
    response = _api(world.contact_person).post(
        "/api/genomforandeplaner/", {"order": order.pk}, format="json"
    )
    assert response.status_code == 403
    assert "kontaktman" in response.json()["detail"]
    assert not ImplementationPlan.objects.exists()
    # Nor before anyone is named: the coordinator names the contact person first.
    unnamed = _executed_for(
        world, ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    )
    assert http.post(reverse("plan_start", args=[unnamed.pk])).status_code == 403

    # The client page offers her no button to start it.
    page = http.get(reverse("client_detail", args=[yngve.pk])).content.decode()
    assert reverse("plan_start", args=[order.pk]) not in page


def test_she_cannot_write_or_read_a_colleagues_clients_plan_in_the_api(world, cases):
    plan = cases["y_plan"]
    api = _api(world.contact_person)

    assert api.get(_plan_url(plan)).status_code == 404
    patched = api.patch(_plan_url(plan), {"version": plan.version, "my_goal": "x"}, format="json")
    assert patched.status_code == 404
    approval = {"client_approved_on": TODAY.isoformat(), "client_approval_how": "Muntligt."}
    assert api.post(_plan_url(plan, "klarmarkera"), approval, format="json").status_code == 404
    assert api.post(_plan_url(plan, "uppfoljning"), FOLLOW_UP, format="json").status_code == 404
    assert _api_ids(api) == {cases["x_plan"].pk}
    plan.refresh_from_db()
    assert (plan.version, plan.my_goal) == (1, "")


def test_she_writes_her_own_clients_plan_on_the_page_and_in_the_api(world, cases):
    plan = cases["x_plan"]
    http = world.login(world.contact_person)
    assert http.get(reverse("plan_edit", args=[plan.pk])).status_code == 200
    saved = http.post(
        reverse("plan_edit", args=[plan.pk]), page_data(plan, my_goal="Bo kvar hemma.")
    )
    assert saved.status_code == 302

    plan.refresh_from_db()
    response = _api(world.contact_person).patch(
        _plan_url(plan), {"version": plan.version, "life_story": "Sjuksköterska."}, format="json"
    )
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert (plan.my_goal, plan.life_story) == ("Bo kvar hemma.", "Sjuksköterska.")


def test_the_coordinator_writes_every_plan_of_the_provider(world, cases):
    http = world.login(world.coordinator)
    api = _api(world.coordinator)
    for key in ("x_plan", "y_plan"):
        plan = cases[key]
        assert http.get(reverse("plan_edit", args=[plan.pk])).status_code == 200, key
        assert http.post(reverse("plan_edit", args=[plan.pk]), page_data(plan)).status_code == 302
        plan.refresh_from_db()
        response = api.patch(
            _plan_url(plan), {"version": plan.version, "my_goal": "Klara mig själv."}, "json"
        )
        assert response.status_code == 200, (key, response.json())
    assert _api_ids(api) == {cases["x_plan"].pk, cases["y_plan"].pk}


def test_the_deputy_writes_the_plan_too(world, cases, colleague):
    plan = cases["x_plan"]
    http = world.login(colleague)
    assert http.get(reverse("plan_edit", args=[plan.pk])).status_code == 404

    assign_contact(world, cases["x_order"], world.contact_person, deputy=colleague)

    assert http.get(reverse("plan_edit", args=[plan.pk])).status_code == 200
    assert http.post(reverse("plan_edit", args=[plan.pk]), page_data(plan)).status_code == 302


def test_a_contact_person_named_in_her_place_takes_the_plan_over(world, cases, colleague):
    plan = cases["x_plan"]
    assign_contact(world, cases["x_order"], colleague)

    assert (
        world.login(world.contact_person).get(reverse("plan_edit", args=[plan.pk])).status_code
        == 404
    )
    assert world.login(colleague).get(reverse("plan_edit", args=[plan.pk])).status_code == 200


def test_a_change_order_keeps_the_contact_person_until_the_coordinator_names_another(
    world, cases, colleague
):
    # Given Lisa's plan completed, and a change order sent and started: nobody named on it yet
    plan = cases["x_plan"]
    complete(world, plan)
    draft = order_services.order_change_create(
        order=cases["x_order"], by=world.officer, valid_from=TODAY
    )
    change = order_services.order_send(order=draft, by=world.officer)
    change = order_services.order_execute(order=change, by=world.coordinator, executed_on=TODAY)
    plan = plans_visible_to(world.contact_person).get(pk=plan.pk)

    # Then the contact person named on the order it replaced revises the plan
    assert permissions.can_write_plan(world.contact_person, plan)
    revise = world.login(world.contact_person).get(reverse("plan_edit", args=[plan.pk]))
    assert revise.status_code == 200

    # until the coordinator names her colleague on the change.
    assign_contact(world, change, colleague)
    assert (
        world.login(world.contact_person).get(reverse("plan_edit", args=[plan.pk])).status_code
        == 404
    )
    assert world.login(colleague).get(reverse("plan_edit", args=[plan.pk])).status_code == 200


def test_her_worklist_of_plans_to_write_holds_only_her_clients(world, cases, colleague):
    url = reverse("worklist", args=["planer-att-skriva"])

    rows = world.login(world.contact_person).get(url).context["section"].rows
    assert [order.pk for order in rows] == [cases["x_order"].pk]
    rows = world.login(colleague).get(url).context["section"].rows
    assert [order.pk for order in rows] == [cases["y_order"].pk]
    rows = world.login(world.coordinator).get(url).context["section"].rows
    assert {order.pk for order in rows} == {cases["x_order"].pk, cases["y_order"].pk}


def test_the_permission_agrees_with_what_she_reads(world, cases, colleague):
    # One rule: the plans a contact person may write are the provider's plans she can find.
    for user in (world.contact_person, colleague, world.coordinator):
        readable = set(plans_visible_to(user).values_list("pk", flat=True))
        writable = {
            plan.pk
            for plan in ImplementationPlan.objects.all()
            if permissions.can_write_plan(user, plan)
        }
        assert readable == writable, user
