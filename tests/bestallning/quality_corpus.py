"""A corpus for the order-quality lint (bestallning.quality), from the source documents' examples.

Each entry cites where its text stands: the file in ../shared/seeds/ and the section. Texts are
verbatim, with the PDF extraction's line breaks and line-end hyphens joined; the slips of the pen
in Bilaga 4 are kept as printed ("borta tänderna", "i samband toalettbesök").

- FLAGGED_INSTRUCTIONS: what the inspection of Östermalm called too detailed (002). The sources
  quote no order with a clock time; test_quality.py tests those with the issue's own examples.
- SILENT_INSTRUCTIONS: the descriptions it held up as good (002), Bilaga 4's model order (004),
  the needs the sources name (002 "Genomförandeplaner", 004 §2.4.2, §2.4.4) and need descriptions
  that mention a time of day (004 Bilaga 6).
- FLAGGED_GOALS / SILENT_GOALS: the generic goal to avoid (002) and the model goals (004 Bilaga 4,
  002's value base).
"""

from __future__ import annotations

from dataclasses import dataclass

from bestallning.quality import GENERIC_GOAL, TIME_OF_DAY, InterventionTexts, OrderTexts

S002 = "002_4446b600871317d2.txt"
S004 = "004_08fb96a7f8fccd5f.txt"


@dataclass(frozen=True)
class Example:
    text: str
    source: str
    kinds: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return f"{self.source}: {self.text[:40]}"


def flagged(text: str, source: str, *kinds: str) -> Example:
    return Example(text, source, frozenset(kinds))


def silent(text: str, source: str) -> Example:
    return Example(text, source)


FLAGGED_INSTRUCTIONS = (
    # 002 "Beställningar": "I resterande beställningar var insatserna mer detaljerat beskrivna"
    flagged("kväll, tillsyn, hjälpa till med kvällsmål", f"{S002} Beställningar", TIME_OF_DAY),
    flagged("tillsyn mellan eftermiddag och kväll samt kväll", f"{S002} Beställningar",
            TIME_OF_DAY),
    flagged("hjälp med tillagning av lunch och servering", f"{S002} Beställningar", TIME_OF_DAY),
)  # fmt: skip

