"""The demo's decisions and orders: one of every kind the screens show, for the core's clients.

`python manage.py load_demo` runs this after ramtid.demo (settings.RAMTID_DEMO_LOADERS). Every
order is in a believable place in its life relative to today: a draft, a sent order, a received
one, executed ones (several started within the last weeks, so that their plans can be on time),
one superseded by a sent change with more time, an ended one, a decision above each
municipality's delegation (Järfälla 100, Stockholm 136 h/month) waiting for its unit manager with
a draft order, an open change-of-need report, quality warnings, double staffing, a client with
protected identity, Stockholm's own interventions (förflyttning, tillsyn nattetid, byte av
inkontinensskydd), and Lisa of 004 Bilaga 4 (bestallning.examples), executed.

Each decision grants the interventions its order orders (so the order is pre-filled with them
and nothing is flagged as not granted), with its kind given, and hours that cover the order.

Idempotent: each scenario belongs to one demo client, and is created only when that client has
no decision yet (the natural key is the client, not the dates: those move with the day the demo
is loaded, and a second history for the same client would be both wrong and refused by the
database). Lisa is found by her personal number and executed if a run left her order unexecuted.
Everything is written through the services, attributed to the task "load_demo".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from bestallning import examples, ordered_time, rules, services
from bestallning.choices import (
    DecisionKind,
    DecisionOutcome,
    FunctionLevel,
    NeedChangeDirection,
    NeedChangeDuration,
    NeedChangeReason,
    OrderStatus,
    Period,
    SupportOrientation,
)
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from bestallning.services import InterventionInput
from ramtid import demo as core_demo
from ramtid import personal_number
from ramtid.models import (
    Client,
    InterventionType,
    LifeArea,
    LifeAreaCategory,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

# Client: Lisa, the golden example, is the one client this loader adds.
COUNTED_MODELS = (Client, Decision, Order, OrderedIntervention, NeedChangeReport)

S, C = SupportOrientation.SUPPORTIVE, SupportOrientation.COMPENSATORY
DAY, WEEK, N_WEEKS = Period.PER_DAY, Period.PER_WEEK, Period.EVERY_N_WEEKS
MILD, MODERATE, SEVERE = FunctionLevel.MILD, FunctionLevel.MODERATE, FunctionLevel.SEVERE
PERSONAL_CARE_CONTENTS = ("På- och avklädning", "Personlig hygien", "Toalettbesök")


@dataclass(frozen=True)
class Row:
    """One ordered intervention; `{name}` in the texts becomes the client's first name."""

    name: str
    area: int
    category: str | None
    period: Period
    occasions: int
    minutes: int
    description: str
    goal: str
    orientation: SupportOrientation = S
    every_n_weeks: int = 1
    level: FunctionLevel = MODERATE
    double_staffing: bool = False


