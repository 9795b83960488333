import pytest
from django.urls import reverse

from ramtid.models import Client

VALID = {
    "personal_number_input": "19121212-1212",
    "ordering_unit": None,
    "first_name": "Greta",
    "last_name": "Ek",
    "gender": "female",
    "street_address": "Skolvägen 3",
    "postal_code": "175 41",
    "city": "Järfälla",
    "phone": "",
}


def _post(world, **changes):
    data = {**VALID, "ordering_unit": world.unit.pk, **changes}
    return world.login(world.officer).post(reverse("client_create"), data)


def test_officer_registers_a_client(world):
    response = _post(world)
    client = Client.objects.get(personal_number="191212121212")
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[client.pk])
    assert client.responsible_officer == world.officer
    assert client.postal_code == "175 41"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"personal_number_input": "19121212-1213"}, "personal_number_input", "kontrollsiffran"),
        ({"personal_number_input": "19900230-1234"}, "personal_number_input", "datumet"),
        ({"postal_code": "1234"}, "postal_code", "fem siffror"),
        ({"first_name": ""}, "first_name", "obligatoriskt"),
        ({"ordering_unit": 0}, "ordering_unit", "giltigt"),
    ],
)
def test_bad_input_gets_a_swedish_message_on_the_field_and_nothing_is_saved(
    world, changes, field, message
):
    before = Client.objects.count()
    response = _post(world, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]).lower()
    assert Client.objects.count() == before


def test_an_officer_cannot_register_into_another_unit(world):
    response = _post(world, ordering_unit=world.other_unit.pk)
    assert response.status_code == 200
    assert "ordering_unit" in response.context["form"].errors
    assert not Client.objects.filter(personal_number="191212121212").exists()


def test_duplicate_personal_number_is_reported_on_the_field(world):
    response = _post(world, personal_number_input=world.client.personal_number_display)
    assert response.status_code == 200
    assert "redan en brukare" in " ".join(response.context["form"].errors["personal_number_input"])


def test_roles_that_do_not_register_clients_get_404(world):
    for user in (world.manager, world.coordinator, world.fee_officer):
        assert world.login(user).get(reverse("client_create")).status_code == 404


def test_client_list_query_count_does_not_grow_with_the_list(
    world, django_assert_num_queries, django_assert_max_num_queries
):
    from tests.factories import ClientFactory

    ClientFactory.create_batch(20, ordering_unit=world.unit, responsible_officer=world.officer)
    http = world.login(world.officer)
    # session, user, memberships, count, page, access-log insert
    with django_assert_max_num_queries(8) as captured:
        http.get(reverse("client_list"))
    few = len(captured)
    ClientFactory.create_batch(20, ordering_unit=world.unit, responsible_officer=world.officer)
    with django_assert_num_queries(few):
        http.get(reverse("client_list"))


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_api_schema_and_docs_are_served_locally(world):
    http = world.login(world.officer)
    schema = http.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/brukare/" in schema.content
    docs = http.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_officer_adds_and_removes_a_relative_and_both_are_audited(world):
    from ramtid.models import ClientRelative, ClientRelativeEvent

    http = world.login(world.officer)
    url = reverse("relative_add", args=[world.client.pk])
    response = http.post(
        url, {"kind": "good_man", "name": "Bo Berg", "relationship": "", "phone": "", "email": ""}
    )
    assert response.status_code == 302
    relative = ClientRelative.objects.get(client=world.client)
    assert relative.get_kind_display() == "God man"
    response = http.post(reverse("relative_remove", args=[world.client.pk, relative.pk]))
    assert response.status_code == 302
    assert not ClientRelative.objects.exists()
    events = ClientRelativeEvent.objects.order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "delete"]
    assert all(e.pgh_context["user"] == world.officer.pk for e in events)


def test_a_bad_relative_email_is_refused_and_nothing_saved(world):
    from ramtid.models import ClientRelative

    response = world.login(world.officer).post(
        reverse("relative_add", args=[world.client.pk]),
        {"kind": "next_of_kin", "name": "Anna", "email": "inte-en-adress"},
    )
    assert response.status_code == 200
    assert "giltig mejladress" in " ".join(response.context["form"].errors["email"])
    assert not ClientRelative.objects.exists()


def test_relatives_of_another_units_client_are_404(world):
    from tests.factories import ClientRelativeFactory

    relative = ClientRelativeFactory(client=world.client)
    http = world.login(world.other_officer)
    assert http.get(reverse("relative_add", args=[world.client.pk])).status_code == 404
    remove = reverse("relative_remove", args=[world.client.pk, relative.pk])
    assert http.post(remove).status_code == 404
    assert relative.__class__.objects.filter(pk=relative.pk).exists()


def test_favicon_ico_redirects_to_our_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/ramtid/favicon")


def test_a_birth_date_in_the_future_is_refused_on_the_personal_number_field(world):
    import datetime

    from django.utils import timezone

    from ramtid.demo import luhn_check_digit

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    nine = f"{tomorrow:%y%m%d}123"
    response = _post(world, personal_number_input=f"{tomorrow:%Y%m%d}-123{luhn_check_digit(nine)}")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["personal_number_input"])
    assert "ligger i framtiden" in errors
    assert not Client.objects.filter(first_name="Greta").exists()


def test_registering_a_client_confirms_it_on_the_clients_page(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("client_create"), {**VALID, "ordering_unit": world.unit.pk}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/brukare/")
    html = response.content.decode()
    assert "<h1>Greta Ek</h1>" in html
    assert '<p class="message message--success">' in html
    assert "Brukaren är registrerad." in html


def test_editing_a_client_confirms_it(world):
    http = world.login(world.officer)
    data = {
        "first_name": "Lisa",
        "last_name": "Andersson-Berg",
        "gender": "female",
        "street_address": "",
        "postal_code": "",
        "city": "",
        "phone": "",
        "responsible_officer": world.officer.pk,
    }
    response = http.post(reverse("client_edit", args=[world.client.pk]), data, follow=True)
    assert response.redirect_chain == [(reverse("client_detail", args=[world.client.pk]), 302)]
    assert "Uppgifterna är sparade." in response.content.decode()
    world.client.refresh_from_db()
    assert world.client.last_name == "Andersson-Berg"


@pytest.mark.parametrize(
    ("url", "empty_choices"),
    [
        (
            lambda world: reverse("client_create"),
            ["Välj kön", "Välj beställarenhet", "Välj handläggare – annars du själv"],
        ),
        (
            lambda world: reverse("client_edit", args=[world.client.pk]),
            ["Välj kön", "Ingen ansvarig handläggare"],
        ),
        (lambda world: reverse("relative_add", args=[world.client.pk]), ["Välj typ"]),
    ],
)
def test_empty_choices_are_named_in_swedish(world, url, empty_choices):
    html = world.login(world.officer).get(url(world)).content.decode()
    assert "---------" not in html
    for label in empty_choices:
        assert f'<option value="">{label}</option>' in html or (
            f'<option value="" selected>{label}</option>' in html
        )
