"""The API docs in a real browser: a provider's coordinator follows the "API" menu link and gets
Swagger UI, not a blank page. Before, the CSP blocked Swagger UI's inline start script."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_login_and_clients import PASSWORD, only_our_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_link_opens_swagger_ui_without_console_errors(
    page, watched, live_server, world, transactional_db
):
    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill(world.coordinator.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="API").click()

    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    # Swagger UI has run: it fetched the schema and drew the title and the operations from it.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ramtid API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    assert any(url.endswith("/api/schema/") for url in watched.requests)
    assert watched.errors == []
    only_our_server(watched, live_server)
