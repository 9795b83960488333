"""Order quality: warnings that help the officer write an order for ramtid, and never block it.

The inspection of Östermalm (002 "Beställningar", "Bedömning") found orders that said *how and
when* instead of what the need is ("kväll, tillsyn, hjälpa till med kvällsmål"), and generic goals
("skälig levnadsnivå"). Järfälla's instructions say the same: the order is about resources, needs
and goals, "inte på detaljer om hur och när insatser ska utföras" (004 §2.4.6, §2.4.7); the
provider and the client decide when, in the implementation plan.

Pure functions on plain values, no database: the order page lints the unsaved form as the officer
types, the send service lints the saved order (services.quality_warnings), and both go through
`order_warnings`.

The line between detail steering and a need is drawn per clause (a sentence, or a part of one
between commas or words such as "och", "men", "eftersom"):
- A clock time is detail steering ("klockan sju", "kl. 8", "19.30", "vid sjutiden").
- A time of day (morgon, förmiddag, lunch, eftermiddag, kväll, and the meals frukost, middag,
  kvällsmål) is detail steering when the clause ties help to it: "hjälpa till med kvällsmål",
  "tillsyn mellan eftermiddag och kväll", "hjälp med tillagning av lunch". A meal is itself help.
- Neither is flagged in a clause that describes the client: a state or feeling ("Otrygg på
  natten", "orolig på kvällen"), what the client manages ("klarar att värma sitt kvällsmål
  själv"), what relatives do, or a discharge from hospital. That is the need and the situation
  the order must describe.
- Night is never flagged as a time of day: ramtid covers 07:00–22:00 (004 §1.2, §1.4.1), so help
  at night is not a choice inside the frame but a need of its own ("tillsyn nattetid", 002
  "Genomförandeplaner").

Suggestions never name anyone but the client: the client's own first name when it is known,
otherwise neutral text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ramtid.formatting import genitive

# ---------------------------------------------------------------------------------------------
# Warnings and their kinds


@dataclass(frozen=True)
class QualityWarning:
    field: str
    field_label: str
    kind: str
    message: str
    suggestion: str

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "field_label": self.field_label,
            "kind": self.kind,
            "message": self.message,
            "suggestion": self.suggestion,
        }


CLOCK_TIME = "clock_time"
TIME_OF_DAY = "time_of_day"
STEP_BY_STEP = "step_by_step"
GENERIC_GOAL = "generic_goal"
MISSING_GOAL = "missing_goal"

WARNING_KIND_LABELS = {
    CLOCK_TIME: "Klockslag",
    TIME_OF_DAY: "Tid på dygnet kopplad till uppgift",
    STEP_BY_STEP: "Steg-för-steg-instruktion",
    GENERIC_GOAL: "Generellt mål",
    MISSING_GOAL: "Insats utan individuellt mål",
}

# ---------------------------------------------------------------------------------------------
# The texts of an order, saved or still in the form


@dataclass(frozen=True)
class InterventionTexts:
    name: str
    description: str = ""
    client_goal: str = ""


@dataclass(frozen=True)
class OrderTexts:
    client_first_name: str = ""
    order_text: str = ""
    daily_visits_description: str = ""
    overall_goals: tuple[str, ...] = ()
    interventions: tuple[InterventionTexts, ...] = ()


def order_warnings(texts: OrderTexts) -> list[QualityWarning]:
    """Every warning for an order, in the order of its fields. Each warning's `field` is the key
    of the form field it concerns: "order_text", "daily_visits_description", "overall_goals-<i>",
    "interventions-<i>-description", "interventions-<i>-client_goal"."""
    name = texts.client_first_name
    warnings = lint_instruction(
        "order_text", "Beställningstexten", texts.order_text, first_name=name
    )
    warnings += lint_instruction(
        "daily_visits_description",
        "Beskrivningen av de dagliga besöken",
        texts.daily_visits_description,
        first_name=name,
    )
    for index, goal in enumerate(texts.overall_goals):
        warnings += lint_goal(f"overall_goals-{index}", "Övergripande mål", goal, first_name=name)
    for index, item in enumerate(texts.interventions):
        prefix = f"interventions-{index}"
        warnings += lint_instruction(
            f"{prefix}-description",
            f"Beskrivningen för {item.name}",
            item.description,
            first_name=name,
        )
        warnings += lint_goal(
            f"{prefix}-client_goal",
            f"Målet för {item.name}",
            item.client_goal,
            required=True,
            first_name=name,
            intervention=item.name,
        )
    return warnings


# ---------------------------------------------------------------------------------------------
# Free text for the provider: the need, not how and when

_HOUR_WORDS = (
    "ett|en|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tretton|fjorton|femton|sexton|"
    "sjutton|arton|nitton|tjugo(?:ett|en|två|tre|fyra)?"
)
_CLOCK = re.compile(
    "|".join(
        (
            # "kl. 8", "kl 08:00", "klockan 7", "klockan sju", "klockan halv åtta"
            rf"\bkl(?:ockan\b|\.|\b)\s*(?:\d{{1,2}}(?:[:.]\d{{2}})?\b|"
            rf"(?:(?:halv|(?:fem|tio|tjugo|kvart)\s+(?:i|över)(?:\s+halv)?)\s+)?(?:{_HOUR_WORDS})\b)",
            # "halv åtta", "kvart över sju", "fem i sex"
            rf"\b(?:halv|(?:fem|tio|tjugo|kvart)\s+(?:i|över)(?:\s+halv)?)\s+(?:{_HOUR_WORDS})\b"
            r"(?!\s*(?:gång|timm|minut|dag|vecka|veckor|månad|år|procent|%))",
            # "vid sjutiden", "runt 7-tiden"
            rf"\b(?:{_HOUR_WORDS}|\d{{1,2}}-?)tiden\b",
            # "19.30", "08:00", "07:00-22:00", but not "0.15 timmar", "51:36" or a date
            r"(?<![\d.:,-])(?:[01]?\d|2[0-3])[:.][0-5]\d(?![\d]|[.:,]\d)"
            r"(?!\s*(?:tim|h\b|min|kr|%|procent))",
        )
    ),
    re.IGNORECASE,
)

# Catalogue names that carry a time of day (004 §2.3): naming what is ordered is not steering.
_CATALOGUE_NAMES = re.compile(
    r"omvårdnadspaket\s+(?:morgon|lunch|kväll)(?:\s*(?:,|och|/)\s*(?:morgon|lunch|kväll))*"
    r"|frukost\s*/\s*mellanmål\s*/\s*kvällsmål",
    re.IGNORECASE,
)

# Clauses: sentences, and the parts of a sentence between commas, colons or conjunctions.
_CLAUSE_BREAK = re.compile(
    r"(?<!\bkl)[.!?]+(?=\s|$)|[\n;]|,(?!\d)|:(?=\s)|\s[-–]\s"
    r"|\s(?:och|samt|men|eftersom|då|när|medan|utan|så att|för att)\s",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_TIME_OF_DAY_STEMS = ("morgon", "morgn", "förmiddag", "eftermiddag", "kväll", "lunch")
_MEAL_STEMS = ("frukost", "middag", "lunch", "kvällsmål", "kvällsmat", "kvällsfika")
# "i morgon", "i kväll": tomorrow, tonight; a date, e.g. of a discharge, not a time of day.
_DEICTIC = {"morgon", "kväll", "förmiddag", "eftermiddag"}

# Help to be given: a time of day in the same clause ties it to that time.
_TASK_STEMS = (
    "hjälp", "stöd", "stött", "tillsyn", "tillred", "tillag", "laga", "lagning", "värm",
    "server", "dusch", "tvätt", "städ", "påminn", "väck", "besök", "handla", "inköp", "promen",
    "ledsag", "följeslag", "sällskap", "påklädning", "avklädning", "klädsel", "klädbyte",
    "hygien", "toalett", "medicin", "läkemedel", "bädd", "matning", "mata", "omvårdnad",
    "kateter", "uppsnygg", "insats", "förflytt", "matlag", "matdistr", "måltid",
)  # fmt: skip
_TASK_WORDS = {"ge", "ges", "ger", "ta", "tas", "mat", "maten"}
# Words that describe the client (a state, a feeling, what the client manages), the relatives,
# or a discharge from hospital (which the order text is for, 004 §2.4.5): a clause with one of
# them describes a need, a resource or the situation, which the order should do.
_CLIENT_STEMS = (
    "otrygg", "trygg", "orolig", "oro", "rädd", "ängslig", "ensam", "vaken", "vakn", "sover",
    "sova", "sömn", "förvirr", "desorient", "trött", "ledsen", "nedstäm", "ångest", "rastlös",
    "ramla", "faller", "fallit", "fallrisk", "smärt", "glöm", "känn", "känsl", "upplev", "svår",
    "klarar", "orkar", "vågar", "själv", "dotter", "döttrar", "anhörig", "grann",
    "utskriv", "skrivs", "hemgång", "sjukhus",
)  # fmt: skip
# Whole words only: "brukar" (usually does), not "brukaren"; "maka", not "makaroner".
_CLIENT_WORDS = {
    "brukar", "son", "sonen", "söner", "make", "maken", "maka", "makan", "mår", "ont", "yr",
}  # fmt: skip
_SINCE = re.compile(r"\bsedan\s+(?:\d|länge|dess|hon|han|hen|i\b|förra|flera|en\b|ett\b)", re.I)
_STEP_WORDS = re.compile(r"\b(först|sedan|därefter|efter det|slutligen|till sist)\b", re.I)
_NUMBERED_STEP = re.compile(r"^\s*\d+[.)]\s+\S", re.M)


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    text: str

    def words(self) -> list[str]:
        return [word.lower() for word in _WORD.findall(self.text)]


def _clauses(text: str) -> list[_Clause]:
    clauses, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        clauses.append(_Clause(start, match.start(), text[start : match.start()]))
        start = match.end()
    clauses.append(_Clause(start, len(text), text[start:]))
    return clauses


def _clause_at(clauses: list[_Clause], position: int) -> _Clause:
    """The clause a match starts in (or, should it start on a break, the one before it)."""
    return [c for c in clauses if c.start <= position][-1]


def _is_task(word: str) -> bool:
    return word in _TASK_WORDS or word.startswith(_TASK_STEMS)


def _describes_client(clause: _Clause) -> bool:
    return any(w in _CLIENT_WORDS or w.startswith(_CLIENT_STEMS) for w in clause.words())


def _is_meal_or_timed_task(word: str) -> bool:
    """A meal ("kvällsmål"), or a time of day joined to a task ("morgonhygien")."""
    if word.startswith(_MEAL_STEMS):
        return True
    for stem in _TIME_OF_DAY_STEMS:
        if word.startswith(stem):
            rest = word[len(stem) :].removeprefix("s")
            return bool(rest) and _is_task(rest)
    return False


def _time_of_day_words(text: str) -> list[tuple[int, str]]:
    """(position, word) of each time of day or meal, outside catalogue names and "i morgon"."""
    masked = _CATALOGUE_NAMES.sub(lambda m: " " * len(m.group(0)), text)
    found, previous = [], ""
    for match in _WORD.finditer(masked):
        word = match.group(0).lower()
        is_time = word.startswith(_TIME_OF_DAY_STEMS + _MEAL_STEMS)
        if is_time and not (previous == "i" and word in _DEICTIC):
            found.append((match.start(), match.group(0)))
        previous = word
    return found


def clock_times(text: str) -> list[str]:
    """The clock times that steer the help, in the order they occur."""
    clauses = _clauses(text)
    return [
        match.group(0).strip()
        for match in _CLOCK.finditer(text)
        if not _describes_client(_clause_at(clauses, match.start()))
    ]


def times_of_day_tied_to_help(text: str) -> list[str]:
    """The times of day (and meals) that a clause ties help to, in the order they occur."""
    clauses = _clauses(text)
    tied = []
    for position, word in _time_of_day_words(text):
        clause = _clause_at(clauses, position)
        if _describes_client(clause):
            continue
        if _is_meal_or_timed_task(word.lower()) or any(_is_task(w) for w in clause.words()):
            tied.append(word)
    return tied


def _quoted(found: list[str]) -> str:
    """'”kl. 8”, ”19.30”': each once, in the order found."""
    return ", ".join(f"”{text}”" for text in dict.fromkeys(found))


def _is_step_by_step(text: str) -> bool:
    words = _STEP_WORDS.findall(_SINCE.sub(" ", text))
    return len(words) >= 2 or len(_NUMBERED_STEP.findall(text)) >= 2


def lint_instruction(
    field: str, label: str, text: str, *, first_name: str = ""
) -> list[QualityWarning]:
    """Free text for the provider: it should say what the need is, not how and when."""
    text = text or ""
    warnings = []
    example = _need_example(text, first_name)
    if clocks := clock_times(text):
        warnings.append(
            QualityWarning(
                field,
                label,
                CLOCK_TIME,
                f"{label} anger {'ett klockslag' if len(clocks) == 1 else 'klockslag'} "
                f"({_quoted(clocks)}). Klockslag styr utförandet i detalj; med ramtid "
                "bestämmer brukaren och utföraren när hjälpen ges.",
                f"Ta bort klockslaget och beskriv behovet, t.ex. ”{example}”",
            )
        )
    if tied := times_of_day_tied_to_help(text):
        warnings.append(
            QualityWarning(
                field,
                label,
                TIME_OF_DAY,
                f"{label} knyter en uppgift till en tid på dygnet ({_quoted(tied)}). Det styr "
                "hur och när hjälpen ska ges, vilket planeras med brukaren i genomförandeplanen.",
                f"Skriv vad behovet gäller och varför, t.ex. ”{example}”",
            )
        )
    if _is_step_by_step(text):
        warnings.append(
            QualityWarning(
                field,
                label,
                STEP_BY_STEP,
                f"{label} ser ut som en steg-för-steg-instruktion för hur hjälpen ska utföras.",
                "Beskriv brukarens resurser, svårigheter och mål; hur hjälpen ges bestäms "
                "tillsammans med brukaren i genomförandeplanen.",
            )
        )
    return warnings


# Better wordings, after the descriptions the inspection held up (002 "Beställningar") and
# Bilaga 4 (004): (words that show the topic, what the need is).
_NEED_EXAMPLES = (
    (r"mat|maten|måltid\w*|frukost\w*|lunch\w*|middag\w*|kvällsm\w*|tillred\w*|tillag\w*|"
     r"lag(?:a|ar|ning)\w*|värm\w*|server\w*",
     "behöver hjälp och stöd med att tillreda, värma och servera måltider."),
    (r"tillsyn\w*|titta\w*|o?trygg\w*|oro\w*",
     "behöver regelbunden tillsyn för att känna sig trygg hemma."),
    (r"dusch\w*", "behöver hjälp med dusch en till två gånger per vecka."),
    (r"hygien\w*|(?:på|av)?kläd\w*|klä|toalett\w*|tänder\w*",
     "behöver påminnelse och stöd vid hygien och klädsel."),
    (r"förflytt\w*|säng\w*|rollator\w*", "behöver stöd vid förflyttningar dagligen."),
)  # fmt: skip
_NEED_TOPICS = tuple(
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), need) for words, need in _NEED_EXAMPLES
)
_NEED_DEFAULT = "behöver stöd i vardagen för att kunna bo kvar hemma under trygga förhållanden."


def _need_example(text: str, first_name: str) -> str:
    need = next((need for topic, need in _NEED_TOPICS if topic.search(text)), _NEED_DEFAULT)
    return _sentence(first_name, need)


def _sentence(first_name: str, predicate: str) -> str:
    """'Anna behöver …' with the client's name, or 'Behöver …' without."""
    name = (first_name or "").strip()
    return f"{name} {predicate}" if name else predicate[0].upper() + predicate[1:]


