"""Complaints (synpunkter och klagomål, 002; uppfoljning.complaints): the deadline and its
edges, registering, answering and closing with every error named and nothing half-saved, the
same press twice counted once, who sees and does what (another organisation's complaint is a
404 on every page and in the API), the worklists and their fixed query counts, the figures for
the dashboard, the API and retention."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from genomforandeplan import services as plan_services
from ramtid.choices import Role
from ramtid.models import AccessLog
from tests.factories import OrderingUnitFactory, UserFactory, member
from tests.uppfoljning.reviews_helpers import executed_order, new_client
from uppfoljning import complaints, permissions
from uppfoljning.choices import (
    AnswerMethod,
    ComplainantKind,
    ComplaintAbout,
    ComplaintCategory,
)
from uppfoljning.models import Complaint

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
DESCRIPTION = "Morgonbesöket kom två timmar för sent tre dagar i rad."


# ---------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def order(world):
    """The world's client, executed at the world's provider a month ago, with the world's
    contact person."""
    order = executed_order(world, client=world.client, executed_on=TODAY - 30 * DAY)
    plan_services.contact_assign(
        order=order, by=world.coordinator, contact_person=world.contact_person
    )
    return order


def register(world, *, by=None, client=None, about=ComplaintAbout.PROVIDER, **fields):
    client = client or world.client
    values = {
        "provider": world.provider if about == ComplaintAbout.PROVIDER else None,
        "received_on": TODAY,
        "raised_by": ComplainantKind.RELATIVE,
        "raised_by_name": "Anna Berg, dotter",
        "category": ComplaintCategory.TIMES,
        "description": DESCRIPTION,
        **fields,
    }
    return complaints.register_complaint(
        client=client, by=by or world.officer, about=about, **values
    )


def answer(complaint, by, **fields):
    values = {
        "answer_text": "Vi har ändrat schemat så att morgonbesöket kommer före nio.",
        "answer_method": AnswerMethod.PHONE,
        **fields,
    }
    return complaints.answer_complaint(complaint=complaint, by=by, **values)


def unsaved(received_on, *, due_days=14, answered_on=None) -> Complaint:
    return Complaint(
        received_on=received_on,
        answer_due=complaints.answer_due(received_on, due_days),
        answered_on=answered_on,
    )


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


# ---------------------------------------------------------------------------------------------
# The deadline (002: within 14 days of the day it came in)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        ("2026-03-01", 14, "2026-03-15"),
        ("2026-12-25", 14, "2027-01-08"),  # over the new year
        ("2028-02-20", 14, "2028-03-05"),  # over a leap day
        ("2026-03-01", 1, "2026-03-02"),
    ],
)
def test_the_answer_is_due_the_given_number_of_calendar_days_after_it_came_in(received, days, due):
    received_on = datetime.date.fromisoformat(received)
    assert complaints.answer_due(received_on, days) == datetime.date.fromisoformat(due)


def test_an_open_complaint_is_late_from_the_day_after_its_deadline():
    complaint = unsaved(datetime.date(2026, 3, 1))  # due 2026-03-15

    on_the_day = complaints.ComplaintState.of(complaint, datetime.date(2026, 3, 15))
    day_after = complaints.ComplaintState.of(complaint, datetime.date(2026, 3, 16))
    early = complaints.ComplaintState.of(complaint, datetime.date(2026, 3, 5))

    assert (on_the_day.overdue, on_the_day.late, on_the_day.days_left) == (False, False, 0)
    assert (day_after.overdue, day_after.late, day_after.days_overdue) == (True, True, 1)
    assert (early.days_left, early.days_overdue, early.status) == (10, 0, "open")


def test_an_answer_on_the_last_day_is_on_time_and_the_day_after_is_late():
    received = datetime.date(2026, 3, 1)
    later = datetime.date(2026, 6, 1)  # whenever it is looked at

    on_time = complaints.ComplaintState.of(
        unsaved(received, answered_on=datetime.date(2026, 3, 15)), later
    )
    late = complaints.ComplaintState.of(
        unsaved(received, answered_on=datetime.date(2026, 3, 16)), later
    )

    assert (on_time.answered_late, on_time.late, on_time.answer_days) == (False, False, 14)
    assert (late.answered_late, late.late, late.answer_days, late.overdue) == (
        True,
        True,
        15,
        False,
    )
    assert late.status == "answered" and late.days_left is None


@given(
    received=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=90),
    offset=st.integers(min_value=0, max_value=200),
)
def test_late_exactly_when_more_days_pass_than_the_deadline_gives(received, days, offset):
    then = received + datetime.timedelta(days=offset)
    answered = complaints.ComplaintState.of(
        unsaved(received, due_days=days, answered_on=then), then + 400 * DAY
    )
    unanswered = complaints.ComplaintState.of(unsaved(received, due_days=days), then)

    assert answered.answer_days == offset
    assert answered.late is answered.answered_late is (offset > days)
    assert unanswered.late is unanswered.overdue is (offset > days)
    assert unanswered.days_left == days - offset


def test_the_deadline_is_the_municipalitys_and_fixed_when_registered(world, order):
    world.municipality.complaint_answer_days = 10
    world.municipality.save()
    complaint = register(world, received_on=TODAY - 3 * DAY)
    assert complaint.answer_due == TODAY + 7 * DAY
    assert complaint.ordering_unit == world.unit

    # A later change of the rule does not move a deadline already given.
    world.municipality.complaint_answer_days = 30
    world.municipality.save()
    complaint.refresh_from_db()
    assert complaint.answer_due == TODAY + 7 * DAY


def test_the_default_deadline_is_14_days(world):
    assert world.municipality.complaint_answer_days == 14


@pytest.mark.parametrize(
    ("received_days_ago", "late"), [(0, False), (14, False), (15, True), (40, True)]
)
def test_the_late_flag_in_sql_agrees_with_the_rule(world, order, received_days_ago, late):
    complaint = register(world, received_on=TODAY - received_days_ago * DAY)

    in_sql = Complaint.objects.filter(complaints.late_q(TODAY), pk=complaint.pk).exists()

    assert in_sql is late
    assert complaints.ComplaintState.of(complaint, TODAY).late is late


# ---------------------------------------------------------------------------------------------
# Registering


def test_registering_records_who_what_and_when(world, order):
    complaint = register(world, registration_number=" SN 2026/17 ")

    complaint.refresh_from_db()
    assert complaint.client == world.client and complaint.provider == world.provider
    assert complaint.about == ComplaintAbout.PROVIDER
    assert complaint.raised_by == ComplainantKind.RELATIVE
    assert complaint.raised_by_name == "Anna Berg, dotter"
    assert complaint.registration_number == "SN 2026/17"
    assert complaint.registered_by == world.officer
    assert complaint.answer_due == TODAY + 14 * DAY
    assert complaint.answered_on is None and complaint.closed_at is None


def test_every_error_is_named_at_once_and_nothing_is_saved(world, order):
    with pytest.raises(ValidationError) as error:
        register(
            world,
            provider=None,
            received_on=TODAY + DAY,
            raised_by="neighbour",
            category="weather",
            description="   ",
        )

    assert error.value.message_dict == {
        "provider": ["Välj vilken utförare klagomålet gäller."],
        "received_on": ["Datumet kan inte vara senare än i dag."],
        "raised_by": ["Välj vem som har lämnat klagomålet."],
        "category": ["Välj en kategori."],
        "description": ["Skriv vad klagomålet gäller."],
    }
    assert not Complaint.objects.exists()


def test_a_provider_without_an_order_for_the_client_is_refused(world, order):
    with pytest.raises(ValidationError) as error:
        register(world, provider=world.other_provider)
    assert error.value.message_dict == {
        "provider": ["Utföraren har ingen beställning för brukaren."]
    }
    assert not Complaint.objects.exists()


def test_a_complaint_about_the_unit_names_no_provider(world, order):
    complaint = register(world, about=ComplaintAbout.ORDERING_UNIT, provider=world.provider)
    assert complaint.provider is None and complaint.about == ComplaintAbout.ORDERING_UNIT


def test_the_same_complaint_registered_twice_is_one(world, order):
    first = register(world)
    again = register(world)
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1

    # Another text, or the same text by someone else, is another complaint.
    register(world, description="Kvällsbesöket uteblev.")
    register(world, by=world.coordinator)
    assert Complaint.objects.count() == 3


def test_the_same_complaint_after_ten_minutes_is_a_new_one(world, order):
    first = register(world)
    Complaint.objects.filter(pk=first.pk).update(
        registered_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert register(world).pk != first.pk


# ---------------------------------------------------------------------------------------------
# Answering and closing


def test_the_providers_answer_is_measured_on_the_day_it_was_given(world, order):
    complaint = register(world, received_on=TODAY - 20 * DAY)  # due 6 days ago

    answered = answer(complaint, world.coordinator, answered_on=TODAY - 7 * DAY)

    answered.refresh_from_db()
    assert answered.answered_on == TODAY - 7 * DAY and answered.answered_by == world.coordinator
    assert answered.answered_at is not None
    assert answered.closed_at is None  # the officer closes a provider's complaint
    state = complaints.ComplaintState.of(answered)
    assert (state.answered, state.late, state.answer_days) == (True, False, 13)


def test_an_answer_given_after_the_deadline_is_late_for_good(world, order):
    complaint = register(world, received_on=TODAY - 20 * DAY)
    answered = answer(complaint, world.coordinator)  # today: 20 days after
    assert complaints.ComplaintState.of(answered).answered_late
    assert Complaint.objects.filter(complaints.late_q(TODAY)).get() == answered


def test_an_answer_about_the_unit_closes_the_complaint(world, order):
    complaint = register(world, about=ComplaintAbout.ORDERING_UNIT)
    answered = answer(complaint, world.officer, answer_method=AnswerMethod.WRITTEN)
    assert answered.closed_at == answered.answered_at
    assert answered.closed_by == world.officer


def test_the_answers_errors_are_named_and_nothing_is_saved(world, order):
    complaint = register(world, received_on=TODAY - 5 * DAY)

    with pytest.raises(ValidationError) as error:
        answer(
            complaint,
            world.coordinator,
            answer_text=" ",
            answer_method="carrier_pigeon",
            answered_on=TODAY - 6 * DAY,
        )

    received = f"{TODAY - 5 * DAY:%Y-%m-%d}"
    assert error.value.message_dict == {
        "answer_text": ["Skriv svaret som lämnades."],
        "answer_method": ["Välj hur svaret lämnades."],
        "answered_on": [f"Svaret kan inte ha lämnats före {received}, då klagomålet togs emot."],
    }
    with pytest.raises(ValidationError) as error:
        answer(complaint, world.coordinator, answered_on=TODAY + DAY)
    assert error.value.message_dict == {"answered_on": ["Datumet kan inte vara senare än i dag."]}
    complaint.refresh_from_db()
    assert complaint.answered_at is None and complaint.answer_text == ""


def test_the_same_answer_twice_is_one_and_a_second_answer_is_refused(world, order):
    complaint = register(world)
    first = answer(complaint, world.coordinator)
    answered_at = first.answered_at

    again = answer(complaint, world.coordinator)
    assert again.answered_at == answered_at

    second_coordinator = member(
        UserFactory(username="samordnare2"),
        Role.PROVIDER_COORDINATOR,
        provider=world.provider,
    )
    with pytest.raises(ValidationError) as error:
        answer(complaint, second_coordinator, answer_text="Ett annat svar.")
    assert error.value.messages == [
        f"Klagomålet är redan besvarat {TODAY:%Y-%m-%d} av {world.coordinator}."
    ]
    complaint.refresh_from_db()
    assert complaint.answered_by == world.coordinator


def test_closing_needs_the_answer_and_twice_is_once(world, order):
    complaint = register(world)
    with pytest.raises(ValidationError) as error:
        complaints.close_complaint(complaint=complaint, by=world.officer)
    assert error.value.messages == ["Klagomålet kan avslutas först när utföraren har besvarat det."]

    answer(complaint, world.coordinator)
    closed = complaints.close_complaint(
        complaint=complaint,
        by=world.officer,
        closing_note="Tas upp på avstämningsmötet.",
        registration_number="SN 2026/18",
    )
    again = complaints.close_complaint(complaint=complaint, by=world.officer)

    assert again.closed_at == closed.closed_at
    closed.refresh_from_db()
    assert closed.closing_note == "Tas upp på avstämningsmötet."
    assert closed.registration_number == "SN 2026/18"
    assert complaints.ComplaintState.of(closed).status == "closed"


def test_the_database_refuses_half_an_answer(world, order):
    complaint = register(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(answer_text="Bara text.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(
            closed_at=timezone.now(), closed_by=world.officer
        )


def test_every_step_is_in_the_audit_trail(world, order):
    complaint = register(world)
    answer(complaint, world.coordinator)
    complaints.close_complaint(complaint=complaint, by=world.officer)
    events = complaint.events.order_by("pgh_id").values_list("pgh_label", flat=True)
    assert list(events) == ["insert", "update", "update"]


# ---------------------------------------------------------------------------------------------
# Who sees and does what


@pytest.fixture
def both(world, order):
    """A complaint about the provider and one about the unit, for the world's client."""
    return (
        register(world),
        register(world, about=ComplaintAbout.ORDERING_UNIT, description="Beslutet dröjde."),
    )


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("officer", {"provider", "unit"}),
        ("manager", {"provider", "unit"}),
        ("coordinator", {"provider"}),  # the unit's handling is the municipality's case
        ("contact_person", {"provider"}),  # her client
        ("other_officer", set()),
        ("other_manager", set()),
        ("other_coordinator", set()),
        ("fee_officer", set()),
        ("administrator", set()),
    ],
)
def test_who_sees_which_complaint(world, both, user, sees):
    about_provider, about_unit = both
    visible = set(complaints.complaints_visible_to(getattr(world, user)))
    assert visible == {{"provider": about_provider, "unit": about_unit}[name] for name in sees}


