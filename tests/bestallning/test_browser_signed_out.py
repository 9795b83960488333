"""Signed out while the order draft is open, in a real browser: the live time basis finds the
session gone. Nothing of the login page is swapped into the page; one notice says what happened,
and signing in again in a new tab lets the officer go on where she was."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from tests.bestallning.conftest import catalogue, make_order, row
from tests.browser.test_login_and_clients import PASSWORD, log_in_with_a_cookie, only_our_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def time_basis_answer(page, order):
    url = reverse("order_time_basis", args=[order.pk])
    return page.expect_response(lambda r: r.url.endswith(url) and r.request.method == "POST")


def test_signed_out_while_typing_the_page_stays_and_says_so_once(page, watched, live_server, world):
    kinds = catalogue(world.municipality)
    order = make_order(world, rows=[row(kinds["Duschhjälp"], occasions=2, minutes=30)])
    log_in_with_a_cookie(page, live_server, world.officer)
    edit_url = reverse("order_edit", args=[order.pk])
    page.goto(edit_url)
    title = page.title()
    total = page.locator("#time-basis-total")
    expect(total).to_contain_text("4:21 timmar/månad")
    page.evaluate("() => { window.stillTheSamePage = true }")

    # The session ends on the server, as it does after eight hours (the cookies stay).
    Session.objects.all().delete()
    minutes = page.get_by_label("Minuter per tillfälle")
    minutes.press("Control+a")
    with time_basis_answer(page, order) as answer:
        minutes.press_sequentially("40", delay=50)
    assert answer.value.status == 401

    notice = page.get_by_role("alert").filter(has_text="Du har blivit utloggad")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Inget av det du har skrivit på sidan har försvunnit")
    link = notice.get_by_role("link", name="Logga in igen i en ny flik")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", f"{reverse('login')}?next={edit_url}")
    # The notice leads the content, and the page is otherwise as it was.
    assert page.evaluate("() => document.getElementById('main').firstElementChild.id") == (
        "signed-out-notice"
    )
    expect(page.locator("main")).to_have_count(1)
    expect(page.get_by_label("Användarnamn")).to_have_count(0)
    assert page.title() == title
    expect(minutes).to_be_focused()
    expect(minutes).to_have_value("40")
    expect(total).to_contain_text("4:21 timmar/månad")  # not recomputed, not replaced
    assert page.evaluate("() => window.stillTheSamePage") is True

    # Typing on: still one notice.
    with time_basis_answer(page, order) as answer:
        minutes.press_sequentially("5", delay=50)
    assert answer.value.status == 401
    expect(page.locator("#signed-out-notice")).to_have_count(1)

    # Signing in again in the new tab lands on this order; back here, the page goes on working
    # (signing in gave a new CSRF token, which the page's requests now carry).
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.get_by_label("Användarnamn").fill(world.officer.username)
    tab.get_by_label("Lösenord").fill(PASSWORD)
    tab.get_by_role("button", name="Logga in").click()
    expect(tab).to_have_url(live_server.url + edit_url)
    tab.close()

    minutes.press("Control+a")
    with time_basis_answer(page, order) as answer:
        minutes.press_sequentially("40", delay=50)
    assert answer.value.status == 200
    expect(total).to_contain_text("5:48 timmar/månad")
    expect(page.locator("#signed-out-notice")).to_have_count(0)
    assert page.evaluate("() => window.stillTheSamePage") is True

    # The only console errors are Chromium's own lines for the two 401 answers (and htmx's).
    assert [e for e in watched.errors if not re.search(r"401|Response Status Error", e)] == []
    only_our_server(watched, live_server)