# ---------------------------------------------------------------------------------------------
# Goals in the client's own words (002 "Bedömning"; 004 §2.4.5)

_GENERIC_GOALS = re.compile(
    r"skälig\w*\s+levnads(?:nivå|standard)\w*|fungerande\s+vardag\w*", re.IGNORECASE
)

# Goals after Bilaga 4's (004), without its "hon", for the client's name: (words in the
# intervention's name, what the goal is).
_GOAL_EXAMPLES = (
    (("promenad",), "komma ut och bibehålla sina funktioner"),
    (("dusch",), "klara så mycket av duschen som möjligt själv"),
    (("tillsyn", "trygghet"), "känna sig tryggare hemma"),
    (("toalett",), "klara toalettbesöken med så lite hjälp som möjligt"),
    (("omvårdnad", "hygien", "kläd"),
     "bibehålla de förmågor som finns vid den personliga hygienen"),
    (("städ", "uppsnygg", "fönster"), "bo i ett rent och tryggt hem"),
    (("tvätt",), "ha rena kläder som är valda efter egen smak"),
    (("renbädd",), "sova i en ren säng"),
    (("inköp", "mat", "frukost", "kvällsmål", "måltid"), "äta gott och regelbundet"),
)  # fmt: skip
_OVERALL_GOAL = "kunna bo kvar hemma under trygga förhållanden"