SHOPPING = Row(
    "Inköp utan kund", 6, "Att skaffa varor och tjänster", WEEK, 1, 45,
    "{name} orkar inte gå till affären och bära hem varorna, men skriver inköpslistan själv.",
    "{name}s mål är att själv bestämma vad som finns hemma att äta.", C,
)  # fmt: skip
CLEANING = Row(
    "Städning 2 rok", 6, "Att städa bostaden", N_WEEKS, 1, 120,
    "{name} torkar av köksbänken själv men klarar inte att dammsuga och skura golven.",
    "{name}s mål är att bo kvar i ett rent och trivsamt hem.", C, every_n_weeks=3,
)  # fmt: skip
LAUNDRY = Row(
    "Tvätt i bostad", 6, "Att tvätta och torka kläder och textilier med hushållsapparater",
    N_WEEKS, 1, 45,
    "{name} sorterar tvätten själv men kan inte bära korgen eller hänga tvätten.",
    "{name}s mål är att ha rena kläder som hon eller han själv har valt.", S, every_n_weeks=2,
)  # fmt: skip
SHOWER = Row(
    "Duschhjälp", 5, "Att tvätta sig", WEEK, 1, 45,
    "{name} tvättar ansikte och armar själv men når inte rygg och fötter och är rädd att halka.",
    "{name}s mål är att känna sig ren och fräsch och klara så mycket som möjligt själv.", S,
)  # fmt: skip
MORNING_CARE = Row(
    "Omvårdnadspaket morgon", 5, "Att sköta kroppen", DAY, 1, 30,
    "{name} behöver hjälp med nedre på- och avklädning och stöd vid den personliga hygienen.",
    "{name}s mål är att vara delaktig i sin personliga hygien.", S,
)  # fmt: skip
EVENING_CARE = Row(
    "Omvårdnadspaket kväll", 5, "Att sköta kroppen", DAY, 1, 30,
    "{name} behöver hjälp med avklädning och stöd vid den personliga hygienen.",
    "{name}s mål är att kunna sova gott i sin egen säng.", S,
)  # fmt: skip
SUPERVISION = Row(
    "Tillsyn", 10, None, DAY, 2, 10,
    "{name} har fallit i hemmet och larmar inte själv. Hon eller han behöver att någon "
    "regelbundet tittar till henne eller honom.",
    "{name}s mål är att känna sig trygg hemma.", S,
)  # fmt: skip
WALK = Row(
    "Promenad", 4, "Att röra sig omkring på olika platser", WEEK, 1, 30,
    "{name} går med rollator inomhus men vågar inte gå ut ensam.",
    "{name}s mål är att komma ut och hålla igång benen.", S,
)  # fmt: skip
TOILET = Row(
    "Toalettbesök", 5, "Att sköta toalettbehov", DAY, 3, 10,
    "{name} behöver hjälp att förflytta sig till och från toaletten.",
    "{name}s mål är att klara toalettbesöken med så lite hjälp som möjligt.", C,
)  # fmt: skip

# Stockholm's own interventions (ramtid.demo.OWN_CATALOGUE): the needs 002 found missing from
# plans or added to them. Night supervision is a need of its own, not detail steering (quality).
TRANSFER = Row(
    "Förflyttning", 4, "Att förflytta sig själv", DAY, 4, 10,
    "{name} kan inte själv ta sig mellan säng, rullstol och toalett och behöver hjälp vid varje "
    "förflyttning.",
    "{name}s mål är att känna sig säker när hon eller han förflyttar sig.", C,
)  # fmt: skip
NIGHT_SUPERVISION = Row(
    "Tillsyn nattetid", 10, None, DAY, 2, 10,
    "{name} vaknar ofta, blir orolig och har fallit när hon eller han försökt gå upp ensam.",
    "{name}s mål är att känna sig trygg och kunna sova hemma.", S,
)  # fmt: skip
INCONTINENCE = Row(
    "Byte av inkontinensskydd", 5, "Att sköta toalettbehov", DAY, 3, 15,
    "{name} har urininkontinens och klarar inte själv att byta skydd.",
    "{name}s mål är att känna sig ren och torr.", C,
)  # fmt: skip

HOME_HELP = (SHOPPING, CLEANING, LAUNDRY)
PERSONAL_CARE = (MORNING_CARE, SHOWER, SUPERVISION, SHOPPING, CLEANING)


@dataclass(frozen=True)
class Scenario:
    """A demo client's decisions and orders, `days` relative to the day the demo is loaded."""

    client: str  # "First Last", one of ramtid.demo.CLIENTS
    officer: str
    provider: str
    starts: int  # the order's valid_from, in days from today (negative: in the past)
    rows: tuple[Row, ...]
    daily_visits: int
    daily_visits_description: str
    # The decision's kind, as the order writes it ("Bifall Omvårdnad", 004 Bilaga 4); it grants
    # the interventions of `rows`.
    kind: DecisionKind
    order_text: str = ""
    goals: tuple[str, ...] = ("Leva ett värdigt liv och känna välbefinnande",)
    related: dict = field(default_factory=dict)
    # What happens after the order is built, given the order and the demo's users.
    then: Callable[[Order, dict[str, User], datetime.date], None] | None = None
    send: bool = True


