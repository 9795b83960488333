"""Benchmarks (`make bench`; figures in README). In `make test` each runs once, as a test.

They measure what grows with a municipality: the officer's client list with its access-log
insert, the scoped API list, and personal-number validation on import-sized input.
"""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from ramtid import personal_number
from ramtid.models import AccessLog, Client
from tests.factories import ClientFactory


@pytest.fixture
def big_unit(world):
    Client.objects.bulk_create(
        ClientFactory.build_batch(2000, ordering_unit=world.unit, responsible_officer=world.officer)
        + ClientFactory.build_batch(2000, ordering_unit=world.other_unit)
    )
    # A real database has statistics; a bulk insert leaves none until autovacuum comes by, and
    # without them the planner does not use the search's trigram indexes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ramtid_client")
    return world


def test_bench_client_list_page(benchmark, big_unit):
    http = big_unit.login(big_unit.officer)
    response = benchmark(http.get, reverse("client_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert AccessLog.objects.exists()


def test_bench_client_search_by_name(benchmark, big_unit):
    http = big_unit.login(big_unit.officer)
    response = benchmark(http.post, reverse("client_list"), {"q": "Lisa"})
    assert [c.pk for c in response.context["page"].object_list] == [big_unit.client.pk]


def test_bench_api_client_list(benchmark, big_unit):
    api = APIClient()
    api.force_authenticate(big_unit.officer)
    response = benchmark(api.get, "/api/brukare/?limit=100")
    assert response.status_code == 200
    assert response.json()["count"] == 2001


def test_bench_personal_number_normalise_1000(benchmark):
    from tests.factories import random_personal_number

    numbers = [personal_number.display(random_personal_number()) for _ in range(1000)]
    result = benchmark(lambda: [personal_number.normalise(n) for n in numbers])
    assert len(result) == 1000
