"""The API menu link and the API docs page (Swagger UI) under the Content-Security-Policy.

Who sees the link is decided in ramtid.permissions (uses_the_api, navigation_for). The docs page
loads Swagger UI from our own static files and starts it with an inline script that carries the
response's CSP nonce; no other page gets a nonce.
"""

import re

import pytest
from django.urls import reverse

from ramtid.permissions import navigation_for, uses_the_api
from tests.factories import UserFactory

API_DOCS = "/api/docs/"


def _nav_html(html: str) -> str:
    return html[html.index('aria-label="Huvudmeny"') : html.index("</nav>")]


@pytest.mark.parametrize(
    ("role", "sees_the_link"),
    [
        ("administrator", True),
        ("coordinator", True),
        ("officer", False),
        ("manager", False),
        ("contact_person", False),
        ("fee_officer", False),
    ],
)
def test_only_those_who_use_the_api_see_its_menu_link(world, role, sees_the_link):
    user = getattr(world, role)

    response = world.login(user).get(reverse("start"))

    assert response.status_code == 200
    nav = _nav_html(response.content.decode())
    assert (f'href="{API_DOCS}"' in nav) is sees_the_link
    assert ("api_docs" in [item.name for item in navigation_for(user)]) is sees_the_link
    assert uses_the_api(user) is sees_the_link


def test_a_superuser_without_a_role_sees_the_api_link(world):
    superuser = UserFactory(is_superuser=True, is_staff=True)

    nav = _nav_html(world.login(superuser).get(reverse("start")).content.decode())

    assert f'href="{API_DOCS}"' in nav


def test_a_staff_user_without_the_administrator_role_does_not(world):
    # Staff status opens the Django admin, not the API.
    staff = UserFactory(is_staff=True)

    assert not uses_the_api(staff)
    assert "api_docs" not in [item.name for item in navigation_for(staff)]


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_docs_page_runs_swagger_ui_from_our_own_files_with_a_nonce(world):
    response = world.login(world.administrator).get(API_DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    csp = _csp(response)
    nonces = {value for value in csp["script-src"] if value.startswith("'nonce-")}
    assert len(nonces) == 1
    nonce = nonces.pop().removeprefix("'nonce-").removesuffix("'")
    assert f"'nonce-{nonce}'" in csp["style-src"]
    # Every inline script and style carries that nonce; every file comes from our static files.
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts, "Swagger UI is started by an inline script"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert all(f'nonce="{nonce}"' in a for a in re.findall(r"<style([^>]*)>", html))
    sources = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in source for source in sources)
    assert all(source.startswith("/static/drf_spectacular_sidecar/") for source in sources)
    # No online validator: nothing is sent to validator.swagger.io.
    assert '"validatorUrl": null' in html


def test_each_response_gets_its_own_nonce(world):
    http = world.login(world.administrator)

    first, second = (_csp(http.get(API_DOCS))["script-src"] for _ in range(2))

    assert first != second


def test_other_pages_allow_no_inline_code(world):
    response = world.login(world.administrator).get(reverse("start"))

    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert "nonce=" not in response.content.decode()


def test_the_schema_and_its_docs_are_for_signed_in_users(client, db):
    """They describe case data: not for anyone on the network."""
    for url in ("/api/schema/", API_DOCS):
        assert client.get(url).status_code in (401, 403)
