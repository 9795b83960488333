"""`python manage.py generate_load_data --clients 20000`: a Stockholm-sized municipality for the
benchmarks (ramtid/loaddata.py; README "Benchmarks"). Only on a database marked for load data."""

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ramtid import loaddata


class Command(BaseCommand):
    help = (
        "Bygger lastdata i storlek med Stockholm: en kommun med tio beställarenheter, åtta "
        "utförare av mycket olika storlek, personal, brukare, beslut, beställningar och "
        "genomförandeplaner i alla lägen, med datum utspridda över två år. Allt är påhittat. "
        "Körs bara mot en databas märkt för lastdata (make bench skapar en)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients",
            type=int,
            default=loaddata.DEFAULT_CLIENTS,
            help="Antal brukare (standard 20000).",
        )
        parser.add_argument(
            "--municipality",
            default=loaddata.DEFAULT_MUNICIPALITY,
            help="Kommunens namn (standard Stockholm); den får inte finnas.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=loaddata.DEFAULT_SEED,
            help="Samma frö ger samma data (standard 1).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Dagen historiken räknas bakåt från, ÅÅÅÅ-MM-DD (standard: i dag).",
        )
        parser.add_argument(
            "--visits-dir",
            type=Path,
            default=None,
            help=(
                "Katalog där en månads besök (den sista hela månaden före --today) skrivs som "
                "importfiler, en per utförare, med visits.json. Utan den skrivs inga besök."
            ),
        )

    def handle(self, *args, clients, municipality, seed, today, visits_dir=None, **options):
        if clients < 1:
            raise CommandError("--clients måste vara minst 1.")
        started = time.monotonic()

        def progress(stage: str) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"{time.monotonic() - started:6.1f} s  {stage}")

        try:
            build = loaddata.generate(
                clients=clients,
                seed=seed,
                municipality=municipality,
                today=today or timezone.localdate(),
                visits_dir=visits_dir,
                progress=progress,
            )
        except loaddata.Refused as refusal:
            raise CommandError(str(refusal)) from None
        loaded = time.monotonic() - started
        progress("analyse")
        loaddata.analyse()
        total = time.monotonic() - started
        rows = ", ".join(f"{name}: {count}" for name, count in build.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{build.municipality.name}: {clients} brukare på {loaded:.1f} s "
                f"({total:.1f} s med statistiken). Rader: {rows}."
            )
        )
        visits = build.shared.get("visits")
        if visits:
            self.stdout.write(
                f"Besök för {visits['month']}: {visits['rows']} rader i {len(visits['files'])} "
                f"filer i {visits_dir} på {visits['seconds']:.1f} s."
            )
