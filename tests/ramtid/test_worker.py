"""Tasks sent through the real Redis broker are executed by a real Celery worker.

The worker runs in a thread of the test process (celery.contrib.testing), consuming from the same
Redis that `make test` started; the test database is shared, so the tests need real transactions.
The e-mail backend is Django's test backend (locmem), shared with the worker's thread.
"""

import time
from collections.abc import Callable

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.conf import settings

from bestallning import services as order_services
from bestallning.models import Order, OrderEvent
from bestallning.tasks import order_notify_provider_task
from ramtid import services
from ramtid.celery import app
from ramtid.models import Client, ClientEvent
from tests.bestallning.conftest import make_order

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


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"the worker did not {what} within {seconds} s")
        time.sleep(0.1)


@pytest.fixture
def notify_runs() -> list[dict]:
    """Each run of the provider notification task: its id, whether it ran eagerly (in the caller)
    rather than on a worker, and whether it has finished."""
    runs: list[dict] = []

    def started(task_id=None, task=None, **kwargs) -> None:
        if task.name == order_notify_provider_task.name:
            runs.append({"id": task_id, "eager": task.request.is_eager, "done": False})

    def finished(task_id=None, task=None, **kwargs) -> None:
        for run in runs:
            if run["id"] == task_id:
                run["done"] = True

    task_prerun.connect(started, weak=False)
    task_postrun.connect(finished, weak=False)
    yield runs
    task_prerun.disconnect(started)
    task_postrun.disconnect(finished)


def test_sending_an_order_emails_the_provider_from_the_real_worker(
    world, worker, mailoutbox, notify_runs
):
    # The production path: order_send enqueues order_notify_provider_task after its commit, the
    # worker takes it from Redis and the service sends the e-mail.
    world.coordinator.email = "samordnare@omsorg.example.se"
    world.coordinator.save()
    order = make_order(world)

    order_services.order_send(order=order, by=world.officer)

    _wait_for(lambda: len(notify_runs) == 1 and notify_runs[0]["done"], "run the task")
    [mail] = mailoutbox
    assert mail.to == ["samordnare@omsorg.example.se"]
    assert "Trygg Omsorg AB" in mail.body
    [run] = notify_runs
    assert run["eager"] is False
    order.refresh_from_db()
    assert order.provider_notified_at is not None
    # The worker's write is attributed to the task in the audit trail.
    event = OrderEvent.objects.filter(pgh_obj_id=order.pk, pgh_label="update").latest("pgh_id")
    assert event.pgh_context["task"] == order_notify_provider_task.name
    assert event.pgh_context["task_id"] == run["id"]

    # A redelivered message (acks_late) sends nothing more.
    order_notify_provider_task.delay(order.pk)
    _wait_for(lambda: len(notify_runs) == 2 and notify_runs[1]["done"], "run it again")
    assert len(mailoutbox) == 1
    assert Order.objects.get(pk=order.pk).provider_notified_at == order.provider_notified_at
