"""Load data at a city's scale: the core of `python manage.py generate_load_data` (issue 8).

It builds a Stockholm-sized municipality for the benchmarks (README "Benchmarks"): ten district
units of unequal size, eight providers from one with ~29 % of the clients down to one with 5 %,
their staff, and the clients. Each app then adds its rows on top (settings.
RAMTID_LOAD_DATA_LOADERS): bestallning the decisions and orders, genomforandeplan the contact
persons and plans.

Unlike the demo, nothing here goes through the services row by row: at ~15 clients a second
20,000 clients would take over twenty minutes. The generator writes history directly (it is not
a user) with PostgreSQL's COPY, ids reserved from the tables' own sequences, and the database's
constraints still check every row: the one-order-per-day exclusion, the checks, the unique keys
and (at commit) the foreign keys. The audit triggers fire as for any insert, attributed to the
task "generate_load_data". Everything is made up: names from lists, personal numbers in
Skatteverket's test series (birth numbers 980–999, ramtid.demo.make_personal_number), phone numbers
in PTS's series for fiction, e-mail at example.com.

It is deterministic: the same seed, size, municipality and day give the same rows (each stage
draws from a random generator of its own, seeded from the seed and the stage's name). Only the ids
depend on the database's sequences.

It refuses to run on a database that is not marked for load data (`mark_database`): the bench
marks its own database when it creates it, and nothing marks the demo's or production's.
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.module_loading import import_string
from django.utils.text import slugify

from ramtid import services
from ramtid.choices import Gender, ProviderKind, RelativeKind, Role
from ramtid.demo import (
    FICTITIOUS_SERIALS,
    MUNICIPALITIES,
    OWN_CATALOGUE,
    STOCKHOLM,
    make_personal_number,
    organisation_number,
)
from ramtid.formatting import genitive
from ramtid.models import (
    Client,
    ClientRelative,
    InterventionType,
    LifeArea,
    LifeAreaCategory,
    Membership,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

# The comment that marks a database as one the generator may fill (COMMENT ON DATABASE).
LOAD_DATA_MARK = "ramtid-load-data"
AUDIT_TASK = "generate_load_data"
DEFAULT_CLIENTS = 20_000
DEFAULT_SEED = 1
DEFAULT_MUNICIPALITY = "Stockholm"


class Refused(Exception):
    """The generator will not run here; the message says why, in Swedish."""


# ---------------------------------------------------------------------------------------------
# The mark


def database_mark() -> str | None:
    """The comment on the current database, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def mark_database() -> None:
    """Mark the current database for load data. Only what creates a database for the bench (and
    the generator's tests) calls this; COMMENT is transactional, so a test's mark is rolled back
    with the test."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        # A comment takes a literal, not a parameter; the mark is our constant.
        cursor.execute(
            f"COMMENT ON DATABASE {connection.ops.quote_name(name)} IS '{LOAD_DATA_MARK}'"
        )


def require_marked_database() -> None:
    if database_mark() != LOAD_DATA_MARK:
        raise Refused(
            "Databasen är inte märkt för lastdata, så generatorn rör den inte: den skriver "
            "tiotusentals påhittade brukare och får aldrig köras mot demodatabasen eller en "
            "riktig databas. `make bench` skapar och märker en egen databas. För en annan "
            f"databas som bara ska ha lastdata: COMMENT ON DATABASE <namn> IS '{LOAD_DATA_MARK}'."
        )


# ---------------------------------------------------------------------------------------------
# What the stages share


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    number: int  # 1–10, in the order of DISTRICTS
    officers: tuple[int, ...]
    manager: int


@dataclass(frozen=True)
class ProviderInfo:
    id: int
    name: str
    number: int  # 1–8, the largest first
    share: float
    coordinators: tuple[int, ...]
    contact_persons: tuple[int, ...]


@dataclass(frozen=True)
class ClientInfo:
    id: int
    unit: UnitInfo
    officer: int | None
    first_name: str
    registered_on: datetime.date
    personal_number: str = ""


@dataclass
class LoadData:
    """The run's parameters, what the core built, and what each app leaves for the next."""

    clients: int
    seed: int
    municipality_name: str
    today: datetime.date
    # Where the follow-up's loader writes a month of visits as import files (None: none).
    visits_dir: Path | None = None
    municipality: Municipality | None = None
    catalogue: dict[str, InterventionType] = field(default_factory=dict)
    life_areas: dict[int, int] = field(default_factory=dict)  # number -> id
    life_area_categories: dict[tuple[int, str], int] = field(default_factory=dict)
    units: list[UnitInfo] = field(default_factory=list)
    providers: list[ProviderInfo] = field(default_factory=list)
    all_units_officer: int | None = None
    client_rows: list[ClientInfo] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        """A generator of its own for each stage: a change in one stage's draws leaves the
        others' rows as they were."""
        return random.Random(f"{self.seed}:{self.clients}:{stage}")  # noqa: S311 (made-up data)

    def count(self, model: type[models.Model], rows: int) -> None:
        name = str(model._meta.verbose_name_plural)
        self.counts[name] = self.counts.get(name, 0) + rows


