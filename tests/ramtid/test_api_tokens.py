"""API keys (issue 10): hashed, expiring, revocable and named; for integration accounts only;
scoped to one provider or ordering unit and to reading or writing; rate-limited; the key shown
once, when made, and never again. The administrator makes them only for her own municipality."""

import datetime
import hashlib

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.views import APIView

from bestallning.choices import OrderStatus
from bestallning.models import OrderEvent
from ramtid import permissions, services
from ramtid.api.authentication import ApiTokenAuthentication
from ramtid.api.permissions import ApiTokenScope
from ramtid.api.throttling import ApiTokenThrottle
from ramtid.choices import Role
from ramtid.logging import redact
from ramtid.models import ApiToken, ApiTokenEvent, User
from tests.factories import (
    ClientFactory,
    OrderingUnitFactory,
    UserFactory,
    api_token,
    integration_account,
    member,
    token_api,
)
from tests.uppfoljning.imports_helpers import sent_order

ADD = "admin:ramtid_apitoken_add"


def _form(*, user, provider=None, unit=None, can_write=False, expires_at=None, name="Lifecare"):
    """The admin's form for a new key as the browser posts it."""
    expires_at = timezone.localtime(expires_at or timezone.now() + datetime.timedelta(days=30))
    return {
        "name": name,
        "user": user.pk,
        "provider": provider.pk if provider else "",
        "ordering_unit": unit.pk if unit else "",
        "can_write": "on" if can_write else "",
        "expires_at_0": f"{expires_at:%Y-%m-%d}",
        "expires_at_1": f"{expires_at:%H:%M:%S}",
    }


@pytest.fixture
def orders(world):
    """An order sent to each of the municipality's two providers, for a client each."""
    other_client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    return {
        "own": sent_order(world),
        "other": sent_order(world, client=other_client, provider=world.other_provider),
    }


# ---------------------------------------------------------------------------------------------
# The key: recognisable, stored only as a hash, shown once


def test_only_the_keys_hash_is_stored(world):
    token, key = api_token(provider=world.provider)

    assert key.startswith("ramtid_") and len(key) >= 40
    assert token.prefix == key[:15]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in stored.values()}
    # Nor in the audit trail, which leaves the hash out as well.
    event = ApiTokenEvent.objects.filter(pgh_obj_id=token.pk).values().get()
    assert key not in {str(value) for value in event.values()}
    assert "key_hash" not in event
    assert token_api(key).get("/api/insatser/").status_code == 200


