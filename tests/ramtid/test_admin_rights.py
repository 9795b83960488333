"""Configuration rights are not case rights (issue 10, high): the municipality's administrator can
neither make herself case staff nor act through an API token made for a person (the keys:
test_api_tokens.py); every change to users, roles, tokens and municipal rules is in the audit
trail. A user she makes has a role, and one left without any is switched off."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ramtid import services
from ramtid.choices import Role
from ramtid.models import Membership, MembershipEvent, MunicipalityEvent, User, UserEvent
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


# API keys for integration accounts only, in the administrator's own municipality: see
# tests/ramtid/test_api_tokens.py.


def _user_add_post(world, memberships, *, rows: int = 1):
    """The admin's form for a new user as the browser posts it, with its roles inline (the form
    offers one empty row)."""
    data = {
        "username": "nyanstalld",
        "usable_password": "true",
        "password1": "ett-långt-nytt-lösenord",
        "password2": "ett-långt-nytt-lösenord",
        "memberships-TOTAL_FORMS": str(max(len(memberships), rows)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, fields in enumerate(memberships):
        data |= {f"memberships-{index}-{key}": value for key, value in fields.items()}
    http = world.login(world.administrator)
    return http, http.post(reverse("admin:ramtid_user_add"), data)


@pytest.mark.parametrize("rows", [0, 1])
def test_a_new_user_needs_a_role(world, rows):
    # Issue 10: a user made without a role was an active account outside every list of the
    # administrator who made it.
    http, response = _user_add_post(world, [], rows=rows)
    assert response.status_code == 200
    assert "Ge användaren en roll." in response.content.decode()
    assert not User.objects.filter(username="nyanstalld").exists()
    # The empty form offers a row for the role.
    form = http.get(reverse("admin:ramtid_user_add")).content.decode()
    assert 'name="memberships-TOTAL_FORMS" value="1"' in form


def test_a_new_user_with_a_role_is_in_the_administrators_list(world):
    http, response = _user_add_post(
        world,
        [
            {
                "role": Role.CASE_OFFICER,
                "municipality": world.municipality.pk,
                "ordering_unit": world.unit.pk,
            }
        ],
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="nyanstalld")
    assert user.is_active
    assert user.memberships.get().approved_at is None  # waits for the unit manager
    listing = http.get(reverse("admin:ramtid_user_changelist")).content.decode()
    assert "nyanstalld" in listing


def test_removing_the_last_role_switches_the_account_off(world):
    leaving = member(UserFactory(username="slutar"), Role.CONTACT_PERSON, provider=world.provider)
    data = {
        "username": leaving.username,
        "first_name": leaving.first_name,
        "last_name": leaving.last_name,
        "email": "",
        "is_active": "on",
        "date_joined_0": leaving.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": leaving.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    membership = leaving.memberships.get()
    data |= {
        "memberships-0-id": membership.pk,
        "memberships-0-user": leaving.pk,
        "memberships-0-role": membership.role,
        "memberships-0-municipality": membership.municipality_id,
        "memberships-0-provider": membership.provider_id,
        "memberships-0-ordering_unit": "",
        "memberships-0-DELETE": "on",
    }
    response = world.login(world.administrator).post(
        reverse("admin:ramtid_user_change", args=[leaving.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    leaving.refresh_from_db()
    assert not leaving.memberships.exists()
    assert not leaving.is_active
    assert UserEvent.objects.filter(pgh_obj_id=leaving.pk, is_active=False).exists()


def test_refusing_a_new_users_only_role_switches_the_account_off(world):
    newcomer = UserFactory(username="ny2")
    membership = Membership.objects.create(
        user=newcomer,
        role=Role.CASE_OFFICER,
        municipality=world.municipality,
        ordering_unit=world.unit,
        granted_by=world.administrator,
        approved_at=None,
    )
    services.membership_reject(membership=membership, by=world.manager)
    newcomer.refresh_from_db()
    assert not newcomer.is_active


def test_a_superuser_may_still_make_an_account_without_a_role(world):
    operator = UserFactory(username="drift", is_staff=True, is_superuser=True)
    http = world.login(operator)
    response = http.post(
        reverse("admin:ramtid_user_add"),
        {
            "username": "driftkollega",
            "usable_password": "true",
            "password1": "ett-långt-nytt-lösenord",
            "password2": "ett-långt-nytt-lösenord",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="driftkollega").is_active


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
