"""The liaison meeting pack and the recorded meetings (issue 11, uppfoljning.liaison; 002
"Samverkan med hemtjänstutförare"): the list of pairs and their schedule, the pack's figures on
a seeded set (the inspection's fifteen files, months of time, complaints), the PDF, recording
and amending a meeting, who reaches what, the access log, and a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from pypdf import PdfReader

from bestallning.choices import OrderStatus
from bestallning.models import Order
from ramtid.choices import AccessAction, Role
from ramtid.models import AccessLog, OrderingUnit
from ramtid.permissions import navigation_for
from tests.bestallning.conftest import TODAY, make_decision
from tests.factories import ClientFactory, UserFactory, member
from tests.genomforandeplan.test_coverage_report import (
    INSPECTION_TEXT,
    executed,
    inspection,  # noqa: F401 - the fixture
    plan_for,
)
from uppfoljning import complaints as complaint_services
from uppfoljning import liaison
from uppfoljning.choices import (
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
    ExplanationCategory,
    LiaisonMeetingKind,
    TimeStatus,
)
from uppfoljning.models import Complaint, LiaisonMeeting, MonthlyTimeResult
from uppfoljning.partitions import first_of_month

DAY = datetime.timedelta(days=1)
START = TODAY - 120 * DAY
PERIOD = {"fran": f"{START:%Y-%m-%d}", "till": f"{TODAY:%Y-%m-%d}"}
LAST_MONTH = first_of_month(first_of_month(TODAY) - DAY)
MONTH_BEFORE = first_of_month(LAST_MONTH - DAY)


def _pack_url(world, name: str = "liaison_pack", unit=None, provider=None, **query) -> str:
    unit, provider = unit or world.unit, provider or world.provider
    url = reverse(name, args=[unit.pk, provider.pk])
    return url + "?" + urlencode({**PERIOD, **query})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def neighbour(world):
    """Another ordering unit of the world's municipality."""
    return OrderingUnit.objects.get_or_create(municipality=world.municipality, name="Grannenheten")[
        0
    ]


def clients_at(world, provider, count: int, *, unit=None, valid_to=None) -> list[Order]:
    """`count` new clients of the unit, each with an executed order at `provider` in force
    today (or until `valid_to`): written as rows, for the schedule's counts."""
    unit = unit or world.unit
    decision = make_decision(world)
    clients = ClientFactory.create_batch(count, ordering_unit=unit, last_name="Schemasson")
    now = timezone.now()
    return Order.objects.bulk_create(
        Order(
            client=client,
            decision=decision,
            provider=provider,
            ordered_by=world.officer,
            status=OrderStatus.EXECUTED if valid_to is None else OrderStatus.ENDED,
            valid_from=TODAY - 30 * DAY,
            valid_to=valid_to,
            executed_on=TODAY - 30 * DAY,
            sent_at=now,
        )
        for client in clients
    )


def time_result(order, month, *, ordered=600, performed=600, declined=0, status=None, **fields):
    deviation = performed - ordered
    status = status or (
        TimeStatus.WITHIN
        if deviation == 0
        else TimeStatus.OVER
        if deviation > 0
        else TimeStatus.UNDER
    )
    return MonthlyTimeResult.objects.create(
        order=order,
        month=month,
        client=order.client,
        provider=order.provider,
        ordering_unit=order.client.ordering_unit,
        days_in_force=28,
        ordered_minutes=ordered,
        performed_minutes=performed,
        declined_minutes=declined,
        deviation_minutes=deviation,
        deviation_percent=Decimal(deviation * 100 / ordered).quantize(Decimal("0.1")),
        status=status,
        billing_deadline=TODAY + 10 * DAY,
        checked_at=timezone.now(),
        **fields,
    )


