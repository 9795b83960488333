"""Fuzzing the API from its own OpenAPI schema (issue 10): schemathesis, with a provider's keys.

Every operation of the schema the API serves at /api/schema/ (drf-spectacular's; the schema is
generated here as that view generates it, and test_the_fuzzed_schema_is_the_served_one holds
them equal) is sent generated requests, valid and invalid (schemathesis' positive and negative
modes), in-process through Django's WSGI handler against the real PostgreSQL test database, with
a key of the home provider that only reads and with one that may write. Each answer is checked:

- no 5xx (`not_a_server_error`);
- a documented answer has the documented shape and content type (`response_schema_conformance`,
  `content_type_conformance`). The schema documents the successes (and the visits' 400), so
  the refusals it does not list (400, 403, 404) are not held against it:
  `status_code_conformance` is left out;
- nothing of another organisation is in it (`no_foreign_data`): the world is
  tests/ramtid/route_world.py's, where everything of the other provider (same municipality) and
  of the other municipality is named "Grann…" or "Fjarr…", and the home client whose only order
  to the home provider is a draft is not the provider's either (its name and personal number);
- another organisation's object is answered exactly as an object that does not exist
  (`foreign_looks_missing`): the id in the path, and the order, contact person, provider or unit
  a body or query names, is drawn from the home provider's own objects, the other
  organisations' and the generated value, and where it is another organisation's the same
  request is sent again with an id nobody has: same status, same body.

The bound: at most MAX_EXAMPLES generated requests per operation and key, with a fixed seed,
derandomized and without a deadline, so every run sends the same requests: with the 32
operations of today some 650 requests (and the second request of each foreign id), about half a
minute. (schemathesis' boundary-value "coverage" phase does not run beside the ids drawn here:
run once while this was written, it sent 5,400 requests in three minutes and found one fault,
the visits' row number sent as text.) The world is built once for the module; each request runs
in a savepoint that is rolled back, so every example starts from the same world.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from werkzeug.test import Client as WSGIClient

from ramtid.personal_number import display
from tests.factories import api_token
from tests.ramtid.route_world import Side, World, built_once

# The bound of the run: generated requests per operation and key.
MAX_EXAMPLES = 10
SEED = 4711
# An id no object has (ids are PostgreSQL integers, far below this in a test database).
MISSING_ID = 2_000_000_000

# Everything of the other provider (same municipality) and the other municipality is named with
# these (route_world: "Grannenheten", "Grannsson1", "handlaggare-granne", "Fjarrkoping" …).
FOREIGN_WORDS = ("grann", "fjarr")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker) as world:
        yield world


@dataclass
class Fuzzed:
    """What one run of the fuzzer knows: the world, the key it sends, the strings no response
    may contain and the ids to put in paths, bodies and queries."""

    world: World
    key: str
    forbidden: list[str]
    # Per kind of object: (the home provider's, the others').
    ids: dict[str, tuple[list[int], list[int]]]


def _forbidden(world: World) -> list[str]:
    home = world.home
    # The client whose only order to the home provider is a draft is not the provider's.
    words = [home.client2.last_name, home.client2.personal_number]
    words.append(display(home.client2.personal_number))
    for side in (world.near, world.far):
        words += side.forbidden()
    return words


def _ids(world: World) -> dict[str, tuple[list[int], list[int]]]:
    home, others = world.home, (world.near, world.far)

    def pks(sides: tuple[Side, ...], *attributes: str) -> list[int]:
        return [getattr(side, attribute).pk for side in sides for attribute in attributes]

    return {
        "brukare": (pks((home,), "client", "client3"), [home.client2.pk, *pks(others, "client")]),
        "beslut": (pks((home,), "decision"), pks(others, "decision")),
        "bestallningar": (pks((home,), "order"), [home.draft.pk, *pks(others, "order")]),
        "genomforandeplaner": (
            pks((home,), "plan", "draft_plan"),
            pks(others, "plan", "draft_plan"),
        ),
        # The catalogue is the municipality's: the other provider of the same municipality
        # orders from the same one.
        "insatser": (pks((home,), "intervention_type"), pks((world.far,), "intervention_type")),
        "tidsuppfoljning": (pks((home,), "time_result"), pks(others, "time_result")),
        "order": (pks((home,), "order"), [home.draft.pk, *pks(others, "order")]),
        "contact_person": (pks((home,), "contact_person"), pks(others, "contact_person")),
        "provider": (pks((home,), "provider"), pks(others, "provider")),
        "ordering_unit": (pks((home,), "unit"), pks(others, "unit")),
    }


@pytest.fixture(params=["read", "write"])
def fuzzed(request, built, db, settings) -> Fuzzed:
    # No rate limit: a run sends a few hundred requests with one key.
    settings.RAMTID_API_RATE = ""
    _token, key = api_token(provider=built.home.provider, can_write=request.param == "write")
    return Fuzzed(built, key, _forbidden(built), _ids(built))


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """The requests go through Django's WSGI handler in this thread, and so on the test's
    database connection. As Django's test client does, the connection is not closed at the end
    of each request: it is in the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _generated_schema() -> dict:
    """The schema as /api/schema/?format=json serves it (drf-spectacular's view, public)."""
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


