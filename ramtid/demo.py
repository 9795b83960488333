"""The demo: two municipalities with their rules and catalogues, their organisations, a login
for every role and 30 clients.

`python manage.py load_demo` runs `load_demo()`. Everything here is made up. Personal numbers use
birth numbers 980–999, the series of Skatteverket's published test numbers, with a correct check
digit; phone numbers come from the series PTS keeps for fiction (070-174 06 05–99,
08-465 004 00–99); e-mail addresses end in example.com.

Loading is idempotent: every row is found by its natural key (municipality code, a unit's or
provider's name within its municipality, username, a client's personal number within the
municipality, an intervention's name within its municipality) and created only when missing, so
a second run adds no rows. New municipalities, clients and a municipality's own interventions
go through ramtid.services like any other write; the rest (and the demo's municipal rules on a
municipality loaded before) is upserted here, which a loading script may do. Every write is
attributed to the task "load_demo" in the audit trail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pghistory
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from ramtid import personal_number, services
from ramtid.choices import Gender, InterventionCategory, ProviderKind, RelativeKind, Role
from ramtid.models import (
    Client,
    ClientRelative,
    InterventionType,
    Membership,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

# One password for every demo login, printed by the command. It passes the project's own
# password validators (12+ characters, not common, not numeric, unlike any username).
DEMO_PASSWORD = "ramtid-demo-2026"  # noqa: S105 (a demo password, printed on purpose)
# A fixed salt gives the same hash on every run, so the password is hashed once per run instead
# of once per user. Demo logins only; 22 characters are enough entropy for Django not to rehash.
_DEMO_SALT = "RamtidDemoOnlyNotReal1"

# Skatteverket's test numbers use birth numbers (födelsenummer) 980–999.
FICTITIOUS_SERIALS = range(980, 1000)

AUDIT_TASK = "load_demo"


# ---------------------------------------------------------------------------------------------
# Personal numbers


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit of a personal or organisation number (modulus 10, weights 2 and 1)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def make_personal_number(born: datetime.date, serial: int, *, coordination: bool = False) -> str:
    """The 12-digit personal number (or coordination number: day + 60) of someone born on `born`
    with birth number `serial` (three digits; the last is odd for men, even for women)."""
    if not 1 <= serial <= 999:
        raise ValueError(f"Födelsenumret ska vara 001–999, inte {serial}.")
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    number = f"{born:%Y}{nine[2:]}{luhn_check_digit(nine)}"
    if personal_number.normalise(number) != number:
        raise ValueError(f"Ogiltigt demopersonnummer {number}.")
    return number


def demo_serial(index: int, gender: str) -> int:
    """A birth number in 980–999 whose last digit matches the gender (odd: man, even: woman)."""
    return FICTITIOUS_SERIALS.start + 2 * (index % 10) + (1 if gender == Gender.MALE else 0)


def organisation_number(first_nine: str) -> str:
    """NNNNNN-NNNN with the check digit computed like a personal number's."""
    return f"{first_nine[:6]}-{first_nine[6:]}{luhn_check_digit(first_nine)}"


# ---------------------------------------------------------------------------------------------
# The data

JARFALLA = "0123"
STOCKHOLM = "0180"

MUNICIPALITIES = {
    # Järfälla's rules are the model's defaults (004), but for the delegation.
    JARFALLA: {
        "name": "Järfälla",
        "rules": {
            # 004 names no delegation limit. 100 h/month is below Stockholm's 136 (002) and at
            # the top of the 40–100 h/month that the orders in 002's sample ranged over: an
            # ordinary order stays with the officer, while the largest (double staffing, many
            # visits a day) go to the unit manager, so that `chef` has decisions to approve.
            "delegation_hours": 100,
        },
    },
    # 002: plan within 15 days, officers decide up to 136 h/month, first review after 2 months.
    STOCKHOLM: {
        "name": "Stockholm",
        "rules": {
            "plan_deadline_days": 15,
            "delegation_hours": 136,
            "first_review_after_months": 2,
        },
    },
}

# A municipality's own interventions beside its copy of the default catalogue: (name, category,
# standard minutes). Stockholm's are needs that 002's inspection found missing from, or added to,
# the plans (transfers, night supervision, changing incontinence pads). Järfälla has none: its
# ramtid covers 07:00–22:00 and night help is outside it (004 §1.4.1).
OWN_CATALOGUE = {
    STOCKHOLM: (
        ("Förflyttning", InterventionCategory.PERSONAL_CARE, 10),
        ("Tillsyn nattetid", InterventionCategory.PERSONAL_CARE, 10),
        ("Byte av inkontinensskydd", InterventionCategory.PERSONAL_CARE, 15),
    ),
}