def complaint(world, order, *, received_days_ago: int, answered_after: int | None = None):
    registered = complaint_services.register_complaint(
        client=order.client,
        by=world.officer,
        about=ComplaintAbout.PROVIDER,
        provider=order.provider,
        received_on=TODAY - received_days_ago * DAY,
        raised_by=ComplainantKind.RELATIVE,
        category=ComplaintCategory.TIMES,
        description=f"Sena besök ({received_days_ago}).",
    )
    if answered_after is not None:
        complaint_services.answer_complaint(
            complaint=registered,
            by=world.coordinator,
            answer_text="Vi har ändrat schemat.",
            answer_method="phone",
            answered_on=registered.received_on + answered_after * DAY,
        )
    return registered


@pytest.fixture
def agenda(world, inspection):  # noqa: F811 - the fixture imported above
    """The inspection's fifteen executed orders at the world's provider, two months of time
    results for some of them, and complaints: one overdue, one answered late, one on time, and
    one open with days left."""
    orders = inspection
    time_result(orders["Itid1"], MONTH_BEFORE, declined=120, performed=480, ordered=600)
    time_result(
        orders["Itid1"],
        LAST_MONTH,
        declined=90,
        performed=510,
        ordered=600,
        explanation_category=ExplanationCategory.DECLINED,
        explanation_text="Avböjde.",
    )
    time_result(orders["Sen1"], LAST_MONTH, performed=900, continuity_staff=12)  # 5 h over
    time_result(orders["Sen2"], LAST_MONTH, performed=650, status=TimeStatus.WITHIN)  # tolerated
    time_result(orders["Sen3"], LAST_MONTH, continuity_staff=4)
    complaint(world, orders["Sen4"], received_days_ago=30)  # overdue
    complaint(world, orders["Sen5"], received_days_ago=40, answered_after=20)  # late
    complaint(world, orders["Sen6"], received_days_ago=50, answered_after=5)  # on time
    complaint(world, orders["Sen7"], received_days_ago=2)  # open, days left
    return orders


# ---------------------------------------------------------------------------------------------
# The pack's figures


def test_the_pack_follows_the_agenda_with_the_pairs_figures(world, agenda):
    # When the unit's officer opens the pack for the provider and the period
    response = world.login(world.officer).get(_pack_url(world))

    # Then each point of the agenda has its figures
    assert response.status_code == 200
    pack = response.context["pack"]
    # 1. The orders: fifteen clients, every order executed, none sent in the period's 120 days
    # but the five started 96-100 days ago and the ten started 90 days ago.
    assert pack.orders.clients_now == 15
    assert (pack.orders.in_period, pack.orders.executed, pack.orders.new) == (15, 15, 15)
    assert pack.kind == LiaisonMeetingKind.PHONE
    # 2. Declined and deviating time.
    total = pack.time_total
    assert (total.results, total.declined, total.declined_orders) == (5, 210, 2)
    assert (total.over, total.under, total.within) == (1, 2, 2)
    assert [month.month for month in pack.time_months] == [MONTH_BEFORE, LAST_MONTH]
    assert [r.client.last_name for r in pack.declined_examples] == ["Itid1", "Itid1"]
    assert [r.declined_minutes for r in pack.declined_examples] == [120, 90]
    # Unexplained deviations, the largest first (Itid1's explained month is not among them).
    assert [(r.client.last_name, r.month) for r in pack.deviation_examples] == [
        ("Sen1", LAST_MONTH),
        ("Itid1", MONTH_BEFORE),
    ]
    # 3. The plans: the coverage report's totals for the pair, and its most urgent rows.
    assert pack.plans.text() == INSPECTION_TEXT
    assert (pack.plans.missing, pack.plans.late, pack.plans.returned) == (5, 8, 1)
    examples = {
        kind: [row.client.last_name for row in rows] for kind, rows in pack.plan_examples.items()
    }
    assert examples == {
        "missing": ["Saknas1", "Saknas2", "Saknas3", "Saknas4", "Saknas5"],
        "late": ["Sen8", "Sen7", "Sen6", "Sen5", "Sen4"],  # the latest first, five of eight
        "returned": ["Itid2"],
        "good": ["Itid1"],  # on time, approved and covering the order
    }
    # 4. Complaints: four received, one answered on time, two late (one still unanswered).
    figures = pack.complaints
    assert (figures.received, figures.answered_on_time, figures.late, figures.open) == (4, 1, 2, 2)
    assert [(label, row.received) for label, row in pack.complaints_by_category] == [
        ("Tider, sena eller uteblivna besök", 4)
    ]
    # The unanswered first, the earliest deadline first; then the one answered late.
    assert [c.client.last_name for c in pack.complaint_examples] == ["Sen4", "Sen7", "Sen5"]
    # 5. Invoicing: the months over the ordered time, whatever the tolerance.
    assert (total.over_time, total.over_time_minutes) == (2, 350)
    assert [r.client.last_name for r in pack.over_time_examples] == ["Sen1", "Sen2"]
    # Staff continuity of the period's months (uppfoljning.continuity): Sen1 met 12 staff.
    assert (pack.continuity.clients_measured, pack.continuity.clients_over_goal) == (2, 1)

    html = response.content.decode()
    assert '<figure class="chart-figure"><svg' in html and 'role="img"' in html
    text = _text(html)
    for words in (
        "1. Beställningar",
        "2. Avböjda besök och tidsavvikelser",
        "3. Genomförandeplaner",
        "4. Synpunkter och klagomål",
        "5. Fakturafrågor",
        INSPECTION_TEXT,
        "Telefonmöte i januari, maj och september",
        "Personalkontinuitet: 1 av 2 brukare träffade fler än 10 olika personal",
    ):
        assert words.lower() in text.lower()


