"""The pages that show a completed plan pass axe in a real browser: the officer's review (the plan
and the order side by side, with the same interventions in both), a version on its own, and the
plan's page, which shares the plan's content with them."""

import pytest
from django.urls import reverse

from genomforandeplan import services
from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.conftest import complete, executed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def completed_plan(world):
    """A plan written against the order it was started from: the same interventions, at the
    same frequencies, on both sides of the review."""
    plan = services.plan_start(
        order=executed_order(world, contact_person=world.contact_person), by=world.contact_person
    )
    complete(world, plan)  # version 1, waiting for the officer's review
    return plan


def assert_passes_axe(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(
    ("url_name", "who"),
    [
        ("plan_review", "officer"),
        ("plan_version", "officer"),
        ("plan_version", "contact_person"),
        ("plan_detail", "officer"),
    ],
)
def test_a_completed_plan_passes_axe(page, watched, live_server, world, completed_plan, url_name,
                                     who):  # fmt: skip
    args = [completed_plan.pk, 1] if url_name == "plan_version" else [completed_plan.pk]
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(reverse(url_name, args=args))
    assert response.status == 200
    assert_passes_axe(page)
    assert watched.errors == []
