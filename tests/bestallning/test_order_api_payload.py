"""The orders API's payload, lean to compute: what a page shares is computed once per page.

A page of a hundred orders has some six hundred interventions. The intervention serializer is
built once for the page (it used to be built, with its twenty fields, for every order), writes
its rows out directly instead of walking its fields, and reads an order's time and a frequency's
words once per page. Nothing a provider's system reads is left out: the rows are exactly what
the declared fields give.
"""

import json

from rest_framework import serializers
from rest_framework.test import APIClient

from bestallning import ordered_time, rules, services
from bestallning.api.serializers import OrderedInterventionSerializer
from bestallning.models import OrderedIntervention
from ramtid.models import User
from tests.bestallning.conftest import catalogue, make_decision, make_order, row
from tests.factories import ClientFactory


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def _rows(kinds) -> list[services.InterventionInput]:
    """Every shape an intervention takes: a care package on weekdays, every third week, double
    staffing, no subcategory, a description and a goal."""
    contents = [kinds[name] for name in ("Personlig hygien", "På- och avklädning", "Toalettbesök")]
    return [
        row(kinds["Duschhjälp"], description="Når inte ryggen.", assessed_level="moderate"),
        row(
            kinds["Omvårdnadspaket morgon"],
            period="per_day",
            occasions=1,
            weekdays=[1, 2, 3, 4, 5],
            care_package_contents=contents,
        ),
        row(kinds["Städning 2 rok"], period="every_n_weeks", occasions=1, every_n_weeks=3),
        row(kinds["Promenad"], double_staffing=True, support_orientation="supportive"),
    ]


def _orders(world, count: int, *, sent: bool = True) -> list:
    kinds = catalogue(world.municipality)
    orders = []
    for _ in range(count):
        client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
        order = make_order(
            world, decision=make_decision(world, client=client), rows=_rows(kinds), daily_visits=1
        )
        orders.append(services.order_send(order=order, by=world.officer) if sent else order)
    return orders


def _generic(item_serializer: OrderedInterventionSerializer, item: OrderedIntervention) -> dict:
    """What DRF's field-by-field walk over the declared fields gives."""
    return serializers.ModelSerializer.to_representation(item_serializer, item)


def _json(data) -> object:
    return json.loads(json.dumps(data))


def test_an_intervention_row_is_exactly_what_its_declared_fields_give(world):
    # A sent order, and a draft whose row lacks its occasions and life area (no time yet).
    _orders(world, 1)
    kinds = catalogue(world.municipality)
    make_order(
        world,
        rows=[row(kinds["Tillsyn"], occasions=None, life_area=None, client_goal="")],
    )
    response = _api(world.officer).get("/api/bestallningar/")
    listed = response.json()["results"]
    assert len(listed) == 2

    # The serializer the page used, with the page's context, against DRF's generic path.
    view = response.renderer_context["view"]
    page = view.get_serializer(view.paginate_queryset(view.get_queryset()), many=True)
    page.data  # noqa: B018 (fills the context's per-page caches, as the response did)
    items = page.child.fields["interventions"].child
    compared = 0
    for order in page.instance:
        for item in order.interventions.all():
            fast = items.to_representation(item)
            assert list(fast) == OrderedInterventionSerializer.Meta.fields
            assert _json(fast) == _json(_generic(items, item)), item.intervention_type.name
            compared += 1
    assert compared == 5
    draft_row = next(o for o in listed if not o["sent_at"])["interventions"][0]
    assert (draft_row["frequency_text"], draft_row["minutes_per_month"]) == (None, None)
    package = next(o for o in listed if o["sent_at"])["interventions"][1]
    assert package["care_package_contents"] == [
        "Personlig hygien",
        "På- och avklädning",
        "Toalettbesök",
    ]
    assert package["weekdays"] == [1, 2, 3, 4, 5]


def test_a_page_computes_each_orders_time_once_and_a_frequencys_words_once(world, monkeypatch):
    calls = {"order_time": 0, "occasion_text": 0, "time_text": 0}

    def counted(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counted(ordered_time, "order_time")
    counted(rules, "occasion_text")
    counted(rules, "time_text")
    _orders(world, 6)
    for name in calls:
        calls[name] = 0

    rows = _api(world.coordinator).get("/api/bestallningar/").json()["results"]

    # Six orders of four interventions each, all with the same four frequencies.
    assert [len(order["interventions"]) for order in rows] == [4] * 6
    assert calls == {"order_time": 6, "occasion_text": 4, "time_text": 4}
    assert {order["minutes_per_month"] for order in rows} == {rows[0]["minutes_per_month"]}


def test_an_ordered_intervention_names_its_catalogue_id(world):
    """A provider's system writes a plan's items with catalogue ids: the order gives them."""
    from rest_framework.test import APIClient

    from bestallning import services as order_services
    from tests.bestallning.conftest import make_order

    order = order_services.order_send(order=make_order(world), by=world.officer)
    api = APIClient()
    api.force_authenticate(world.coordinator)
    [item] = api.get(f"/api/bestallningar/{order.pk}/").json()["interventions"]
    assert item["intervention_type_id"] == order.interventions.get().intervention_type_id
