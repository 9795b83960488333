"""Executed orders and plans for the genomforandeplan tests, built through the services."""

import datetime

import pytest

from bestallning import services as order_services
from genomforandeplan import services
from tests.bestallning.conftest import TODAY, catalogue, make_order, row


def executed_order(world, *, executed_on=None, rows=None, contact_person=None, **fields):
    """A sent and executed order (Duschhjälp twice a week unless `rows` says otherwise), with
    `contact_person` named the client's contact person if given (assign_contact)."""
    start = executed_on or TODAY - datetime.timedelta(days=3)
    decision_kwargs = {"valid_from": start - datetime.timedelta(days=1),
                       "decided_on": start - datetime.timedelta(days=1)}  # fmt: skip
    from tests.bestallning.conftest import make_decision

    decision = make_decision(world, **decision_kwargs)
    order = make_order(world, decision=decision, valid_from=start, rows=rows, **fields)
    order = order_services.order_send(order=order, by=world.officer)
    order = order_services.order_execute(order=order, by=world.coordinator, executed_on=start)
    if contact_person is not None:
        assign_contact(world, order, contact_person)
    return order


def assign_contact(world, order, contact_person=None, *, deputy=None):
    """The coordinator names the client's contact person (and deputy), as the app does (004
    §3.2.3): only she, and the coordinators, write the client's plan (issue 10)."""
    services.contact_assign(
        order=order,
        by=world.coordinator,
        contact_person=contact_person or world.contact_person,
        deputy=deputy,
    )
    order.refresh_from_db()
    return order


def participation(**overrides) -> dict:
    return {
        "participants": ["client", "relative"],
        "meeting_place": "home",
        "client_influence": "Lisa ville duscha på kvällen och själv välja kläder.",
        **overrides,
    }


def approval(**overrides) -> dict:
    return {
        "client_approved_on": TODAY,
        "client_approval_how": "Muntligt, i hemmet, med dottern närvarande.",
        **overrides,
    }


def plan_fields(plan, **overrides) -> dict:
    return {
        **participation(),
        **approval(),
        "planned_daily_visits": plan.planned_daily_visits,
        **overrides,
    }


def items_of(plan) -> list[services.PlanItemInput]:
    return [
        services.PlanItemInput(
            intervention_type=item.intervention_type,
            period=item.period,
            occasions=item.occasions,
            every_n_weeks=item.every_n_weeks,
            need_help_with="Hjälp att tvätta ryggen och fötterna.",
            my_goal="Klara håret själv.",
        )
        for item in plan.items.all()
    ]


def complete(world, plan, *, approved_on=None):
    plan = services.plan_save(
        plan=plan, by=world.contact_person, version=plan.version, fields=plan_fields(plan),
        items=items_of(plan),
    )  # fmt: skip
    return services.plan_complete(
        plan=plan, by=world.contact_person, client_approved_on=approved_on or TODAY,
        client_approval_how="Muntligt, i hemmet, med dottern närvarande.",
    )  # fmt: skip


@pytest.fixture
def order(world):
    """Lisa's executed order, with the world's contact person named hers: she writes the plan."""
    return executed_order(world, contact_person=world.contact_person)


@pytest.fixture
def unassigned_order(world):
    """Lisa's executed order before the coordinator has named a contact person."""
    return executed_order(world)


@pytest.fixture
def plan(world, order):
    return services.plan_start(order=order, by=world.contact_person)


__all__ = [
    "TODAY",
    "approval",
    "assign_contact",
    "catalogue",
    "complete",
    "executed_order",
    "items_of",
    "plan_fields",
    "row",
]
