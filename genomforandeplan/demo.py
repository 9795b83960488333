"""The demo's contact persons and implementation plans, for the orders bestallning.demo loads.

`python manage.py load_demo` runs this after bestallning.demo (settings.RAMTID_DEMO_LOADERS).
Each executed order is in one place in the plan's life (on time or late by the day the client
approved the plan, against the deadline of 14 days in Järfälla and 15 in Stockholm):

    Åke Lindberg        approved; on time (approved yesterday, started a week before)
    Birgit Persson      returned by the officer with a comment; on time
    Maj-Britt Gustafsson  approved on time, then a sent change of her order: needs revision
    Nils Bergström      approved; on time (Stockholm's own interventions, with his god man)
    Britt-Marie Lundqvist  ready, waiting for the officer; on time
    Lisa Jakobsson      approved, in her own words (004 Bilaga 4), on time in 2022; followed up
    Elsa Andersson      ready, waiting for the officer; late (approved yesterday, months after
                        the start)
    Karin Engström      approved; late (a month after the deadline)
    Gösta Karlsson      a draft against the change that superseded his order (bestallning.demo)
    Margareta Nilsson   a contact person, no plan yet (received, not yet started)
    Folke Holm          a contact person, but no plan a month after the start: missing
    Olof Ekman          no contact person and no plan: missing

A version is stamped with the moment it is made (the database refuses to change it), so every
plan completed here is recorded today. The contact person enters the day the client approved
it, often a day or two before she records it (004 §3.2.8), and the deadline is measured on that
day. Lisa's, whose order is from 2022, was approved then and is recorded only now.

Gösta's order is superseded by bestallning.demo before this loader runs, and a plan is only
started against an order in force, so the plan that needs revision is Maj-Britt's: it is
approved here against her executed order, and then a change with more help is sent that starts
next week (004 §4.2.4: a new order requires a new plan).

Idempotent: each scenario belongs to one client and runs only when the client has neither a
plan nor a contact person. Everything is written through the services, attributed to the task
"load_demo".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from bestallning import demo as order_demo
from bestallning import examples
from bestallning import services as order_services
from bestallning.choices import (
    NeedChangeDirection,
    NeedChangeDuration,
    NeedChangeReason,
)
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from bestallning.states import ACTIVE_STATUSES
from genomforandeplan import services
from genomforandeplan.choices import CHECKLIST_STEPS
from genomforandeplan.models import (
    HEADING_FIELDS,
    ContactAssignment,
    ImplementationPlan,
    PlanFollowUp,
    PlanItem,
    PlanReview,
    PlanVersion,
)
from ramtid import demo as core_demo
from ramtid.models import Client, User

COUNTED_MODELS = (
    ContactAssignment,
    ImplementationPlan,
    PlanItem,
    PlanVersion,
    PlanReview,
    PlanFollowUp,
    # Maj-Britt's change of order.
    Decision,
    Order,
    OrderedIntervention,
    NeedChangeReport,
)

# ---------------------------------------------------------------------------------------------
# What the clients say, per intervention: (can do myself, need help with, how and when, who,
# my goal). First person, as the plan is written with the client (004 §3.3).

WORDS: dict[str, tuple[str, str, str, str, str]] = {
    "Inköp utan kund": (
        "Jag skriver inköpslistan själv.",
        "Jag orkar inte gå till affären och bära hem varorna.",
        "En gång i veckan, på torsdagar. Vi går igenom listan på onsdagen.",
        "Hemtjänstpersonalen handlar i affären vid torget.",
        "Jag vill själv bestämma vad som finns hemma att äta.",
    ),
    "Städning 2 rok": (
        "Jag torkar av köksbänken och bordet själv.",
        "Dammsugning och att torka golven.",
        "Var tredje vecka, på förmiddagen. Jag säger till om något rum behöver extra.",
        "Hemtjänstpersonalen.",
        "Jag vill ha det rent och trivsamt hemma.",
    ),
    "Tvätt i bostad": (
        "Jag sorterar tvätten och viker den när den är torr.",
        "Att bära tvättkorgen och hänga tvätten.",
        "Varannan vecka, samma dag som städningen.",
        "Hemtjänstpersonalen.",
        "Jag vill ha rena kläder som jag själv har valt.",
    ),
    "Duschhjälp": (
        "Jag tvättar ansiktet och armarna själv.",
        "Att tvätta ryggen och fötterna. Jag är rädd att halka.",
        "En gång i veckan, på förmiddagen. Jag sitter på duschpallen.",
        "Hemtjänstpersonalen, helst samma person som jag känner.",
        "Jag vill känna mig ren och fräsch och klara så mycket som möjligt själv.",
    ),
    "Omvårdnadspaket morgon": (
        "Jag tvättar mig i ansiktet och kammar håret.",
        "Att få på mig byxor, strumpor och skor.",
        "Varje morgon mellan klockan åtta och nio. Jag väljer kläder själv.",
        "Hemtjänstpersonalen.",
        "Jag vill vara med och sköta min hygien.",
    ),
    "Omvårdnadspaket kväll": (
        "Jag borstar tänderna själv.",
        "Att klä av mig och komma i säng.",
        "Varje kväll, inte före klockan nio.",
        "Hemtjänstpersonalen.",
        "Jag vill sova gott i min egen säng.",
    ),
    "Tillsyn": (
        "Jag säger till när jag mår dåligt om någon frågar.",
        "Jag har ramlat och larmar inte själv. Någon behöver titta till mig.",
        "Två gånger om dagen, på eftermiddagen och sent på kvällen.",
        "Hemtjänstpersonalen.",
        "Jag vill känna mig trygg hemma.",
    ),
    "Promenad": (
        "Jag går med rollatorn inne.",
        "Jag vågar inte gå ut ensam.",
        "En gång i veckan när vädret tillåter, runt kvarteret.",
        "Hemtjänstpersonalen.",
        "Jag vill komma ut och hålla igång benen.",
    ),
    "Toalettbesök": (
        "Jag klarar toalettbesöket när jag väl är där.",
        "Att ta mig till och från toaletten.",
        "Tre gånger om dagen i samband med de andra besöken.",
        "Hemtjänstpersonalen.",
        "Jag vill klara toalettbesöken med så lite hjälp som möjligt.",
    ),
    # Stockholm's own interventions (ramtid.demo.OWN_CATALOGUE).
    "Förflyttning": (
        "Jag håller i mig och hjälper till när jag ska resa mig.",
        "Att ta mig mellan sängen, rullstolen och toaletten.",
        "Varje gång jag behöver flytta mig, med den lyft som arbetsterapeuten har ordnat.",
        "Hemtjänstpersonalen, helst samma personer som jag känner.",
        "Jag vill känna mig säker när jag flyttar mig.",
    ),
    "Tillsyn nattetid": (
        "Jag trycker på larmet om jag kan.",
        "Jag blir orolig när jag vaknar, och jag har ramlat när jag försökt gå upp själv.",
        "Personalen tittar till mig under natten utan att väcka mig om jag sover.",
        "Nattpersonalen.",
        "Jag vill sova hela natten och känna mig trygg.",
    ),
    "Byte av inkontinensskydd": (
        "Jag säger till när skyddet behöver bytas.",
        "Att byta skyddet och att tvätta mig nedtill.",
        "I samband med besöken, och när jag ringer.",
        "Hemtjänstpersonalen.",
        "Jag vill känna mig ren och torr.",
    ),
}

# Lisa of 004 Bilaga 4, in her own words; the order's descriptions say what she can and needs.
LISA_PLAN = {
    "can_do_myself": (
        "Jag borstar tänderna själv och tvättar håret och under armarna när någon påminner mig "
        "om hur. Hemma går jag själv med rollatorn. Jag kan säga vad jag vill ha när vi skriver "
        "inköpslistan, och jag sorterar tvätten om någon visar mig hur."
    ),
    "need_help_with": (
        "Jag behöver hjälp att klä mig nedtill och med katetern. Jag hittar inte i området och "
        "behöver sällskap ute. Jag behöver hjälp med att handla, städa, tvätta och bädda. Jag "
        "ringer inte själv när jag behöver hjälp, så någon behöver titta till mig."
    ),
    "how_and_when": (
        "Personalen kommer sex gånger om dagen. Promenad och dusch två gånger i veckan, på "
        "förmiddagen. Knacka ordentligt och vänta, jag hör dåligt. Katten får inte gå ut."
    ),
    "who_helps": (
        "Personalen på Lindgårdens hemtjänst, helst samma personer. Min kontaktman. Min dotter "
        "Linnéa hjälper mig med en del praktiska saker."
    ),
    "my_goal": "Jag vill bo kvar hemma, klara det jag kan själv och känna mig trygg.",
}
LISA_ITEMS = {
    "Promenad": (
        "Jag går själv med rollatorn, men ibland glömmer jag den.",
        "Jag hittar inte i området och vill ha sällskap ute.",
        "Två gånger i veckan på förmiddagen, gärna till parken och tillbaka.",
        "Hemtjänstpersonalen.",
        "Jag vill komma ut och behålla krafterna i benen.",
    ),
    "Duschhjälp": (
        "Jag tvättar håret och under armarna själv om någon säger hur.",
        "Jag når inte ryggen och fötterna.",
        "Två gånger i veckan, tisdag och fredag förmiddag.",
        "Hemtjänstpersonalen.",
        "Jag vill klara de delar av duschen som jag kan.",
    ),
    "Omvårdnadspaket morgon": (
        "Jag borstar tänderna själv. Överkroppen klär jag på mig om någon säger hur.",
        "Byxor, strumpor och skor, och att tömma och byta katetern.",
        "Varje morgon, inte före klockan åtta.",
        "Hemtjänstpersonalen.",
        "Jag vill behålla det jag klarar på morgonen.",
    ),
    "Omvårdnadspaket kväll": (
        "Jag borstar tänderna själv.",
        "Att klä av mig nedtill och att sköta katetern.",
        "Varje kväll vid niotiden.",
        "Hemtjänstpersonalen.",
        "Jag vill behålla det jag klarar på kvällen.",
    ),
    "Toalettbesök": (
        "Jag går på toaletten själv.",
        "Jag behöver bli påmind, och hjälp med katetern.",
        "Tre gånger om dagen när personalen ändå är här.",
        "Hemtjänstpersonalen.",
        "Jag vill göra det jag själv klarar av.",
    ),
    "Tillsyn": (
        "Jag säger hur jag mår när någon frågar.",
        "Jag larmar inte själv och har ramlat hemma.",
        "Två gånger om dagen, på eftermiddagen och sent på kvällen.",
        "Hemtjänstpersonalen.",
        "Jag vill känna mig tryggare hemma.",
    ),
    "Inköp utan kund": (
        "Jag säger vad jag vill ha när vi skriver listan.",
        "Jag kan inte handla själv.",
        "En gång i veckan. Linnéa tittar ibland på listan.",
        "Hemtjänstpersonalen.",
        "Jag vill ha maten jag tycker om hemma.",
    ),
    "Källsortering": (
        "Jag lägger soporna i påsen under diskbänken.",
        "Jag kan inte bära soporna till soprummet med rollatorn.",
        "En gång i veckan.",
        "Hemtjänstpersonalen.",
        "Jag vill ha rent och fräscht hemma.",
    ),
    "Tvätt i bostad": (
        "Jag sorterar tvätten om någon visar hur.",
        "Jag klarar inte tvättmaskinen.",
        "Varannan vecka.",
        "Hemtjänstpersonalen.",
        "Jag vill ha rena kläder som jag själv har valt.",
    ),
    "Renbäddning": (
        "Jag lägger fram de lakan jag vill ha.",
        "Jag klarar inte att byta sängkläder, balansen räcker inte.",
        "Varannan vecka, samma dag som tvätten.",
        "Hemtjänstpersonalen.",
        "Jag vill sova i en ren säng.",
    ),
    "Städning 2 rok": (
        "Jag håller ordning på mitt skrivbord.",
        "Jag klarar inte att städa lägenheten.",
        "Var tredje vecka. Katten stängs in i sovrummet under tiden.",
        "Hemtjänstpersonalen.",
        "Jag vill bo i ett rent och tryggt hem.",
    ),
}
LISA_INFLUENCE = (
    "Lisa bestämde att promenaderna och duschen ska vara på förmiddagen och att personalen ska "
    "knacka och vänta. Linnéa hjälpte Lisa att minnas hur dagarna brukar se ut."
)
LISA_LIFE_STORY = (
    "Lisa har arbetat som författare och trivs med att vara för sig själv. Hon har en katt och "
    "röker. Dottern Linnéa bor i Viksjö."
)


# ---------------------------------------------------------------------------------------------
# The scenarios


@dataclass(frozen=True)
class Scenario:
    client: str  # "First Last"
    contact_person: str | None  # username; None: no contact person yet
    deputy: str | None = None
    # What happens to the plan, given the order, the users and today.
    then: Callable[[Order, dict[str, User], datetime.date], None] | None = None


def _write(
    order,
    users,
    today,
    *,
    approved_days_ago: int,
    influence: str,
    participants=("client",),
    **fields,
) -> ImplementationPlan:
    """Start the plan from the order, write it with the client's words and complete it: the
    client approved it `approved_days_ago` days ago (recorded today)."""
    writer = users[_staff(order)[1]]
    approved_on = today - datetime.timedelta(days=approved_days_ago)
    plan = services.plan_start(order=order, by=writer)
    plan = services.plan_save(
        plan=plan,
        by=writer,
        version=plan.version,
        fields={
            "participants": list(participants),
            "meeting_place": "home",
            "client_influence": influence,
            "planned_daily_visits": plan.planned_daily_visits,
            "checklist": _checklist(order, approved_on, CHECKLIST_STEPS[:-1]),
            "client_approved_on": approved_on,
            "client_approval_how": "Muntligt, när vi gick igenom planen i hemmet.",
            **fields,
        },
        items=_items(plan, WORDS),
    )
    # The approval was saved with the page, as the contact person types it: completion reads it.
    services.plan_complete(plan=plan, by=writer, version=plan.version)
    return plan


def _checklist(order, approved_on: datetime.date, steps) -> dict[str, str]:
    """The checklist's steps ticked on believable days: the order read and the meeting prepared
    a few days before the meeting (not before the order started), the rest on the day the
    client approved the plan."""
    prepared = max(order.valid_from, approved_on - datetime.timedelta(days=3))
    early = {"read_order", "prepare_meeting"}
    return {key: (prepared if key in early else approved_on).isoformat() for key, _label in steps}


def _items(plan: ImplementationPlan, words: dict) -> list[services.PlanItemInput]:
    items = []
    for item in plan.items.select_related("intervention_type"):
        texts = words.get(item.intervention_type.name, ("",) * 5)
        items.append(
            services.PlanItemInput(
                intervention_type=item.intervention_type,
                period=item.period,
                occasions=item.occasions,
                every_n_weeks=item.every_n_weeks,
                **dict(zip(HEADING_FIELDS, texts, strict=True)),
            )
        )
    return items


def _ready_late(order, users, today):
    """Approved by Elsa yesterday, months after her help started: ready, but late."""
    _write(
        order,
        users,
        today,
        approved_days_ago=1,
        participants=("client", "relative"),
        influence="Elsa och dottern Anna bestämde tiderna för morgonbesöket och duschen.",
        my_goal="Jag vill bo kvar hemma och klara så mycket som möjligt själv.",
    )


def _ready_on_time(order, users, today):
    _write(
        order,
        users,
        today,
        approved_days_ago=1,
        influence="Britt-Marie ville duscha på förmiddagen och att samma personal kommer på "
        "natten, så att hon känner igen dem.",
        my_goal="Jag vill kunna bo kvar i min lägenhet och känna mig trygg på natten.",
    )


def _approved(approved_days_ago: int, influence: str, my_goal: str, participants=("client",)):
    """Completed with the client `approved_days_ago` days ago and approved by the officer."""

    def then(order, users, today):
        plan = _write(
            order,
            users,
            today,
            approved_days_ago=approved_days_ago,
            influence=influence,
            participants=participants,
            my_goal=my_goal,
        )
        services.plan_review(plan=plan, by=order.ordered_by, approve=True)

    return then


def _returned(order, users, today):
    plan = _write(
        order,
        users,
        today,
        approved_days_ago=2,
        influence="Birgit ville ha duschen på lördagar och själv välja kläder på morgonen.",
        my_goal="Jag vill känna mig trygg hemma.",
    )
    services.plan_review(
        plan=plan,
        by=order.ordered_by,
        approve=False,
        comment=(
            "Toalettbesöken saknar hur Birgit vill ha hjälpen, och tillsynen på kvällen är inte "
            "beskriven. Komplettera och gå igenom planen med Birgit igen."
        ),
    )


def _approved_then_changed(order, users, today):
    """Approved against the executed order; then the officer sends a change with morning care
    and supervision from next week, so the plan must be revised (004 §4.2.4)."""
    plan = _write(
        order,
        users,
        today,
        approved_days_ago=1,
        influence="Maj-Britt ville att städning och tvätt görs samma dag, på förmiddagen.",
        my_goal="Jag vill ha det rent och fint hemma och bestämma själv hur.",
    )
    officer = order.ordered_by
    services.plan_review(plan=plan, by=officer, approve=True)
    order_services.need_change_report(
        order=order,
        by=users[_staff(order)[1]],
        direction=NeedChangeDirection.INCREASED,
        duration=NeedChangeDuration.LASTING,
        reason=NeedChangeReason.OTHER,
        description="Har blivit svagare och behöver hjälp med morgonhygienen och tillsyn.",
    )
    starts = today + datetime.timedelta(days=7)
    rows = (*order_demo.HOME_HELP, order_demo.MORNING_CARE, order_demo.SUPERVISION)
    client = order.client
    decision = order_demo._decision(
        client,
        officer,
        starts,
        rows,
        kind=order_demo.BOTH,
        reasoning="Ökat behov av personlig omvårdnad och tillsyn efter rapport från utföraren.",
    )
    change = order_services.order_change_create(
        order=order, by=officer, valid_from=starts, decision=decision
    )
    change = order_services.order_save_draft(
        order=change,
        by=officer,
        version=change.version,
        fields={
            "order_text": "Ändrad beställning: ökat behov av personlig omvårdnad och tillsyn.",
            "daily_visits": 2,
            "daily_visits_description": "personlig omvårdnad och tillsyn.",
        },
        interventions=order_demo._inputs(rows, client),
    )
    change = order_services.order_send(order=change, by=officer)
    _assign(change, users, _staff(order)[1], _staff(order)[0])


def _draft(order, users, today):
    writer = users[_staff(order)[1]]
    plan = services.plan_start(order=order, by=writer)
    services.plan_save(
        plan=plan,
        by=writer,
        version=plan.version,
        fields={
            "participants": ["client", "guardian"],
            "checklist": {"read_order": today.isoformat(), "prepare_meeting": today.isoformat()},
            "my_goal": "Jag vill klara mig hemma med lite hjälp.",
        },
        items=_items(plan, {}),
    )


# Approved by the client a day or two before the contact person recorded it, and by the officer.
_approved_ake = _approved(
    1,
    "Åke och hustrun Kerstin bestämde att duschen och promenaden blir samma dag.",
    "Jag vill orka gå till bryggan igen.",
    participants=("client", "relative"),
)
_approved_nils = _approved(
    2,
    "Nils och hans gode man Jan bestämde att samma två personer ska hjälpa honom vid "
    "förflyttningarna, så att han känner sig säker.",
    "Jag vill sova hela natten och inte vara rädd att ramla.",
    participants=("client", "guardian"),
)
# Karin approved it two days ago, a month after it was due: late.
_approved_karin = _approved(
    2,
    "Karin ville själv bestämma vilka dagar personalen handlar och städar.",
    "Jag vill känna mig fräsch och ta emot besök hemma.",
)

SCENARIOS = (
    Scenario("Elsa Andersson", "kontaktman", "samordnare", then=_ready_late),
    Scenario("Birgit Persson", "kontaktman", "samordnare", then=_returned),
    Scenario("Maj-Britt Gustafsson", "kontaktman.kommunal", "samordnare.kommunal",
             then=_approved_then_changed),
    Scenario("Åke Lindberg", "kontaktman.kommunal", "samordnare.kommunal", then=_approved_ake),
    Scenario("Gösta Karlsson", "kontaktman", then=_draft),
    Scenario("Margareta Nilsson", "kontaktman.kommunal"),
    Scenario("Nils Bergström", "kontaktman.strandvagen", "samordnare.strandvagen",
             then=_approved_nils),
    Scenario("Britt-Marie Lundqvist", "kontaktman.strandvagen", "samordnare.strandvagen",
             then=_ready_on_time),
    Scenario("Karin Engström", "kontaktman.strandvagen", "samordnare.strandvagen",
             then=_approved_karin),
    # A contact person, but no plan a month after the start: missing.
    Scenario("Folke Holm", "kontaktman.strandvagen"),
    Scenario("Olof Ekman", None),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Loading


def load() -> core_demo.DemoResult:
    """Add whatever demo contact persons and plans are missing; return what was new."""
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
        clients = order_demo._demo_clients()
        for scenario in SCENARIOS:
            _build(scenario, clients[scenario.client], users, today)
        lisa = Client.objects.filter(personal_number=examples.LISA_PERSONAL_NUMBER).first()
        if lisa is not None:
            _build(Scenario("Lisa", "kontaktman", "samordnare", then=_lisa), lisa, users, today)
        after = _counts()
    return core_demo.DemoResult(
        created={name: after[name] - before[name] for name in after}, logins=[]
    )


def _counts() -> dict[str, int]:
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in COUNTED_MODELS}


def _build(scenario: Scenario, client: Client, users: dict[str, User], today) -> None:
    # The natural key is the client: a client with a plan or a contact person is done.
    if (
        ImplementationPlan.objects.filter(client=client).exists()
        or ContactAssignment.objects.filter(order__client=client).exists()
    ):
        return
    order = (
        Order.objects.filter(client=client, status__in=ACTIVE_STATUSES)
        .select_related("client__municipality", "provider", "ordered_by")
        .order_by("-valid_from")
        .first()
    )
    if order is None:
        return
    if scenario.contact_person:
        _assign(order, users, scenario.contact_person, scenario.deputy)
    if scenario.then:
        scenario.then(order, users, today)


def _assign(order: Order, users: dict[str, User], contact: str, deputy: str | None) -> None:
    services.contact_assign(
        order=order,
        by=users[_staff(order)[0]],
        contact_person=users[contact],
        deputy=users[deputy] if deputy else None,
    )


def _staff(order: Order) -> tuple[str, str]:
    """The provider's (coordinator, contact person) usernames."""
    return order_demo._PROVIDER_STAFF[order.provider.name]