def test_a_contact_person_sees_only_the_complaints_of_her_clients(world, both):
    colleague = member(
        UserFactory(username="kontaktman2"),
        Role.CONTACT_PERSON,
        provider=world.provider,
    )
    assert not complaints.complaints_visible_to(colleague).exists()
    assert complaints.complaint_targets(colleague, world.client).providers == []


def test_a_provider_stops_seeing_complaints_with_the_client(world, both):
    from bestallning import services as order_services

    world.municipality.provider_access_days = 0
    world.municipality.save()
    order = world.client.orders.get()
    order_services.order_end(order=order, by=world.officer, ended_on=TODAY - DAY, reason="Flyttat.")
    assert not complaints.complaints_visible_to(world.coordinator).exists()
    assert complaints.complaints_visible_to(world.officer).count() == 2


def test_a_moved_clients_complaints_follow_the_client(world, both):
    new_unit = OrderingUnitFactory(municipality=world.municipality, name="Biståndsenheten Väst")
    new_officer = member(UserFactory(username="vast"), Role.CASE_OFFICER, unit=new_unit)
    world.client.ordering_unit = new_unit
    world.client.save()
    assert not complaints.complaints_visible_to(world.officer).exists()
    assert complaints.complaints_visible_to(new_officer).count() == 2
    # The figures still count them at the unit that received them.
    assert {c.ordering_unit for c in Complaint.objects.all()} == {world.unit}