JARFALLA_UNIT = "Biståndsenheten Järfälla"
OSTERMALM_UNIT = "Östermalms beställarenhet"
ORDERING_UNITS = {JARFALLA_UNIT: JARFALLA, OSTERMALM_UNIT: STOCKHOLM}

LINDGARDEN = "Lindgårdens Omsorg AB"
JARFALLA_HOME_CARE = "Järfälla kommun hemtjänst"
STRANDVAGEN = "Strandvägens Hemtjänst AB"
PROVIDERS = {
    # name: (municipality code, kind, organisation number)
    LINDGARDEN: (JARFALLA, ProviderKind.COMPANY, organisation_number("559904312")),
    JARFALLA_HOME_CARE: (JARFALLA, ProviderKind.MUNICIPAL, ""),
    STRANDVAGEN: (STOCKHOLM, ProviderKind.COMPANY, organisation_number("559917845")),
}


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    # (role, organisation): a unit or provider name, or a municipality code.
    roles: tuple[tuple[Role, str], ...] = ()
    is_staff: bool = False
    is_superuser: bool = False


USERS = (
    UserSpec("handlaggare", "Karin", "Lindqvist", ((Role.CASE_OFFICER, JARFALLA_UNIT),)),
    UserSpec("handlaggare2", "Johan", "Ekström", ((Role.CASE_OFFICER, JARFALLA_UNIT),)),
    UserSpec("chef", "Eva", "Sjöberg", ((Role.UNIT_MANAGER, JARFALLA_UNIT),)),
    UserSpec("handlaggare.ostermalm", "Sara", "Holmberg", ((Role.CASE_OFFICER, OSTERMALM_UNIT),)),
    UserSpec("handlaggare2.ostermalm", "Nadia", "Rahimi", ((Role.CASE_OFFICER, OSTERMALM_UNIT),)),
    UserSpec("chef.ostermalm", "Mats", "Wikström", ((Role.UNIT_MANAGER, OSTERMALM_UNIT),)),
    UserSpec("samordnare", "Lena", "Åberg", ((Role.PROVIDER_COORDINATOR, LINDGARDEN),)),
    UserSpec("kontaktman", "Ahmed", "Hassan", ((Role.CONTACT_PERSON, LINDGARDEN),)),
    UserSpec(
        "samordnare.kommunal",
        "Birgitta",
        "Nyström",
        ((Role.PROVIDER_COORDINATOR, JARFALLA_HOME_CARE),),
    ),
    UserSpec("kontaktman.kommunal", "Fatima", "Ali", ((Role.CONTACT_PERSON, JARFALLA_HOME_CARE),)),
    UserSpec(
        "samordnare.strandvagen", "Peter", "Lundgren", ((Role.PROVIDER_COORDINATOR, STRANDVAGEN),)
    ),
    UserSpec("kontaktman.strandvagen", "Maria", "Johansson", ((Role.CONTACT_PERSON, STRANDVAGEN),)),
    UserSpec("avgift", "Ingrid", "Berg", ((Role.FEE_OFFICER, JARFALLA),)),
    # Issue 10: the municipality's log review (loggkontroll); reads the audit trail, no cases.
    UserSpec("loggkontroll", "Sofia", "Lind", ((Role.SECURITY_OFFICER, JARFALLA),)),
    UserSpec("kommunadmin", "Anders", "Nilsson", ((Role.ADMINISTRATOR, JARFALLA),), is_staff=True),
    UserSpec("admin", "", "", is_staff=True, is_superuser=True),
)


@dataclass(frozen=True)
class RelativeSpec:
    kind: RelativeKind
    name: str
    relationship: str = ""
    email: str = ""


@dataclass(frozen=True)
class ClientSpec:
    first_name: str
    last_name: str
    gender: Gender
    born: datetime.date
    officer: str
    street_address: str
    postal_code: str
    coordination: bool = False
    protected_identity: bool = False
    relatives: tuple[RelativeSpec, ...] = field(default_factory=tuple)


# fmt: off
F, M = Gender.FEMALE, Gender.MALE
KIN, GOOD_MAN = RelativeKind.NEXT_OF_KIN, RelativeKind.GOOD_MAN
D = datetime.date

