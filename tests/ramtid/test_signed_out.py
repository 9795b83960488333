"""An htmx request whose session has ended gets 401 and an event, not the login page to swap in
(ramtid/middleware.py); every other request still goes to the login page."""

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.bestallning.conftest import make_order

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def htmx_headers(current_url: str) -> dict:
    return {"HX-Request": "true", "HX-Current-URL": current_url}


def test_an_htmx_request_without_a_session_gets_401_and_the_event(world):
    order = make_order(world)
    page = reverse("order_edit", args=[order.pk])
    response = HttpClient().post(
        reverse("order_time_basis", args=[order.pk]),
        headers=htmx_headers(f"http://testserver{page}?rad=2"),
    )
    assert response.status_code == 401
    assert response.content == b""  # nothing for htmx to swap in
    # Signing in again leads back to the page the request came from, not to the htmx endpoint.
    assert json.loads(response["HX-Trigger"]) == {
        "ramtid:signed-out": {"login_url": f"{LOGIN}?next={page}%3Frad%3D2"}
    }


def test_a_page_on_another_site_is_not_where_signing_in_leads(world):
    order = make_order(world)
    response = HttpClient().post(
        reverse("order_time_basis", args=[order.pk]),
        headers=htmx_headers("https://elsewhere.example/ordrar/1/"),
    )
    assert response.status_code == 401
    assert json.loads(response["HX-Trigger"]) == {"ramtid:signed-out": {"login_url": LOGIN}}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_ordinary_request_without_a_session_still_goes_to_the_login_page(world, method):
    order = make_order(world)
    url = reverse("order_edit", args=[order.pk])
    response = getattr(HttpClient(), method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"
    assert "HX-Trigger" not in response


def test_a_signed_in_htmx_request_is_left_alone(world):
    order = make_order(world)
    response = world.login(world.officer).post(
        reverse("order_time_basis", args=[order.pk]),
        headers=htmx_headers(f"http://testserver{reverse('order_edit', args=[order.pk])}"),
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response


def test_an_htmx_redirect_elsewhere_is_left_alone(world):
    """Only the way to the login page is turned into the event: a signed-in user's redirect
    (the order sent meanwhile, say) is the view's own answer."""
    order = make_order(world)
    response = world.login(world.officer).get(
        reverse("order_detail", args=[order.pk]), headers=htmx_headers("http://testserver/")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("order_edit", args=[order.pk])
