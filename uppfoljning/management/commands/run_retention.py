"""`python manage.py run_retention --dry-run [--municipality CODE] [--date YYYY-MM-DD]`: retention
(gallring) by hand, the same functions as beat's monthly task (uppfoljning.retention).

- With --dry-run: the report of the clients whose retention period has passed on the date (today
  unless --date), with the rows per kind that would go. It is stored (RetentionRun) and counts
  as notice for a later removal; nothing else changes.
- Without: the removal of the latest report that is at least RAMTID_RETENTION_NOTICE_DAYS (28)
  days old and not carried out, for the clients still due today. Only today: the database
  checks every client against its own clock, so --date is for reports only.

Without --municipality every municipality, each in its own transaction. The output names
clients by id, never by name or personal number.
"""

import datetime

import pghistory
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ramtid.models import Municipality
from uppfoljning.retention import carry_out, describe, make_report, notice_days

STARTED_BY = "manage.py run_retention"


class Command(BaseCommand):
    help = (
        "Gallring: med --dry-run en förhandsrapport över brukare vars gallringsfrist har gått "
        "ut; utan den gallras brukarna i den senaste förhandsrapporten som är minst fyra "
        "veckor gammal. Samma funktioner som Celery beat kör."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Gör och spara en förhandsrapport; inget gallras.",
        )
        parser.add_argument(
            "--municipality", help="Kommunkoden (fyra siffror). Utan den: alla kommuner."
        )
        parser.add_argument(
            "--date", help="Dagen rapporten gäller, ÅÅÅÅ-MM-DD (bara med --dry-run). Utan: i dag."
        )

    def handle(self, *args, dry_run=False, municipality=None, date=None, **options):
        on = timezone.localdate()
        if date is not None:
            if not dry_run:
                raise CommandError(
                    "--date går bara med --dry-run: gallringen görs alltid per dagens datum."
                )
            try:
                on = datetime.date.fromisoformat(date.strip())
            except ValueError:
                raise CommandError(
                    f"Ogiltigt datum ”{date}”: skriv det som ÅÅÅÅ-MM-DD, t.ex. 2027-01-01."
                ) from None
        municipalities = Municipality.objects.order_by("code")
        if municipality:
            municipalities = municipalities.filter(code=municipality.strip())
            if not municipalities.exists():
                raise CommandError(f"Det finns ingen kommun med koden ”{municipality}”.")
        with pghistory.context(command="run_retention"):
            for item in municipalities:
                if dry_run:
                    run = make_report(municipality=item, on=on, started_by=STARTED_BY)
                else:
                    run = carry_out(municipality=item, started_by=STARTED_BY)
                if run is None:
                    self.stdout.write(
                        f"{item.name} ({item.code}): ingen förhandsrapport som är minst "
                        f"{notice_days()} dagar gammal och inte redan genomförd; inget gallras."
                    )
                    continue
                self.stdout.write("\n".join(describe(run)))
