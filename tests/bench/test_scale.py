"""The harness of `make bench` (tests/bench/scale.py), once at a small scale: every page it
measures answers, and it refuses a database it must not touch. The figures at 20,000 clients are
`make bench`'s, not the suite's."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from ramtid import loaddata
from ramtid.models import Client
from tests.bench import scale


@pytest.fixture
def small(db):
    loaddata.mark_database()
    call_command("generate_load_data", clients=300, seed=3, today=datetime.date(2026, 3, 16),
                 stdout=StringIO())  # fmt: skip


def test_every_page_answers_and_is_reported_against_its_target(small):
    measured = scale.run(scale.pages(), rounds=1, budget=0, warm_up=0, out=StringIO())
    assert [(page.label, page.error) for page in measured] == [
        (page.label, "") for page in measured
    ]
    assert len(measured) == 26
    for page in measured:
        assert len(page.timings) == 1
        assert page.queries and page.size
    report = scale.table(measured)
    assert report.count("\n") == len(measured) + 1
    assert "| Start: samordnare hos största utföraren |" in report
    assert "150 ms" in report and "80 ms" in report and "400 ms" in report
    assert "| Planrapporten, ett år |" in report and "300 ms" in report


def test_the_pages_are_those_of_the_largest_scopes(small):
    pages = {page.label: page for page in scale.pages() if page.label.startswith("Start")}
    everywhere = pages["Start: handläggare i alla tio enheter"].user
    assert everywhere.memberships.count() == 10
    coordinator = pages["Start: samordnare hos största utföraren"].user
    provider = coordinator.memberships.get().provider
    assert provider.name == "Stadens hemtjänst"


def test_the_kept_data_is_used_again_while_the_stamp_matches(small, tmp_path):
    stamp = tmp_path / "loaded.json"
    stamp.write_text(json.dumps({"generator": scale.generator_hash(), "clients": 300, "seed": 3,
                                 "municipality": "Stockholm"}))  # fmt: skip
    out = StringIO()
    scale.prepare(stamp=stamp, clients=300, seed=3, fresh=False, out=out)
    assert "används igen" in out.getvalue()
    assert Client.objects.count() == 300


def test_refuses_a_database_neither_marked_nor_empty(db, tmp_path):
    with pytest.raises(SystemExit, match="inte märkt för lastdata och är inte tom"):
        scale.prepare(stamp=tmp_path / "loaded.json", clients=10, seed=1, fresh=False)