@pytest.mark.parametrize(
    ("user", "unit", "providers"),
    [
        ("officer", True, ["provider"]),
        ("coordinator", False, ["provider"]),
        ("contact_person", False, ["provider"]),
        ("manager", False, []),
        ("other_coordinator", False, []),
        ("fee_officer", False, []),
    ],
)
def test_who_registers_about_whom(world, order, user, unit, providers):
    targets = complaints.complaint_targets(getattr(world, user), world.client)
    assert (targets.unit == world.unit) is unit
    assert targets.providers == [getattr(world, name) for name in providers]


def test_who_answers_and_closes(world, both):
    about_provider, about_unit = both
    assert permissions.can_answer_complaint(world.coordinator, about_provider)
    assert not permissions.can_answer_complaint(world.officer, about_provider)
    assert not permissions.can_answer_complaint(world.contact_person, about_provider)
    assert permissions.can_answer_complaint(world.officer, about_unit)
    assert not permissions.can_answer_complaint(world.manager, about_unit)
    assert not permissions.can_answer_complaint(world.coordinator, about_unit)

    assert not permissions.can_close_complaint(world.officer, about_provider)  # not answered
    answer(about_provider, world.coordinator)
    about_provider.refresh_from_db()
    assert permissions.can_close_complaint(world.officer, about_provider)
    assert not permissions.can_close_complaint(world.coordinator, about_provider)
    assert not permissions.can_close_complaint(world.manager, about_provider)
    assert not permissions.closes_complaint(world.officer, about_unit)


