"""factory_boy factories for the core. Personal numbers are generated with a valid checksum."""

import datetime
import itertools
import random

import factory
from rest_framework.test import APIClient

from ramtid import personal_number, services
from ramtid.choices import Gender, ProviderKind, Role
from ramtid.demo import make_personal_number
from ramtid.models import (
    ApiToken,
    Client,
    ClientRelative,
    Membership,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

_sequence = itertools.count(random.Random(4711).randrange(0, 100_000))


def random_personal_number() -> str:
    """A valid personal number, different on every call (a birth date and serial per step)."""
    step = next(_sequence)
    # 7919 is prime to the 9125 days: (date, serial) repeats only after 998 × 9125 steps.
    born = datetime.date(1930, 1, 1) + datetime.timedelta(days=(step * 7919) % 9125)
    number = make_personal_number(born, step % 998 + 1)
    assert personal_number.normalise(number) == number
    return number


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    # Four digits whatever the length of the run (a municipality code is four digits).
    code = factory.Sequence(lambda n: f"{1000 + n % 8000:04d}")


class OrderingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderingUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Beställarenhet {n}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Omsorg {n} AB")
    kind = ProviderKind.COMPANY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare{n}")
    password = factory.django.Password("ett-långt-testlösenord")


def member(user: User, role: Role, *, unit=None, provider=None, municipality=None) -> User:
    """Give `user` a role in a unit, a provider or a municipality."""
    municipality = municipality or (unit or provider).municipality
    Membership.objects.create(
        user=user, role=role, municipality=municipality, ordering_unit=unit, provider=provider
    )
    return user


def integration_account(*, provider=None, unit=None, role: Role | None = None, **fields) -> User:
    """A system's account (never a person's) with one role: in a provider the coordinator's, in
    an ordering unit the case officer's, unless `role` says otherwise."""
    if role is None:
        role = Role.PROVIDER_COORDINATOR if provider is not None else Role.CASE_OFFICER
    user = UserFactory(is_integration_account=True, first_name="System", **fields)
    return member(user, role, unit=unit, provider=provider)


def api_token(
    *,
    provider=None,
    unit=None,
    user: User | None = None,
    can_write: bool = False,
    by: User | None = None,
    **fields,
) -> tuple[ApiToken, str]:
    """An API key made as the administrator makes it (ramtid.services.api_token_create) and the
    key itself, which nothing else knows. Without `user`, a new integration account with a role
    in the provider or unit (integration_account). Use the key with token_api(key)."""
    if user is None:
        user = integration_account(provider=provider, unit=unit)
    if by is None:
        by = UserFactory(is_superuser=True)
    fields.setdefault("name", "Testsystem")
    return services.api_token_create(
        user=user, provider=provider, ordering_unit=unit, can_write=can_write, by=by, **fields
    )


def token_api(key: str) -> APIClient:
    """An API client that sends this key with every request, as a system does."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    ordering_unit = factory.SubFactory(OrderingUnitFactory)
    municipality = factory.SelfAttribute("ordering_unit.municipality")
    personal_number = factory.LazyFunction(random_personal_number)
    first_name = factory.Sequence(lambda n: f"Brukare{n}")
    last_name = "Testsson"
    gender = Gender.FEMALE
    street_address = "Storgatan 1"
    postal_code = "177 30"
    city = "Järfälla"
    phone = "08-123 456 78"


class ClientRelativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientRelative

    client = factory.SubFactory(ClientFactory)
    kind = "next_of_kin"
    name = "Anna Testsson"
    relationship = "dotter"
