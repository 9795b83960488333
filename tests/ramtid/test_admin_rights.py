"""Configuration rights are not case rights (issue 10, high): the municipality's administrator can
neither make herself case staff nor act through an API token made for a person; every change to
users, roles, tokens and municipal rules is in the audit trail."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from ramtid import services
from ramtid.choices import Role
from ramtid.models import Membership, MembershipEvent, MunicipalityEvent, UserEvent
from tests.factories import UserFactory, member


def _user_change_post(world, user, memberships):
    """The admin's user change form as the browser posts it, with the roles inline."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    existing = list(user.memberships.all())
    data["memberships-TOTAL_FORMS"] = str(len(existing) + len(memberships))
    data["memberships-INITIAL_FORMS"] = str(len(existing))
    for index, membership in enumerate(existing):
        data |= {
            f"memberships-{index}-id": membership.pk,
            f"memberships-{index}-user": user.pk,
            f"memberships-{index}-role": membership.role,
            f"memberships-{index}-municipality": membership.municipality_id,
            f"memberships-{index}-ordering_unit": membership.ordering_unit_id or "",
            f"memberships-{index}-provider": membership.provider_id or "",
        }
    for offset, fields in enumerate(memberships):
        index = len(existing) + offset
        data |= {f"memberships-{index}-user": user.pk}
        data |= {f"memberships-{index}-{key}": value for key, value in fields.items()}
    http = world.login(world.administrator)
    return http.post(reverse("admin:ramtid_user_change", args=[user.pk]), data)


def test_an_administrator_who_gives_herself_a_case_role_still_sees_no_client(world):
    response = _user_change_post(
        world,
        world.administrator,
        [
            {
                "role": Role.CASE_OFFICER,
                "municipality": world.municipality.pk,
                "ordering_unit": world.unit.pk,
            }
        ],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    granted = Membership.objects.get(user=world.administrator, role=Role.CASE_OFFICER)
    assert granted.approved_at is None
    assert granted.granted_by == world.administrator
    http = world.login(world.administrator)
    assert http.get(reverse("client_detail", args=[world.client.pk])).status_code == 404
    assert world.client.last_name not in http.get(reverse("client_list")).content.decode()


def test_the_unit_manager_approves_a_granted_role_and_then_it_counts(world):
    # The admin lists the users with a role in the municipality: she moves from a provider.
    newcomer = member(UserFactory(username="ny"), Role.CONTACT_PERSON, provider=world.provider)
    _user_change_post(
        world,
        newcomer,
        [
            {
                "role": Role.CASE_OFFICER,
                "municipality": world.municipality.pk,
                "ordering_unit": world.unit.pk,
            }
        ],
    )
    granted = Membership.objects.get(user=newcomer, role=Role.CASE_OFFICER)
    start = world.login(world.manager).get(reverse("start")).content.decode()
    assert "Roller som väntar på godkännande" in start
    assert str(newcomer) in start
    response = world.login(world.manager).post(
        reverse("membership_decide", args=[granted.pk]), {"beslut": "godkann"}
    )
    assert response.status_code == 302
    granted.refresh_from_db()
    assert granted.approved_by == world.manager and granted.approved_at is not None
    page = world.login(newcomer).get(reverse("client_detail", args=[world.client.pk]))
    assert page.status_code == 200


def test_nobody_approves_their_own_role_or_one_they_granted(world):
    membership = Membership.objects.create(
        user=world.manager,
        role=Role.CASE_OFFICER,
        municipality=world.municipality,
        ordering_unit=world.unit,
        granted_by=world.administrator,
        approved_at=None,
    )
    with pytest.raises(ValidationError):
        services.membership_approve(membership=membership, by=world.manager)
    response = world.login(world.manager).post(
        reverse("membership_decide", args=[membership.pk]), {"beslut": "godkann"}
    )
    assert response.status_code == 404
    granter = member(UserFactory(username="chef2"), Role.UNIT_MANAGER, unit=world.unit)
    granted_by_manager = Membership.objects.create(
        user=UserFactory(username="x"),
        role=Role.CASE_OFFICER,
        municipality=world.municipality,
        ordering_unit=world.unit,
        granted_by=granter,
        approved_at=None,
    )
    with pytest.raises(ValidationError):
        services.membership_approve(membership=granted_by_manager, by=granter)


def test_another_units_manager_cannot_approve(world):
    membership = Membership.objects.create(
        user=UserFactory(username="y"),
        role=Role.CASE_OFFICER,
        municipality=world.municipality,
        ordering_unit=world.unit,
        granted_by=world.administrator,
        approved_at=None,
    )
    response = world.login(world.other_manager).post(
        reverse("membership_decide", args=[membership.pk]), {"beslut": "godkann"}
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.approved_at is None


def test_refusing_removes_the_role_and_the_trail_keeps_it(world):
    user = UserFactory(username="z")
    membership = Membership.objects.create(
        user=user,
        role=Role.PROVIDER_COORDINATOR,
        municipality=world.municipality,
        provider=world.provider,
        granted_by=world.administrator,
        approved_at=None,
    )
    world.login(world.manager).post(
        reverse("membership_decide", args=[membership.pk]), {"beslut": "avsla"}
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    labels = set(MembershipEvent.objects.filter(pgh_obj_id=membership.pk).values_list(
        "pgh_label", flat=True
    ))  # fmt: skip
    assert {"granted", "revoked"} <= labels


def test_tokens_only_for_integration_accounts_in_the_admin(world):
    http = world.login(world.administrator)
    url = reverse("admin:authtoken_tokenproxy_add")
    refused = http.post(url, {"user": world.officer.pk})
    assert refused.status_code == 200
    assert not Token.objects.filter(user=world.officer).exists()
    system = member(
        UserFactory(username="system", is_integration_account=True),
        Role.PROVIDER_COORDINATOR,
        provider=world.provider,
    )
    created = http.post(url, {"user": system.pk}, follow=True)
    token = Token.objects.get(user=system)
    assert token.key in created.content.decode()  # shown once, at creation
    listing = http.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert token.key not in listing
    assert UserEvent.objects.filter(pgh_obj_id=system.pk, pgh_label="api_token_created").exists()


def test_the_service_refuses_a_token_for_a_person(world):
    with pytest.raises(ValidationError):
        services.api_token_create(token=Token(user=world.officer), by=world.administrator)


def test_changes_to_users_and_municipal_rules_are_in_the_trail(world):
    world.officer.first_name = "Ändrad"
    world.officer.save()
    world.officer.set_password("ett-nytt-langt-losenord")
    world.officer.save()
    labels = list(
        UserEvent.objects.filter(pgh_obj_id=world.officer.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels[-2:] == ["update", "password_changed"]
    assert not hasattr(UserEvent, "password")
    world.municipality.plan_deadline_days = 10
    world.municipality.save()
    assert MunicipalityEvent.objects.filter(
        pgh_obj_id=world.municipality.pk, pgh_label="update", plan_deadline_days=10
    ).exists()


def test_a_sign_in_is_not_a_change_to_the_account(world):
    before = UserEvent.objects.filter(pgh_obj_id=world.officer.pk).count()
    world.login(world.officer)  # force_login updates last_login
    assert UserEvent.objects.filter(pgh_obj_id=world.officer.pk).count() == before