def test_the_admin_shows_the_key_once_and_never_again(world):
    system = integration_account(provider=world.provider)
    http = world.login(world.administrator)

    created = http.post(reverse(ADD), _form(user=system, provider=world.provider))

    assert created.status_code == 200, created.content.decode()[:3000]
    token = ApiToken.objects.get(user=system)
    page = created.content.decode()
    key = page.split('id="api-key" type="text" value="', 1)[1].split('"', 1)[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert "visas bara här, en gång" in page
    assert "no-store" in created["Cache-Control"]
    assert (token.name, token.provider, token.can_write, token.created_by) == (
        "Lifecare",
        world.provider,
        False,
        world.administrator,
    )
    # Never again: not in the list, not on the key's own page, not in a message or the session.
    listing = http.get(reverse("admin:ramtid_apitoken_changelist")).content.decode()
    assert token.prefix in listing and key not in listing
    detail = http.get(reverse("admin:ramtid_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in detail and key not in detail
    assert token.key_hash not in detail
    assert key not in str(created.cookies)
    assert not any(key in str(s.get_decoded()) for s in Session.objects.all())
    assert token_api(key).get("/api/insatser/").status_code == 200


def test_a_key_cannot_be_changed_or_deleted_in_the_admin(world):
    token, _key = api_token(provider=world.provider, by=world.administrator)
    http = world.login(world.administrator)
    change = reverse("admin:ramtid_apitoken_change", args=[token.pk])
    http.post(change, {"name": "Annat", "can_write": "on"})
    token.refresh_from_db()
    assert (token.name, token.can_write) == ("Testsystem", False)
    delete = reverse("admin:ramtid_apitoken_delete", args=[token.pk])
    assert http.post(delete, {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


# ---------------------------------------------------------------------------------------------
# Expiry, revocation, unknown keys: 401 with a Swedish message


def test_a_key_works_until_it_expires(world):
    token, key = api_token(provider=world.provider)
    api = token_api(key)
    assert api.get("/api/insatser/").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = api.get("/api/insatser/")

    assert response.status_code == 401
    assert "API-nyckeln gick ut" in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_key_is_refused_and_the_trail_records_who_revoked_it(world):
    token, key = api_token(provider=world.provider, by=world.administrator)
    api = token_api(key)
    assert api.get("/api/insatser/").status_code == 200

    services.api_token_revoke(token=token, by=world.administrator)
    response = api.get("/api/insatser/")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("API-nyckeln är återkallad.")
    token.refresh_from_db()
    assert token.revoked_by == world.administrator and token.revoked_at is not None
    # Revoking again changes nothing: one "revoked" event.
    services.api_token_revoke(token=token, by=world.administrator)
    labels = list(
        ApiTokenEvent.objects.filter(pgh_obj_id=token.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["created", "revoked"]


def test_the_admin_revokes_keys_with_an_action(world):
    token, key = api_token(provider=world.provider, by=world.administrator)
    http = world.login(world.administrator)
    response = http.post(
        reverse("admin:ramtid_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 API-nyckel är återkallad." in response.content.decode()
    assert "Återkallad" in response.content.decode()
    assert token_api(key).get("/api/insatser/").status_code == 401
    event = ApiTokenEvent.objects.get(pgh_obj_id=token.pk, pgh_label="revoked")
    assert event.pgh_context["user"] == world.administrator.pk


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ramtid_finnsinte0000000000000000000000000000000000",
        "Bearer inte-en-nyckel",
        "Bearer",
        "Bearer två delar",
        "Token ramtid_finnsinte0000000000000000000000000000000000",
    ],
)
def test_an_unknown_or_malformed_key_is_a_401(world, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/brukare/")
    assert response.status_code == 401
    assert response.json()["detail"] in (
        "Okänd API-nyckel.",
        "Ogiltig Authorization-rubrik: skriv Bearer, ett mellanslag och nyckeln.",
    )


def test_the_word_token_works_as_well_as_bearer(world):
    _token, key = api_token(provider=world.provider)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/insatser/").status_code == 200


def test_a_key_of_an_account_switched_off_or_made_a_person_is_refused(world):
    token, key = api_token(provider=world.provider)
    User.objects.filter(pk=token.user_id).update(is_active=False)
    assert token_api(key).get("/api/insatser/").status_code == 401
    User.objects.filter(pk=token.user_id).update(is_active=True, is_integration_account=False)
    response = token_api(key).get("/api/insatser/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Kontot som API-nyckeln hör till är avstängt."


# ---------------------------------------------------------------------------------------------
# Scope: one organisation, whatever other roles the account holds


def test_a_key_acts_only_in_its_own_provider(world, orders):
    # One system serves both providers: a role in each, and a key for the first.
    system = integration_account(provider=world.provider)
    member(system, Role.PROVIDER_COORDINATOR, provider=world.other_provider)
    _token, key = api_token(provider=world.provider, user=system)
    api = token_api(key)

    listed = [row["id"] for row in api.get("/api/bestallningar/").json()["results"]]
    assert listed == [orders["own"].pk]
    clients = [row["id"] for row in api.get("/api/brukare/").json()["results"]]
    assert clients == [world.client.pk]
    assert api.get(f"/api/bestallningar/{orders['other'].pk}/").status_code == 404
    # In a session the same account sees both: the key, not the account, narrows it.
    both = APIClient()
    both.force_login(system)
    assert len(both.get("/api/bestallningar/").json()["results"]) == 2


def test_a_key_acts_only_in_its_own_unit(world):
    system = integration_account(unit=world.unit)
    member(system, Role.CASE_OFFICER, unit=world.other_unit)
    member(system, Role.FEE_OFFICER, municipality=world.municipality)
    token, key = api_token(unit=world.unit, user=system)

    clients = [row["id"] for row in token_api(key).get("/api/brukare/").json()["results"]]

    assert clients == [world.client.pk]
    assert token_api(key).get(f"/api/brukare/{world.other_client.pk}/").status_code == 404
    # The one place the scope is applied: the roles the user holds in this request.
    user = User.objects.get(pk=system.pk)
    assert {m.role for m in permissions.memberships(user)} == {
        Role.CASE_OFFICER,
        Role.FEE_OFFICER,
    }
    permissions.act_through_api_token(user, token)
    assert [(m.role, m.ordering_unit) for m in permissions.memberships(user)] == [
        (Role.CASE_OFFICER, world.unit)
    ]


def test_a_read_key_cannot_write_and_a_write_key_can(world, orders):
    _read, read_key = api_token(provider=world.provider)
    url = f"/api/bestallningar/{orders['own'].pk}/kvittera/"

    refused = token_api(read_key).post(url)

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("API-nyckeln får bara läsa.")
    orders["own"].refresh_from_db()
    assert orders["own"].status == OrderStatus.SENT

    token, write_key = api_token(provider=world.provider, can_write=True)
    accepted = token_api(write_key).post(url)

    assert accepted.status_code == 200, accepted.content
    orders["own"].refresh_from_db()
    assert (orders["own"].status, orders["own"].received_by) == (OrderStatus.RECEIVED, token.user)
    # The trail names the account and the key it used.
    event = OrderEvent.objects.filter(pgh_obj_id=orders["own"].pk).latest("pgh_id")
    assert event.pgh_context["user"] == token.user.pk
    assert event.pgh_context["api_token"] == token.prefix


def test_a_write_key_of_another_provider_cannot_touch_the_order(world, orders):
    _token, key = api_token(provider=world.other_provider, can_write=True)
    response = token_api(key).post(f"/api/bestallningar/{orders['own'].pk}/kvittera/")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Rate limit


def test_too_many_requests_with_one_key_are_a_429_in_swedish(world, settings):
    settings.RAMTID_API_RATE = "3/min"
    _token, key = api_token(provider=world.provider)
    _other, other_key = api_token(provider=world.provider)
    api = token_api(key)

    assert [api.get("/api/insatser/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = api.get("/api/insatser/")

    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith(
        "För många anrop med den här API-nyckeln (högst 3/min). Försök igen om"
    )
    assert 1 <= int(throttled["Retry-After"]) <= 60
    # Counted per key: another key of the same account and organisation is not held back, nor
    # a person in a session.
    assert token_api(other_key).get("/api/insatser/").status_code == 200
    session = APIClient()
    session.force_login(world.coordinator)
    assert [session.get("/api/insatser/").status_code for _ in range(5)] == [200] * 5


def test_the_rate_limit_can_be_switched_off(world, settings):
    settings.RAMTID_API_RATE = ""
    _token, key = api_token(provider=world.provider)
    api = token_api(key)
    assert {api.get("/api/insatser/").status_code for _ in range(5)} == {200}


def test_every_api_view_takes_keys_with_their_scope_and_limit():
    """A view that set its own authentication, permission or throttle classes could forget the
    key's scope or limit: every DRF view of the URLconf keeps them."""

    def views(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None and issubclass(view, APIView):
                    yield view

    found = list(views(get_resolver()))
    assert len(found) > 10
    for view in found:
        assert ApiTokenAuthentication in view.authentication_classes, view
        if not view.__module__.startswith("drf_spectacular"):
            assert ApiTokenScope in view.permission_classes, view
        assert ApiTokenThrottle in view.throttle_classes, view


# ---------------------------------------------------------------------------------------------
# Last use: noted at most once a minute


def test_the_last_use_is_written_at_most_once_a_minute(world):
    token, key = api_token(provider=world.provider)
    api = token_api(key)

    api.get("/api/insatser/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/insatser/")
    assert not [q for q in queries if q["sql"].startswith('UPDATE "ramtid_apitoken"')]
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/api/insatser/")
    token.refresh_from_db()
    assert token.last_used_at > first
    # Use is not an event of the trail; making the key is.
    assert list(ApiTokenEvent.objects.filter(pgh_obj_id=token.pk).values_list("pgh_label")) == [
        ("created",)
    ]


# ---------------------------------------------------------------------------------------------
# Who gets a key, and who makes it


def test_a_person_gets_no_key(world):
    with pytest.raises(ValidationError) as refused:
        services.api_token_create(
            name="Handläggarens nyckel",
            user=world.officer,
            ordering_unit=world.unit,
            by=world.administrator,
        )
    assert refused.value.message_dict["user"] == [
        "API-nycklar ges bara till integrationskonton, aldrig en person."
    ]
    # Nor in the admin, where a person is not even among the choices.
    response = world.login(world.administrator).post(
        reverse(ADD), _form(user=world.officer, unit=world.unit)
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_the_account_must_hold_a_role_in_the_keys_organisation(world):
    system = integration_account(provider=world.provider)
    with pytest.raises(ValidationError) as refused:
        api_token(provider=world.other_provider, user=system, by=world.administrator)
    assert "Kontot har ingen roll hos Hemtjänst Norr AB" in refused.value.message_dict["user"][0]


def test_one_organisation_and_a_bounded_lifetime(world, settings):
    system = integration_account(provider=world.provider)
    member(system, Role.CASE_OFFICER, unit=world.unit)
    http = world.login(world.administrator)

    both = http.post(reverse(ADD), _form(user=system, provider=world.provider, unit=world.unit))
    neither = http.post(reverse(ADD), _form(user=system))
    settings.RAMTID_API_TOKEN_MAX_DAYS = 90
    too_long = http.post(
        reverse(ADD),
        _form(
            user=system,
            provider=world.provider,
            expires_at=timezone.now() + datetime.timedelta(days=120),
        ),
    )
    past = http.post(
        reverse(ADD),
        _form(
            user=system,
            provider=world.provider,
            expires_at=timezone.now() - datetime.timedelta(days=1),
        ),
    )

    errors = [r.context["adminform"].form.errors for r in (both, neither, too_long, past)]
    assert errors[0]["provider"] == [
        "Välj antingen en utförare eller en beställarenhet, inte båda."
    ]
    assert errors[1]["provider"] == errors[0]["provider"]
    assert errors[2]["expires_at"] == ["En API-nyckel gäller högst 90 dagar."]
    assert errors[3]["expires_at"] == ["Nyckeln måste gälla en tid framåt."]
    assert not ApiToken.objects.exists()
    # The form offers the longest lifetime.
    initial = http.get(reverse(ADD)).context["adminform"].form.initial["expires_at"]
    assert abs(initial - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(
        minutes=1
    )


def test_an_administrator_makes_no_key_in_another_municipality(world):
    # Stockholm's unit and an integration account there.
    system = integration_account(unit=world.other_unit)
    http = world.login(world.administrator)

    response = http.post(reverse(ADD), _form(user=system, unit=world.other_unit))

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.api_token_create(
            name="Östermalms system",
            user=system,
            ordering_unit=world.other_unit,
            by=world.administrator,
        )
    assert refused.value.message_dict["ordering_unit"] == [
        "Du administrerar inte kommunen som Östermalm (Stockholm) hör till."
    ]
    # Stockholm's keys are not in her list, and she cannot revoke them.
    theirs, _key = api_token(unit=world.other_unit, user=system)
    listing = http.get(reverse("admin:ramtid_apitoken_changelist"))
    assert theirs.prefix not in listing.content.decode()
    assert http.get(reverse("admin:ramtid_apitoken_change", args=[theirs.pk])).status_code in (
        302,
        404,
    )
    with pytest.raises(ValidationError):
        services.api_token_revoke(token=theirs, by=world.administrator)
    http.post(
        reverse("admin:ramtid_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [theirs.pk]},
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.parametrize("role", ["officer", "manager", "coordinator", "fee_officer"])
def test_only_administrators_make_keys(world, role):
    http = world.login(getattr(world, role))
    assert http.get(reverse(ADD)).status_code in (302, 403)
    system = integration_account(provider=world.provider)
    with pytest.raises(ValidationError):
        services.api_token_create(
            name="x", user=system, provider=world.provider, by=getattr(world, role)
        )


def test_the_administrator_makes_no_key_for_herself(world):
    User.objects.filter(pk=world.administrator.pk).update(is_integration_account=True)
    world.administrator.refresh_from_db()
    member(world.administrator, Role.PROVIDER_COORDINATOR, provider=world.provider)
    with pytest.raises(ValidationError) as refused:
        api_token(provider=world.provider, user=world.administrator, by=world.administrator)
    assert "user" in refused.value.message_dict


def test_making_a_key_is_in_the_trail_with_who_made_it(world):
    system = integration_account(provider=world.provider)
    world.login(world.administrator).post(
        reverse(ADD), _form(user=system, provider=world.provider, can_write=True)
    )
    token = ApiToken.objects.get(user=system)
    event = ApiTokenEvent.objects.get(pgh_obj_id=token.pk)
    assert (event.pgh_label, event.name, event.can_write, event.prefix) == (
        "created",
        "Lifecare",
        True,
        token.prefix,
    )
    assert event.pgh_context["user"] == world.administrator.pk


# ---------------------------------------------------------------------------------------------
# The schema and the old tokens


def test_the_schema_describes_the_key(world):
    _token, key = api_token(provider=world.provider)
    schema = token_api(key).get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_drfs_plain_text_tokens_are_gone(db):
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        (recorded,) = cursor.fetchone()
    assert "authtoken_token" not in tables
    assert recorded == 0


def test_a_key_in_a_log_line_keeps_only_its_prefix(world):
    token, key = api_token(provider=world.provider)
    line = redact(f"Bad request with Authorization: Bearer {key}.")
    assert key not in line
    assert f"Bearer {token.prefix}…[API-nyckel]." in line


def test_a_superuser_makes_keys_in_any_municipality(db):
    operator = UserFactory(is_superuser=True, is_staff=True)
    unit = OrderingUnitFactory()
    token, _key = api_token(unit=unit, by=operator)
    assert token.created_by == operator
