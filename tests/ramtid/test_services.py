import pytest
from django.core.exceptions import ValidationError

from ramtid import services
from ramtid.models import Client, InterventionType


def test_client_create_stores_the_normalised_personal_number(world):
    client = services.client_create(
        by=world.officer,
        ordering_unit=world.unit,
        personal_number_input="121212+1212",
        first_name="Greta",
        last_name="Ek",
        gender="female",
    )
    assert client.personal_number == "191212121212"
    assert client.municipality == world.municipality
    assert client.responsible_officer == world.officer


def test_the_same_person_cannot_be_registered_twice_in_a_municipality(world):
    with pytest.raises(ValidationError) as error:
        services.client_create(
            by=world.officer,
            ordering_unit=world.unit,
            personal_number_input=world.client.personal_number_display,
            first_name="Lisa",
            last_name="Andersson",
            gender="female",
        )
    assert "redan en brukare" in error.value.message_dict["personal_number"][0]
    assert Client.objects.filter(personal_number=world.client.personal_number).count() == 1


def test_the_same_person_may_be_a_client_in_another_municipality(world):
    client = services.client_create(
        by=world.other_officer,
        ordering_unit=world.other_unit,
        personal_number_input=world.client.personal_number,
        first_name="Lisa",
        last_name="Andersson",
        gender="female",
    )
    assert client.municipality == world.other_municipality


def test_responsible_officer_must_belong_to_the_unit(world):
    with pytest.raises(ValidationError) as error:
        services.client_create(
            by=world.officer,
            ordering_unit=world.unit,
            personal_number_input="19121212-1212",
            first_name="Greta",
            last_name="Ek",
            gender="female",
            responsible_officer=world.other_officer,
        )
    assert "responsible_officer" in error.value.message_dict
    assert not Client.objects.filter(personal_number="191212121212").exists()


def test_update_changes_only_what_changed(world):
    services.client_update(client=world.client, by=world.officer, phone="070-000 00 00")
    world.client.refresh_from_db()
    assert world.client.phone == "070-000 00 00"


def test_a_municipality_adds_an_intervention_of_its_own_last_in_its_category(db):
    municipality = services.municipality_create(name="Solna", code="0184")
    other = services.municipality_create(name="Sundbyberg", code="0183")
    last = max(
        municipality.intervention_types.filter(category="personal_care").values_list(
            "position", flat=True
        )
    )

    night = services.intervention_type_create(
        municipality=municipality,
        name=" Tillsyn nattetid ",
        category="personal_care",
        standard_minutes=10,
    )

    assert (night.name, night.position) == ("Tillsyn nattetid", last + 1)
    assert night.municipality == municipality
    assert not other.intervention_types.filter(name="Tillsyn nattetid").exists()
    assert not InterventionType.objects.filter(municipality__isnull=True, name=night.name)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "Tillsyn", "category": "personal_care"}, "name", "finns redan i Solnas"),
        (
            {"name": "Städpaket", "category": "service", "is_care_package": True},
            "is_care_package",
            "omvårdnadsinsats",
        ),
        (
            {"name": "Förflyttning", "category": "personal_care", "standard_minutes": 0},
            "standard_minutes",
            "",
        ),
    ],
)
def test_an_intervention_of_its_own_is_refused_with_the_field_named(db, fields, field, message):
    municipality = services.municipality_create(name="Solna", code="0184")
    count = InterventionType.objects.count()

    with pytest.raises(ValidationError) as error:
        services.intervention_type_create(
            municipality=municipality, **{"standard_minutes": 10, **fields}
        )

    assert message in error.value.message_dict[field][0]
    assert InterventionType.objects.count() == count