# ---------------------------------------------------------------------------------------------
# Writing: COPY with ids reserved from the sequences


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids from the table's own sequence, so rows can name each other before COPY."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY the rows (tuples in the order of `fields`, model field names) into the model's table.
    JSON values are passed as text (json.dumps), arrays as lists. The model's defaults fill the
    columns not named (Django's defaults are not the database's), NULL the nullable ones."""
    meta = model._meta
    defaults = {
        f: as_json(f.get_default()) if isinstance(f, models.JSONField) else f.get_default()
        for f in meta.concrete_fields
        if f.name not in fields and not f.primary_key and (f.has_default() or not f.null)
    }
    quote = connection.ops.quote_name
    names = [meta.get_field(name).column for name in fields] + [f.column for f in defaults]
    columns = ", ".join(quote(column) for column in names)
    tail = tuple(defaults.values())
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row, *tail) if tail else row)
            count += 1
    return count


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


_ZONE = ZoneInfo(settings.TIME_ZONE)


def moment(day: datetime.date, rng: random.Random, *, hours: tuple[int, int] = (8, 16)):
    """A time during office hours on `day`, in the municipality's time zone."""
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(*hours), rng.randint(0, 59)), tzinfo=_ZONE
    )


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# Running the stages


def generate(
    *,
    clients: int = DEFAULT_CLIENTS,
    seed: int = DEFAULT_SEED,
    municipality: str = DEFAULT_MUNICIPALITY,
    today: datetime.date,
    visits_dir: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> LoadData:
    """Run every loader of settings.RAMTID_LOAD_DATA_LOADERS in one transaction: a failing
    stage leaves nothing behind."""
    require_marked_database()
    build = LoadData(
        clients=clients,
        seed=seed,
        municipality_name=municipality,
        today=today,
        visits_dir=visits_dir,
    )
    loaders = [import_string(path) for path in settings.RAMTID_LOAD_DATA_LOADERS]
    with transaction.atomic():
        _attribute_history(build)
        for path, loader in zip(settings.RAMTID_LOAD_DATA_LOADERS, loaders, strict=True):
            progress(path)
            loader(build)
        progress("commit")
    return build


def _attribute_history(build: LoadData) -> None:
    """What pghistory.context does statement by statement, once for the transaction: the audit
    triggers attribute every row to the task (COPY bypasses Django's execute wrappers)."""
    context_id = uuid.uuid5(
        uuid.NAMESPACE_URL, f"ramtid:{AUDIT_TASK}:{build.municipality_name}:{build.seed}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true), "
            "set_config('pgtrigger.ignore', '{}', true)",
            [str(context_id), as_json({"task": AUDIT_TASK})],
        )


def analyse() -> None:
    """Statistics for the planner, as autovacuum would gather them on a real database (and, out
    of a transaction, the visibility map that index-only scans read)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


# ---------------------------------------------------------------------------------------------
# The core's stage: municipality, catalogue, units, providers, users, clients

# Ten of Stockholm's city districts, with a postal-code prefix and streets of each, and their
# share of the clients (a district has ~2,000 at 20,000).
DISTRICTS = (
    ("Rinkeby-Kista", "164", ("Rinkebystråket", "Kistagången", "Husbygårdsgatan"), 0.085),
    ("Spånga-Tensta", "163", ("Tensta allé", "Spångavägen", "Hjulstagränd"), 0.075),
    ("Hässelby-Vällingby", "162", ("Vällingbyplan", "Hässelby torg", "Kirunagatan"), 0.11),
    ("Bromma", "168", ("Bergslagsvägen", "Ålstensgatan", "Brommaplan"), 0.12),
    ("Kungsholmen", "112", ("Fleminggatan", "Sankt Eriksgatan", "Hantverkargatan"), 0.09),
    ("Norrmalm", "113", ("Odengatan", "Upplandsgatan", "Vanadisvägen"), 0.08),
    ("Östermalm", "114", ("Karlavägen", "Linnégatan", "Valhallavägen"), 0.10),
    ("Södermalm", "118", ("Götgatan", "Hornsgatan", "Ringvägen"), 0.14),
    ("Enskede-Årsta-Vantör", "122", ("Årstavägen", "Sockenvägen", "Enskedevägen"), 0.13),
    ("Skarpnäck", "128", ("Skarpnäcks allé", "Björkhagsplan", "Kärrtorpsvägen"), 0.07),
)
# Eight providers of very unequal size (the largest has ~5,800 clients at 20,000), made up.
PROVIDERS = (
    ("Stadens hemtjänst", ProviderKind.MUNICIPAL, 0.29),
    ("Vardagshjälpen i Stockholm AB", ProviderKind.COMPANY, 0.19),
    ("Trygga Händer Omsorg AB", ProviderKind.COMPANY, 0.14),
    ("Lugna Gatans Hemtjänst AB", ProviderKind.COMPANY, 0.11),
    ("Mälarstrandens Omsorg AB", ProviderKind.COMPANY, 0.09),
    ("Solrosens Hemtjänst AB", ProviderKind.COMPANY, 0.07),
    ("Hemma Trygg i Söder AB", ProviderKind.COMPANY, 0.06),
    ("Nordstjärnans Omsorg AB", ProviderKind.COMPANY, 0.05),
)
CLIENTS_PER_OFFICER = 100
CLIENTS_PER_COORDINATOR = 1_000
CLIENTS_PER_CONTACT_PERSON = 12
# Municipality codes of the names one might pass; any other name gets a free code in 9000–9999.
KNOWN_CODES = {"Stockholm": STOCKHOLM, "Göteborg": "1480", "Malmö": "1280", "Uppsala": "0380"}

FEMALE_NAMES = (
    "Anna", "Margareta", "Elisabeth", "Eva", "Birgitta", "Kristina", "Karin", "Marie", "Ingrid",
    "Gunilla", "Ulla", "Kerstin", "Maria", "Inger", "Britt", "Gunnel", "Barbro", "Monica", "Gun",
    "Solveig", "Elsa", "Astrid", "Signe", "Maj-Britt", "Birgit", "Ingegerd", "Siv", "Marianne",
    "Lena", "Agneta", "Aino", "Mirjana", "Fatima", "Irene", "Rut", "Greta", "Dagny", "Berit",
    "Lisa", "Sonja",
)  # fmt: skip
MALE_NAMES = (
    "Lars", "Karl", "Erik", "Per", "Nils", "Jan", "Bengt", "Sven", "Bo", "Lennart", "Göran",
    "Rolf", "Olof", "Gunnar", "Stig", "Åke", "Kjell", "Ove", "Leif", "Sten", "Hans", "Ulf", "Arne",
    "Bertil", "Gösta", "Folke", "Tage", "Ingvar", "Rune", "Kent", "Tadeusz", "Mikko", "Ahmed",
    "Hassan", "Dragan", "Yusuf", "Börje", "Evert", "Harry", "Gustav",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist",
    "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
    "Nordström", "Öberg", "Åberg", "Virtanen", "Nowak", "Petrović", "Hassan", "Ali", "Yilmaz",
    "Korhonen", "Kowalski", "Ahmadi", "Rahimi", "Ekman",
)  # fmt: skip
RELATIONSHIPS = ("dotter", "son", "make", "hustru", "sambo", "barnbarn", "granne", "syster")


def load(build: LoadData) -> None:
    """The core's stage (the first of RAMTID_LOAD_DATA_LOADERS)."""
    rng = build.rng("ramtid")
    build.municipality = _municipality(build)
    catalogue = InterventionType.objects.filter(municipality=build.municipality)
    build.catalogue = {t.name: t for t in catalogue}
    build.life_areas = dict(LifeArea.objects.values_list("number", "pk"))
    build.life_area_categories = {
        (number, name): pk
        for number, name, pk in LifeAreaCategory.objects.values_list(
            "life_area__number", "name", "pk"
        )
    }
    _organisations(build, rng)
    _clients(build, rng)


def _municipality(build: LoadData) -> Municipality:
    name = build.municipality_name
    if Municipality.objects.filter(name=name).exists():
        raise Refused(
            f"Kommunen {name} finns redan i databasen. Generatorn lägger in en ny kommun: ge ett "
            "annat namn med --municipality, eller kör den mot en ny databas."
        )
    taken = set(Municipality.objects.values_list("code", flat=True))
    code = KNOWN_CODES.get(name)
    if code is None or code in taken:
        code = f"{9000 + zlib.crc32(name.encode()) % 1000:04d}"
        while code in taken:
            code = f"{9000 + (int(code) - 9000 + 1) % 1000:04d}"
    # One service call for the municipality and its copy of the catalogue, as an administrator
    # would create it; Stockholm's rules (002: plan in 15 days, 136 h/month, review after 2).
    municipality = services.municipality_create(
        name=name, code=code, **MUNICIPALITIES[STOCKHOLM]["rules"]
    )
    for own, category, minutes in OWN_CATALOGUE[STOCKHOLM]:
        services.intervention_type_create(
            municipality=municipality, name=own, category=category, standard_minutes=minutes
        )
    build.count(Municipality, 1)
    return municipality


def _split(total: int, shares: Sequence[float], minimum: int = 0) -> list[int]:
    """`total` split by shares, the rounding left to the largest part."""
    parts = [max(minimum, round(total * share)) for share in shares]
    parts[max(range(len(parts)), key=lambda i: shares[i])] += total - sum(parts)
    return parts


def _organisations(build: LoadData, rng: random.Random) -> None:
    municipality = build.municipality
    slug = slugify(municipality.name) or municipality.code
    stockholm = municipality.name == "Stockholm"
    units = OrderingUnit.objects.bulk_create(
        OrderingUnit(
            municipality=municipality,
            name=f"{genitive(district)} beställarenhet"
            if stockholm
            else f"Beställarenhet {number}",
        )
        for number, (district, *_rest) in enumerate(DISTRICTS, start=1)
    )
    providers = Provider.objects.bulk_create(
        Provider(
            municipality=municipality,
            name=name if stockholm else f"{name.removesuffix(' AB')} {municipality.name}",
            kind=kind,
            organisation_number=""
            if kind == ProviderKind.MUNICIPAL
            else organisation_number(f"5599{70000 + number * 37:05d}"),
        )
        for number, (name, kind, _share) in enumerate(PROVIDERS, start=1)
    )
    build.count(OrderingUnit, len(units))
    build.count(Provider, len(providers))

    unit_clients = _split(build.clients, [d[3] for d in DISTRICTS])
    provider_clients = _split(build.clients, [p[2] for p in PROVIDERS])
    people: list[tuple[str, Role, OrderingUnit | Provider | None]] = []
    for number, (unit, clients) in enumerate(zip(units, unit_clients, strict=True), start=1):
        for k in range(1, max(2, round(clients / CLIENTS_PER_OFFICER)) + 1):
            people.append((f"{slug}.handlaggare.{number:02d}.{k:02d}", Role.CASE_OFFICER, unit))
        people.append((f"{slug}.chef.{number:02d}", Role.UNIT_MANAGER, unit))
    for number, (provider, clients) in enumerate(
        zip(providers, provider_clients, strict=True), start=1
    ):
        for k in range(1, max(1, round(clients / CLIENTS_PER_COORDINATOR)) + 1):
            people.append((f"{slug}.samordnare.{number}.{k}", Role.PROVIDER_COORDINATOR, provider))
        for k in range(1, max(3, round(clients / CLIENTS_PER_CONTACT_PERSON)) + 1):
            people.append((f"{slug}.kontaktman.{number}.{k:03d}", Role.CONTACT_PERSON, provider))
    # An officer who works for every district (e.g. the city's weekend and holiday officer): her
    # start page spans all 20,000 clients.
    everywhere = f"{slug}.handlaggare.alla"
    people += [(everywhere, Role.CASE_OFFICER, unit) for unit in units]
    people += [
        (f"{slug}.avgift", Role.FEE_OFFICER, None),
        (f"{slug}.admin", Role.ADMINISTRATOR, None),
    ]

    usernames = list(dict.fromkeys(username for username, _role, _org in people))
    joined = moment(build.today - days(800), rng)
    users = User.objects.bulk_create(
        User(
            username=username,
            # No one logs in with a password: the bench signs in with force_login. Set one with
            # `manage.py changepassword` to look around.
            password="!" + AUDIT_TASK,  # unusable: the "!" prefix
            first_name=rng.choice(FEMALE_NAMES if rng.random() < 0.7 else MALE_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{username}@example.com",
            is_staff=username.endswith(".admin"),
            date_joined=joined,
        )
        for username in usernames
    )
    user_ids = {user.username: user.pk for user in users}
    memberships = Membership.objects.bulk_create(
        Membership(
            user_id=user_ids[username],
            role=role,
            municipality=municipality,
            ordering_unit=org if isinstance(org, OrderingUnit) else None,
            provider=org if isinstance(org, Provider) else None,
        )
        for username, role, org in people
    )
    build.count(User, len(users))
    build.count(Membership, len(memberships))

    def ids(role: Role, org) -> tuple[int, ...]:
        return tuple(
            user_ids[username]
            for username, r, o in people
            if r == role and o == org and username != everywhere
        )

    build.all_units_officer = user_ids[everywhere]
    build.units = [
        UnitInfo(
            unit.pk,
            unit.name,
            number,
            ids(Role.CASE_OFFICER, unit),
            ids(Role.UNIT_MANAGER, unit)[0],
        )
        for number, unit in enumerate(units, start=1)
    ]
    build.providers = [
        ProviderInfo(
            provider.pk,
            provider.name,
            number,
            PROVIDERS[number - 1][2],
            ids(Role.PROVIDER_COORDINATOR, provider),
            ids(Role.CONTACT_PERSON, provider),
        )
        for number, provider in enumerate(providers, start=1)
    ]
    build.shared["unit_clients"] = unit_clients


def registered_on(rng: random.Random, today: datetime.date) -> datetime.date:
    """When a client was registered: spread over two years, with a tenth in the last month (the
    new clients whose orders are on their way)."""
    if rng.random() < 0.10:
        return today - days(rng.randint(1, 30))
    return today - days(rng.randint(31, 760))


def _clients(build: LoadData, rng: random.Random) -> None:
    """The clients, each in a district unit with a responsible officer, and their relatives."""
    municipality = build.municipality
    stockholm = municipality.name == "Stockholm"
    ids = iter(reserve_ids(Client, build.clients))
    numbers: set[str] = set()
    clients: list[ClientInfo] = []
    rows, relatives = [], []
    for unit, count in zip(build.units, build.shared.pop("unit_clients"), strict=True):
        _district, postal_prefix, streets, _share = DISTRICTS[unit.number - 1]
        for _ in range(count):
            gender = rng.choices((Gender.FEMALE, Gender.MALE, Gender.OTHER), (62, 37.5, 0.5))[0]
            first = rng.choice(MALE_NAMES if gender == Gender.MALE else FEMALE_NAMES)
            last = rng.choice(LAST_NAMES)
            number = _personal_number(rng, gender, numbers)
            registered = registered_on(rng, build.today)
            officer = rng.choice(unit.officers) if rng.random() < 0.95 else None
            client = ClientInfo(next(ids), unit, officer, first, registered, number)
            clients.append(client)
            rows.append(
                (
                    client.id,
                    municipality.pk,
                    unit.id,
                    officer,
                    number,
                    first,
                    last,
                    gender,
                    f"{rng.choice(streets)} {rng.randint(1, 120)}",
                    f"{postal_prefix} {rng.randint(30, 79):02d}",
                    "Stockholm" if stockholm else municipality.name,
                    # PTS keeps 08-465 004 00–99 for fiction; some clients have no phone recorded.
                    f"08-465 004 {rng.randint(0, 99):02d}" if rng.random() < 0.8 else "",
                    rng.random() < 0.005,
                    moment(registered, rng),
                )
            )
            if rng.random() < 0.35:
                relatives.append(_relative(rng, client.id, last))
    build.count(
        Client,
        copy_rows(
            Client,
            (
                "id",
                "municipality",
                "ordering_unit",
                "responsible_officer",
                "personal_number",
                "first_name",
                "last_name",
                "gender",
                "street_address",
                "postal_code",
                "city",
                "phone",
                "protected_identity",
                "created_at",
            ),
            rows,
        ),
    )
    build.count(
        ClientRelative,
        copy_rows(
            ClientRelative,
            (
                "client",
                "kind",
                "name",
                "relationship",
                "phone",
                "email",
            ),
            relatives,
        ),
    )
    build.client_rows = clients


def _personal_number(rng: random.Random, gender: str, taken: set[str]) -> str:
    """A valid, unused personal number (1 % coordination numbers) of someone born 1925–1955,
    its birth number in the test series 980–999 with the gender's parity."""
    while True:
        born = datetime.date(1925, 1, 1) + days(rng.randint(0, 11_322))
        serial = FICTITIOUS_SERIALS.start + 2 * rng.randint(0, 9) + (gender == Gender.MALE)
        number = make_personal_number(born, serial, coordination=rng.random() < 0.01)
        if number not in taken:
            taken.add(number)
            return number


def _relative(rng: random.Random, client_id: int, last_name: str) -> tuple:
    kind = rng.choices(
        (RelativeKind.NEXT_OF_KIN, RelativeKind.GOOD_MAN, RelativeKind.AGENT), (88, 8, 4)
    )[0]
    first = rng.choice(FEMALE_NAMES + MALE_NAMES)
    surname = last_name if kind == RelativeKind.NEXT_OF_KIN else rng.choice(LAST_NAMES)
    relationship = rng.choice(RELATIONSHIPS) if kind == RelativeKind.NEXT_OF_KIN else ""
    ascii_name = slugify(f"{first}.{surname}".replace(".", "-")).replace("-", ".")
    email = f"{ascii_name}@example.com" if rng.random() < 0.3 else ""
    # PTS keeps 070-174 06 05–99 for fiction.
    return (
        client_id,
        kind,
        f"{first} {surname}",
        relationship,
        f"070-174 06 {rng.randint(5, 99):02d}",
        email,
    )