SILENT_INSTRUCTIONS = (
    # 002 "Beställningar": "insatserna beskrivna utifrån olika områden, exempelvis"
    silent("hjälp och stöd med att tillreda/värma och servera samtliga måltider",
           f"{S002} Beställningar"),
    silent("påminna och stötta vid hygien och klädsel", f"{S002} Beställningar"),
    silent("stöd vid förflyttningar dagligen", f"{S002} Beställningar"),
    # 002 "Bedömning": "Det går dock bra att skriva dusch en till två gånger per vecka."
    silent("dusch en till två gånger per vecka", f"{S002} Bedömning"),
    # 002 "Genomförandeplaner": needs the plans missed; night help is a need of its own.
    silent("sällskap vid måltid", f"{S002} Genomförandeplaner"),
    silent("tillsyn nattetid", f"{S002} Genomförandeplaner"),
    # 004 Bilaga 4, Beställningstext
    silent("Omprövning - oförändrade insatser", f"{S004} Bilaga 4 Beställningstext"),
    silent("Kontaktperson för planering är dottern Linnéa.", f"{S004} Bilaga 4 Beställningstext"),
    silent("Viktigt: Lisa har katt i hemmet och är storrökare.",
           f"{S004} Bilaga 4 Beställningstext"),
    # 004 Bilaga 4, Beviljade insatser
    silent("6 besök per dag för hjälp med personlig omvårdnad i form av klädsel och hygien, "
           "toalettbesök samt hjälp med att tömma kateter, tillsyn, mathållning och uppsnyggning.",
           f"{S004} Bilaga 4 Beviljade insatser, Dagligen"),
    silent("Duschhjälp två gånger per vecka", f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Promenad två gånger per vecka", f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Inköp en gång per vecka", f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Källsortering en gång per vecka", f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Tvätt och renbäddning en gång varannan vecka",
           f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Städ av två rum och kök en gång var tredje vecka",
           f"{S004} Bilaga 4 Beviljade insatser, Regelbundet"),
    silent("Beställd kvantitet: 51:36 timmar/månad", f"{S004} Bilaga 4 Beställd kvantitet"),
    silent("Frekvens: 0.15 timmar/dag, varje vecka, Alla dagar mån, tis, ons, tors, fre, lör, sön",
           f"{S004} Bilaga 4 O-Omvårdnadspaket kväll"),
    # 004 Bilaga 4, Beställda insatser: the descriptions of resources and difficulties
    silent("Lisa förflyttar sig självständigt med rollator men glömmer att använda sin rollator "
           "ibland. Lisa har svårigheter med att hitta i närområdet på grund av kognitiv svikt "
           "och har behov av sällskap vid förflyttning utomhus.", f"{S004} Bilaga 4 O-Promenad"),
    silent("Lisa klarar av att tvätta håret samt under armarna själv med muntlig guidning. Hon "
           "har svårt att nå rygg och fötter i samband med dusch.",
           f"{S004} Bilaga 4 O-Duschhjälp"),
    silent("Lisa klarar att borta tänderna själv. Lisa är i behov av stöttning vid nedre på- och "
           "avklädning och i behov av muntlig guidning vid övre på- och avklädning. Hon är även "
           "i behov av hjälp med att tömma och byta kateter.",
           f"{S004} Bilaga 4 O-Omvårdnadspaket morgon, O-Omvårdnadspaket kväll"),
    silent("Lisa klarar av att gå på toaletten själv men behöver påminnelse och stöttning i "
           "samband toalettbesök. Hon är även i behov av hjälp med att tömma och byta kateter.",
           f"{S004} Bilaga 4 O-Toalettbesök"),
    silent("Lisa påkallar inte hjälp när hon behöver det och har vid några tillfällen ramlat i "
           "bostaden. Lisa är behov av att någon regelbundet tittar till henne.",
           f"{S004} Bilaga 4 O-Tillsyn"),
    # 004 Bilaga 4, Relaterade faktorer: dates and test scores are not clock times
    silent("Vid telefonsamtal med vårdsamordnare Anna 2021-03-19 framkommer att Lisa har en "
           "kognitiv svikt vilket visar sig genom att Lisa glömmer hur hon ska använda vardagliga "
           "redskap. Det framkommer även att Lisa tidvis är förvirrad på avdelningen och att hon "
           "inte vet vart hon är. Lisa saknar insikt i sina begränsningar. Det framgår att Lisa "
           "upplevs pigg och alert. Lisa har nedsatt hörsel.",
           f"{S004} Bilaga 4 Relaterade faktorer, Kroppsfunktioner"),
    silent("Vid telefonvårdplanering 2021-03-19 framgår att Lisa bor ensam i lägenhet i "
           "Jakobsberg. Lägenheten är inte anpassad och det finns såväl trösklar mellan rummen "
           "som badkar i badrummet. Dotter Linnéa berättar att hon ska hjälpa Lisa att ta bort "
           "badkaret så att det blir ett duschhörn i stället så det går att ha en duschstol. "
           "Vidare framgår att Lisa har en dotter och en bror. Dottern Linnéa bor i Viksjö och hon "
           "är Lisa behjälplig med vissa praktiska saker i vardagen. Lisa är listad på Vibblaby "
           "husläkarmottagning och hon kommer att få APO-dos för sina mediciner. Lisa är "
           "förskriven en rollator och har kateter.",
           f"{S004} Bilaga 4 Relaterade faktorer, Omgivningsfaktorer"),
    silent("I telefonsamtal med vårdsamordnare Anna 2021-03-19 framgår att Lisa vårdas på "
           "Danderyds sjukhus med anledning av akut njursvikt. Anna berättar att man på sjukhuset "
           "genomfört ett MOCA-test som visade 7/30.",
           f"{S004} Bilaga 4 Relaterade faktorer, Hälsotillstånd"),
    silent("Vid telefonvårdplanering 2021-03-19 berättar vårdsamordnare Anna att Lisa helst "
           "håller sig inne på sitt rum. Anna uppger att Lisa berättat för henne att Lisa "
           "tidigare i livet arbetat som författare vilket inneburit mycket ensam tid. Lisa har "
           "berättat att det har passat henne bra då hon varit självständig och inte känt sig "
           "bekväm i större sociala sammanhang. Vid telefonvårdplaneringen framgår även att Lisa "
           "är rökare.", f"{S004} Bilaga 4 Relaterade faktorer, Personfaktorer"),
    # 004 §2.4.2 and §2.4.4: the care needs and the daily frequency, as the instructions word them
    silent("insatser som avser enbart omvårdnad till exempel hygien, klädsel, toalettbesök, "
           "matning och förflyttningar", f"{S004} §2.4.2 Omvårdnadspaket"),
    silent("fyra dagliga besök", f"{S004} §2.4.4 Frekvens av insatser, Dagliga insatser"),
    silent("Vissa dagar kan det behövas flera toalettbesök än beräknat, eller ett extra mellanmål "
           "eller ombyte.", f"{S004} §2.4.4 Frekvens av insatser, Dagliga insatser"),
    # 004 Bilaga 6: needs that occur at a time of day are needs, not detail steering
    silent("Förmågan att röra sig, resa sig ur en säng, ändra kroppsställning under natten, att "
           "sätta sig på en stol, klara av att stå en längre stund",
           f"{S004} Bilaga 6 4) Förflyttning"),
    silent("Den enskildes upplevda känsla av trygghet eller avsaknad av trygghet, både i och "
           "utanför hemmet, sova själv på natten, finns oro för att ramla, nedsatt matlust, "
           "depression, ensamhet, känna sig trygg i relationen med andra.",
           f"{S004} Bilaga 6 10) Känsla av trygghet"),
    silent("Att maka/make eller förälder har svårt med nattsömnen och har behov av avlastning då "
           "den enskilde är vaken stor del av natten", f"{S004} Bilaga 6 11) Personligt stöd"),
)  # fmt: skip

