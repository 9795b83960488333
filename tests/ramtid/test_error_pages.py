"""The error pages a user meets with debug off (production, `make run`, these tests): Swedish, in
the site's layout, never Django's English pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.views.defaults import server_error


def _raise_permission_denied(request):
    raise PermissionDenied


def _raise_an_error(request):
    raise RuntimeError("ett fel i en vy")


# The whole site's URLs plus two views that fail, for the tests marked with this module's urls.
urlpatterns = [
    path("test/forbjuden/", _raise_permission_denied),
    path("test/fel/", _raise_an_error),
    path("", include("ramtid.urls")),
]


def test_a_missing_page_is_the_swedish_404_with_the_menu(world, settings):
    assert settings.DEBUG is False

    response = world.login(world.officer).get("/sidan-finns-inte/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Sidan finns inte</h1>" in html
    assert 'aria-label="Huvudmeny"' in html
    assert "Not Found" not in html and "Page not found" not in html


def test_another_organisations_object_gets_the_same_404(world):
    response = world.login(world.officer).get(
        reverse("client_detail", args=[world.other_client.pk])
    )

    assert response.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in response.content.decode()


def test_the_500_page_renders_without_a_database_or_a_request_context(rf: RequestFactory):
    # No `db` fixture: any query would fail the test, as it would while the database is down.
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Något gick fel</h1>" in html
    assert "Server Error" not in html
    # The stylesheet by its collected, hashed name (the manifest storage, as in production).
    assert 'href="/static/ramtid/app.' in html
    assert 'href="/static/ramtid/app.css"' not in html


@pytest.mark.urls(__name__)
def test_an_error_in_a_view_shows_the_swedish_500(db):
    http = HttpClient(raise_request_exception=False)

    response = http.get("/test/fel/")

    assert response.status_code == 500
    assert "<h1>Något gick fel</h1>" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_refused_action_is_the_swedish_403(world):
    response = world.login(world.officer).get("/test/forbjuden/")

    assert response.status_code == 403
    assert "<h1>Du har inte behörighet</h1>" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_swedish_403_and_nothing_happens(world):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.officer)

    # Logging out is a form post; without the token it is refused and the session stays.
    response = http.post(reverse("logout"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Formuläret kunde inte skickas</h1>" in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html
    assert 'aria-label="Huvudmeny"' in html  # the site's layout, with the user's menu
    assert http.get(reverse("start")).status_code == 200


def test_a_bad_host_gets_a_swedish_400(client, settings):
    settings.ALLOWED_HOSTS = ["ramtid.example.se"]
    response = client.get("/", headers={"host": "evil.example.com"})
    assert response.status_code == 400
    assert "Felaktig begäran" in response.content.decode()
