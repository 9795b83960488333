"""The default intervention catalogue (004 §2.3) and the ICF life areas (004 Bilaga 6).

The data is written out here, not imported, so that this migration gives the same result forever.
The seeds publish no standard times: the minutes below are plausible defaults that each
municipality's administrator adjusts.
"""

from django.db import migrations

SERVICE = "service"
PERSONAL_CARE = "personal_care"

CATALOGUE = [
    # (name, category, standard minutes, is care package)
    ("Matdistribution", SERVICE, 5, False),
    ("Städning 1 rok", SERVICE, 90, False),
    ("Städning 2 rok", SERVICE, 120, False),
    ("Städning 3 rok", SERVICE, 150, False),
    ("Tillsynsstädning", SERVICE, 30, False),
    ("Uppsnyggning", SERVICE, 15, False),
    ("Fönsterputs", SERVICE, 120, False),
    ("Tvätt i bostad", SERVICE, 45, False),
    ("Tvätt i tvättstuga", SERVICE, 90, False),
    ("Hängning av tvätt", SERVICE, 20, False),
    ("Renbäddning", SERVICE, 20, False),
    ("Källsortering", SERVICE, 10, False),
    ("Inköp utan kund", SERVICE, 45, False),
    ("Enklare matlagning", SERVICE, 20, False),
    ("Frukost/mellanmål/kvällsmål", SERVICE, 15, False),
    ("Ärenden", SERVICE, 30, False),
    ("Disk", SERVICE, 15, False),
    ("Duschhjälp", PERSONAL_CARE, 45, False),
    ("Duschtillsyn", PERSONAL_CARE, 30, False),
    ("Personlig hygien", PERSONAL_CARE, 15, False),
    ("Hårvård", PERSONAL_CARE, 20, False),
    ("På- och avklädning", PERSONAL_CARE, 15, False),
    ("Toalettbesök", PERSONAL_CARE, 10, False),
    ("Egenvård", PERSONAL_CARE, 10, False),
    ("Tillsyn", PERSONAL_CARE, 10, False),
    ("Hjälp till och från turbunden resa", PERSONAL_CARE, 20, False),
    ("Trygghetsringning", PERSONAL_CARE, 5, False),
    ("Promenad", PERSONAL_CARE, 30, False),
    ("Social samvaro", PERSONAL_CARE, 30, False),
    ("Sällskap vid måltider", PERSONAL_CARE, 20, False),
    ("Matning", PERSONAL_CARE, 30, False),
    ("Omvårdnadspaket morgon", PERSONAL_CARE, 45, True),
    ("Omvårdnadspaket lunch", PERSONAL_CARE, 30, True),
    ("Omvårdnadspaket kväll", PERSONAL_CARE, 40, True),
]

