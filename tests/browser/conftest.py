"""Playwright against pytest-django's live server, with Debian's Chromium, never a downloaded one.

The live server runs in a thread of this process, and Playwright's sync API keeps an asyncio event
loop running in the main thread, so Django's guard against ORM calls from async code would refuse
the test's own database work (fixtures, factories). Nothing here is async, so it is switched off.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

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


@pytest.fixture(autouse=True)
def _static_files_from_the_finders(settings):
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
def page(browser, live_server, watched) -> Iterator:
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
