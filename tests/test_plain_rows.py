"""The API's fast paths give what DRF would: each serializer that reads its rows straight off
the objects (ramtid.api.serializers.PlainRowMixin) is compared with DRF's own representation
from its declared fields, for every row of its model, so that a field added to one and not the
other fails here. And a list never serves more than its cap, whatever `limit` asks for."""

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from genomforandeplan import services as plan_services
from genomforandeplan.api.serializers import (
    FollowUpSerializer,
    PlanItemSerializer,
    VersionSerializer,
)
from ramtid.api.pagination import Pagination
from ramtid.api.serializers import PlainRowMixin
from tests.bestallning.conftest import TODAY
from tests.genomforandeplan.conftest import complete, executed_order
from tests.test_list_query_counts import _cases


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_plain_serializer_is_compared_here():
    # A new plain serializer gets compared below, or this fails.
    assert _subclasses(PlainRowMixin) == {PlanItemSerializer, VersionSerializer, FollowUpSerializer}


@pytest.mark.parametrize("serializer_class", [PlanItemSerializer, VersionSerializer,
                                              FollowUpSerializer])  # fmt: skip
def test_a_plain_row_is_what_drf_would_give(world, serializer_class):
    # Given reviewed plans with care packages and follow-ups, and a completed plan that is
    # not reviewed yet (no review to read) whose follow-up's author has no name
    _cases(world, 2)
    order = executed_order(world)
    plan = plan_services.plan_start(order=order, by=world.contact_person)
    complete(world, plan)
    world.contact_person.first_name = world.contact_person.last_name = ""
    world.contact_person.save()
    plan_services.plan_follow_up(
        plan=plan, by=world.contact_person, followed_up_on=TODAY, notes="Ingen ändring."
    )

    # Then every row of the model reads the same both ways
    serializer = serializer_class()
    rows = list(serializer_class.Meta.model.objects.all())
    assert len(rows) >= 3
    for obj in rows:
        assert serializer.plain(obj) == serializer.drf_representation(obj), obj
    if serializer_class is VersionSerializer:
        assert {serializer.plain(obj)["review_outcome"] for obj in rows} == {"approved", None}


@pytest.mark.parametrize(("asked", "served"), [(None, 100), (20, 20), (500, 500), (10_000, 500)])
def test_a_list_serves_its_page_and_never_more_than_500_rows(asked, served):
    query = {} if asked is None else {"limit": asked}
    request = Request(APIRequestFactory().get("/api/genomforandeplaner/", query))
    assert Pagination().get_limit(request) == served