# ---------------------------------------------------------------------------------------------
# What happens to each order after it is built


def _receive(order, users, today):
    services.order_receive(order=order, by=_coordinator(order, users))


def _execute(days_after_start: int = 2):
    def then(order, users, today):
        executed_on = min(order.valid_from + datetime.timedelta(days=days_after_start), today)
        services.order_execute(order=order, by=_coordinator(order, users), executed_on=executed_on)

    return then


def _end(order, users, today):
    _execute()(order, users, today)
    services.order_end(
        order=order,
        by=order.ordered_by,
        ended_on=today - datetime.timedelta(days=30),
        reason="Har flyttat till ett särskilt boende.",
    )


def _open_need_change(order, users, today):
    _execute()(order, users, today)
    services.need_change_report(
        order=order,
        by=users[_contact_person(order)],
        direction=NeedChangeDirection.INCREASED,
        duration=NeedChangeDuration.TEMPORARY,
        reason=NeedChangeReason.ILLNESS,
        description=(
            "Har haft en urinvägsinfektion och är svag. Behöver stöd vid alla toalettbesök och "
            "mer tillsyn de närmaste veckorna."
        ),
    )


def _superseded_by_change(order, users, today):
    """Executed; the provider reports increased needs; the officer decides more time and sends
    a change that supersedes the order from ten days ago and answers the report."""
    _execute()(order, users, today)
    services.need_change_report(
        order=order,
        by=users[_contact_person(order)],
        direction=NeedChangeDirection.INCREASED,
        duration=NeedChangeDuration.LASTING,
        reason=NeedChangeReason.OTHER,
        description="Går allt sämre och behöver hjälp med morgonhygienen och tillsyn.",
    )
    officer = order.ordered_by
    starts = today - datetime.timedelta(days=10)
    rows = (*HOME_HELP, MORNING_CARE, SUPERVISION)
    decision = _decision(
        order.client,
        officer,
        starts,
        rows,
        kind=BOTH,
        reasoning="Ökat behov av personlig omvårdnad och tillsyn efter rapport från utföraren.",
    )
    change = services.order_change_create(
        order=order, by=officer, valid_from=starts, decision=decision
    )
    change = services.order_save_draft(
        order=change,
        by=officer,
        version=change.version,
        fields={
            "order_text": "Ändrad beställning: ökat behov av personlig omvårdnad och tillsyn.",
            "daily_visits": 2,
            "daily_visits_description": "personlig omvårdnad och tillsyn.",
        },
        interventions=_inputs(rows, order.client),
    )
    # Sending the change answers the report with it (services.order_send).
    services.order_send(order=change, by=officer)


# ---------------------------------------------------------------------------------------------
# The scenarios

JARFALLA_HOME_CARE = core_demo.JARFALLA_HOME_CARE
LINDGARDEN, STRANDVAGEN = core_demo.LINDGARDEN, core_demo.STRANDVAGEN
HOME_HELP_VISITS = "hjälp i hemmet."
CARE_VISITS = "personlig omvårdnad, tillsyn och hjälp i hemmet."
SERVICE, CARE = DecisionKind.SERVICE, DecisionKind.PERSONAL_CARE
BOTH = DecisionKind.PERSONAL_CARE_AND_SERVICE

