"""The demo's complaints (uppfoljning/demo.py): one answered on time and closed, one late
without an answer, one open about the unit, each on the worklist of whoever must act. Its own
module: the demo is loaded once per module (tests/conftest.py `demo_loaded`)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ramtid.models import User
from uppfoljning import complaints
from uppfoljning.demo import COMPLAINTS
from uppfoljning.models import Complaint


@pytest.fixture
def loaded(demo_loaded, db):
    return demo_loaded


def _of(name: str) -> Complaint:
    first, last = name.split(" ", 1)
    return Complaint.objects.get(client__first_name=first, client__last_name=last)


def test_one_on_time_one_late_one_open(loaded):
    assert Complaint.objects.count() == len(COMPLAINTS) == 3
    today = timezone.localdate()

    gosta = complaints.ComplaintState.of(_of("Gösta Karlsson"), today)
    assert (gosta.answered, gosta.late, gosta.closed, gosta.answer_days) == (True, False, True, 9)

    elsa = _of("Elsa Andersson")
    state = complaints.ComplaintState.of(elsa, today)
    assert (state.answered, state.overdue, state.days_overdue) == (False, True, 6)
    assert elsa.provider.name == "Lindgårdens Omsorg AB"

    ake = _of("Åke Lindberg")
    state = complaints.ComplaintState.of(ake, today)
    assert ake.provider is None and (state.answered, state.late, state.days_left) == (
        False,
        False,
        11,
    )


def test_the_demo_users_find_them_on_their_start_pages(loaded):
    coordinator = User.objects.get(username="samordnare")
    assert list(complaints.complaints_to_answer(coordinator)) == [_of("Elsa Andersson")]
    officer = User.objects.get(username="handlaggare")
    assert list(complaints.complaints_to_answer(officer)) == [_of("Åke Lindberg")]
    assert list(complaints.complaints_to_follow_up(officer)) == [_of("Elsa Andersson")]


def test_the_stamps_are_the_days_they_happened(loaded):
    gosta = _of("Gösta Karlsson")
    assert timezone.localdate(gosta.registered_at) == gosta.received_on
    assert timezone.localdate(gosta.answered_at) == gosta.answered_on
    assert gosta.closed_at > gosta.answered_at


def test_the_demo_officer_opens_the_late_complaint(loaded, client):
    client.force_login(User.objects.get(username="handlaggare"))
    response = client.get(reverse("complaint_detail", args=[_of("Elsa Andersson").pk]))
    assert response.status_code == 200
    assert "Inte besvarat i tid" in response.content.decode()
