"""Client search (ramtid.selectors.client_search): partial personal numbers, names whatever their
accents and case, near misses, ranking, and the indexes that keep it fast at 20,000 clients."""

import datetime

import pytest
from django.db import connection, transaction
from django.urls import reverse

from ramtid import selectors
from ramtid.demo import make_personal_number
from ramtid.models import Client
from tests.factories import ClientFactory


def _names(clients) -> list[str]:
    return [f"{client.first_name} {client.last_name}" for client in clients]


def _search(world, query: str, user=None) -> list[str]:
    return _names(selectors.client_search(user=user or world.officer, query=query))


@pytest.fixture
def ake(world) -> Client:
    return ClientFactory(
        ordering_unit=world.unit,
        first_name="Åke",
        last_name="Öberg",
        personal_number=make_personal_number(datetime.date(1927, 7, 15), 123),
    )


@pytest.mark.parametrize("query", ["2707", "0715", "270715", "19270715", "270715-1"])
def test_four_or_more_digits_of_the_personal_number_find_the_client(world, ake, query):
    assert _search(world, query) == ["Åke Öberg"]


def test_the_last_four_digits_find_the_client(world, ake):
    assert _search(world, ake.personal_number[-4:]) == ["Åke Öberg"]


@pytest.mark.parametrize("query", ["2", "27", "707", "2-7"])
def test_fewer_than_four_digits_find_no_one(world, ake, query):
    # Too few to tell people apart: the list would otherwise show a large part of the unit.
    assert _search(world, query) == []


def test_a_whole_number_in_any_written_form_finds_the_person(world, ake):
    number = ake.personal_number
    for written in (
        f"{number[:8]}-{number[8:]}",
        f"{number[2:8]}-{number[8:]}",
        number,
        f"{number[:8]} {number[8:]}",
    ):
        assert _search(world, written) == ["Åke Öberg"], written


def test_birth_dates_come_before_other_numbers_that_contain_the_digits(world, ake):
    serial_27 = ClientFactory(
        ordering_unit=world.unit,
        first_name="Al",
        last_name="Ahl",
        personal_number=make_personal_number(datetime.date(1940, 1, 19), 270),  # 19400119270…
    )
    born_1927 = ClientFactory(
        ordering_unit=world.unit,
        first_name="Bo",
        last_name="Ek",
        personal_number=make_personal_number(datetime.date(1927, 5, 27), 7),
    )
    results = list(selectors.client_search(user=world.officer, query="1927"))
    assert results == [born_1927, ake, serial_27]


@pytest.mark.parametrize(
    "query", ["ake", "Ake", "ÅKE", "åke", "oberg", "Öberg", "ake oberg", "Öberg, Åke", "berg"]
)
def test_names_match_whatever_the_accents_and_case(world, ake, query):
    assert "Åke Öberg" in _search(world, query)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("lissa", "Lisa Andersson"),  # a letter too many
        ("anderson", "Lisa Andersson"),  # a letter too few
        ("andresson", "Lisa Andersson"),  # two letters swapped
        ("lindkvist", "Gun Lindqvist"),  # the other spelling
        ("zeterberg", "Per Zetterberg"),
    ],
)
def test_close_misspellings_find_the_name(world, query, found):
    ClientFactory(ordering_unit=world.unit, first_name="Gun", last_name="Lindqvist")
    ClientFactory(ordering_unit=world.unit, first_name="Per", last_name="Zetterberg")
    assert found in _search(world, query)


def test_a_misspelling_does_not_find_everyone(world):
    ClientFactory(ordering_unit=world.unit, first_name="Gun", last_name="Lindqvist")
    ClientFactory(ordering_unit=world.unit, first_name="Per", last_name="Zetterberg")
    assert _search(world, "lissa") == ["Lisa Andersson"]
    assert _search(world, "xyzzy") == []


def test_every_word_must_match(world):
    ClientFactory(ordering_unit=world.unit, first_name="Lisa", last_name="Berg")
    ClientFactory(ordering_unit=world.unit, first_name="Olle", last_name="Andersson")
    assert _search(world, "lisa andersson") == ["Lisa Andersson"]
    assert _search(world, "andersson lisa") == ["Lisa Andersson"]


def test_whole_words_then_beginnings_then_parts_then_near_misses(world):
    # world.client is Lisa Andersson.
    ClientFactory(ordering_unit=world.unit, first_name="Anna-Lisa", last_name="Holm")
    ClientFactory(ordering_unit=world.unit, first_name="Elisabet", last_name="Lund")
    ClientFactory(ordering_unit=world.unit, first_name="Liisa", last_name="Virtanen")
    assert _search(world, "lisa") == [
        "Lisa Andersson",  # a whole word of the name, the closest first
        "Anna-Lisa Holm",  # the parts of a hyphenated name are words too
        "Elisabet Lund",  # part of a word
        "Liisa Virtanen",  # a near miss
    ]
    ClientFactory(ordering_unit=world.unit, first_name="Lisbeth", last_name="Ek")
    found = _search(world, "lis")
    assert set(found[:3]) == {"Lisa Andersson", "Anna-Lisa Holm", "Lisbeth Ek"}  # beginnings
    assert found[3:] == ["Elisabet Lund"]


def test_search_keeps_to_the_users_clients(world):
    # world.other_client, Olle Östlund, is another unit's: no spelling of his name finds him.
    for query in ("olle", "ostlund", "Östlund", "ostlun", "ostlunds", "olle östlund"):
        assert _search(world, query) == [], query
    assert _search(world, "olle", user=world.other_officer) == ["Olle Östlund"]


def test_search_words_with_like_wildcards_are_taken_literally(world):
    assert _search(world, "%") == []
    assert _search(world, "_isa") == []


def test_the_name_search_reads_the_trigram_indexes(world):
    """The name conditions are the expressions the migration indexed (ramtid_fold(first_name)
    and ramtid_fold(last_name)); were they to drift apart, the search would read every row."""
    clients = selectors._name_search(Client.objects.all(), ["lissa"])
    with transaction.atomic(), connection.cursor() as cursor:
        # Too few rows here for the planner to prefer an index on its own.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = clients.explain()
    assert "client_first_name_fold_trgm" in plan
    assert "client_last_name_fold_trgm" in plan


def test_the_list_page_searches_by_a_partial_personal_number_sent_in_the_body(world, ake):
    response = world.login(world.officer).post(reverse("client_list"), {"q": "2707"})
    assert list(response.context["page"].object_list) == [ake]
    # A search in the address is ignored: the search text never comes from a URL.
    response = world.login(world.officer).get(reverse("client_list") + "?q=2707")
    assert ake in response.context["page"].object_list
    assert world.client in response.context["page"].object_list
