"""`python manage.py run_plan_check [--date YYYY-MM-DD]`: the daily plan check by hand, the same
service Celery beat runs every morning (uppfoljning.plan_check.run_plan_check)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from uppfoljning.choices import NoticeKind
from uppfoljning.plan_check import run_plan_check


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--date ska vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2026-10-05 (fick {value!r})."
        ) from None


class Command(BaseCommand):
    help = (
        "Kör den dagliga kontrollen av kontaktman och genomförandeplaner: skapar påminnelser "
        "för det som är försenat eller förfallet och stänger dem som är klara. Kan köras flera "
        "gånger; det som redan finns skapas inte igen och nya påminnelser e-postas en gång."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Kör kontrollen som om det vore den här dagen (ÅÅÅÅ-MM-DD). Standard: i dag.",
        )

    def handle(self, *args, date: str | None = None, **options):
        summary = run_plan_check(today=_date(date) if date else None)
        self.stdout.write(f"Kontroll av genomförandeplaner för {summary.today:%Y-%m-%d}:")
        for kind in NoticeKind:
            self.stdout.write(
                f"  {kind.label}: {summary.created.get(kind.value, 0)} nya, "
                f"{summary.closed.get(kind.value, 0)} stängda"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Klart: {summary.created_total} nya påminnelser, {summary.closed_total} stängda."
            )
        )