SCENARIOS = (
    Scenario("Elsa Andersson", "handlaggare", LINDGARDEN, -120, PERSONAL_CARE, 3, CARE_VISITS,
             kind=BOTH, order_text="Kontaktperson för planering är dottern Anna.",
             then=_execute()),
    Scenario("Gösta Karlsson", "handlaggare2", LINDGARDEN, -200, HOME_HELP, 0, "",
             kind=SERVICE,
             order_text="Gösta har en god man som ska bjudas in till planeringen.",
             then=_superseded_by_change),
    Scenario("Margareta Nilsson", "handlaggare", JARFALLA_HOME_CARE, 3, HOME_HELP, 0, "",
             kind=SERVICE,
             order_text="Ny brukare. Har en hund som ska vara instängd vid besöken.",
             then=_receive),
    # Written like the orders the inspection criticised (002): clock times and generic goals,
    # so that the stored quality warnings have something to show.
    Scenario("Sven Eriksson", "handlaggare2", LINDGARDEN, 7, (SHOPPING, SUPERVISION), 2,
             "tillsyn och hjälp med mat på kvällen kl. 19.", kind=BOTH,
             order_text="Ny brukare efter utskrivning från sjukhus.",
             goals=("Skälig levnadsnivå",)),
    Scenario("Ingrid Larsson", "handlaggare", JARFALLA_HOME_CARE, 14, HOME_HELP, 0, "",
             kind=SERVICE, send=False),
    Scenario("Karl-Erik Olsson", "handlaggare2", LINDGARDEN, -300, HOME_HELP, 0, "",
             kind=SERVICE, then=_end),
    # Started twelve days ago: her plan (genomforandeplan.demo) was ready on time.
    Scenario("Birgit Persson", "handlaggare", LINDGARDEN, -12, (*PERSONAL_CARE, TOILET), 4,
             CARE_VISITS, kind=BOTH, then=_open_need_change),
    Scenario("Maj-Britt Gustafsson", "handlaggare", JARFALLA_HOME_CARE, -16, HOME_HELP, 0, "",
             kind=SERVICE, then=_execute()),
    Scenario("Åke Lindberg", "handlaggare", JARFALLA_HOME_CARE, -9, (SHOWER, WALK, *HOME_HELP),
             0, "", kind=BOTH, order_text="Hustrun Kerstin vill vara med vid planeringen.",
             then=_execute()),
    # Above Järfälla's delegation (100 h/month): two staff at the morning and evening care after
    # a hip fracture. The decision waits for `chef`; the order stays a draft until she approves.
    Scenario("Stig Hedlund", "handlaggare", LINDGARDEN, 4,
             (replace(MORNING_CARE, minutes=45, double_staffing=True, level=SEVERE),
              replace(EVENING_CARE, minutes=40, double_staffing=True, level=SEVERE),
              replace(TOILET, occasions=4, level=SEVERE),
              SUPERVISION, SHOWER, *HOME_HELP),
             5, "personlig omvårdnad med två personal, tillsyn och toalettbesök.", kind=BOTH,
             order_text="Utskriven från sjukhus efter en höftfraktur. Två personal behövs vid "
             "förflyttning enligt arbetsterapeutens bedömning.", send=False),
    Scenario("Olof Ekman", "handlaggare2.ostermalm", STRANDVAGEN, -45, PERSONAL_CARE, 3,
             CARE_VISITS, kind=BOTH,
             order_text="Kontaktperson för planering är dottern Cecilia.", then=_execute()),
    # Stockholm's own interventions (förflyttning, tillsyn nattetid, byte av inkontinensskydd).
    Scenario("Nils Bergström", "handlaggare2.ostermalm", STRANDVAGEN, -12,
             (MORNING_CARE, EVENING_CARE, TRANSFER, NIGHT_SUPERVISION, INCONTINENCE), 6,
             "personlig omvårdnad, förflyttning, byte av inkontinensskydd och tillsyn nattetid.",
             kind=CARE, order_text="Nils har en god man, Jan Hellström, som ska bjudas in till "
             "planeringen.", then=_execute()),
    Scenario("Britt-Marie Lundqvist", "handlaggare.ostermalm", STRANDVAGEN, -16,
             (replace(TRANSFER, occasions=2), replace(NIGHT_SUPERVISION, occasions=1), SHOWER,
              *HOME_HELP),
             3, "förflyttning och tillsyn nattetid.", kind=BOTH, then=_execute()),
    Scenario("Karin Engström", "handlaggare2.ostermalm", STRANDVAGEN, -50,
             (MORNING_CARE, replace(INCONTINENCE, occasions=2), SHOPPING, CLEANING), 2,
             "personlig omvårdnad och byte av inkontinensskydd.", kind=BOTH, then=_execute()),
    Scenario("Folke Holm", "handlaggare.ostermalm", STRANDVAGEN, -30,
             (replace(TRANSFER, occasions=2), WALK, *HOME_HELP), 2,
             "förflyttning och hjälp i hemmet.", kind=BOTH, then=_execute()),
    # Above Stockholm's delegation (136 h/month): double staffing at the morning care and
    # transfers, and six visits a day. The decision waits for the unit manager; the order stays
    # a draft.
    Scenario("Astrid Wallin", "handlaggare.ostermalm", STRANDVAGEN, 5,
             (replace(MORNING_CARE, minutes=60, double_staffing=True, level=SEVERE),
              replace(EVENING_CARE, minutes=45, double_staffing=True, level=SEVERE),
              replace(TRANSFER, occasions=2, double_staffing=True, level=SEVERE),
              replace(TOILET, occasions=5, level=SEVERE),
              replace(SUPERVISION, occasions=4, minutes=15),
              SHOWER, *HOME_HELP),
             6, "personlig omvårdnad med två personal vid förflyttning, tillsyn och "
             "toalettbesök.", kind=BOTH, send=False),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Loading


def load() -> core_demo.DemoResult:
    """Add whatever demo decisions and orders are missing; return what was new."""
    with transaction.atomic(), pghistory.context(task=core_demo.AUDIT_TASK):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ramtid.load_demo'))")
        before = _counts()
        today = timezone.localdate()
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[spec.username for spec in core_demo.USERS]
            )
        }
        clients = _demo_clients()
        for scenario in SCENARIOS:
            client = clients[scenario.client]
            if not Decision.objects.filter(client=client).exists():
                _build(scenario, client, users, today)
        _load_lisa(users)
        after = _counts()
    return core_demo.DemoResult(
        created={name: after[name] - before[name] for name in after}, logins=[]
    )


