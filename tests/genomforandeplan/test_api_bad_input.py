"""Inputs that gave a 500 (issue 10): each is now a Swedish 400 (or an empty page), and nothing is
saved."""

import json

from rest_framework.test import APIClient

from genomforandeplan.models import ImplementationPlan


def _api(user) -> APIClient:
    # A person signs in; API keys are made for integration accounts only (issue 10).
    api = APIClient()
    api.force_login(user)
    return api


def _url(plan) -> str:
    return f"/api/genomforandeplaner/{plan.pk}/"


def test_a_patch_without_the_version_is_a_400_naming_it(world, plan):
    response = _api(world.contact_person).patch(_url(plan), {}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert ImplementationPlan.objects.get(pk=plan.pk).version == plan.version


def test_an_absurd_limit_or_offset_is_no_500(world, plan):
    api = _api(world.contact_person)
    huge = "169958721293461159936"
    for query in (f"limit={huge}", f"offset={huge}", f"limit={huge}&offset={huge}"):
        response = api.get(f"/api/genomforandeplaner/?{query}")
        assert response.status_code == 200, query
    assert api.get(f"/api/genomforandeplaner/?offset={huge}").json()["results"] == []
    assert len(api.get(f"/api/brukare/?limit={huge}").json()["results"]) <= 500


def test_a_nul_character_in_a_coverage_reason_key_is_a_400(world, plan):
    response = _api(world.contact_person).patch(
        _url(plan),
        {"version": plan.version, "coverage_reasons": {"missing:1\u0000": "Skäl"}},
        format="json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert ImplementationPlan.objects.get(pk=plan.pk).coverage_reasons == plan.coverage_reasons


def test_a_nul_character_in_a_value_is_a_400(world, plan):
    response = _api(world.contact_person).patch(
        _url(plan), {"version": plan.version, "my_goal": "Bo\u0000 hemma"}, format="json"
    )
    assert response.status_code == 400


def test_json_nested_100000_levels_is_a_400(world, plan):
    body = "[" * 100_000 + "]" * 100_000
    response = _api(world.contact_person).generic(
        "PATCH", _url(plan), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nästlade" in response.json()["detail"]


def test_nan_is_not_json(world, plan):
    response = _api(world.contact_person).generic(
        "PATCH",
        _url(plan),
        json.dumps({"version": plan.version, "planned_daily_visits": float("nan")}),
        content_type="application/json",
    )
    assert response.status_code == 400