FLAGGED_GOALS = (
    # 002 "Beställningar": "I sju av beställningarna nämns skälig levnadsnivå, som ett av målen."
    flagged("Skälig levnadsnivå", f"{S002} Beställningar", GENERIC_GOAL),
    # 002 "Bedömning": "övergripande mål, till exempel skälig levnadsnivå, utifrån
    # socialtjänstlagen ska undvikas"
    flagged("skälig levnadsnivå, utifrån socialtjänstlagen", f"{S002} Bedömning", GENERIC_GOAL),
    # 004 §2.2: the law's standard, "för att den enskilde ska uppnå en skälig levnadsnivå"
    flagged("Att uppnå en skälig levnadsnivå", f"{S004} §2.2 Biståndsbeslut", GENERIC_GOAL),
)

SILENT_GOALS = (
    # 004 Bilaga 4, the individual goals beside each intervention
    silent("Lisas mål är att komma ut och bibehålla sina funktioner.",
           f"{S004} Bilaga 4 O-Promenad"),
    silent("Lisas mål är att få klara de delar av duschmomentet hon kan.",
           f"{S004} Bilaga 4 O-Duschhjälp"),
    silent("Lisas mål är att bibehålla de förmågor hon har vid morgon- och kvällshygien.",
           f"{S004} Bilaga 4 O-Omvårdnadspaket morgon, O-Omvårdnadspaket kväll"),
    silent("Lisas mål är att utföra det hon själv klarar av.", f"{S004} Bilaga 4 O-Toalettbesök"),
    silent("Lisas mål är att känna sig tryggare hemma.", f"{S004} Bilaga 4 O-Tillsyn"),
    # 004 Bilaga 4, Övergripande mål
    silent("Leva ett värdigt liv och känna välbefinnande", f"{S004} Bilaga 4 Övergripande mål"),
    silent("Möjlighet att leva och bo självständigt under trygga förhållanden",
           f"{S004} Bilaga 4 Övergripande mål"),
    # 002 "Bedömning", Värdegrund: "leva ett värdigt liv och känna välbefinnande, trygghet och
    # meningsfullhet"
    silent("Leva ett värdigt liv och känna välbefinnande, trygghet och meningsfullhet",
           f"{S002} Bedömning, Värdegrund"),
)  # fmt: skip


def _text(source: str, examples: tuple[Example, ...]) -> str:
    [example] = [e for e in examples if e.source.endswith(source)]
    return example.text


# 004 Bilaga 4 as a whole order, from the entries above: the golden example raises no warning.
_CARE = "O-Omvårdnadspaket morgon, O-Omvårdnadspaket kväll"
BILAGA_4 = OrderTexts(
    client_first_name="Lisa",
    order_text="\n\n".join(
        e.text for e in SILENT_INSTRUCTIONS if e.source.endswith("Bilaga 4 Beställningstext")
    ),
    daily_visits_description=_text("Dagligen", SILENT_INSTRUCTIONS).removeprefix(
        "6 besök per dag för "
    ),
    overall_goals=tuple(e.text for e in SILENT_GOALS if e.source.endswith("Övergripande mål")),
    interventions=tuple(
        InterventionTexts(name, _text(source, SILENT_INSTRUCTIONS), _text(source, SILENT_GOALS))
        for name, source in (
            ("Promenad", "O-Promenad"),
            ("Duschhjälp", "O-Duschhjälp"),
            ("Omvårdnadspaket morgon", _CARE),
            ("Omvårdnadspaket kväll", _CARE),
            ("Toalettbesök", "O-Toalettbesök"),
            ("Tillsyn", "O-Tillsyn"),
        )
    ),
)