# Lisa approved her plan ten days after her help started on 2022-03-14 (004 Bilaga 4's order):
# on time. It is recorded when the demo is loaded.
LISA_APPROVED_ON = examples.VALID_FROM + datetime.timedelta(days=13)


def _lisa(order, users, today):
    """Lisa's plan, written with her daughter Linnéa in Lisa's home, approved by the officer
    and followed up once."""
    writer = users["kontaktman"]
    plan = services.plan_start(order=order, by=writer)
    plan = services.plan_save(
        plan=plan,
        by=writer,
        version=plan.version,
        fields={
            **LISA_PLAN,
            "participants": ["client", "relative"],
            "meeting_place": "home",
            "client_influence": LISA_INFLUENCE,
            "life_story": LISA_LIFE_STORY,
            "planned_daily_visits": plan.planned_daily_visits,
            "checklist": _checklist(order, LISA_APPROVED_ON, CHECKLIST_STEPS),
        },
        items=_items(plan, LISA_ITEMS),
    )
    # The approval given with the completion, as the API does.
    services.plan_complete(
        plan=plan,
        by=writer,
        client_approved_on=LISA_APPROVED_ON,
        client_approval_how="Muntligt i hemmet, med dottern Linnéa närvarande.",
    )
    services.plan_review(plan=plan, by=order.ordered_by, approve=True)
    services.plan_follow_up(
        plan=plan,
        by=writer,
        followed_up_on=today,
        notes=(
            "Lisa och Linnéa är nöjda. Promenaderna fungerar bäst på förmiddagen; tiderna "
            "ändras inte."
        ),
    )