JARFALLA_CLIENTS = (
    ClientSpec(
        "Elsa", "Andersson", F, D(1931, 3, 14), "handlaggare", "Björkvägen 12", "177 31",
        relatives=(RelativeSpec(KIN, "Anna Andersson", "dotter", "anna.andersson@example.com"),),
    ),
    ClientSpec(
        "Gösta", "Karlsson", M, D(1928, 11, 2), "handlaggare2", "Kvarnvägen 4", "175 60",
        relatives=(RelativeSpec(GOOD_MAN, "Per-Olof Strand", "god man sedan 2024"),),
    ),
    ClientSpec("Margareta", "Nilsson", F, D(1935, 7, 21), "handlaggare", "Tallstigen 8", "177 52"),
    ClientSpec("Sven", "Eriksson", M, D(1933, 1, 30), "handlaggare2", "Skolvägen 15", "176 70"),
    ClientSpec(
        "Ingrid", "Larsson", F, D(1929, 5, 5), "handlaggare", "Lönnvägen 3", "175 45",
        relatives=(RelativeSpec(KIN, "Bo Larsson", "make"),),
    ),
    ClientSpec("Karl-Erik", "Olsson", M, D(1937, 9, 17), "handlaggare2", "Ekbacken 21", "177 41"),
    ClientSpec("Birgit", "Persson", F, D(1926, 12, 24), "handlaggare", "Vasavägen 9", "177 32"),
    # Born 1923: over 100, so the short form is written with '+' (230417+NNNN).
    ClientSpec(
        "Signe", "Berglund", F, D(1923, 4, 17), "handlaggare2", "Almvägen 2", "176 71",
        relatives=(RelativeSpec(KIN, "Lars Berglund", "son", "lars.berglund@example.com"),),
    ),
    ClientSpec(
        "Bengt", "Svensson", M, D(1940, 2, 11), "handlaggare", "Granvägen 30", "175 63",
        relatives=(RelativeSpec(RelativeKind.ADMINISTRATOR, "Eva Lund", "förvaltare"),),
    ),
    ClientSpec(
        "Maj-Britt", "Gustafsson", F, D(1932, 6, 9), "handlaggare", "Syrenvägen 7", "177 35",
        protected_identity=True,
    ),
    # Coordination numbers (samordningsnummer): day of birth + 60.
    ClientSpec(
        "Aino", "Virtanen", F, D(1938, 8, 28), "handlaggare2", "Hagvägen 11", "177 38",
        coordination=True,
        relatives=(RelativeSpec(KIN, "Mikko Virtanen", "son"),),
    ),
    ClientSpec(
        "Lennart", "Pettersson", M, D(1934, 10, 3), "handlaggare", "Bokvägen 5", "175 47"
    ),
    ClientSpec("Ulla", "Jonsson", F, D(1941, 4, 22), "handlaggare2", "Ängsvägen 14", "176 72"),
    ClientSpec(
        "Åke", "Lindberg", M, D(1930, 12, 1), "handlaggare", "Kyrkvägen 19", "177 45",
        relatives=(RelativeSpec(KIN, "Kerstin Lindberg", "hustru"),),
    ),
    ClientSpec("Gunnel", "Forsberg", F, D(1936, 2, 29), "handlaggare2", "Lärkvägen 6", "175 61"),
    ClientSpec("Stig", "Hedlund", M, D(1927, 7, 7), "handlaggare", "Parkvägen 23", "177 33"),
    ClientSpec(
        "Solveig", "Sandberg", F, D(1943, 11, 19), "handlaggare2", "Rönnvägen 10", "176 73",
        relatives=(RelativeSpec(RelativeKind.AGENT, "Jenny Sandberg", "barnbarn, ombud"),),
    ),
    ClientSpec("Rolf", "Mattsson", M, D(1939, 3, 8), "handlaggare", "Stationsvägen 2", "177 30"),
    ClientSpec("Kerstin", "Öberg", F, D(1944, 9, 30), "handlaggare2", "Sjövägen 17", "175 66"),
    ClientSpec(
        "Tadeusz", "Nowak", M, D(1942, 5, 16), "handlaggare", "Ringvägen 28", "177 39",
        coordination=True,
    ),
)