def test_the_pack_names_only_the_pairs_clients(world, agenda):
    # Another unit's client at the same provider, and the unit's client at another provider.
    other = executed(world, "Annanenhet", executed_on=TODAY - 30 * DAY, unit=neighbour(world))
    elsewhere = executed(
        world, "Annanutforare", executed_on=TODAY - 30 * DAY, provider=world.other_provider
    )
    time_result(other, LAST_MONTH, declined=600, performed=1200)
    time_result(elsewhere, LAST_MONTH, declined=600, performed=1200)

    response = world.login(world.officer).get(_pack_url(world))

    html = response.content.decode()
    assert "Annanenhet" not in html and "Annanutforare" not in html
    assert response.context["pack"].orders.clients_now == 15


def test_the_default_period_is_since_the_last_round(world, agenda):
    LiaisonMeeting.objects.create(
        ordering_unit=world.unit,
        provider=world.provider,
        held_on=TODAY - 200 * DAY,
        kind=LiaisonMeetingKind.PHONE,
        participants="Anna",
        notes="Inget särskilt.",
        period_start=TODAY - 300 * DAY,
        period_end=TODAY - 200 * DAY,
        recorded_by=world.officer,
    )

    response = world.login(world.officer).get(
        reverse("liaison_pack", args=[world.unit.pk, world.provider.pk])
    )

    pack = response.context["pack"]
    assert (pack.start, pack.end) == liaison.default_period(TODAY, TODAY - 200 * DAY)
    assert pack.end == TODAY


def test_a_period_that_ends_before_it_starts_is_named(world, agenda):
    response = world.login(world.officer).get(
        _pack_url(world, fran=f"{TODAY:%Y-%m-%d}", till=f"{TODAY - DAY:%Y-%m-%d}")
    )

    assert response.status_code == 200
    assert response.context["pack"] is None
    assert (
        "Perioden måste sluta samma dag som den börjar eller senare." in response.content.decode()
    )
    assert (
        world.login(world.officer)
        .get(_pack_url(world, "liaison_pack_pdf", fran="2026-13-01"))
        .status_code
        == 404
    )


