"""The review's page, the list of reviews and the continuity page in a real browser: each passes
axe, and an officer completes a review with the form and its explicit button."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_login_and_clients import log_in_with_a_cookie
from tests.genomforandeplan.test_browser_axe import assert_passes_axe
from tests.uppfoljning.reviews_helpers import add_visits, day, executed_order, open_review
from uppfoljning.models import IndividualReview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review(world):
    order = executed_order(world, client=world.client, executed_on=day("2026-06-10"))
    add_visits(order, [(f"2026-11-10 {8 + n:02d}:00", f"p{n}") for n in range(11)])
    return open_review(world, client=world.client, order=order, due_on=timezone.localdate())


def test_an_officer_completes_a_review_in_the_browser(page, watched, live_server, world, review):
    log_in_with_a_cookie(page, live_server, world.officer)
    page.goto(reverse("review_detail", args=[review.pk]))
    assert_passes_axe(page)

    # Pressing the button with a question unanswered: the errors, named, and nothing saved.
    page.get_by_role("button", name="Registrera individuppföljningen").click()
    assert page.get_by_text("Formuläret innehåller fel").is_visible()
    assert_passes_axe(page)
    assert IndividualReview.objects.get(pk=review.pk).done_on is None

    page.get_by_label("Fungerar insatserna?").fill("Ja, hjälpen fungerar.")
    page.get_by_label("Tillgodoser insatserna behoven?").fill("Ja.")
    page.get_by_label("Behöver beslutet ändras?").fill("Nej.")
    page.get_by_label("Har brukaren varit delaktig i planeringen?").fill("Ja.")
    page.get_by_label("Är brukaren nöjd?").fill("Ja.")
    page.get_by_label("Jag har haft kontakt med brukarens kontaktman").check()
    page.get_by_label("Oförändrat").check()
    page.get_by_role("button", name="Registrera individuppföljningen").click()

    assert page.get_by_text("Individuppföljningen för Lisa Andersson är registrerad.").is_visible()
    assert IndividualReview.objects.get(pk=review.pk).done_by == world.officer
    assert watched.errors == []


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("review_list", "officer"),
        ("continuity", "officer"),
        ("continuity", "coordinator"),
    ],
)
def test_the_lists_pass_axe(page, watched, live_server, world, review, url, who):
    log_in_with_a_cookie(page, live_server, getattr(world, who))
    response = page.goto(reverse(url) + ("?manad=2026-11" if url == "continuity" else ""))
    assert response.status == 200
    assert page.get_by_text("Lisa Andersson").first.is_visible()
    assert_passes_axe(page)
    assert watched.errors == []
