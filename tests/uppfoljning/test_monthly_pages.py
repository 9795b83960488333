"""The time check's pages, exports, API and worklists: who sees what (another organisation's row
is a 404, a visible row the user may not act on a 403), the forms, the fee officers' files, the
access log, and query counts that do not grow with the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ramtid.choices import AccessAction, Role
from ramtid.models import AccessLog, User
from tests.factories import UserFactory, member
from tests.spreadsheets import xlsx_values
from tests.uppfoljning.monthly_helpers import add_visits, client_of, sent_order
from uppfoljning.choices import TimeStatus
from uppfoljning.models import MonthlyTimeResult
from uppfoljning.monthly import run_monthly_check

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)  # this month: its deadline is ahead whatever day the tests run
MANAD = f"{MONTH:%Y-%m}"
FEW, MANY = 5, 50


def _over(world, *, client=None, provider=None, performed=4000):
    order = sent_order(world, client=client, provider=provider, monthly=3000,
                       valid_from=MONTH - datetime.timedelta(days=40))  # fmt: skip
    add_visits(order, MONTH, performed=performed)
    return order


def _check(world):
    run_monthly_check(municipality=world.municipality, month=MONTH)


@pytest.fixture
def result(world):
    """Lisa's month, over by 1000 minutes, at the world's provider and unit."""
    order = _over(world, client=world.client)
    _check(world)
    return MonthlyTimeResult.objects.get(order=order)


def _get(user, url):
    http = APIClient()
    http.force_login(User.objects.get(pk=user.pk))
    return http.get(url)


# ---------------------------------------------------------------------------------------------
# Access

DETAIL_ACCESS = [
    ("officer", 200),
    ("manager", 200),
    ("coordinator", 200),
    ("contact_person", 200),
    ("other_coordinator", 404),
    ("other_officer", 404),
    ("other_manager", 404),
    ("fee_officer", 404),
    ("administrator", 404),
]


@pytest.mark.parametrize(("role", "status"), DETAIL_ACCESS)
def test_who_opens_a_result(world, result, role, status):
    assert _get(getattr(world, role), reverse("time_result", args=[result.pk])).status_code == (
        status
    )
    api = _get(getattr(world, role), f"/api/tidsuppfoljning/{result.pk}/")
    assert api.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 302), ("contact_person", 403), ("officer", 403), ("other_coordinator", 404)],
)
def test_only_the_providers_coordinator_explains(world, result, role, status):
    http = world.login(getattr(world, role))
    response = http.post(reverse("time_result_explain", args=[result.pk]),
                         {"category": "absence", "text": "Sjukhus."})  # fmt: skip
    assert response.status_code == status
    result.refresh_from_db()
    assert bool(result.explanation_category) == (status == 302)


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 302), ("manager", 403), ("coordinator", 403), ("other_officer", 404)],
)
def test_only_the_units_officer_decides(world, result, role, status):
    MonthlyTimeResult.objects.filter(pk=result.pk).update(
        explanation_category="absence", explanation_text="Sjukhus."
    )
    http = world.login(getattr(world, role))
    response = http.post(reverse("time_result_decide", args=[result.pk]), {"decision": "approved"})
    assert response.status_code == status
    result.refresh_from_db()
    assert (result.decision == "approved") == (status == 302)


def test_lists_show_only_the_users_rows(world, result):
    other = _over(world, provider=world.other_provider)
    _check(world)
    url = reverse("time_results") + f"?manad={MANAD}"
    officer_rows = _get(world.officer, url).context["page"].object_list
    assert {r.order_id for r in officer_rows} == {result.order_id, other.pk}
    coordinator_rows = _get(world.coordinator, url).context["page"].object_list
    assert [r.order_id for r in coordinator_rows] == [result.order_id]
    assert _get(world.other_officer, url).context["page"].paginator.count == 0
    assert _get(world.fee_officer, url).status_code == 404
    api = _get(world.other_coordinator, f"/api/tidsuppfoljning/?month={MANAD}").json()
    assert [r["order"] for r in api["results"]] == [other.pk]


# ---------------------------------------------------------------------------------------------
# The pages


def test_the_month_page_counts_filters_and_logs(world, result):
    within = _over(world, performed=3000)
    _check(world)
    http = world.login(world.officer)
    response = http.get(reverse("time_results") + f"?manad={MANAD}")
    counts = response.context["counts"]
    assert (counts["total"], counts["over"], counts["within"], counts["to_explain"]) == (2, 1, 1, 1)
    html = response.content.decode()
    assert f"Tidsuppföljning {MANAD}" in html
    assert f"{result.billing_deadline:%Y-%m-%d}" in html
    assert "16:40" in html and "Behöver förklaras" in html  # 1000 minutes over

    over_only = http.get(reverse("time_results") + f"?manad={MANAD}&status=over")
    assert [r.order_id for r in over_only.context["page"].object_list] == [result.order_id]
    to_explain = http.get(reverse("time_results") + f"?manad={MANAD}&att_gora=forklara")
    assert [r.order_id for r in to_explain.context["page"].object_list] == [result.order_id]
    assert within.pk not in [r.order_id for r in to_explain.context["page"].object_list]
    entry = AccessLog.objects.filter(user=world.officer, action=AccessAction.LIST).latest("pk")
    assert entry.client_ids == [result.client_id]
    # Without ?manad= the latest month the user has results for.
    assert http.get(reverse("time_results")).context["month"] == MONTH
    bad = http.get(reverse("time_results") + "?manad=2026-13")
    assert "Skriv månaden som ÅÅÅÅ-MM" in bad.content.decode()


def test_explaining_and_deciding_through_the_pages(world, result):
    coordinator = world.login(world.coordinator)
    page = coordinator.get(reverse("time_result", args=[result.pk]))
    html = page.content.decode()
    assert "Skicka förklaringen" in html and "Godkänn förklaringen" not in html
    assert f"{result.billing_deadline:%Y-%m-%d}" in html

    # An empty explanation is refused, naming the fields
    # (200 with the errors shown, as every form page in the app answers)
    refused = coordinator.post(reverse("time_result_explain", args=[result.pk]), {})
    assert refused.status_code == 200
    assert "Formuläret innehåller fel" in refused.content.decode()

    coordinator.post(reverse("time_result_explain", args=[result.pk]),
                     {"category": "absence", "text": "Sjukhus 3–10."})  # fmt: skip
    officer = world.login(world.officer)
    html = officer.get(reverse("time_result", args=[result.pk])).content.decode()
    assert "Sjukhus 3–10." in html and "Godkänn förklaringen" in html
    assert "Avslå förklaringen" in html

    # A rejection needs a reason
    refused = officer.post(reverse("time_result_decide", args=[result.pk]),
                           {"decision": "rejected", "reason": ""})  # fmt: skip
    assert refused.status_code == 200
    assert "Skriv varför förklaringen avslås." in refused.content.decode()
    officer.post(reverse("time_result_decide", args=[result.pk]),
                 {"decision": "rejected", "reason": "Ingen journal."})  # fmt: skip
    result.refresh_from_db()
    assert (result.decision, result.decision_reason) == ("rejected", "Ingen journal.")
    html = coordinator.get(reverse("time_result", args=[result.pk])).content.decode()
    assert "Ingen journal." in html and "Ny förklaring" in html


def test_a_frozen_month_says_why_and_offers_no_forms(world):
    order = sent_order(world, valid_from=datetime.date(2026, 9, 1))
    add_visits(order, datetime.date(2026, 10, 1), performed=9000)
    run_monthly_check(municipality=world.municipality, month=datetime.date(2026, 10, 1),
                      today=datetime.date(2026, 11, 20))  # fmt: skip
    frozen = MonthlyTimeResult.objects.get()
    for user in (world.coordinator, world.officer):
        html = world.login(user).get(reverse("time_result", args=[frozen.pk])).content.decode()
        assert "Månaden är låst sedan" in html and "förklarades inte" in html
        assert "Skicka förklaringen" not in html and "Godkänn förklaringen" not in html
    response = world.login(world.coordinator).post(
        reverse("time_result_explain", args=[frozen.pk]), {"category": "other", "text": "Sent."}
    )
    assert response.status_code == 302
    frozen.refresh_from_db()
    assert frozen.explanation_category == ""


def test_the_menu_has_the_pages_for_those_who_use_them(world):
    def labels(user):
        response = world.login(user).get(reverse("start"))
        return [str(item.label) for item in response.context["navigation"]]

    assert "Tidsuppföljning" in labels(world.officer)
    assert "Tidsuppföljning" in labels(world.coordinator)
    assert "Övertid" in labels(world.fee_officer)
    assert "Tidsuppföljning" not in labels(world.fee_officer)
    assert "Övertid" not in labels(world.officer)


# ---------------------------------------------------------------------------------------------
# The fee officers' over-time list and files


@pytest.fixture
def over_time(world, result):
    formula = client_of(world, last_name='=HYPERLINK("http://x")', first_name="+Eva")
    _over(world, client=formula, performed=3100)  # over, but within tolerance: listed too
    _over(world, performed=2000)  # under: not listed
    _check(world)
    return formula


def test_the_over_time_list_has_the_orders_over_their_time(world, over_time):
    response = world.login(world.fee_officer).get(reverse("over_time") + f"?manad={MANAD}")
    rows = response.context["page"].object_list
    assert {r.client_id for r in rows} == {world.client.pk, over_time.pk}
    assert {r.status for r in rows} == {TimeStatus.OVER, TimeStatus.WITHIN}
    html = response.content.decode()
    assert "Ladda ner CSV" in html and "Ladda ner Excel" in html
    assert world.client.personal_number not in html  # masked on screen
    # Figures only: no link to the order, the plan or the result.
    assert reverse("time_result", args=[rows[0].pk]) not in html
    assert "/bestallningar/" not in html and "/genomforandeplan" not in html
    entry = AccessLog.objects.filter(user=world.fee_officer).latest("pk")
    assert (entry.action, set(entry.client_ids)) == ("list", {world.client.pk, over_time.pk})


@pytest.mark.parametrize("name", ["over_time", "over_time_csv", "over_time_xlsx"])
@pytest.mark.parametrize("role", ["officer", "coordinator", "administrator", "other_officer"])
def test_only_fee_officers_have_the_over_time_list(world, over_time, name, role):
    assert _get(getattr(world, role), reverse(name)).status_code == 404


def test_another_municipalitys_fee_officer_sees_none_of_it(world, over_time):
    other = member(UserFactory(), Role.FEE_OFFICER, municipality=world.other_municipality)
    response = world.login(other).get(reverse("over_time") + f"?manad={MANAD}")
    assert response.context["page"].paginator.count == 0
    csv_text = world.login(other).get(reverse("over_time_csv") + f"?manad={MANAD}")
    body = b"".join(csv_text.streaming_content)  # streamed (ramtid.exports.export_list)
    assert body.decode("utf-8-sig").count("\r\n") == 1  # the header only


def test_the_csv_is_for_swedish_excel_and_never_a_formula(world, over_time):
    response = world.login(world.fee_officer).get(reverse("over_time_csv") + f"?manad={MANAD}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="overtid-{MANAD}.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # streamed (ramtid.exports.export_list)
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("Månad;Efternamn;Förnamn;Personnummer;Utförare;Beställning;")
    formula_line = next(line for line in lines if "HYPERLINK" in line)
    assert formula_line.split(";")[1] == '"\'=HYPERLINK(""http://x"")"'
    assert formula_line.split(";")[2] == "'+Eva"
    lisa = next(line for line in lines if "Andersson" in line)
    assert world.client.personal_number_display in lisa
    assert ";16:40;" in lisa and ";1000;" in lisa  # over by 1000 minutes
    entry = AccessLog.objects.filter(user=world.fee_officer).latest("pk")
    assert (entry.action, set(entry.client_ids)) == ("export", {world.client.pk, over_time.pk})


def test_the_xlsx_has_the_same_rows_as_text_never_formulas(world, over_time):
    response = world.login(world.fee_officer).get(reverse("over_time_xlsx") + f"?manad={MANAD}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    values = xlsx_values(response.content)  # fails on any formula
    assert any(str(value).startswith("'=HYPERLINK") for value in values)
    assert world.client.personal_number_display in values
    assert 1000 in values  # a number, not text
    entry = AccessLog.objects.filter(user=world.fee_officer).latest("pk")
    assert entry.action == "export"


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_lists_a_month_with_the_figures(world, result):
    api = APIClient()
    api.force_authenticate(world.officer)
    body = api.get(f"/api/tidsuppfoljning/?month={MANAD}").json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["month"] == MANAD and row["order"] == result.order_id
    assert row["client"] == {"id": world.client.pk, "name": world.client.full_name,
                             "personal_number": world.client.personal_number_display}  # fmt: skip
    assert (row["ordered_minutes"], row["performed_minutes"], row["deviation_minutes"]) == (
        3000, 4000, 1000
    )  # fmt: skip
    assert (row["status"], row["frozen"], row["decision"]) == ("over", False, "")
    assert row["billing_deadline"] == f"{result.billing_deadline:%Y-%m-%d}"
    assert api.get("/api/tidsuppfoljning/?month=2026-13").status_code == 400
    assert api.get("/api/tidsuppfoljning/?month=2001-01").json()["count"] == 0
    bad = api.get("/api/tidsuppfoljning/?month=oktober").json()
    assert bad == {"month": ["Skriv månaden som ÅÅÅÅ-MM, t.ex. 2026-10."]}
    assert api.get("/api/tidsuppfoljning/?status=within").json()["count"] == 0


def test_explaining_and_deciding_through_the_api(world, result):
    provider = APIClient()
    provider.force_authenticate(world.coordinator)
    url = f"/api/tidsuppfoljning/{result.pk}/"
    refused = provider.post(url + "forklara/", {"category": "absence", "text": ""}, format="json")
    assert refused.status_code == 400 and "text" in refused.json()
    explained = provider.post(url + "forklara/", {"category": "absence", "text": "Sjukhus."},
                              format="json")  # fmt: skip
    assert explained.status_code == 200
    assert explained.json()["explanation_text"] == "Sjukhus."
    assert provider.post(url + "beslut/", {"decision": "approved"}, format="json"
                         ).status_code == 403  # fmt: skip

    officer = APIClient()
    officer.force_authenticate(world.officer)
    assert officer.post(url + "forklara/", {"category": "absence", "text": "x"}, format="json"
                        ).status_code == 403  # fmt: skip
    refused = officer.post(url + "beslut/", {"decision": "rejected"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"reason": ["Skriv varför förklaringen avslås."]}
    decided = officer.post(url + "beslut/", {"decision": "approved"}, format="json")
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    again = officer.post(url + "beslut/", {"decision": "rejected", "reason": "x"}, format="json")
    assert again.status_code == 400

    stranger = APIClient()
    stranger.force_authenticate(world.other_coordinator)
    assert stranger.post(url + "forklara/", {"category": "absence", "text": "x"}, format="json"
                         ).status_code == 404  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Worklists


def test_the_worklists_hold_what_is_due(world, result):
    coordinator = world.login(world.coordinator)
    sections = {s.worklist.key: s for s in coordinator.get(reverse("start")).context["sections"]}
    assert [r.pk for r in sections["manader-att-forklara"].rows] == [result.pk]
    assert "tid-att-besluta" not in sections

    coordinator.post(reverse("time_result_explain", args=[result.pk]),
                     {"category": "absence", "text": "Sjukhus."})  # fmt: skip
    officer = world.login(world.officer)
    sections = {s.worklist.key: s for s in officer.get(reverse("start")).context["sections"]}
    assert [r.pk for r in sections["tid-att-besluta"].rows] == [result.pk]
    sections = {s.worklist.key: s for s in coordinator.get(reverse("start")).context["sections"]}
    assert sections["manader-att-forklara"].count == 0

    fee = world.login(world.fee_officer)
    sections = {s.worklist.key: s for s in fee.get(reverse("start")).context["sections"]}
    assert [r.pk for r in sections["overtid"].rows] == [result.pk]
    assert sections["overtid"].rows[0].over_minutes == 1000
    page = fee.get(reverse("worklist", args=["overtid"]))
    assert page.status_code == 200 and "Andersson" in page.content.decode()
    assert _get(world.other_officer, reverse("worklist", args=["tid-att-besluta"])
                ).context["section"].count == 0  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Query counts: 5 rows and 50 rows cost the same


def _queries(user, url) -> int:
    http = APIClient()
    http.force_login(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _many(world, count: int) -> None:
    """`count` more months over; every other one explained (both worklists have rows)."""
    for _index in range(count):
        _over(world)
    _check(world)
    MonthlyTimeResult.objects.filter(order_id__in=[
        pk for pk in MonthlyTimeResult.objects.values_list("order_id", flat=True) if pk % 2
    ]).update(explanation_category="absence", explanation_text="Sjukhus.")  # fmt: skip


def test_pages_worklists_exports_and_the_api_cost_the_same_for_5_and_50_rows(world):
    urls = [
        ("officer", f"/tidsuppfoljning/?manad={MANAD}"),
        ("coordinator", f"/tidsuppfoljning/?manad={MANAD}"),
        ("officer", "/"),
        ("coordinator", "/"),
        ("fee_officer", "/"),
        ("coordinator", "/arbetslista/manader-att-forklara/"),
        ("officer", "/arbetslista/tid-att-besluta/"),
        ("fee_officer", "/arbetslista/overtid/"),
        ("fee_officer", f"/overtid/?manad={MANAD}"),
        ("fee_officer", f"/overtid/overtid.csv?manad={MANAD}"),
        ("fee_officer", f"/overtid/overtid.xlsx?manad={MANAD}"),
        ("officer", f"/api/tidsuppfoljning/?month={MANAD}"),
        ("coordinator", f"/api/tidsuppfoljning/?month={MANAD}"),
    ]
    _many(world, FEW)
    few = {(role, url): _queries(getattr(world, role), url) for role, url in urls}
    _many(world, MANY - FEW)
    assert MonthlyTimeResult.objects.count() == MANY
    for role, url in urls:
        assert _queries(getattr(world, role), url) == few[role, url], (role, url)