# ---------------------------------------------------------------------------------------------
# The pages


def _routes(complaint) -> list[tuple[str, str]]:
    return [
        ("get", reverse("complaint_detail", args=[complaint.pk])),
        ("post", reverse("complaint_answer", args=[complaint.pk])),
        ("post", reverse("complaint_close", args=[complaint.pk])),
        ("get", reverse("complaint_create", args=[complaint.client_id])),
        ("post", reverse("complaint_create", args=[complaint.client_id])),
    ]


@pytest.mark.parametrize(
    "user", ["other_officer", "other_manager", "other_coordinator", "fee_officer", "administrator"]
)
def test_another_organisations_complaint_is_a_404_on_every_page(world, both, user):
    http = world.login(getattr(world, user))
    for complaint in both:
        for method, url in _routes(complaint):
            response = getattr(http, method)(url)
            assert response.status_code == 404, (method, url)
    assert not Complaint.objects.exclude(pk__in=[c.pk for c in both]).exists()


def test_the_unit_complaint_is_a_404_for_the_provider(world, both):
    _about_provider, about_unit = both
    http = world.login(world.coordinator)
    for method, url in _routes(about_unit)[:3]:
        assert getattr(http, method)(url).status_code == 404


@pytest.mark.parametrize("user", ["fee_officer", "administrator"])
def test_the_list_is_a_404_for_those_without_complaints(world, user):
    assert world.login(getattr(world, user)).get(reverse("complaints")).status_code == 404


def test_a_visible_complaint_the_user_may_not_act_on_is_a_403(world, both):
    about_provider, about_unit = both
    manager = world.login(world.manager)
    assert manager.post(reverse("complaint_answer", args=[about_unit.pk])).status_code == 403
    assert manager.get(reverse("complaint_create", args=[world.client.pk])).status_code == 403
    coordinator = world.login(world.coordinator)
    assert coordinator.post(reverse("complaint_close", args=[about_provider.pk])).status_code == 403
    officer = world.login(world.officer)
    assert officer.post(reverse("complaint_answer", args=[about_provider.pk])).status_code == 403


def test_registering_on_the_page(world, order):
    http = world.login(world.officer)
    url = reverse("complaint_create", args=[world.client.pk])

    page = http.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Registrera klagomål för Lisa Andersson" in html
    assert "inom 14 dagar" in html
    assert f"{world.provider} (utförarens insatser)" in html
    assert f"{world.unit.name} (handläggningen)" in html

    data = {
        "concerns": str(world.provider.pk),
        "received_on": f"{TODAY - 2 * DAY:%Y-%m-%d}",
        "raised_by": ComplainantKind.CLIENT,
        "raised_by_name": "",
        "category": ComplaintCategory.TREATMENT,
        "description": "Personalen har bråttom.",
        "registration_number": "",
    }
    response = http.post(url, data)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaint_detail", args=[complaint.pk])
    assert complaint.answer_due == TODAY + 12 * DAY
    # The same form sent again (a double press) is the same complaint.
    assert http.post(url, data)["Location"] == response["Location"]
    assert Complaint.objects.count() == 1


