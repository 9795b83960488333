"""The golden example: Lisa's order of 004 Bilaga 4 shows everything Bilaga 4 shows."""

import html
import io
import re

import pytest
from django.http import Http404
from django.urls import reverse
from pypdf import PdfReader

from bestallning import examples, ordered_time, selectors
from bestallning.choices import OrderStatus
from bestallning.models import Order
from bestallning.pdf import order_pdf_response
from ramtid.choices import AccessAction, Role
from ramtid.formatting import hhmm
from ramtid.models import AccessLog
from tests.factories import (
    MunicipalityFactory,
    OrderingUnitFactory,
    ProviderFactory,
    UserFactory,
    member,
)

# Every label and value Bilaga 4 shows (its own wording; "Kroppsvård" is Bilaga 6's "Att sköta
# kroppen", and hours are written with a decimal comma).
BILAGA_4 = [
    "Beställare:",
    "Karin Lindqvist",
    "Lisa Jakobsson",
    "Testgatan 11, 999 99 Teststad",
    "Utförare: Lindgårdens Omsorg AB",
    "Beställningsdatum:",
    "Beställning gäller: 2022-03-11",
    "Verkställd:",
    "Beslut: Bifall",
    "SoL 4 kap. 1 §",
    "Beslutsdatum: 2022-03-10",
    "Beställningstext",
    "Omprövning - oförändrade insatser",
    "Kontaktperson för planering är dottern Linnéa.",
    "Viktigt: Lisa har katt i hemmet och är storrökare.",
    "Beviljade insatser",
    "Dagligen",
    "6 besök per dag för hjälp med personlig omvårdnad i form av klädsel och hygien, "
    "toalettbesök samt hjälp med att tömma kateter, tillsyn, mathållning och uppsnyggning.",
    "Regelbundet",
    "Duschhjälp två gånger per vecka",
    "Promenad två gånger per vecka",
    "Inköp utan kund en gång per vecka",
    "Källsortering en gång per vecka",
    "Tvätt i bostad en gång varannan vecka",
    "Renbäddning en gång varannan vecka",
    "Städning 2 rok en gång var tredje vecka",
    "Beställd kvantitet: 51:36 timmar/månad",
    "Beställda insatser",
    "SoL Omvårdnadsinsatser",
    "SoL Serviceinsatser",
    "Promenad",
    "Att röra sig omkring på olika platser",
    "Frekvens: 1 timmar/vecka, varje vecka",
    "Duschhjälp",
    "Att tvätta sig",
    "Omvårdnadspaket morgon",
    "Att sköta kroppen",
    "Frekvens: 0,2 timmar/dag, varje vecka, Alla dagar mån, tis, ons, tors, fre, lör, sön",
    "Omvårdnadspaket kväll",
    "Frekvens: 0,15 timmar/dag, varje vecka, Alla dagar mån, tis, ons, tors, fre, lör, sön",
    "Toalettbesök",
    "Att sköta toalettbehov",
    "Frekvens: 0,3 timmar/dag, varje vecka, Alla dagar mån, tis, ons, tors, fre, lör, sön",
    "Tillsyn",
    "Känsla av trygghet",
    "Bedömt funktionstillstånd: Måttlig",
    "Avsett funktionstillstånd: Måttlig",
    "Lisa förflyttar sig självständigt med rollator",
    "Lisas mål är att komma ut och bibehålla sina funktioner.",
    "Lisas mål är att få klara de delar av duschmomentet hon kan.",
    "Lisas mål är att bibehålla de förmågor hon har vid morgon- och kvällshygien.",
    "Lisas mål är att utföra det hon själv klarar av.",
    "Lisas mål är att känna sig tryggare hemma.",
    "Bedömt behov av insatser: Behovet kan tillgodoses med stödjande/tränande insats",
    "Bedömt behov av insatser: Behovet kan tillgodoses med kompenserande insats",
    "Övergripande mål",
    "Leva ett värdigt liv och känna välbefinnande",
    "Möjlighet att leva och bo självständigt under trygga förhållanden",
    "Relaterade faktorer",
    "Kroppsfunktioner",
    "Lisa har nedsatt hörsel.",
    "Omgivningsfaktorer",
    "Lisa är förskriven en rollator och har kateter.",
    "Hälsotillstånd",
    "MOCA-test som visade 7/30.",
    "Personfaktorer",
    "Vid telefonvårdplaneringen framgår även att Lisa är rökare.",
]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return _words(" ".join(page.extract_text() for page in reader.pages))