def test_the_pdf_has_the_providers_name_and_the_figures(world, agenda):
    response = world.login(world.manager).get(_pack_url(world, "liaison_pack_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response)
    assert "Trygg Omsorg AB" in text
    assert world.unit.name in text
    assert INSPECTION_TEXT in text
    assert "Saknas1" in text and "Sen1" in text
    assert "4 mottagna" in text
    entry = AccessLog.objects.latest("id")
    assert entry.action == AccessAction.EXPORT
    expected = liaison.liaison_pack(
        world.manager, unit=world.unit, provider=world.provider, start=START, end=TODAY
    )
    assert set(entry.client_ids) == set(expected.client_ids())


# ---------------------------------------------------------------------------------------------
# The list and the schedule


@pytest.mark.parametrize(
    ("count", "kind"),
    [(5, "Inget möte krävs"), (6, "Telefonmöte"), (19, "Telefonmöte"), (20, "Avstämningsmöte")],
)
def test_the_list_gives_each_provider_its_kind_of_meeting(world, count, kind):
    clients_at(world, world.provider, count)
    clients_at(world, world.provider, 3, valid_to=TODAY - 5 * DAY)  # ended: not counted

    response = world.login(world.officer).get(reverse("liaison_list"))

    assert response.status_code == 200
    [pair] = response.context["pairs"]
    assert (pair.provider, pair.unit, pair.clients) == (world.provider, world.unit, count)
    row = _text(response.content.decode()).split("Trygg Omsorg AB", 1)[1]
    assert row.startswith(f" {world.unit.name} {count} {kind}")


def test_the_list_shows_the_next_month_and_the_last_meeting(world):
    clients_at(world, world.provider, 20)
    clients_at(world, world.other_provider, 7)
    held = liaison.record_liaison_meeting(
        unit=world.unit,
        provider=world.provider,
        by=world.officer,
        held_on=TODAY,
        kind=LiaisonMeetingKind.MEETING,
        participants="Anna Handläggare, Berit Samordnare",
        notes="Planerna togs upp.",
        period_start=TODAY - 100 * DAY,
        period_end=TODAY,
    )

    pairs = world.login(world.officer).get(reverse("liaison_list")).context["pairs"]

    first, second = pairs
    assert (first.provider, first.kind, first.last_meeting) == (
        world.provider,
        LiaisonMeetingKind.MEETING,
        held,
    )
    assert first.next_month == liaison.next_meeting_month(TODAY, TODAY)
    assert first.next_month > TODAY
    assert (second.provider, second.kind, second.last_meeting) == (
        world.other_provider,
        LiaisonMeetingKind.PHONE,
        None,
    )
    assert second.next_month == liaison.next_meeting_month(TODAY, None)


def test_the_coordinator_lists_the_units_that_order_from_her_provider(world):
    clients_at(world, world.provider, 6)
    clients_at(world, world.provider, 2, unit=world.other_unit)
    clients_at(world, world.other_provider, 9)

    pairs = world.login(world.coordinator).get(reverse("liaison_list")).context["pairs"]

    assert [(p.unit, p.provider, p.clients) for p in pairs] == [
        (world.unit, world.provider, 6),
        (world.other_unit, world.provider, 2),
    ]


# ---------------------------------------------------------------------------------------------
# Recording a meeting


def _meeting_data(**overrides) -> dict:
    return {
        "held_on": f"{TODAY:%Y-%m-%d}",
        "kind": LiaisonMeetingKind.PHONE,
        "participants": "Anna Handläggare, Berit Samordnare",
        "notes": "Fem planer saknas; utföraren återkommer före nästa möte.",
        "period_start": f"{START:%Y-%m-%d}",
        "period_end": f"{TODAY:%Y-%m-%d}",
        **overrides,
    }


def test_the_officer_records_a_meeting(world, agenda):
    http = world.login(world.officer)
    form = http.get(_pack_url(world, "liaison_meeting_create"))
    assert form.status_code == 200
    assert form.context["form"].initial["period_start"] == START
    assert form.context["form"].initial["kind"] == LiaisonMeetingKind.PHONE  # 15 clients

    response = http.post(
        reverse("liaison_meeting_create", args=[world.unit.pk, world.provider.pk]), _meeting_data()
    )

    meeting = LiaisonMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("liaison_meeting", args=[meeting.pk])
    assert (meeting.ordering_unit, meeting.provider, meeting.held_on) == (
        world.unit,
        world.provider,
        TODAY,
    )
    assert (meeting.period_start, meeting.period_end, meeting.recorded_by) == (
        START,
        TODAY,
        world.officer,
    )
    # It is listed on the pack's page, for the coordinator too.
    page = world.login(world.coordinator).get(_pack_url(world))
    assert page.context["pack"].meetings == [meeting]
    assert "Anna Handläggare, Berit Samordnare" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"held_on": ""}, "held_on", "Ange den dag mötet hölls."),
        ({"held_on": "1 maj"}, "held_on", "Ange datumet som ÅÅÅÅ-MM-DD."),
        (
            {"held_on": f"{TODAY + DAY:%Y-%m-%d}"},
            "held_on",
            "Mötesdagen kan inte vara senare än i dag. Registrera mötet när det har hållits.",
        ),
        ({"kind": "fika"}, "kind", "Välj om det var ett avstämningsmöte eller ett telefonmöte."),
        (
            {"participants": "  "},
            "participants",
            "Skriv vilka som deltog, från beställarenheten och utföraren.",
        ),
        ({"notes": ""}, "notes", "Skriv vad som togs upp och vad ni kom överens om."),
        (
            {"period_end": f"{START - DAY:%Y-%m-%d}"},
            "period_end",
            "Underlaget måste sluta samma dag som det börjar eller senare.",
        ),
    ],
)
def test_bad_input_is_named_by_field_and_nothing_is_saved(world, data, field, message):
    clients_at(world, world.provider, 6)

    response = world.login(world.officer).post(
        reverse("liaison_meeting_create", args=[world.unit.pk, world.provider.pk]),
        _meeting_data(**data),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field] == [message]
    assert LiaisonMeeting.objects.count() == 0


