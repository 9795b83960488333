from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def order_notify_provider_task(order_id: int) -> None:
    from bestallning.services import order_notify_provider

    order_notify_provider(order_id=order_id)