def _missing(text: str) -> list[str]:
    return [expected for expected in BILAGA_4 if _words(expected) not in text]


def _missing_label_or_value(text: str) -> list[str]:
    """For a page that sets labels and values apart (a <dl>): each part on its own."""
    parts = [part.strip() for expected in BILAGA_4 for part in expected.split(": ")]
    return [part for part in parts if part and _words(part).rstrip(":") not in text]


@pytest.fixture
def lindgarden(world):
    world.provider.name = "Lindgårdens Omsorg AB"
    world.provider.save()
    world.officer.first_name, world.officer.last_name = "Karin", "Lindqvist"
    world.officer.save()
    return world


@pytest.fixture
def lisa(lindgarden) -> Order:
    return examples.build_lisa(
        officer=lindgarden.officer, provider=lindgarden.provider, unit=lindgarden.unit
    )


def test_lisa_is_sent_with_bilaga_4s_total_and_no_quality_warnings(lisa):
    order = selectors.order_with_interventions(Order.objects.filter(pk=lisa.pk)).get()
    time = ordered_time.order_time(order)

    assert order.status == OrderStatus.SENT
    assert time.total == 3096
    assert hhmm(time.total) == "51:36"
    assert all(minutes is not None for _item, minutes in time.rows)
    assert order.quality_warnings == []
    assert order.client.personal_number == examples.LISA_PERSONAL_NUMBER
    assert order.client.personal_number.startswith("1938")


def test_lisa_works_in_any_municipality_with_its_own_catalogue(db):
    # A municipality made without the service has no catalogue: build_lisa copies it first.
    municipality = MunicipalityFactory(days_per_month="30.44", weeks_per_month="4.35")
    unit = OrderingUnitFactory(municipality=municipality)
    officer = member(UserFactory(), Role.CASE_OFFICER, unit=unit)
    provider = ProviderFactory(municipality=municipality)

    order = examples.build_lisa(officer=officer, provider=provider, unit=unit)

    kinds = {item.intervention_type.municipality_id for item in order.interventions.all()}
    assert kinds == {municipality.pk}
    assert ordered_time.order_time(order).total == 3096
    assert municipality.intervention_types.count() > len(examples.INTERVENTIONS)


def _pdf_through_url(world, user, order):
    return world.login(user).get(reverse("order_pdf", args=[order.pk]))


def test_the_pdf_shows_everything_bilaga_4_shows(lindgarden, lisa, rf):
    response = order_pdf_response(lisa, lindgarden.officer, request=rf.get("/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert _missing(text) == []
    assert lisa.client.personal_number_display in text
    assert "Utskrivet" in text and "Sida 1 av" in text
    log = AccessLog.objects.get(client_ids__contains=[lisa.client.pk])
    assert (log.action, log.what, log.user) == (
        AccessAction.EXPORT,
        "Beställning (PDF)",
        lindgarden.officer,
    )


@pytest.mark.parametrize("role", ["officer", "coordinator", "contact_person"])
def test_the_pdf_through_its_url_for_the_unit_and_the_provider(lindgarden, lisa, role):
    response = _pdf_through_url(lindgarden, getattr(lindgarden, role), lisa)

    assert response.status_code == 200
    assert _missing(_pdf_text(response.content)) == []


@pytest.mark.parametrize("role", ["other_officer", "other_coordinator", "fee_officer"])
def test_another_organisations_pdf_is_404(lindgarden, lisa, role):
    assert _pdf_through_url(lindgarden, getattr(lindgarden, role), lisa).status_code == 404


def test_order_pdf_response_refuses_an_order_the_user_cannot_see(lindgarden, lisa):
    with pytest.raises(Http404):
        order_pdf_response(lisa, lindgarden.other_coordinator)
    assert not AccessLog.objects.exists()


def test_the_pdf_hides_a_protected_address_from_all_but_the_responsible_officer(lindgarden, lisa):
    lisa.client.protected_identity = True
    lisa.client.save()

    for user, shown in ((lindgarden.officer, True), (lindgarden.coordinator, False)):
        text = _pdf_text(order_pdf_response(lisa, user).content)
        assert ("Testgatan 11" in text) is shown, user
        assert "Skyddade personuppgifter" in text


def test_the_order_page_shows_everything_bilaga_4_shows(lindgarden, lisa):
    response = lindgarden.login(lindgarden.officer).get(reverse("order_detail", args=[lisa.pk]))

    assert response.status_code == 200
    text = _words(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
    assert _missing_label_or_value(text) == []
