"""`python manage.py load_demo`: the demo data, and the logins to try it with.

The loaders are named in settings.RAMTID_DEMO_LOADERS (the core's first, then each app's), so the
core does not import the apps that build on it. Each is a function () -> DemoResult; they run in
one transaction, so a failing loader leaves nothing half loaded.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from ramtid.demo import DemoResult


class Command(BaseCommand):
    help = (
        "Lägger in demodata: Järfälla och Stockholm, beställarenheter, utförare, en användare "
        "per roll, 30 påhittade brukare och det apparna lägger till (beslut, beställningar). Kan "
        "köras flera gånger; bara det som saknas läggs in."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ladda demodata även utan RAMTID_DEMO=1 (demoanvändarna har kända lösenord).",
        )

    def handle(self, *args, force: bool = False, **options):
        # The demo logins share a password printed on screen: never in production by mistake.
        # Debug mode is no sign of a demo (`make run` runs with it off, as production does), so
        # the command asks for an explicit marker that only `make run` sets.
        if not settings.RAMTID_DEMO and not force:
            raise CommandError(
                "Demodata laddas bara när RAMTID_DEMO=1 (make run sätter det), eftersom "
                "demoanvändarna har ett känt lösenord. Använd --force om du verkligen vill ladda "
                "den här."
            )
        result = load_all()
        self._report_rows(result)
        self._report_logins(result)

    def _report_rows(self, result: DemoResult) -> None:
        if not result.created_anything:
            self.stdout.write("Inga nya rader: demodatan fanns redan.")
            return
        new = ", ".join(f"{name}: {count}" for name, count in result.created.items() if count)
        self.stdout.write(self.style.SUCCESS(f"Demodata inlagd. Nya rader: {new}."))

    def _report_logins(self, result: DemoResult) -> None:
        header = ("Användarnamn", "Namn", "Roll", "Organisation")
        rows = [(r.username, r.name, r.role, r.organisation) for r in result.logins]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(row) -> str:
            return "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()

        self.stdout.write("")
        self.stdout.write("Demoinloggningar:")
        self.stdout.write(self.style.MIGRATE_HEADING(line(header)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        self.stdout.write("Lösenord för alla demoanvändare: " + self.style.SUCCESS(result.password))


def load_all() -> DemoResult:
    """Run every demo loader in order; what was new and the logins, added up."""
    loaders = [import_string(path) for path in settings.RAMTID_DEMO_LOADERS]
    # The demo's providers are made up: the notices that sending an order e-mails them go nowhere.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        results = [loader() for loader in loaders]
    created: dict[str, int] = {}
    for result in results:
        for name, count in result.created.items():
            created[name] = created.get(name, 0) + count
    return DemoResult(
        created=created, logins=[login for result in results for login in result.logins]
    )
