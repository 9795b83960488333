from django.db import migrations, models


class Migration(migrations.Migration):
    """Which clients a provider sees depends on when its orders ended (issue 10: an order in
    force, plus the municipality's provider_access_days after it ended; ramtid.selectors.
    provider_sees). The partial index of sent orders by provider and client now carries valid_to,
    so the EXISTS probe per client is still answered from the index alone."""

    dependencies = [
        ("bestallning", "0006_order_ordered_minutes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="order",
            name="order_sent_provider_client",
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("sent_at__isnull", False)),
                fields=["provider", "client"],
                include=("valid_to",),
                name="order_sent_provider_client",
            ),
        ),
    ]