def _goal_example(first_name: str, intervention: str) -> str:
    lowered = intervention.lower()
    goal = next(
        (goal for words, goal in _GOAL_EXAMPLES if any(word in lowered for word in words)),
        _OVERALL_GOAL,
    )
    name = (first_name or "").strip()
    return f"{genitive(name)} mål är att {goal}." if name else f"Målet är att {goal}."


def lint_goal(
    field: str,
    label: str,
    text: str,
    *,
    required: bool = False,
    first_name: str = "",
    intervention: str = "",
) -> list[QualityWarning]:
    """Goals in the client's own words; generic goals are to be avoided (002 "Bedömning").

    `required`: an intervention's goal, whose absence is worth a warning (goals per intervention
    are not mandatory, 002, but they tell the provider what the help is for)."""
    text = (text or "").strip()
    example = _goal_example(first_name, intervention)
    if not text:
        if not required:
            return []
        return [
            QualityWarning(
                field,
                label,
                MISSING_GOAL,
                f"{label} saknas. Mål per insats är inte obligatoriska, men de gör det tydligt "
                "för utföraren vad insatsen ska leda till.",
                f"Skriv brukarens eget mål, t.ex. ”{example}”",
            )
        ]
    if match := _GENERIC_GOALS.search(text):
        name = (first_name or "").strip()
        return [
            QualityWarning(
                field,
                label,
                GENERIC_GOAL,
                f"{label} är ett generellt mål (”{match.group(0)}”) som inte säger vad "
                f"{name or 'just den här brukaren'} vill uppnå.",
                f"Skriv målet med brukarens egna ord, t.ex. ”{example}”",
            )
        ]
    return []