def _counts() -> dict[str, int]:
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in COUNTED_MODELS}


def _demo_clients() -> dict[str, Client]:
    municipalities = {m.name: m for m in Municipality.objects.all()}
    clients = {}
    for index, (_unit, city, spec) in enumerate(core_demo.CLIENTS):
        number = personal_number.normalise(core_demo.written_personal_number(index, spec))
        clients[f"{spec.first_name} {spec.last_name}"] = Client.objects.select_related(
            "municipality", "ordering_unit"
        ).get(municipality=municipalities[city], personal_number=number)
    return clients


def _build(scenario: Scenario, client: Client, users: dict[str, User], today) -> None:
    officer = users[scenario.officer]
    provider = Provider.objects.get(municipality=client.municipality, name=scenario.provider)
    starts = today + datetime.timedelta(days=scenario.starts)
    decision = _decision(client, officer, starts, scenario.rows, kind=scenario.kind)
    order = services.order_create(
        decision=decision, by=officer, provider=provider, valid_from=starts
    )
    name = client.first_name
    order = services.order_save_draft(
        order=order,
        by=officer,
        version=order.version,
        fields={
            "order_text": scenario.order_text,
            "daily_visits": scenario.daily_visits,
            "daily_visits_description": scenario.daily_visits_description,
            "overall_goals": list(scenario.goals),
            "body_functions": f"{name} har nedsatt balans och blir lätt trött.",
            "environmental_factors": f"{name} bor ensam i en lägenhet med hiss.",
            "health_condition": f"{name} har hjärtsvikt och artros i knäna.",
            "personal_factors": f"{name} har alltid varit händig och vill klara sig själv.",
        },
        interventions=_inputs(scenario.rows, client),
    )
    if scenario.send:
        order = services.order_send(order=order, by=officer)
    if scenario.then:
        scenario.then(order, users, today)