def test_a_second_meeting_the_same_day_is_refused_and_a_double_press_is_one(world):
    clients_at(world, world.provider, 6)
    url = reverse("liaison_meeting_create", args=[world.unit.pk, world.provider.pk])
    world.login(world.officer).post(url, _meeting_data())

    again = world.login(world.officer).post(url, _meeting_data())
    other = member(
        UserFactory(first_name="Cecilia", last_name="Kollega"), Role.CASE_OFFICER, unit=world.unit
    )
    refused = world.login(other).post(url, _meeting_data(notes="Något annat."))

    assert again.status_code == 302
    assert LiaisonMeeting.objects.count() == 1
    assert refused.status_code == 200
    [text] = refused.context["form"].errors["held_on"]
    assert text.startswith(
        f"Ett möte med Trygg Omsorg AB den {TODAY:%Y-%m-%d} är redan registrerat av"
    )


def test_the_recorder_corrects_the_notes_the_same_day_and_others_add_to_them(world):
    clients_at(world, world.provider, 6)
    meeting = liaison.record_liaison_meeting(
        unit=world.unit,
        provider=world.provider,
        by=world.officer,
        held_on=TODAY,
        kind=LiaisonMeetingKind.PHONE,
        participants="Anna",
        notes="Fem planer saknas.",
        period_start=START,
        period_end=TODAY,
    )
    url = reverse("liaison_meeting_amend", args=[meeting.pk])

    # The one who recorded it corrects it the same day
    page = world.login(world.officer).get(reverse("liaison_meeting", args=[meeting.pk]))
    assert page.context["correcting"] is True
    response = world.login(world.officer).post(
        url, {"participants": "Anna, Berit", "notes": "Sex planer saknas."}
    )
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.participants, meeting.notes) == ("Anna, Berit", "Sex planer saknas.")
    assert meeting.changed_at is not None

    # The manager adds to them; what stood stays
    world.login(world.manager).post(
        url, {"participants": "Ingen", "notes": "Utföraren har svarat."}
    )
    meeting.refresh_from_db()
    assert meeting.participants == "Anna, Berit"
    assert meeting.notes.startswith("Sex planer saknas.\n\nTillägg ")
    assert meeting.notes.endswith("\nUtföraren har svarat.")

    # The next day the recorder adds too
    LiaisonMeeting.objects.filter(pk=meeting.pk).update(recorded_at=timezone.now() - 2 * DAY)
    world.login(world.officer).post(url, {"notes": "Klart."})
    meeting.refresh_from_db()
    assert meeting.notes.count("Tillägg ") == 2 and meeting.notes.startswith("Sex planer saknas.")

    # An empty addition is named
    refused = world.login(world.officer).post(url, {"notes": " "})
    assert refused.context["form"].errors == {
        "notes": ["Skriv det du vill lägga till i anteckningarna."]
    }