OSTERMALM_CLIENTS = (
    ClientSpec(
        "Astrid", "Wallin", F, D(1925, 1, 9), "handlaggare.ostermalm", "Karlavägen 58", "114 49"
    ),
    ClientSpec(
        "Olof", "Ekman", M, D(1930, 6, 14), "handlaggare2.ostermalm", "Linnégatan 41", "114 47",
        relatives=(RelativeSpec(KIN, "Cecilia Ekman", "dotter", "cecilia.ekman@example.com"),),
    ),
    ClientSpec(
        "Britt-Marie", "Lundqvist", F, D(1938, 10, 27), "handlaggare.ostermalm",
        "Valhallavägen 112", "114 41",
    ),
    ClientSpec(
        "Nils", "Bergström", M, D(1932, 4, 4), "handlaggare2.ostermalm", "Banérgatan 16",
        "115 23",
        relatives=(RelativeSpec(GOOD_MAN, "Jan Hellström", "god man"),),
    ),
    ClientSpec(
        "Inga", "Sjögren", F, D(1929, 8, 15), "handlaggare.ostermalm", "Artillerigatan 33",
        "114 45",
        protected_identity=True,
    ),
    ClientSpec(
        "Bertil", "Åström", M, D(1935, 12, 12), "handlaggare2.ostermalm", "Narvavägen 8",
        "115 22",
    ),
    ClientSpec(
        "Mirjana", "Petrović", F, D(1940, 3, 23), "handlaggare.ostermalm", "Jungfrugatan 21",
        "114 44",
        coordination=True,
        relatives=(RelativeSpec(KIN, "Dragan Petrović", "son"),),
    ),
    ClientSpec(
        "Karin", "Engström", F, D(1927, 2, 2), "handlaggare2.ostermalm", "Sibyllegatan 49",
        "114 42",
    ),
    ClientSpec(
        "Folke", "Holm", M, D(1936, 9, 9), "handlaggare.ostermalm", "Kommendörsgatan 12",
        "114 48",
    ),
    ClientSpec(
        "Sonja", "Björk", F, D(1942, 7, 31), "handlaggare2.ostermalm", "Östermalmsgatan 70",
        "114 50",
        relatives=(RelativeSpec(KIN, "Maud Ahlin", "granne"),),
    ),
)

# fmt: on

CLIENTS = (
    *((JARFALLA_UNIT, "Järfälla", spec) for spec in JARFALLA_CLIENTS),
    *((OSTERMALM_UNIT, "Stockholm", spec) for spec in OSTERMALM_CLIENTS),
)


def written_personal_number(index: int, spec: ClientSpec) -> str:
    """The number as a user would type it: YYYYMMDD-NNNN, or YYMMDD+NNNN for the client born
    before 1925 (over 100: the '+' gives the century), so that the '+' form is exercised."""
    number = make_personal_number(
        spec.born, demo_serial(index, spec.gender), coordination=spec.coordination
    )
    if spec.born.year < 1925:
        return f"{number[2:8]}+{number[8:]}"
    return personal_number.display(number)


def _client_phone(index: int) -> str:
    return f"08-465 004 {index:02d}"  # PTS: 08-465 004 00–99 are for fiction.


def _relative_phone(index: int) -> str:
    return f"070-174 06 {5 + index:02d}"  # PTS: 070-174 06 05–99 are for fiction.


# ---------------------------------------------------------------------------------------------
# Loading

# The rows the demo writes, counted before and after so the command can say what was new.
COUNTED_MODELS: tuple[type[models.Model], ...] = (
    Municipality,
    InterventionType,
    OrderingUnit,
    Provider,
    User,
    Membership,
    Client,
    ClientRelative,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    organisation: str


@dataclass
class DemoResult:
    created: dict[str, int]
    logins: list[DemoLogin]
    password: str = DEMO_PASSWORD

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def _counts() -> dict[str, int]:
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in COUNTED_MODELS}


def load_demo() -> DemoResult:
    """Create whatever of the demo is missing; return what was new and the demo logins."""
    with transaction.atomic(), pghistory.context(task=AUDIT_TASK):
        # Two simultaneous runs would otherwise both find a municipality missing.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ramtid.load_demo'))")
        before = _counts()
        municipalities = _load_municipalities()
        units, providers = _load_organisations(municipalities)
        users = _load_users(municipalities, units, providers)
        _load_clients(units, users)
        after = _counts()
    created = {name: after[name] - before[name] for name in after}
    return DemoResult(created=created, logins=_logins())


def _load_municipalities() -> dict[str, Municipality]:
    municipalities = {}
    for code, spec in MUNICIPALITIES.items():
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            municipality = services.municipality_create(
                name=spec["name"], code=code, **spec["rules"]
            )
        else:
            # Idempotent: adds only catalogue entries the municipality does not have yet.
            services.catalogue_copy_defaults(municipality=municipality)
            _reset_rules(municipality, spec["rules"])
        _load_own_catalogue(municipality)
        municipalities[code] = municipality
    return municipalities