LIFE_AREAS = [
    (
        1,
        "Lärande och att tillämpa kunskap",
        "Lärande, tillämpning av kunskap som är inlärd, tänkande, problemlösning och "
        "beslutsfattande.",
        [
            "Att ta reda på information",
            "Att förvärva färdigheter",
            "Att fokusera uppmärksamhet",
            "Att lösa problem",
            "Att fatta beslut",
        ],
    ),
    (
        2,
        "Allmänna uppgifter och krav",
        "Att genomföra enstaka eller flera uppgifter, organisera arbetsgång och hantera stress.",
        [
            "Att företa en enstaka uppgift",
            "Att genomföra daglig rutin",
            "Att hantera stress och andra psykologiska krav",
            "Att hantera sitt eget beteende",
        ],
    ),
    (
        3,
        "Kommunikation",
        "Kommunikation genom tecken, språk och symboler: att ta emot och förmedla budskap, att "
        "föra samtal och att använda olika kommunikationsmetoder.",
        [
            "Att kommunicera genom att ta emot talade meddelanden",
            "Att kommunicera genom att ta emot icke verbala meddelanden",
            "Att kommunicera genom att ta emot meddelanden på teckenspråk",
            "Att kommunicera genom att ta emot skrivna meddelanden",
            "Att tala",
            "Preverbal vokalisation",
            "Att uttrycka sig genom icke-verbala meddelanden",
            "Att uttrycka sig genom meddelanden på teckenspråk",
            "Att skriva meddelanden",
            "Att konversera",
            "Att använda utrustning och teknik för kommunikation",
        ],
    ),
    (
        4,
        "Förflyttning",
        "Att kunna ändra kroppsställning, förflytta sig med hjälpmedel från en plats till en "
        "annan, att bära, att lyfta, att använda olika former av transportmedel.",
        [
            "Att ändra kroppsställning",
            "Att bibehålla en kroppsställning",
            "Att förflytta sig själv",
            "Att lyfta och bära föremål",
            "Att använda handens finmotorik",
            "Att gå",
            "Gå uppför och nedför i trappor",
            "Att röra sig omkring på olika sätt",
            "Att röra sig omkring på olika platser",
            "Att använda transportmedel",
        ],
    ),
    (
        5,
        "Personlig vård",
        "Egen personlig vård, att tvätta och torka sig själv, att ta hand om sin kropp och "
        "kroppsdelar, att klä sig, att äta och dricka, och att sköta sin egen hälsa.",
        [
            "Att tvätta sig",
            "Att sköta kroppen",
            "Att sköta toalettbehov",
            "Att klä sig",
            "Att äta",
            "Att dricka",
            "Att sköta sin egen hälsa",
            "Att se till sin egen säkerhet",
        ],
    ),
    (
        6,
        "Hemliv",
        "Att utföra husliga och dagliga sysslor och uppgifter i hemmet: att skaffa bostad, mat, "
        "kläder och andra förnödenheter, att hålla rent, reparera och ta hand om personliga och "
        "andra hushållsföremål samt att hjälpa andra.",
        [
            "Att skaffa bostad",
            "Att skaffa varor och tjänster",
            "Att bereda måltider",
            "Att utföra hushållsarbete",
            "Att tvätta och torka kläder",
            "Att städa köksutrymme och köksredskap",
            "Att städa bostaden",
            "Att använda hushållsapparater",
            "Att förvara förnödenheter för det dagliga livet",
            "Att avlägsna avfall",
            "Att göra ordning sovplatser",
            "Att tvätta och torka kläder och textilier med hushållsapparater",
            "Att ta hand om hemmets föremål",
            "Att bistå andra",
        ],
    ),
    (
        7,
        "Mellanmänskliga interaktioner och relationer",
        "Att utföra de handlingar och uppgifter som behövs i samspelet med andra människor, på "
        "ett i sammanhanget lämpligt sätt.",
        [
            "Grundläggande socialt samspel",
            "Bibehålla och hantera interaktioner med andra",
            "Att ha kontakt med okända personer",
            "Att engagera sig i formella relationer",
            "Att engagera sig i informella sociala relationer",
            "Att engagera sig i familjerelationer",
            "Parrelationer",
        ],
    ),
    (
        8,
        "Utbildning, arbete, sysselsättning och ekonomiskt liv",
        "Att engagera sig och utföra sådana uppgifter och handlingar som krävs vid utbildning, "
        "arbete, anställning/sysselsättning och ekonomiska transaktioner.",
        [
            "Att engagera sig i utbildning, annan specificerad och ospecificerad",
            "Att engagera sig i arbete och sysselsättning, annat specificerat och ospecificerat",
            "Att engagera sig i grundläggande ekonomiska transaktioner",
            "Att engagera sig i komplexa ekonomiska transaktioner",
            "Att engagera sig i ekonomisk självförsörjning",
        ],
    ),
    (
        9,
        "Samhällsgemenskap, socialt och medborgerligt liv",
        "Handlingar om vad som krävs för att engagera sig i ett organiserat socialt liv utanför "
        "familjen.",
        [
            "Att engagera sig i samhällsgemenskap",
            "Att engagera sig i rekreation och fritid",
            "Att engagera sig i religion och andlighet",
            "Att engagera sig i politiskt liv och medborgarskap",
        ],
    ),
    (
        10,
        "Känsla av trygghet",
        "Psykiska funktioner som utifrån situationen leder till en känsla eller upplevelse av "
        "trygghet, i och utanför hemmet.",
        [],
    ),
    (
        11,
        "Personligt stöd från person som vårdar eller stödjer den enskilde",
        "Människor eller djur som ger praktiskt, fysiskt eller emotionellt stöd till den "
        "enskilde. Markeras när insatsen samtidigt avser indirekt stöd eller avlösning för en "
        "anhörig; insatser ges inte utifrån detta livsområde.",
        [],
    ),
]


def load(apps, schema_editor):
    InterventionType = apps.get_model("ramtid", "InterventionType")
    LifeArea = apps.get_model("ramtid", "LifeArea")
    LifeAreaCategory = apps.get_model("ramtid", "LifeAreaCategory")
    for position, (name, category, minutes, package) in enumerate(CATALOGUE):
        InterventionType.objects.update_or_create(
            municipality=None,
            name=name,
            defaults={
                "category": category,
                "standard_minutes": minutes,
                "is_care_package": package,
                "position": position,
            },
        )
    for number, name, description, categories in LIFE_AREAS:
        area, _ = LifeArea.objects.update_or_create(
            number=number,
            defaults={
                "name": name,
                "description": description,
                "grants_interventions": number != 11,
            },
        )
        for position, category in enumerate(categories, start=1):
            LifeAreaCategory.objects.update_or_create(
                life_area=area, name=category, defaults={"position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("ramtid", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
