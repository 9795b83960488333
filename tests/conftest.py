"""Shared fixtures: two municipalities' worth of organisations and a user in every role.

`world` is the matrix the access tests walk: each organisation has a twin in another unit,
provider or municipality, so "another organisation's object" is always at hand.

The browser fixtures (`browser`, `page`, `watched`) are here too, not in tests/browser/, so that
each app's browser tests share the one Playwright session: two sync Playwright instances cannot
run in the same thread.
"""

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client as HttpClient
from django.test.utils import override_settings

from ramtid.choices import Role
from ramtid.models import Client, Municipality, OrderingUnit, Provider, User
from tests.factories import (
    ClientFactory,
    MunicipalityFactory,
    OrderingUnitFactory,
    ProviderFactory,
    UserFactory,
    member,
)


@pytest.fixture(autouse=True)
def reference_data(request):
    """The catalogue and the ICF life areas come from a data migration, and a transactional test
    ends by emptying every table: load them again before each transactional test (the loader is
    idempotent), so no test depends on running before one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load = importlib.import_module("ramtid.migrations.0002_reference_data").load
        load(django_apps, None)


# Production hashes with PBKDF2; tests create many users and need not pay for that.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """`manage.py load_demo --force` once per test module; its output.

    The demo is loaded in a transaction that stays open until the module's last test has run and
    is then rolled back. Each test (the `db` fixture) runs in a savepoint inside it, rolled back
    after the test, so the tests see the demo and none of each other's writes. A module that uses
    this should use it in every database test: a test of the module that does not ask for it may
    still run while the transaction is open. Not for transactional or live-server tests.
    """
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            call_command("load_demo", "--force", stdout=out)
        # Between the tests the database is blocked again, as for any test without `db`.
        with django_db_blocker.block():
            yield out.getvalue()
        transaction.set_rollback(True)


@dataclass
class World:
    municipality: Municipality
    other_municipality: Municipality
    unit: OrderingUnit
    other_unit: OrderingUnit
    provider: Provider
    other_provider: Provider
    officer: User
    other_officer: User
    manager: User
    other_manager: User
    coordinator: User
    contact_person: User
    other_coordinator: User
    fee_officer: User
    administrator: User
    client: Client
    other_client: Client

    def login(self, user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http


@pytest.fixture
def world(db) -> World:
    municipality = MunicipalityFactory(name="Järfälla", code="0123")
    other_municipality = MunicipalityFactory(
        name="Stockholm", code="0180", plan_deadline_days=15, delegation_hours=136
    )
    unit = OrderingUnitFactory(municipality=municipality, name="Biståndsenheten Järfälla")
    other_unit = OrderingUnitFactory(municipality=other_municipality, name="Östermalm")
    provider = ProviderFactory(municipality=municipality, name="Trygg Omsorg AB")
    other_provider = ProviderFactory(municipality=municipality, name="Hemtjänst Norr AB")
    officer = member(UserFactory(username="handlaggare"), Role.CASE_OFFICER, unit=unit)
    other_officer = member(UserFactory(username="annan"), Role.CASE_OFFICER, unit=other_unit)
    return World(
        municipality=municipality,
        other_municipality=other_municipality,
        unit=unit,
        other_unit=other_unit,
        provider=provider,
        other_provider=other_provider,
        officer=officer,
        other_officer=other_officer,
        manager=member(UserFactory(username="chef"), Role.UNIT_MANAGER, unit=unit),
        other_manager=member(UserFactory(username="annanchef"), Role.UNIT_MANAGER, unit=other_unit),
        coordinator=member(
            UserFactory(username="samordnare"), Role.PROVIDER_COORDINATOR, provider=provider
        ),
        contact_person=member(
            UserFactory(username="kontaktman"), Role.CONTACT_PERSON, provider=provider
        ),
        other_coordinator=member(
            UserFactory(username="annansamordnare"),
            Role.PROVIDER_COORDINATOR,
            provider=other_provider,
        ),
        fee_officer=member(
            UserFactory(username="avgift"), Role.FEE_OFFICER, municipality=municipality
        ),
        administrator=member(
            UserFactory(username="admin", is_staff=True),
            Role.ADMINISTRATOR,
            municipality=municipality,
        ),
        client=ClientFactory(
            ordering_unit=unit,
            responsible_officer=officer,
            first_name="Lisa",
            last_name="Andersson",
        ),
        other_client=ClientFactory(
            ordering_unit=other_unit,
            responsible_officer=other_officer,
            first_name="Olle",
            last_name="Östlund",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Browser tests: Playwright against pytest-django's live server, with Debian's Chromium, never a
# downloaded one.
#
# The live server runs in a thread of this process, and Playwright's sync API keeps an asyncio
# event loop running in the main thread, so Django's guard against ORM calls from async code would
# refuse the test's own database work (fixtures, factories). Nothing here is async, so it is
# switched off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def static_files_from_the_finders(settings):
    # The live server serves /static/ from the finders, which know app.css but not the hashed
    # names (app.1a2b3c.css) a manifest storage would write into the page.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} saknas: installera paketet chromium (make system-test-deps).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Watched:
    """What a page did behind the scenes: console errors and every URL it requested."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def watched() -> Watched:
    return Watched()


@pytest.fixture
def page(browser, live_server, watched, static_files_from_the_finders) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORT,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("request", lambda request: watched.requests.append(request.url))
    yield page
    context.close()