def _decision(
    client: Client,
    officer: User,
    starts: datetime.date,
    rows: tuple[Row, ...],
    *,
    kind: DecisionKind,
    reasoning: str = "",
) -> Decision:
    """A grant of the rows' interventions (which pre-fill the order), with the hours they take:
    the order fits its decision's frame exactly (rounded up to the hundredth of an hour)."""
    today = timezone.localdate()
    minutes = _minutes(rows, client.municipality)
    catalogue = InterventionType.objects.filter(municipality=client.municipality)
    return services.decision_create(
        client=client,
        by=officer,
        outcome=DecisionOutcome.GRANTED,
        kind=kind,
        decided_on=min(starts - datetime.timedelta(days=3), today - datetime.timedelta(days=1)),
        valid_from=starts,
        hours_per_month=(Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_CEILING),
        reasoning=reasoning
        or f"{client.first_name} behöver stöd i vardagen för att kunna bo kvar hemma.",
        purpose_and_goal="Att kunna bo kvar hemma under trygga förhållanden.",
        granted_interventions=list(catalogue.filter(name__in={row.name for row in rows})),
    )


def _inputs(rows: tuple[Row, ...], client: Client) -> list[InterventionInput]:
    catalogue = {
        t.name: t for t in InterventionType.objects.filter(municipality=client.municipality)
    }
    areas = {area.number: area for area in LifeArea.objects.all()}
    categories = {(c.life_area_id, c.name): c for c in LifeAreaCategory.objects.all()}
    name = client.first_name
    return [
        InterventionInput(
            intervention_type=catalogue[row.name],
            life_area=areas[row.area],
            life_area_category=categories[(areas[row.area].pk, row.category)]
            if row.category
            else None,
            period=row.period,
            occasions=row.occasions,
            minutes=row.minutes,
            weekdays=sorted(rules.ALL_WEEKDAYS) if row.period == DAY else None,
            every_n_weeks=row.every_n_weeks,
            double_staffing=row.double_staffing,
            assessed_level=row.level,
            intended_level=MILD if row.orientation == S and row.level == MODERATE else row.level,
            description=row.description.format(name=name),
            client_goal=row.goal.format(name=name),
            support_orientation=row.orientation,
            care_package_contents=[catalogue[n] for n in PERSONAL_CARE_CONTENTS]
            if catalogue[row.name].is_care_package
            else (),
        )
        for row in rows
    ]


def _minutes(rows: tuple[Row, ...], municipality: Municipality) -> int:
    month = ordered_time.month_conversion(municipality)
    frequencies = [
        rules.Frequency(
            period=row.period,
            occasions=row.occasions,
            minutes=row.minutes,
            every_n_weeks=row.every_n_weeks,
            double_staffing=row.double_staffing,
        )
        for row in rows
    ]
    return ordered_time.time_basis(frequencies, month).total


def _coordinator(order: Order, users: dict[str, User]) -> User:
    return users[_PROVIDER_STAFF[order.provider.name][0]]


def _contact_person(order: Order) -> str:
    return _PROVIDER_STAFF[order.provider.name][1]


_PROVIDER_STAFF = {
    LINDGARDEN: ("samordnare", "kontaktman"),
    JARFALLA_HOME_CARE: ("samordnare.kommunal", "kontaktman.kommunal"),
    STRANDVAGEN: ("samordnare.strandvagen", "kontaktman.strandvagen"),
}


def _load_lisa(users: dict[str, User]) -> None:
    """Lisa of 004 Bilaga 4 in Järfälla, ordered by "handlaggare" from Lindgården, executed."""
    unit = OrderingUnit.objects.select_related("municipality").get(
        municipality__code=core_demo.JARFALLA, name=core_demo.JARFALLA_UNIT
    )
    provider = Provider.objects.get(municipality=unit.municipality, name=LINDGARDEN)
    client = Client.objects.filter(
        municipality=unit.municipality, personal_number=examples.LISA_PERSONAL_NUMBER
    ).first()
    if client is None:
        order = examples.build_lisa(officer=users["handlaggare"], provider=provider, unit=unit)
    else:
        order = Order.objects.filter(client=client, provider=provider).order_by("-id").first()
    if order is not None and order.status in (OrderStatus.SENT, OrderStatus.RECEIVED):
        services.order_execute(
            order=order,
            by=users["samordnare"],
            executed_on=examples.VALID_FROM + datetime.timedelta(days=3),
        )