def _reset_rules(municipality: Municipality, rules: dict) -> None:
    """The demo's rules on a municipality loaded before (a demo from before Järfälla had its
    delegation limit), or changed in the admin since: like the demo passwords, they are reset."""
    changed = [key for key, value in rules.items() if getattr(municipality, key) != value]
    for key in changed:
        setattr(municipality, key, rules[key])
    if changed:
        municipality.full_clean()
        municipality.save(update_fields=changed)


def _load_own_catalogue(municipality: Municipality) -> None:
    """The municipality's own interventions (OWN_CATALOGUE) that its catalogue lacks."""
    existing = set(
        InterventionType.objects.filter(municipality=municipality).values_list("name", flat=True)
    )
    for name, category, minutes in OWN_CATALOGUE.get(municipality.code, ()):
        if name not in existing:
            services.intervention_type_create(
                municipality=municipality, name=name, category=category, standard_minutes=minutes
            )


def _load_organisations(
    municipalities: dict[str, Municipality],
) -> tuple[dict[str, OrderingUnit], dict[str, Provider]]:
    units = {
        name: OrderingUnit.objects.get_or_create(municipality=municipalities[code], name=name)[0]
        for name, code in ORDERING_UNITS.items()
    }
    providers = {
        name: Provider.objects.update_or_create(
            municipality=municipalities[code],
            name=name,
            defaults={"kind": kind, "organisation_number": number},
        )[0]
        for name, (code, kind, number) in PROVIDERS.items()
    }
    return units, providers


def _load_users(
    municipalities: dict[str, Municipality],
    units: dict[str, OrderingUnit],
    providers: dict[str, Provider],
) -> dict[str, User]:
    password = make_password(DEMO_PASSWORD, salt=_DEMO_SALT)
    users = {}
    for spec in USERS:
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{_ascii(spec.username)}@example.com",
                "is_staff": spec.is_staff,
                "is_superuser": spec.is_superuser,
                "is_active": True,
                # Resets a changed password too: the printed password always works.
                "password": password,
            },
        )
        for role, organisation in spec.roles:
            unit = units.get(organisation)
            provider = providers.get(organisation)
            municipality = (
                unit.municipality
                if unit
                else provider.municipality
                if provider
                else municipalities[organisation]
            )
            Membership.objects.get_or_create(
                user=user,
                role=role,
                municipality=municipality,
                ordering_unit=unit,
                provider=provider,
            )
        users[spec.username] = user
    return users


def _load_clients(units: dict[str, OrderingUnit], users: dict[str, User]) -> None:
    relative_index = 0
    for index, (unit_name, city, spec) in enumerate(CLIENTS):
        unit = units[unit_name]
        officer = users[spec.officer]
        written = written_personal_number(index, spec)
        fields = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "gender": spec.gender,
            "street_address": spec.street_address,
            "postal_code": spec.postal_code,
            "city": city,
            "phone": _client_phone(index),
            "protected_identity": spec.protected_identity,
            "responsible_officer": officer,
        }
        client = Client.objects.filter(
            municipality_id=unit.municipality_id,
            personal_number=personal_number.normalise(written),
        ).first()
        if client is None:
            client = services.client_create(
                by=officer, ordering_unit=unit, personal_number_input=written, **fields
            )
        else:
            # Writes (and audits) only fields that differ from the demo.
            client = services.client_update(client=client, by=officer, **fields)
        for relative in spec.relatives:
            ClientRelative.objects.update_or_create(
                client=client,
                kind=relative.kind,
                name=relative.name,
                defaults={
                    "relationship": relative.relationship,
                    "phone": _relative_phone(relative_index),
                    "email": relative.email,
                },
            )
            relative_index += 1


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE"))


def _logins() -> list[DemoLogin]:
    """One row per role a demo user holds, in the order of USERS."""
    users = User.objects.filter(username__in=[spec.username for spec in USERS]).prefetch_related(
        "memberships__ordering_unit", "memberships__provider", "memberships__municipality"
    )
    by_username = {user.username: user for user in users}
    rows = []
    for spec in USERS:
        user = by_username[spec.username]
        name = user.get_full_name() or "–"
        if user.is_superuser:
            rows.append(DemoLogin(user.username, name, "Superanvändare", "Hela systemet"))
        for membership in user.memberships.all():
            organisation = (
                membership.ordering_unit or membership.provider or membership.municipality
            )
            role = membership.get_role_display()
            if membership.role == Role.ADMINISTRATOR and user.is_staff:
                role = f"{role} (även Django-admin)"
            rows.append(DemoLogin(user.username, name, str(role), organisation.name))
    return rows
