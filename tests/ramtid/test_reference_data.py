"""Every new database has the catalogue of DOMAIN.md §3 and the ICF life areas of 004 Bilaga 6."""

from ramtid.models import InterventionType, LifeArea, LifeAreaCategory
from ramtid.services import municipality_create

SERVICE = """Matdistribution, Städning 1 rok, Städning 2 rok, Städning 3 rok, Tillsynsstädning,
Uppsnyggning, Fönsterputs, Tvätt i bostad, Tvätt i tvättstuga, Hängning av tvätt, Renbäddning,
Källsortering, Inköp utan kund, Enklare matlagning, Frukost/mellanmål/kvällsmål, Ärenden, Disk"""
PERSONAL_CARE = """Duschhjälp, Duschtillsyn, Personlig hygien, Hårvård, På- och avklädning,
Toalettbesök, Egenvård, Tillsyn, Hjälp till och från turbunden resa, Trygghetsringning, Promenad,
Social samvaro, Sällskap vid måltider, Matning, Omvårdnadspaket morgon, Omvårdnadspaket lunch,
Omvårdnadspaket kväll"""


def _names(text):
    return {name.strip() for name in text.replace("\n", " ").split(",")}


def test_default_catalogue_has_every_intervention_in_its_category(db):
    defaults = InterventionType.objects.filter(municipality__isnull=True)
    assert set(defaults.filter(category="service").values_list("name", flat=True)) == _names(
        SERVICE
    )
    assert set(defaults.filter(category="personal_care").values_list("name", flat=True)) == _names(
        PERSONAL_CARE
    )
    assert all(item.standard_minutes > 0 for item in defaults)
    packages = set(defaults.filter(is_care_package=True).values_list("name", flat=True))
    assert packages == {"Omvårdnadspaket morgon", "Omvårdnadspaket lunch", "Omvårdnadspaket kväll"}


def test_all_eleven_life_areas_with_their_subcategories(db):
    areas = {area.number: area for area in LifeArea.objects.all()}
    assert sorted(areas) == list(range(1, 12))
    counts = {number: area.categories.count() for number, area in areas.items()}
    assert counts == {1: 5, 2: 4, 3: 11, 4: 10, 5: 8, 6: 14, 7: 7, 8: 5, 9: 4, 10: 0, 11: 0}
    assert LifeAreaCategory.objects.filter(name="Att tvätta sig", life_area__number=5).exists()
    # Area 11 marks indirect support to a relative; no intervention is granted from it.
    assert not areas[11].grants_interventions
    assert all(areas[n].grants_interventions for n in range(1, 11))


def test_a_new_municipality_gets_its_own_copy_of_the_catalogue(db):
    municipality = municipality_create(name="Sollentuna", code="0163")
    own = InterventionType.objects.filter(municipality=municipality)
    assert own.count() == InterventionType.objects.filter(municipality__isnull=True).count() == 34
    # Järfälla's rules are the defaults.
    assert municipality.plan_deadline_days == 14
    assert municipality.contact_person_days == 5
    assert municipality.monthly_check_day == 5