# ---------------------------------------------------------------------------------------------
# Who reaches what


@pytest.fixture
def pair(world):
    """The unit's clients at both providers, the neighbour unit's and another municipality's
    unit's clients at the world's provider, and a recorded meeting of the unit with it."""
    clients_at(world, world.provider, 6)
    clients_at(world, world.other_provider, 6)
    clients_at(world, world.provider, 2, unit=neighbour(world))
    clients_at(world, world.provider, 2, unit=world.other_unit)
    return liaison.record_liaison_meeting(
        unit=world.unit,
        provider=world.provider,
        by=world.officer,
        held_on=TODAY,
        kind=LiaisonMeetingKind.PHONE,
        participants="Anna",
        notes="Noterat.",
        period_start=START,
        period_end=TODAY,
    )


def _routes(world, meeting, unit, provider) -> dict[str, str]:
    args = [unit.pk, provider.pk]
    return {
        "list": reverse("liaison_list"),
        "pack": reverse("liaison_pack", args=args),
        "pdf": reverse("liaison_pack_pdf", args=args),
        "create": reverse("liaison_meeting_create", args=args),
        "meeting": reverse("liaison_meeting", args=[meeting.pk]),
    }


@pytest.mark.parametrize(
    "role", ["contact_person", "fee_officer", "administrator", "security_officer"]
)
def test_roles_without_packs_get_a_404(world, pair, role):
    if role == "security_officer":
        user = member(UserFactory(), Role.SECURITY_OFFICER, municipality=world.municipality)
    else:
        user = getattr(world, role)
    http = world.login(user)

    for name, url in _routes(world, pair, world.unit, world.provider).items():
        assert http.get(url).status_code == 404, name
    assert (
        http.post(reverse("liaison_meeting_amend", args=[pair.pk]), {"notes": "x"}).status_code
        == 404
    )
    assert "liaison_list" not in [item.name for item in navigation_for(user)]


@pytest.mark.parametrize(
    ("role", "unit", "provider"),
    [
        ("other_officer", "unit", "provider"),  # another municipality's unit
        ("other_manager", "unit", "provider"),
        ("other_coordinator", "unit", "provider"),  # another provider
        ("officer", "neighbour", "provider"),  # the neighbour unit's pair with the provider
        ("coordinator", "unit", "other_provider"),
    ],
)
def test_another_organisations_pair_or_meeting_is_a_404(world, pair, role, unit, provider):
    http = world.login(getattr(world, role))
    unit = neighbour(world) if unit == "neighbour" else getattr(world, unit)
    routes = _routes(world, pair, unit, getattr(world, provider))
    routes.pop("list")
    if role in ("officer", "coordinator"):
        routes.pop("meeting")  # their own meeting: the pair's is the one asked about

    for name, url in routes.items():
        assert http.get(url + "?" + urlencode(PERIOD)).status_code == 404, name
    if role not in ("officer", "coordinator"):
        amend = http.post(reverse("liaison_meeting_amend", args=[pair.pk]), {"notes": "x"})
        assert amend.status_code == 404


def test_a_provider_that_never_served_the_unit_is_a_404(world):
    clients_at(world, world.provider, 6)

    response = world.login(world.officer).get(
        reverse("liaison_pack", args=[world.unit.pk, world.other_provider.pk])
    )

    assert response.status_code == 404


