"""The demo loader: idempotent, valid, a login for every role.

The demo is loaded once for this module (tests/conftest.py, demo_loaded). The command's guard and a
load into a database that already has some of the rows are in test_load_demo_command.py, which
starts from an empty database.
"""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import RequestFactory

from ramtid import demo, personal_number
from ramtid.choices import Gender, InterventionCategory, RelativeKind, Role
from ramtid.models import (
    Client,
    ClientEvent,
    ClientRelative,
    ClientRelativeEvent,
    InterventionType,
    Membership,
    Municipality,
    User,
)

PROJECT_APPS = ("ramtid", "bestallning", "genomforandeplan", "uppfoljning")
CATALOGUE_SIZE = 34


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    """Rows in every model of the project's apps, the audit events included."""
    return {
        model._meta.label: model.objects.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _core_clients():
    """The core's demo clients (the apps' loaders may add clients of their own)."""
    numbers = [
        personal_number.normalise(demo.written_personal_number(index, spec))
        for index, (_unit, _city, spec) in enumerate(demo.CLIENTS)
    ]
    return Client.objects.filter(personal_number__in=numbers)


@pytest.fixture
def loaded(demo_loaded, db) -> str:
    """The demo, loaded once for this module; each test's writes are undone after it."""
    return demo_loaded


def test_loading_twice_creates_nothing_new(loaded):
    counts = _row_counts()
    second = _load("--force")

    assert _row_counts() == counts
    assert "Nya rader" in loaded
    assert "Inga nya rader" in second
    assert _core_clients().count() == len(demo.CLIENTS)


def test_demo_writes_are_attributed_to_the_load_demo_task(loaded):
    events = [*ClientEvent.objects.all(), *ClientRelativeEvent.objects.all()]
    assert len(events) == Client.objects.count() + ClientRelative.objects.count()
    assert {event.pgh_context["task"] for event in events} == {"load_demo"}


def test_every_client_has_a_valid_and_fictitious_personal_number(loaded):
    clients = list(Client.objects.all())
    assert len({client.personal_number for client in clients}) == len(clients) >= 30
    for client in clients:
        number = client.personal_number
        assert personal_number.normalise(number) == number
        personal_number.validate(number)
        serial = int(number[8:11])
        assert serial in demo.FICTITIOUS_SERIALS, number
        # The third digit of the birth number: odd for men, even for women.
        assert (serial % 2 == 1) == (client.gender == Gender.MALE), number


def test_the_demo_has_the_cases_the_screens_must_handle(loaded):
    clients = list(Client.objects.all())
    assert {Gender.FEMALE, Gender.MALE} <= {client.gender for client in clients}
    assert sum(personal_number.is_coordination_number(c.personal_number) for c in clients) >= 2
    assert {client.municipality.code for client in clients if client.protected_identity} == {
        demo.JARFALLA,
        demo.STOCKHOLM,
    }
    # Someone over 100: the short form with '+' gives the same person.
    centenarian = next(c for c in clients if int(c.personal_number[:4]) <= 1924)
    short = f"{centenarian.personal_number[2:8]}+{centenarian.personal_number[8:]}"
    assert personal_number.normalise(short) == centenarian.personal_number
    kinds = set(ClientRelative.objects.values_list("kind", flat=True))
    assert {RelativeKind.NEXT_OF_KIN, RelativeKind.GOOD_MAN} <= kinds
    birth_years = {int(c.personal_number[:4]) for c in clients}
    assert min(birth_years) <= 1924
    assert max(birth_years) <= 1945


def test_every_client_has_a_case_officer_of_its_own_unit(loaded):
    for client in Client.objects.select_related("responsible_officer"):
        assert Membership.objects.filter(
            user=client.responsible_officer,
            role=Role.CASE_OFFICER,
            ordering_unit=client.ordering_unit,
        ).exists(), client


def test_every_role_has_a_user_and_the_printed_password_works(loaded):
    for role in Role:
        assert Membership.objects.filter(role=role).exists(), role
    demo_users = User.objects.filter(username__in=[spec.username for spec in demo.USERS])
    assert demo_users.count() == len(demo.USERS)
    # One hash for all (a fixed salt), so checking one login checks them all.
    assert len({user.password for user in demo_users}) == 1
    # The lockout's backend needs the request a sign-in comes with.
    request = RequestFactory().post("/logga-in/")
    assert authenticate(request, username="handlaggare", password=demo.DEMO_PASSWORD)
    for user in demo_users:
        validate_password(demo.DEMO_PASSWORD, user)

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    administrator = Membership.objects.get(role=Role.ADMINISTRATOR).user
    assert administrator.is_staff and not administrator.is_superuser

    assert demo.DEMO_PASSWORD in loaded
    for spec in demo.USERS:
        assert spec.username in loaded


def test_both_municipalities_have_their_rules_and_the_full_catalogue(loaded):
    defaults = InterventionType.objects.filter(municipality__isnull=True)
    assert defaults.count() == CATALOGUE_SIZE
    default_names = set(defaults.values_list("name", flat=True))
    for municipality in Municipality.objects.all():
        names = set(municipality.intervention_types.values_list("name", flat=True))
        own = {name for name, _category, _minutes in demo.OWN_CATALOGUE.get(municipality.code, ())}
        assert names == default_names | own, municipality
    jarfalla = Municipality.objects.get(code=demo.JARFALLA)
    stockholm = Municipality.objects.get(code=demo.STOCKHOLM)
    # Järfälla's officers decide up to 100 h/month, so that its unit manager has decisions.
    assert (jarfalla.plan_deadline_days, jarfalla.delegation_hours) == (14, 100)
    assert jarfalla.first_review_after_months is None
    assert (stockholm.plan_deadline_days, stockholm.delegation_hours) == (15, 136)
    assert stockholm.first_review_after_months == 2
    assert stockholm.contact_person_days == jarfalla.contact_person_days == 5


STOCKHOLMS_OWN = {"Förflyttning", "Tillsyn nattetid", "Byte av inkontinensskydd"}


def test_stockholm_has_its_own_interventions_and_jarfalla_does_not(loaded):
    stockholm = InterventionType.objects.filter(municipality__code=demo.STOCKHOLM)
    own = {t.name: t for t in stockholm.filter(name__in=STOCKHOLMS_OWN)}

    assert set(own) == STOCKHOLMS_OWN
    for intervention in own.values():
        assert intervention.category == InterventionCategory.PERSONAL_CARE, intervention
        assert not intervention.is_care_package and intervention.active
        assert 5 <= intervention.standard_minutes <= 30, intervention
    # Each is Stockholm's own row: neither in the default catalogue nor in Järfälla's.
    assert not InterventionType.objects.filter(name__in=STOCKHOLMS_OWN).exclude(
        municipality__code=demo.STOCKHOLM
    )
    # After the shared personal-care interventions, in the catalogue's order.
    last_shared = stockholm.filter(category=InterventionCategory.PERSONAL_CARE).exclude(
        name__in=STOCKHOLMS_OWN
    )
    assert min(t.position for t in own.values()) > max(t.position for t in last_shared)


def test_a_rule_changed_since_is_reset_and_nothing_is_added(loaded):
    # A demo loaded before Järfälla had a delegation limit (or one changed in the admin).
    Municipality.objects.filter(code=demo.JARFALLA).update(delegation_hours=None)
    counts = _row_counts()

    _load("--force")

    assert Municipality.objects.get(code=demo.JARFALLA).delegation_hours == 100
    # The reset is a change to a municipal rule, so the trail records it; nothing else is added.
    after = _row_counts()
    assert after.pop("ramtid.MunicipalityEvent") == counts.pop("ramtid.MunicipalityEvent") + 1
    assert after == counts


@pytest.mark.parametrize(
    ("born", "serial", "coordination", "expected"),
    [
        (datetime.date(1912, 12, 12), 121, False, "191212121212"),
        (datetime.date(1970, 10, 3), 239, True, "197010632391"),
    ],
)
def test_make_personal_number_gives_known_numbers(born, serial, coordination, expected):
    assert demo.make_personal_number(born, serial, coordination=coordination) == expected


@pytest.mark.parametrize("serial", [0, 1000])
def test_make_personal_number_refuses_a_birth_number_outside_001_999(serial):
    with pytest.raises(ValueError, match="Födelsenumret"):
        demo.make_personal_number(datetime.date(1930, 1, 1), serial)
