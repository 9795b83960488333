"""`manage.py load_demo` on an empty database: never in production by mistake, and it completes
what is already there. (What the demo contains is tested in test_demo.py, loaded once.)"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ramtid import demo
from ramtid.models import Client, InterventionType, Municipality, User
from tests.factories import MunicipalityFactory


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_the_command_refuses_without_the_demo_marker_even_in_debug_mode(db, settings):
    # `make run` runs with debug off as production does, so debug mode says nothing about where
    # the command runs: only RAMTID_DEMO=1 (set by `make run`) or --force lets it load.
    settings.RAMTID_DEMO = False
    for debug in (False, True):
        settings.DEBUG = debug
        with pytest.raises(CommandError, match="RAMTID_DEMO=1"):
            _load()
    assert not User.objects.exists()
    assert not Client.objects.exists()


def test_the_command_runs_with_the_demo_marker_that_make_run_sets(db, settings):
    settings.RAMTID_DEMO = True
    settings.DEBUG = False

    assert "Nya rader" in _load()
    assert User.objects.filter(username="handlaggare").exists()


def test_force_loads_without_the_marker(db, settings):
    settings.RAMTID_DEMO = False

    assert "Nya rader" in _load("--force")
    assert Client.objects.count() >= len(demo.CLIENTS)


def test_an_existing_municipality_gets_the_missing_catalogue(db):
    # A municipality made without the service (here by a factory) has no catalogue yet.
    existing = MunicipalityFactory(name="Järfälla", code=demo.JARFALLA)
    assert not existing.intervention_types.exists()

    _load("--force")

    defaults = InterventionType.objects.filter(municipality__isnull=True)
    assert set(existing.intervention_types.values_list("name", flat=True)) >= set(
        defaults.values_list("name", flat=True)
    )
    assert Municipality.objects.count() == 2
