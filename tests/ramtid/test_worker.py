"""A task sent through the real Redis broker is executed by a real Celery worker.

The worker runs in a thread of the test process (celery.contrib.testing), consuming from the same
Redis that `make test` started; the test database is shared, so the test needs real transactions.
"""

import time

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from ramtid import services
from ramtid.celery import app
from ramtid.models import Client, ClientEvent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@shared_task(name="tests.set_client_city")
def set_client_city(client_id: int, city: str) -> None:
    client = Client.objects.get(pk=client_id)
    services.client_update(client=client, by=None, city=city)


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test provides a real Redis"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as started:
        yield started


def test_task_sent_through_redis_runs_on_a_real_worker_and_is_attributed(world, worker):
    result = set_client_city.delay(world.client.pk, "Kallhäll")
    # There is no result backend: the row itself says when the worker has run the task.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        world.client.refresh_from_db()
        if world.client.city == "Kallhäll":
            break
        time.sleep(0.1)
    assert world.client.city == "Kallhäll", f"the worker did not run task {result.id}"
    event = ClientEvent.objects.get(pgh_obj_id=world.client.pk, pgh_label="update")
    assert event.pgh_context["task"] == "tests.set_client_city"
    assert event.pgh_context["task_id"] == result.id
    assert event.pgh_context.get("user") is None
