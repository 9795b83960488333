"""The plan check's notices in the app: who sees which (uppfoljning.plan_check.notices_visible_to),
the list page filtered by kind and paginated, the start page's section, the menu's count (one
COUNT query, none for an htmx fragment), and query counts that do not grow with the rows."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from genomforandeplan import services as plan_services
from ramtid.models import AccessLog
from tests.bestallning.conftest import TODAY
from tests.uppfoljning.plan_check_helpers import executed, ready
from uppfoljning.choices import NoticeKind
from uppfoljning.models import Notice
from uppfoljning.plan_check import notices_visible_to, open_notice_count, run_plan_check

LONG_AGO = TODAY - datetime.timedelta(days=60)
URL = reverse("notice_list")


@pytest.fixture
def cases(world):
    """At the world's provider: one order with neither contact person nor plan, one with the
    contact person named and its plan late, one whose plan follow-up is due; at the other
    provider (same unit) one order with neither. Then the check has run."""
    bare = executed(world, on=LONG_AGO, client=world.client)
    assigned = executed(world, on=LONG_AGO)
    plan_services.contact_assign(
        order=assigned, by=world.coordinator, contact_person=world.contact_person
    )
    followed = executed(world, on=TODAY - datetime.timedelta(days=400))
    plan_services.contact_assign(
        order=followed, by=world.coordinator, contact_person=world.coordinator
    )
    plan = ready(world, followed, on=TODAY - datetime.timedelta(days=390))
    elsewhere = executed(world, on=LONG_AGO, provider=world.other_provider)
    run_plan_check()
    return {"bare": bare, "assigned": assigned, "followed": followed, "plan": plan,
            "elsewhere": elsewhere}  # fmt: skip


def _visible(user) -> set[str]:
    return set(notices_visible_to(user).values_list("key", flat=True))


def test_who_sees_which_notices(world, cases):
    bare, assigned, followed, plan, elsewhere = (
        cases[k] for k in ("bare", "assigned", "followed", "plan", "elsewhere")
    )
    ours = {
        f"contact_person_missing:{bare.pk}",
        f"plan_late:{bare.pk}",
        f"plan_late:{assigned.pk}",
        f"plan_follow_up_due:{plan.pk}:{plan_follow_up_due(plan)}",
    }
    theirs = {f"contact_person_missing:{elsewhere.pk}", f"plan_late:{elsewhere.pk}"}
    assert set(Notice.objects.values_list("key", flat=True)) == ours | theirs
    # The coordinator: her provider's; the other provider's coordinator: its own
    assert _visible(world.coordinator) == ours
    assert _visible(world.other_coordinator) == theirs
    # The contact person: only the orders she is the contact person (or deputy) for
    assert _visible(world.contact_person) == {f"plan_late:{assigned.pk}"}
    # The unit's officer: all of the unit's clients; another unit's officer: none
    assert _visible(world.officer) == ours | theirs
    for user in (world.other_officer, world.manager, world.fee_officer, world.administrator):
        assert _visible(user) == set()
    assert followed.pk  # (the follow-up notice names the order in force)


def plan_follow_up_due(plan) -> str:
    return f"{Notice.objects.get(plan=plan, kind=NoticeKind.PLAN_FOLLOW_UP_DUE).due_on}"


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("coordinator", 200),
        ("contact_person", 200),
        ("officer", 200),
        ("other_officer", 200),
        ("manager", 404),
        ("fee_officer", 404),
        ("administrator", 404),
    ],
)
def test_the_list_page_per_role(world, cases, user, status):
    response = world.login(getattr(world, user)).get(URL)
    assert response.status_code == status


def test_another_organisations_notices_are_not_on_the_page_whatever_the_filter(world, cases):
    http = world.login(world.other_coordinator)
    for query in ("", "?visa=alla", "?typ=plan_late", "?visa=stangda", "?typ=plan_follow_up_due"):
        html = http.get(URL + query).content.decode()
        assert world.client.last_name not in html, query
        assert reverse("order_detail", args=[cases["bare"].pk]) not in html
    response = world.login(world.other_officer).get(URL + "?visa=alla")
    assert response.context["page"].paginator.count == 0


def test_the_list_links_each_notice_to_where_it_is_done(world, cases):
    coordinator = world.login(world.coordinator).get(URL).content.decode()
    assert reverse("contact_assign", args=[cases["bare"].pk]) in coordinator
    assert reverse("plan_follow_up", args=[cases["plan"].pk]) in coordinator
    # A late plan not yet started links to the order (its page starts the plan)
    assert reverse("order_detail", args=[cases["bare"].pk]) in coordinator

    officer = world.login(world.officer).get(URL).content.decode()
    assert reverse("contact_assign", args=[cases["bare"].pk]) not in officer
    assert reverse("order_detail", args=[cases["bare"].pk]) in officer
    assert reverse("plan_detail", args=[cases["plan"].pk]) in officer
    assert reverse("plan_follow_up", args=[cases["plan"].pk]) not in officer


def test_the_list_filters_by_kind_and_by_open_or_closed(world, cases):
    http = world.login(world.coordinator)
    kinds = {n.kind for n in http.get(URL + "?typ=plan_late").context["page"].object_list}
    assert kinds == {NoticeKind.PLAN_LATE}
    assert http.get(URL).context["page"].paginator.count == 4

    # Name the missing contact person: the notice closes and moves to the closed ones
    plan_services.contact_assign(
        order=cases["bare"], by=world.coordinator, contact_person=world.contact_person
    )
    run_plan_check()
    assert http.get(URL).context["page"].paginator.count == 3
    closed = http.get(URL + "?visa=stangda")
    [notice] = closed.context["page"].object_list
    assert notice.kind == NoticeKind.CONTACT_PERSON_MISSING
    assert "Klar" in closed.content.decode()
    assert http.get(URL + "?visa=alla").context["page"].paginator.count == 4
    # A kind that does not exist is an error on the field, not a crash
    response = http.get(URL + "?typ=nonsense")
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_the_list_logs_the_clients_it_shows(world, cases):
    world.login(world.coordinator).get(URL)
    [entry] = AccessLog.objects.filter(user=world.coordinator)
    assert set(entry.client_ids) == set(
        Notice.objects.filter(provider=world.provider).values_list("client_id", flat=True)
    )


def test_the_start_page_shows_the_section(world, cases):
    response = world.login(world.coordinator).get(reverse("start"))
    [section] = [s for s in response.context["sections"] if s.worklist.key == "paminnelser"]
    assert section.count == 4
    assert [row.due_on for row in section.rows] == sorted(row.due_on for row in section.rows)
    assert reverse("contact_assign", args=[cases["bare"].pk]) in response.content.decode()
    # The whole list, with the kind filter
    page = world.login(world.coordinator).get(
        reverse("worklist", args=["paminnelser"]) + "?typ=contact_person_missing"
    )
    assert page.status_code == 200
    assert [r.kind for r in page.context["section"].rows] == [NoticeKind.CONTACT_PERSON_MISSING]
    assert (
        world.login(world.fee_officer).get(reverse("worklist", args=["paminnelser"])).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# The menu's count


def _notice_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "uppfoljning_notice" in q["sql"]]


@pytest.mark.parametrize("user", ["coordinator", "contact_person", "officer"])
def test_the_menu_counts_open_notices_in_one_count_query(world, cases, user):
    person = getattr(world, user)
    http = world.login(person)
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("client_list"))
    [sql] = _notice_queries(queries)
    assert sql.startswith("SELECT COUNT(*)")
    expected = open_notice_count(person)
    assert expected > 0
    html = response.content.decode()
    assert re.search(
        rf'Påminnelser <span class="nav-count">{expected}<span class="visually-hidden"> '
        r"öppna påminnelser</span>",
        html,
    )


def test_an_htmx_fragment_draws_no_menu_and_counts_nothing(world, cases):
    http = world.login(world.coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = http.post(reverse("client_list"), {"q": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _notice_queries(queries) == []


def test_no_menu_item_for_those_without_notices(world):
    html = world.login(world.fee_officer).get(reverse("start")).content.decode()
    assert "Påminnelser" not in html


# ---------------------------------------------------------------------------------------------
# Query counts: 5 rows and 50 cost the same


def _late_orders(world, count: int) -> None:
    """`count` orders with neither contact person nor plan: two notices each."""
    for _ in range(count):
        executed(world, on=LONG_AGO)


def _queries(http, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("user", ["coordinator", "officer"])
@pytest.mark.parametrize(
    "url",
    [URL, reverse("worklist", args=["paminnelser"]), reverse("start")],
    ids=["list", "worklist", "start"],
)
def test_the_pages_cost_the_same_for_5_and_50_notices(world, user, url):
    _late_orders(world, 3)  # 6 notices
    run_plan_check()
    http = world.login(getattr(world, user))
    few, response = _queries(http, url)
    assert Notice.objects.count() == 6

    _late_orders(world, 22)  # 50 notices
    run_plan_check()
    many, response = _queries(http, url)

    assert Notice.objects.count() == 50
    if url == URL:
        assert len(response.context["page"].object_list) == 50
    assert many == few
