"""`python manage.py run_monthly_check --month 2026-10 [--municipality CODE]`: the monthly time
check by hand, then the month's staff continuity: the same function beat's task runs
(uppfoljning.monthly.run_month).

Without --municipality every municipality is checked, each in its own transaction. Idempotent:
running it again updates the month's open rows and creates nothing twice.
"""

import pghistory
from django.core.management.base import BaseCommand, CommandError

from ramtid.models import Municipality
from uppfoljning.monthly import parse_month, run_month


class Command(BaseCommand):
    help = (
        "Kör den månatliga tidsuppföljningen för en månad: beställd mot utförd tid per "
        "beställning. Samma funktion som Celery beat kör."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="Månaden som ÅÅÅÅ-MM, t.ex. 2026-10.")
        parser.add_argument(
            "--municipality", help="Kommunkoden (fyra siffror). Utan den: alla kommuner."
        )

    def handle(self, *args, month: str, municipality: str | None = None, **options):
        try:
            first = parse_month(month)
        except ValueError:
            raise CommandError(
                f"Ogiltig månad ”{month}”: skriv den som ÅÅÅÅ-MM, t.ex. 2026-10."
            ) from None
        municipalities = Municipality.objects.order_by("code")
        if municipality:
            municipalities = municipalities.filter(code=municipality.strip())
            if not municipalities.exists():
                raise CommandError(f"Det finns ingen kommun med koden ”{municipality}”.")
        # Writes made here are attributed to the command in the audit trail.
        with pghistory.context(command="run_monthly_check"):
            for item in municipalities:
                summary = run_month(municipality=item, month=first)
                self.stdout.write(str(summary))