def test_the_form_names_each_field_in_error(world, order):
    http = world.login(world.officer)
    response = http.post(
        reverse("complaint_create", args=[world.client.pk]),
        {"received_on": "31/12", "description": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Formuläret innehåller fel" in html
    for text in (
        "Klagomålet gäller: Välj vad klagomålet gäller.",
        "Mottaget: Ange datumet som ÅÅÅÅ-MM-DD.",
        "Lämnat av: Välj vem som har lämnat klagomålet.",
        "Kategori: Välj en kategori.",
        "Vad gäller klagomålet?: Skriv vad klagomålet gäller.",
    ):
        assert text in html, text
    assert 'aria-invalid="true"' in html
    assert not Complaint.objects.exists()


def test_the_service_error_lands_on_its_field(world, order):
    http = world.login(world.officer)
    response = http.post(
        reverse("complaint_create", args=[world.client.pk]),
        {
            "concerns": str(world.provider.pk),
            "received_on": f"{TODAY + DAY:%Y-%m-%d}",
            "raised_by": ComplainantKind.CLIENT,
            "category": ComplaintCategory.TREATMENT,
            "description": "Personalen har bråttom.",
        },
    )
    assert "Mottaget: Datumet kan inte vara senare än i dag." in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_coordinator_registers_only_about_her_own_provider(world, order):
    http = world.login(world.coordinator)
    url = reverse("complaint_create", args=[world.client.pk])
    html = http.get(url).content.decode()
    assert f"{world.provider} (utförarens insatser)" in html
    assert "(handläggningen)" not in html

    response = http.post(
        url,
        {
            "concerns": "enhet",
            "received_on": f"{TODAY:%Y-%m-%d}",
            "raised_by": ComplainantKind.STAFF,
            "category": ComplaintCategory.CASE_HANDLING,
            "description": "Beslutet dröjer.",
        },
    )
    assert response.status_code == 200
    assert "Klagomålet gäller:" in response.content.decode()
    assert not Complaint.objects.exists()


def test_answering_and_closing_on_the_pages(world, order):
    complaint = register(world, received_on=TODAY - 3 * DAY)
    detail = reverse("complaint_detail", args=[complaint.pk])

    coordinator = world.login(world.coordinator)
    html = coordinator.get(detail).content.decode()
    assert "Registrera svaret" in html and "Avsluta klagomålet" not in html
    bad = coordinator.post(reverse("complaint_answer", args=[complaint.pk]), {"answer_text": ""})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Svar: Skriv svaret som lämnades." in html
    assert "Svaret lämnades: Välj hur svaret lämnades." in html
    form = {
        "answer_text": "Vi ber om ursäkt och har pratat med personalgruppen.",
        "answer_method": AnswerMethod.WRITTEN,
        "answered_on": f"{TODAY:%Y-%m-%d}",
    }
    response = coordinator.post(reverse("complaint_answer", args=[complaint.pk]), form)
    assert response["Location"] == detail
    # A second press: nothing more, back to the page.
    again = coordinator.post(reverse("complaint_answer", args=[complaint.pk]), form)
    assert again["Location"] == detail
    complaint.refresh_from_db()
    assert complaint.answered_by == world.coordinator and complaint.answered_on == TODAY

    officer = world.login(world.officer)
    html = officer.get(detail).content.decode()
    assert "Vi ber om ursäkt" in html and "Avsluta klagomålet" in html
    response = officer.post(
        reverse("complaint_close", args=[complaint.pk]),
        {"closing_note": "Följs upp om en månad.", "registration_number": "SN 2026/9"},
    )
    assert response["Location"] == detail
    complaint.refresh_from_db()
    assert complaint.closed_by == world.officer and complaint.registration_number == "SN 2026/9"
    html = officer.get(detail).content.decode()
    assert "Avslutat" in html and "Följs upp om en månad." in html


def test_someone_elses_answer_is_named_when_a_second_arrives(world, order):
    complaint = register(world, about=ComplaintAbout.ORDERING_UNIT)
    answer(complaint, world.officer)
    colleague = member(UserFactory(username="handlaggare3"), Role.CASE_OFFICER, unit=world.unit)
    http = world.login(colleague)
    response = http.post(
        reverse("complaint_answer", args=[complaint.pk]),
        {"answer_text": "Annat svar.", "answer_method": AnswerMethod.PHONE},
        follow=True,
    )
    html = response.content.decode()
    assert f"Klagomålet är redan besvarat {TODAY:%Y-%m-%d} av {world.officer}." in html
    complaint.refresh_from_db()
    assert complaint.answered_by == world.officer


def test_each_page_writes_one_access_log_row_for_its_clients(world, both):
    http = world.login(world.officer)
    for url in (
        reverse("complaints"),
        reverse("complaint_detail", args=[both[0].pk]),
        reverse("complaint_create", args=[world.client.pk]),
        reverse("client_detail", args=[world.client.pk]),
    ):
        before = AccessLog.objects.count()
        assert http.get(url).status_code == 200
        [entry] = AccessLog.objects.order_by("-pk")[: AccessLog.objects.count() - before]
        assert entry.client_ids == [world.client.pk], url
        assert entry.user == world.officer


def test_the_list_filters_and_counts(world, order):
    late = register(world, received_on=TODAY - 20 * DAY)
    open_ = register(world, description="Kvällsbesöket uteblev.")
    closed = register(world, about=ComplaintAbout.ORDERING_UNIT, description="Beslutet dröjde.")
    answer(closed, world.officer)
    http = world.login(world.officer)

    def listed(**query) -> list[Complaint]:
        return list(http.get(reverse("complaints"), query).context["page"].object_list)

    assert listed() == [closed, open_, late]  # the latest received first
    assert listed(status="open") == [late, open_]  # the earliest deadline first
    assert listed(status="closed") == [closed]
    assert listed(sena="on") == [late]
    assert listed(brukare=new_client(world).pk) == []
    counts = http.get(reverse("complaints")).context["counts"]
    assert counts == {"open": 2, "overdue": 1, "to_close": 0}


def test_the_client_page_shows_the_complaints_and_the_button(world, both):
    html = world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    html = html.content.decode()
    assert 'id="complaints-title"' in html
    assert reverse("complaint_detail", args=[both[0].pk]) in html
    assert reverse("complaint_create", args=[world.client.pk]) in html

    manager = world.login(world.manager).get(reverse("client_detail", args=[world.client.pk]))
    assert reverse("complaint_create", args=[world.client.pk]) not in manager.content.decode()


def test_the_menu_has_complaints_for_those_who_see_them(world):
    assert "Klagomål" in world.login(world.officer).get(reverse("start")).content.decode()
    assert "Klagomål" in world.login(world.contact_person).get(reverse("start")).content.decode()
    assert "Klagomål" not in world.login(world.fee_officer).get(reverse("start")).content.decode()


# ---------------------------------------------------------------------------------------------
# The worklists


def _section(http, key: str):
    response = http.get(reverse("worklist", args=[key]))
    assert response.status_code == 200
    return response.context["section"]


def test_the_worklists_show_what_each_side_must_do(world, order):
    late = register(world, received_on=TODAY - 20 * DAY)
    fresh = register(world, description="Kvällsbesöket uteblev.")
    own = register(world, about=ComplaintAbout.ORDERING_UNIT, description="Beslutet dröjde.")
    answered = register(world, description="Fel tid för duschen.")
    answer(answered, world.coordinator)

    coordinator = world.login(world.coordinator)
    rows = _section(coordinator, "klagomal-att-besvara").rows
    assert rows == [late, fresh]  # the earliest deadline first; the unit's is not hers
    assert rows[0].state.overdue and rows[0].can_answer

    officer = world.login(world.officer)
    assert _section(officer, "klagomal-att-besvara").rows == [own]
    follow_up = _section(officer, "klagomal-att-folja-upp").rows
    assert follow_up == [late, answered]  # late without an answer first, then to close
    assert follow_up[1].can_close and not follow_up[0].can_close

    html = officer.get(reverse("start")).content.decode()
    assert "Klagomål att besvara" in html and "Klagomål att följa upp" in html
    for key in ("klagomal-att-besvara", "klagomal-att-folja-upp"):
        assert (
            world.login(world.fee_officer).get(reverse("worklist", args=[key])).status_code == 404
        )
    assert coordinator.get(reverse("worklist", args=["klagomal-att-folja-upp"])).status_code == 404


def _many(world, count: int) -> None:
    """`count` clients with an order each and, each, a late complaint about the provider, an
    open one about the unit and an answered one about the provider."""
    for number in range(count):
        client = new_client(world)
        executed_order(world, client=client, executed_on=TODAY - 30 * DAY)
        register(world, client=client, received_on=TODAY - 20 * DAY)
        register(world, client=client, about=ComplaintAbout.ORDERING_UNIT, description=f"{number}")
        answer(register(world, client=client, description=f"Svar {number}"), world.coordinator)


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("user", "page"),
    [
        ("officer", "start"),
        ("officer", "list"),
        ("officer", "klagomal-att-besvara"),
        ("officer", "klagomal-att-folja-upp"),
        ("coordinator", "start"),
        ("coordinator", "list"),
        ("coordinator", "klagomal-att-besvara"),
        ("manager", "list"),
    ],
)
def test_the_pages_cost_the_same_for_5_and_50_complaints(world, user, page):
    if page == "start":
        url = reverse("start")
    elif page == "list":
        url = reverse("complaints")
    else:
        url = reverse("worklist", args=[page])
    http = world.login(getattr(world, user))
    _many(world, 2)  # 6 complaints
    few = _queries(http, url)
    _many(world, 15)  # 51 complaints
    many = _queries(http, url)
    assert Complaint.objects.count() == 51
    assert many == few


# ---------------------------------------------------------------------------------------------
# The figures for the dashboard and the liaison meetings


def test_the_figures_per_provider_and_unit_in_one_query(world, order):
    other_order = executed_order(
        world,
        client=new_client(world),
        executed_on=TODAY - 60 * DAY,
        provider=world.other_provider,
    )
    start = TODAY - 40 * DAY
    on_time = register(world, received_on=start)
    answer(on_time, world.coordinator, answered_on=start + 4 * DAY)
    late_answer = register(world, received_on=start, description="Sent svar.")
    answer(late_answer, world.coordinator, answered_on=start + 20 * DAY)
    register(world, received_on=TODAY - 20 * DAY, description="Obesvarat, sent.")
    register(world, received_on=TODAY, description="Obesvarat, i tid.")
    register(world, client=other_order.client, provider=world.other_provider)
    register(world, received_on=start - DAY, description="Före perioden.")  # not counted
    visible = complaints.complaints_visible_to(world.officer)

    with CaptureQueriesContext(connection) as queries:
        rows = complaints.complaint_figures(visible, start=start, end=TODAY, group_by=["provider"])
    assert len(queries) == 1
    by_provider = {row.key["provider__name"]: row for row in rows}
    mine = by_provider[world.provider.name]
    assert (mine.received, mine.answered, mine.answered_on_time, mine.answered_late) == (4, 2, 1, 1)
    assert (mine.open, mine.overdue, mine.late) == (2, 1, 2)
    assert mine.median_answer_days == 12.0  # 4 and 20 days
    other = by_provider[world.other_provider.name]
    assert (other.received, other.open, other.median_answer_days) == (1, 1, None)

    [total] = complaints.complaint_figures(visible, start=start, end=TODAY)
    assert (total.key, total.received, total.late) == ({}, 5, 2)
    [unit] = complaints.complaint_figures(
        visible, start=start, end=TODAY, group_by=["ordering_unit"]
    )
    assert unit.key == {"ordering_unit": world.unit.pk, "ordering_unit__name": world.unit.name}
    months = complaints.complaint_figures(
        visible, start=start, end=TODAY, group_by=["month", "category"]
    )
    assert sum(row.received for row in months) == 5
    assert all(row.key["month"].day == 1 for row in months)


def test_the_figures_are_scoped_to_the_user(world, order):
    register(world)
    provider_rows = complaints.complaint_figures(
        complaints.complaints_visible_to(world.other_coordinator), start=TODAY, end=TODAY
    )
    assert provider_rows == []


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_lists_what_the_user_sees(world, both):
    about_provider, about_unit = both
    officer = _api(world.officer).get("/api/klagomal/")
    assert officer.status_code == 200
    assert {row["id"] for row in officer.json()["results"]} == {about_provider.pk, about_unit.pk}
    coordinator = _api(world.coordinator).get("/api/klagomal/")
    [row] = coordinator.json()["results"]
    assert row["id"] == about_provider.pk
    assert (row["status"], row["late"], row["answer_due"]) == (
        "open",
        False,
        f"{TODAY + 14 * DAY:%Y-%m-%d}",
    )
    assert row["provider"] == {"id": world.provider.pk, "name": world.provider.name}
    assert _api(world.other_coordinator).get("/api/klagomal/").json()["results"] == []
    assert _api(world.fee_officer).get("/api/klagomal/").json()["results"] == []
    filtered = _api(world.officer).get("/api/klagomal/", {"status": "answered"}).json()
    assert filtered["results"] == []
    bad = _api(world.officer).get("/api/klagomal/", {"status": "gone"})
    assert bad.status_code == 400 and "Okänd status" in bad.content.decode()


def _new(world, **fields) -> dict:
    return {
        "client": world.client.pk,
        "about": "provider",
        "provider": world.provider.pk,
        "raised_by": "client",
        "category": "times",
        "description": DESCRIPTION,
        **fields,
    }


def test_the_provider_registers_answers_and_the_officer_closes_through_the_api(world, order):
    provider = _api(world.coordinator)
    created = provider.post("/api/klagomal/", _new(world), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["received_on"] == f"{TODAY:%Y-%m-%d}" and body["status"] == "open"
    # The same request again (a resend) is the same complaint.
    again = provider.post("/api/klagomal/", _new(world), format="json")
    assert again.json()["id"] == body["id"] and Complaint.objects.count() == 1

    url = f"/api/klagomal/{body['id']}/"
    answer_body = {"answer_text": "Vi har ändrat tiden.", "answer_method": "phone"}
    answered = provider.post(url + "besvara/", answer_body, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert provider.post(url + "besvara/", answer_body, format="json").status_code == 200
    assert provider.post(url + "avsluta/", {}, format="json").status_code == 403

    closed = _api(world.officer).post(url + "avsluta/", {"closing_note": "Klart."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    entries = AccessLog.objects.filter(user=world.coordinator)
    assert all(entry.client_ids == [world.client.pk] for entry in entries)


def test_the_api_names_each_bad_field_in_swedish(world, order):
    api = _api(world.officer)
    response = api.post(
        "/api/klagomal/",
        _new(world, received_on=f"{TODAY + DAY:%Y-%m-%d}", description=" "),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["description"]
    response = api.post(
        "/api/klagomal/", _new(world, received_on=f"{TODAY + DAY:%Y-%m-%d}"), format="json"
    )
    assert response.json() == {"received_on": ["Datumet kan inte vara senare än i dag."]}
    response = api.post("/api/klagomal/", _new(world, provider=None), format="json")
    assert response.json() == {"provider": ["Ange utförarens id."]}
    response = api.post("/api/klagomal/", _new(world, category="vädret"), format="json")
    assert response.status_code == 400 and "Okänd kategori" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_api_refuses_what_the_user_may_not_register(world, order):
    coordinator = _api(world.coordinator)
    unit = coordinator.post(
        "/api/klagomal/", _new(world, about="ordering_unit", provider=None), format="json"
    )
    assert unit.status_code == 400 and list(unit.json()) == ["about"]
    other = coordinator.post(
        "/api/klagomal/", _new(world, provider=world.other_provider.pk), format="json"
    )
    assert other.status_code == 400 and list(other.json()) == ["provider"]
    assert _api(world.manager).post("/api/klagomal/", _new(world), format="json").status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("user", ["other_officer", "other_coordinator", "fee_officer"])
def test_another_organisations_complaint_or_client_is_a_404_in_the_api(world, both, user):
    api = _api(getattr(world, user))
    for complaint in both:
        url = f"/api/klagomal/{complaint.pk}/"
        assert api.get(url).status_code == 404
        for action in ("besvara/", "avsluta/"):
            body = {"answer_text": "x", "answer_method": "phone"}
            assert api.post(url + action, body, format="json").status_code == 404
    created = api.post("/api/klagomal/", _new(world), format="json")
    assert created.status_code == 404
    assert Complaint.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Retention (uppfoljning.retention, migration 0005)


@pytest.fixture
def here(world):
    from tests.uppfoljning.retention_helpers import Org

    return Org(
        world.municipality,
        world.unit,
        world.officer,
        world.provider,
        world.coordinator,
        world.contact_person,
    )


def test_retention_removes_a_complaints_texts_and_keeps_its_figures(world, here, settings):
    from tests.uppfoljning.retention_helpers import age, case, found
    from uppfoljning import retention

    settings.RAMTID_RETENTION_NOTICE_DAYS = 0
    built = case(here, "Havtorn")  # with a complaint, answered and closed
    complaint = Complaint.objects.get(client=built.client)
    assert complaint.closed_at is not None and "Havtorn" in complaint.description
    age(built.client, years=6)
    complaint.refresh_from_db()
    kept = (complaint.received_on, complaint.answered_on, complaint.category, complaint.about)

    retention.make_report(municipality=world.municipality, on=TODAY)
    removal = retention.carry_out(municipality=world.municipality)

    assert removal.client_ids == [built.client.pk]
    assert removal.counts["uppfoljning.Complaint"] == 1
    assert removal.counts["uppfoljning.ComplaintEvent"] == 3  # registered, answered, closed
    assert found("Havtorn") == {}
    complaint.refresh_from_db()
    assert (complaint.description, complaint.answer_text) == ("[gallrad]", "[gallrad]")
    assert (complaint.raised_by_name, complaint.registration_number) == ("[gallrad]",) * 2
    assert complaint.closing_note == "[gallrad]"
    assert (complaint.received_on, complaint.answered_on, complaint.category, complaint.about) == (
        kept
    )


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.parametrize(
    "entry",
    [
        lambda day: {"answered_on": day},
        lambda day: {"answered_at": _noon(day)},
        lambda day: {"closed_at": _noon(day)},
    ],
    ids=["answered", "answer recorded", "closed"],
)
def test_a_later_complaint_keeps_the_client(world, here, entry):
    from tests.uppfoljning.retention_helpers import age, case, cutoff, set_dates
    from uppfoljning import retention

    built = case(here, "Krikon")
    age(built.client, years=6)
    assert retention.due_clients(municipality=world.municipality, on=TODAY).client_ids == [
        built.client.pk
    ]
    last_day = cutoff(world.municipality)
    complaint = Complaint.objects.filter(client=built.client)

    assert set_dates(complaint, **entry(last_day + DAY)) == 1
    assert retention.due_clients(municipality=world.municipality, on=TODAY).client_ids == []

    set_dates(complaint, **entry(last_day))
    assert retention.due_clients(municipality=world.municipality, on=TODAY).client_ids == [
        built.client.pk
    ]