# Generated when the module is collected, so each operation is a test of its own (schemathesis'
# lazy `from_fixture`, which could read it from the app with the key, fails under pytest 9).
GENERATED = _generated_schema()
schema = schemathesis.openapi.from_dict(
    copy.deepcopy(GENERATED),
    config=schemathesis.Config.from_dict(
        {"seed": SEED, "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES}}
    ),
)
# Requests go to Django's WSGI handler in this process (schemathesis calls it through werkzeug).
schema.app = WSGIHandler()


def _swap_ids(case, fuzzed: Fuzzed, data) -> list[tuple[dict, str]]:
    """Put the home provider's or another organisation's ids where the request names an object,
    or keep the generated value; where another organisation's went (container, key)."""
    foreign: list[tuple[dict, str]] = []

    def swap(container: dict, key: str, kind: str) -> None:
        if kind not in fuzzed.ids:
            return
        own, others = fuzzed.ids[kind]
        choice = data.draw(st.sampled_from([None, *own, *others]), label=f"{kind} id")
        if choice is not None:
            container[key] = choice
            if choice in others:
                foreign.append((container, key))

    if "id" in (case.path_parameters or {}):
        swap(case.path_parameters, "id", case.operation.path.split("/")[2])
    if isinstance(case.body, dict):
        for field in ("order", "contact_person"):
            if field in case.body:
                swap(case.body, field, field)
    for field in ("provider", "ordering_unit"):
        if field in (case.query or {}):
            swap(case.query, field, field)
    return foreign


def _no_foreign_data(fuzzed: Fuzzed):
    def no_foreign_data(ctx, response, case) -> None:
        text = response.content.decode("utf-8", errors="replace")
        found = [word for word in FOREIGN_WORDS if word in text.lower()]
        found += [word for word in fuzzed.forbidden if word in text]
        if found:
            raise AssertionError(f"Another organisation's data in the response: {found}")

    return no_foreign_data


def _foreign_looks_missing(fuzzed: Fuzzed, foreign: list[tuple[dict, str]]):
    """Another organisation's object is answered exactly as one that does not exist: a 404 where
    the object is looked up, and the same refusal where something else is refused first (a key
    that may not write, a body that does not validate). Anything else would tell that it
    exists. A message may name the id it was sent: the ids are left out of the comparison."""

    def foreign_looks_missing(ctx, response, case) -> None:
        if not foreign:
            return
        ids = {str(container[key]) for container, key in foreign} | {str(MISSING_ID)}
        for container, key in foreign:
            container[key] = MISSING_ID
        with transaction.atomic():
            missing = case.call(headers={"Authorization": f"Bearer {fuzzed.key}"})
            transaction.set_rollback(True)
        named = re.compile(r"(?<!\d)(?:" + "|".join(sorted(ids)) + r")(?!\d)")

        def answer(response) -> tuple[int, str]:
            text = response.content.decode("utf-8", errors="replace")
            return response.status_code, named.sub("<id>", text)

        if answer(response) != answer(missing):
            raise AssertionError(
                f"Another organisation's object was answered {answer(response)}, one that does "
                f"not exist {answer(missing)}"
            )

    return foreign_looks_missing


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_fuzz(case, data, fuzzed, keep_connection):
    foreign = _swap_ids(case, fuzzed, data)
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {fuzzed.key}"},
            checks=[
                not_a_server_error,
                response_schema_conformance,
                content_type_conformance,
                _no_foreign_data(fuzzed),
                _foreign_looks_missing(fuzzed, foreign),
            ],
        )
        transaction.set_rollback(True)


def test_the_fuzzed_schema_is_the_served_one(built, db, keep_connection):
    _token, key = api_token(provider=built.home.provider)

    served = WSGIClient(schema.app).get(
        "/api/schema/?format=json", headers={"Authorization": f"Bearer {key}"}
    )

    assert served.status_code == 200
    assert json.loads(served.get_data()) == GENERATED


def test_the_leak_check_sees_another_providers_clients(built, db, settings, keep_connection):
    """The check is not vacuous: the other provider's own client list fails it."""
    settings.RAMTID_API_RATE = ""
    _token, key = api_token(provider=built.near.provider)
    case = schema["/api/brukare/"]["GET"].Case()
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200

    check = _no_foreign_data(Fuzzed(built, key, _forbidden(built), _ids(built)))
    with pytest.raises(AssertionError, match=built.near.client.last_name):
        check(None, response, case)


def test_the_schema_says_what_an_empty_choice_or_relation_is():
    """What the fuzzer found the schema to miss (ramtid/api/schema.py, uppfoljning/api)."""
    components = GENERATED["components"]["schemas"]
    result = components["TimeResult"]["properties"]
    # A decision not yet made: "" and nobody.
    assert {"$ref": "#/components/schemas/BlankEnum"} in result["decision"]["oneOf"]
    assert result["decided_by"]["nullable"] is True
    assert components["Contact"]["properties"]["deputy"]["nullable"] is True
    # A month is ÅÅÅÅ-MM, not a date.
    assert result["month"]["pattern"] == r"^\d{4}-\d{2}$"
    # The visits' refusals: the rows' errors, a provider to name, or a body that is no JSON.
    refusal = GENERATED["paths"]["/api/besok/"]["post"]["responses"]["400"]
    assert refusal["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VisitImportRefusal"
    }
    assert components["VisitImportErrors"]["required"] == ["errors"]