def test_the_coordinator_reads_the_pack_and_the_meetings_and_records_nothing(world, pair):
    http = world.login(world.coordinator)
    routes = _routes(world, pair, world.unit, world.provider)

    assert http.get(routes["pack"]).status_code == 200
    assert http.get(routes["pdf"]).status_code == 200
    page = http.get(routes["meeting"])
    assert page.status_code == 200 and page.context["form"] is None
    assert http.get(routes["create"]).status_code == 403
    assert (
        http.post(reverse("liaison_meeting_amend", args=[pair.pk]), {"notes": "x"}).status_code
        == 403
    )
    assert "liaison_list" in [item.name for item in navigation_for(world.coordinator)]


def test_signed_out_it_leads_to_the_sign_in(world, pair):
    from django.test import Client as HttpClient

    for name, url in _routes(world, pair, world.unit, world.provider).items():
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
            name
        )


def test_the_pack_logs_the_clients_it_names_once(world, agenda):
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = world.login(world.coordinator).get(_pack_url(world))

    [entry] = AccessLog.objects.filter(id__gt=last)
    named = {
        c.pk
        for c in ClientFactory._meta.model.objects.all()
        if c.last_name in response.content.decode()
    }
    assert set(entry.client_ids) == named == set(response.context["pack"].client_ids())
    assert (entry.user, entry.action) == (world.coordinator, AccessAction.LIST)


def test_the_list_names_no_client_and_logs_nothing(world, pair):
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = world.login(world.officer).get(reverse("liaison_list"))

    assert "Schemasson" not in response.content.decode()
    assert not AccessLog.objects.filter(id__gt=last).exists()


# ---------------------------------------------------------------------------------------------
# Scale: the same queries for a few and for many


def _seed(world, first: int, count: int) -> None:
    """Executed orders with plans of every kind, months of time and complaints."""
    for index in range(first, first + count):
        order = executed(world, f"Skala{index:03d}", executed_on=TODAY - 60 * DAY)
        if index % 4 == 1:
            plan_for(world, order, ready_on=TODAY - 55 * DAY, review="approved")
        elif index % 4 == 2:
            plan_for(world, order, ready_on=TODAY - 20 * DAY, review="returned")
        elif index % 4 == 3:
            plan_for(world, order, ready_on=TODAY - 30 * DAY)
        time_result(order, LAST_MONTH, declined=10 * (index + 1), performed=400 + 100 * (index % 5))
        complaint(world, order, received_days_ago=20 + index % 10, answered_after=index % 3 or None)


def _count(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = read()
    assert response.status_code == 200
    return len(queries)


def test_the_pack_reads_the_same_queries_for_a_few_and_for_many(world):
    _seed(world, 0, 8)
    reads = {
        "list": lambda: world.login(world.officer).get(reverse("liaison_list")),
        "pack": lambda: world.login(world.officer).get(_pack_url(world)),
        "pdf": lambda: world.login(world.officer).get(_pack_url(world, "liaison_pack_pdf")),
        "coordinator": lambda: world.login(world.coordinator).get(_pack_url(world)),
    }
    few = {name: _count(read) for name, read in reads.items()}

    _seed(world, 8, 22)
    clients_at(world, world.other_provider, 6)

    many = {name: _count(read) for name, read in reads.items()}
    assert many == few
    pack = world.login(world.officer).get(_pack_url(world)).context["pack"]
    assert pack.orders.clients_now == 30
    assert pack.kind == LiaisonMeetingKind.MEETING
    assert all(len(rows) <= liaison.EXAMPLES for rows in pack.plan_examples.values())
    assert len(pack.complaint_examples) == len(pack.declined_examples) == liaison.EXAMPLES


def test_the_units_own_complaints_are_not_the_providers(world, agenda):
    complaint_services.register_complaint(
        client=agenda["Sen1"].client,
        by=world.officer,
        about=ComplaintAbout.ORDERING_UNIT,
        received_on=TODAY - 5 * DAY,
        raised_by=ComplainantKind.CLIENT,
        category=ComplaintCategory.CASE_HANDLING,
        description="Handläggningen dröjde.",
    )

    pack = world.login(world.officer).get(_pack_url(world)).context["pack"]

    assert pack.complaints.received == 4
    assert Complaint.objects.count() == 5
