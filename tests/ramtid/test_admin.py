"""The admin is configuration only, and an administrator configures their own municipality."""

from django.urls import reverse

from ramtid.models import InterventionType
from ramtid.services import catalogue_copy_defaults


def test_administrator_edits_their_municipalitys_rules(world):
    http = world.login(world.administrator)
    url = reverse("admin:ramtid_municipality_change", args=[world.municipality.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "Dagar till klar genomförandeplan" in page.content.decode()


def test_administrator_does_not_see_another_municipality(world):
    http = world.login(world.administrator)
    listing = http.get(reverse("admin:ramtid_municipality_changelist")).content.decode()
    assert "Järfälla" in listing and "Stockholm" not in listing
    url = reverse("admin:ramtid_municipality_change", args=[world.other_municipality.pk])
    response = http.get(url, follow=True)
    # Django's admin answers "does not exist" and goes back to the list, which lacks it.
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "Stockholm" not in next(str(m) for m in response.context["messages"])


def test_administrator_sees_only_their_catalogue(world):
    catalogue_copy_defaults(municipality=world.municipality)
    catalogue_copy_defaults(municipality=world.other_municipality)
    http = world.login(world.administrator)
    response = http.get(reverse("admin:ramtid_interventiontype_changelist"))
    assert response.status_code == 200
    shown = response.context["cl"].queryset
    assert set(shown.values_list("municipality", flat=True)) == {world.municipality.pk}
    other = InterventionType.objects.filter(municipality=world.other_municipality).first()
    change = reverse("admin:ramtid_interventiontype_change", args=[other.pk])
    assert http.get(change).status_code == 302


def test_administrator_sees_only_their_municipalitys_users_and_never_superusers(world):
    from tests.factories import UserFactory

    UserFactory(username="driftchef", is_superuser=True, is_staff=True)
    http = world.login(world.administrator)
    users = http.get(reverse("admin:ramtid_user_changelist")).context["cl"].queryset
    usernames = set(users.values_list("username", flat=True))
    assert "handlaggare" in usernames and "kontaktman" in usernames
    assert "annan" not in usernames and "driftchef" not in usernames


def test_administrator_cannot_grant_superuser_status(world):
    http = world.login(world.administrator)
    page = http.get(reverse("admin:ramtid_user_change", args=[world.officer.pk]))
    assert page.status_code == 200
    assert "is_superuser" not in page.content.decode()


def test_client_data_is_not_in_the_admin(world):
    http = world.login(world.administrator)
    index = http.get(reverse("admin:index")).content.decode()
    assert "Brukare" not in index
    assert "/admin/ramtid/client/" not in index


def test_staff_without_the_administrator_role_sees_nothing(world):
    world.officer.is_staff = True
    world.officer.save()
    http = world.login(world.officer)
    response = http.get(reverse("admin:ramtid_municipality_changelist"))
    assert response.status_code == 403
