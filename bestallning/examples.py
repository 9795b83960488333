"""The golden example: the order for "Lisa" of 004 Bilaga 4, built through the services.

The tests check that the order page and the PDF show everything Bilaga 4 shows; the demo loads
the same order. Bilaga 4 lists only the personal-care interventions with their times; the
service interventions of "Regelbundet" get minutes chosen so that the ordered total is Bilaga
4's 51:36 timmar/månad with Järfälla's month conversion (30.44 days, 4.35 weeks per month):

    personal care                                  service
    Promenad 2 × 30 min/vecka         261 min     Inköp utan kund 90 min/vecka         392 min
    Duschhjälp 2 × 30 min/vecka       261 min     Källsortering 18 min/vecka            78 min
    Omvårdnadspaket morgon 12 min/dag 365 min     Tvätt i bostad 120 min varannan v    261 min
    Omvårdnadspaket kväll 9 min/dag   274 min     Renbäddning 30 min varannan vecka     65 min
    Toalettbesök 3 × 6 min/dag        548 min     Städning 2 rok 156 min var 3:e v     226 min
    Tillsyn 2 × 6 min/dag             365 min
                                     2074 min   +                                     1022 min
                                                = 3096 min = 51:36

The service minutes are multiples of six, so that their hours have one decimal as in Bilaga 4
(1,5, 0,3, 2, 0,5 and 2,6 timmar); each part is rounded to whole minutes once (rules.time_basis).

Bilaga 4's text is kept, with three slips of the pen corrected ("borta tänderna" → "borsta",
"i samband toalettbesök" → "i samband med", "Lisa är behov" → "är i behov") and the line-end
hyphens of the related factors joined.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from bestallning import services
from bestallning.choices import (
    DecisionKind,
    DecisionOutcome,
    FunctionLevel,
    Period,
    SupportOrientation,
)
from bestallning.models import Order
from bestallning.services import InterventionInput
from ramtid import services as core_services
from ramtid.choices import Gender
from ramtid.demo import make_personal_number
from ramtid.models import InterventionType, LifeArea, LifeAreaCategory, OrderingUnit, Provider, User

# A fictitious number: born 1938-03-01 with birth number 982 from Skatteverket's test series
# (980–999), even for a woman, with a correct check digit.
LISA_PERSONAL_NUMBER = make_personal_number(datetime.date(1938, 3, 1), 982)
LISA_FIRST_NAME = "Lisa"
LISA_LAST_NAME = "Jakobsson"

DECIDED_ON = datetime.date(2022, 3, 10)
VALID_FROM = datetime.date(2022, 3, 11)
HOURS_PER_MONTH = Decimal("51.60")  # 51:36

ORDER_TEXT = (
    "Omprövning - oförändrade insatser\n\n"
    "Kontaktperson för planering är dottern Linnéa.\n\n"
    "Viktigt: Lisa har katt i hemmet och är storrökare."
)
DAILY_VISITS = 6
DAILY_VISITS_DESCRIPTION = (
    "hjälp med personlig omvårdnad i form av klädsel och hygien, toalettbesök samt hjälp med "
    "att tömma kateter, tillsyn, mathållning och uppsnyggning."
)
OVERALL_GOALS = [
    "Leva ett värdigt liv och känna välbefinnande",
    "Möjlighet att leva och bo självständigt under trygga förhållanden",
]
BODY_FUNCTIONS = (
    "Vid telefonsamtal med vårdsamordnare Anna 2021-03-19 framkommer att Lisa har en kognitiv "
    "svikt vilket visar sig genom att Lisa glömmer hur hon ska använda vardagliga redskap. Det "
    "framkommer även att Lisa tidvis är förvirrad på avdelningen och att hon inte vet vart hon "
    "är. Lisa saknar insikt i sina begränsningar. Det framgår att Lisa upplevs pigg och alert. "
    "Lisa har nedsatt hörsel."
)
ENVIRONMENTAL_FACTORS = (
    "Vid telefonvårdplanering 2021-03-19 framgår att Lisa bor ensam i lägenhet i Jakobsberg. "
    "Lägenheten är inte anpassad och det finns såväl trösklar mellan rummen som badkar i "
    "badrummet. Dotter Linnéa berättar att hon ska hjälpa Lisa att ta bort badkaret så att det "
    "blir ett duschhörn i stället så det går att ha en duschstol. Vidare framgår att Lisa har en "
    "dotter och en bror. Dottern Linnéa bor i Viksjö och hon är Lisa behjälplig med vissa "
    "praktiska saker i vardagen. Lisa är listad på Vibblaby husläkarmottagning och hon kommer "
    "att få APO-dos för sina mediciner. Lisa är förskriven en rollator och har kateter."
)
HEALTH_CONDITION = (
    "I telefonsamtal med vårdsamordnare Anna 2021-03-19 framgår att Lisa vårdas på Danderyds "
    "sjukhus med anledning av akut njursvikt. Anna berättar att man på sjukhuset genomfört ett "
    "MOCA-test som visade 7/30."
)
PERSONAL_FACTORS = (
    "Vid telefonvårdplanering 2021-03-19 berättar vårdsamordnare Anna att Lisa helst håller sig "
    "inne på sitt rum. Anna uppger att Lisa berättat för henne att Lisa tidigare i livet arbetat "
    "som författare vilket inneburit mycket ensam tid. Lisa har berättat att det har passat henne "
    "bra då hon varit självständig och inte känt sig bekväm i större sociala sammanhang. Vid "
    "telefonvårdplaneringen framgår även att Lisa är rökare."
)

_HYGIENE = (
    "Lisa klarar att borsta tänderna själv. Lisa är i behov av stöttning vid nedre på- och "
    "avklädning och i behov av muntlig guidning vid övre på- och avklädning. Hon är även i "
    "behov av hjälp med att tömma och byta kateter."
)
_HYGIENE_GOAL = "Lisas mål är att bibehålla de förmågor hon har vid morgon- och kvällshygien."
CARE_PACKAGE_CONTENTS = ("På- och avklädning", "Personlig hygien", "Toalettbesök")

S, C = SupportOrientation.SUPPORTIVE, SupportOrientation.COMPENSATORY
DAY, WEEK, N_WEEKS = Period.PER_DAY, Period.PER_WEEK, Period.EVERY_N_WEEKS

# (catalogue name, life area, subcategory or None, period, occasions, minutes, every n weeks,
#  description, goal, orientation), in Bilaga 4's order.
# fmt: off
INTERVENTIONS = (
    ("Promenad", 4, "Att röra sig omkring på olika platser", WEEK, 2, 30, 1,
     "Lisa förflyttar sig självständigt med rollator men glömmer att använda sin rollator "
     "ibland. Lisa har svårigheter med att hitta i närområdet på grund av kognitiv svikt och har "
     "behov av sällskap vid förflyttning utomhus.",
     "Lisas mål är att komma ut och bibehålla sina funktioner.", S),
    ("Duschhjälp", 5, "Att tvätta sig", WEEK, 2, 30, 1,
     "Lisa klarar av att tvätta håret samt under armarna själv med muntlig guidning. Hon har "
     "svårt att nå rygg och fötter i samband med dusch.",
     "Lisas mål är att få klara de delar av duschmomentet hon kan.", S),
    # Bilaga 4 names the subcategory "Kroppsvård"; in Bilaga 6 it is "Att sköta kroppen".
    ("Omvårdnadspaket morgon", 5, "Att sköta kroppen", DAY, 1, 12, 1, _HYGIENE, _HYGIENE_GOAL, S),
    ("Omvårdnadspaket kväll", 5, "Att sköta kroppen", DAY, 1, 9, 1, _HYGIENE, _HYGIENE_GOAL, S),
    ("Toalettbesök", 5, "Att sköta toalettbehov", DAY, 3, 6, 1,
     "Lisa klarar av att gå på toaletten själv men behöver påminnelse och stöttning i samband "
     "med toalettbesök. Hon är även i behov av hjälp med att tömma och byta kateter.",
     "Lisas mål är att utföra det hon själv klarar av.", C),
    ("Tillsyn", 10, None, DAY, 2, 6, 1,
     "Lisa påkallar inte hjälp när hon behöver det och har vid några tillfällen ramlat i "
     "bostaden. Lisa är i behov av att någon regelbundet tittar till henne.",
     "Lisas mål är att känna sig tryggare hemma.", S),
    # The service interventions of "Regelbundet"; Bilaga 4 does not show their details.
    ("Inköp utan kund", 6, "Att skaffa varor och tjänster", WEEK, 1, 90, 1,
     "Lisa kan inte handla själv på grund av kognitiv svikt och svårigheter att hitta i "
     "närområdet. Hon kan berätta vad hon vill ha när inköpslistan skrivs.",
     "Lisas mål är att ha den mat hon tycker om hemma.", C),
    ("Källsortering", 6, "Att avlägsna avfall", WEEK, 1, 18, 1,
     "Lisa kan inte bära sopor till soprummet med rollatorn.",
     "Lisas mål är att ha rent och fräscht hemma.", C),
    ("Tvätt i bostad", 6, "Att tvätta och torka kläder och textilier med hushållsapparater",
     N_WEEKS, 1, 120, 2,
     "Lisa kan sortera sin tvätt med muntlig guidning men klarar inte att sköta tvättmaskinen.",
     "Lisas mål är att ha rena kläder som hon själv har valt.", S),
    ("Renbäddning", 6, "Att göra ordning sovplatser", N_WEEKS, 1, 30, 2,
     "Lisa klarar inte att byta sängkläder på grund av nedsatt balans.",
     "Lisas mål är att sova i en ren säng.", C),
    ("Städning 2 rok", 6, "Att städa bostaden", N_WEEKS, 1, 156, 3,
     "Lisa klarar inte att städa sin lägenhet. Katten och rökningen gör att det behövs en "
     "grundlig städning.",
     "Lisas mål är att bo i ett rent och tryggt hem.", C),
)
# fmt: on


def _intervention_inputs(municipality_id: int) -> list[InterventionInput]:
    catalogue = {
        kind.name: kind for kind in InterventionType.objects.filter(municipality_id=municipality_id)
    }
    areas = {area.number: area for area in LifeArea.objects.all()}
    categories = {
        (category.life_area_id, category.name): category
        for category in LifeAreaCategory.objects.all()
    }
    rows = []
    for (
        name,
        area_number,
        category_name,
        period,
        occasions,
        minutes,
        every_n_weeks,
        description,
        goal,
        orientation,
    ) in INTERVENTIONS:
        area = areas[area_number]
        rows.append(
            InterventionInput(
                intervention_type=catalogue[name],
                life_area=area,
                life_area_category=categories[(area.pk, category_name)] if category_name else None,
                period=period,
                occasions=occasions,
                minutes=minutes,
                weekdays=[1, 2, 3, 4, 5, 6, 7] if period == Period.PER_DAY else None,
                every_n_weeks=every_n_weeks,
                assessed_level=FunctionLevel.MODERATE,
                intended_level=FunctionLevel.MODERATE,
                description=description,
                client_goal=goal,
                support_orientation=orientation,
                care_package_contents=[catalogue[n] for n in CARE_PACKAGE_CONTENTS]
                if catalogue[name].is_care_package
                else (),
            )
        )
    return rows


@transaction.atomic
def build_lisa(*, officer: User, provider: Provider, unit: OrderingUnit) -> Order:
    """Register Lisa in `unit`, record her decision and send her order to `provider`.

    Works in any municipality: the default catalogue is copied to it first (a no-op when it
    has it). Returns the sent order; the provider receives and executes it as usual.
    """
    core_services.catalogue_copy_defaults(municipality=unit.municipality)
    client = core_services.client_create(
        by=officer,
        ordering_unit=unit,
        personal_number_input=LISA_PERSONAL_NUMBER,
        first_name=LISA_FIRST_NAME,
        last_name=LISA_LAST_NAME,
        gender=Gender.FEMALE,
        street_address="Testgatan 11",
        postal_code="999 99",
        city="Teststad",
        responsible_officer=officer,
    )
    interventions = _intervention_inputs(unit.municipality_id)
    decision = services.decision_create(
        client=client,
        by=officer,
        outcome=DecisionOutcome.GRANTED,
        # "Beslut: Bifall Omvårdnad SoL 4kap.1§": Bilaga 4 names the decision by its care,
        # though it grants service interventions too (the kind derived from them would differ).
        kind=DecisionKind.PERSONAL_CARE,
        legal_basis="SoL 4 kap. 1 §",
        decided_on=DECIDED_ON,
        valid_from=VALID_FROM,
        hours_per_month=HOURS_PER_MONTH,
        reasoning=(
            "Omprövning. Lisa har en kognitiv svikt och behöver stöd i den personliga "
            "omvårdnaden, tillsyn och hjälp i hemmet. Behoven är oförändrade."
        ),
        purpose_and_goal=(
            "Att Lisa ska kunna bo kvar hemma under trygga förhållanden och leva ett värdigt liv."
        ),
        granted_interventions=sorted(
            {row.intervention_type for row in interventions}, key=lambda kind: kind.name
        ),
    )
    order = services.order_create(
        decision=decision, by=officer, provider=provider, valid_from=VALID_FROM
    )
    order = services.order_save_draft(
        order=order,
        by=officer,
        version=order.version,
        fields={
            "order_text": ORDER_TEXT,
            "daily_visits": DAILY_VISITS,
            "daily_visits_description": DAILY_VISITS_DESCRIPTION,
            "overall_goals": OVERALL_GOALS,
            "body_functions": BODY_FUNCTIONS,
            "environmental_factors": ENVIRONMENTAL_FACTORS,
            "health_condition": HEALTH_CONDITION,
            "personal_factors": PERSONAL_FACTORS,
        },
        interventions=interventions,
    )
    return services.order_send(order=order, by=officer)
