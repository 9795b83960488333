"""Shared fixtures: two municipalities' worth of organisations and a user in every role.

`world` is the matrix the access tests walk: each organisation has a twin in another unit,
provider or municipality, so "another organisation's object" is always at hand.
"""

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

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
def fast_password_hashing(settings):
    # Production hashes with PBKDF2; tests create many users and need not pay for that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
