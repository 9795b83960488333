"""Every page renders for the right user, in Swedish, accessibly, and within the CSP.

The views' rules (who may see what) are tested in test_views.py and test_access.py; here the
templates: what a person reads, and what the Content-Security-Policy would block.
"""

import re

import pytest
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from ramtid.models import AccessLog, Client
from ramtid.templatetags.ramtid_tags import hhmm
from tests.factories import ClientFactory, ClientRelativeFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def page(response) -> str:
    """The page's HTML, after checking what every page must be."""
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), "inline <script> (the CSP forbids it)"
    assert not INLINE_STYLE.search(html), "inline style (the CSP forbids it)"
    return html


def full_page(response) -> str:
    html = page(response)
    assert '<html lang="sv">' in html
    assert 'href="#main">Hoppa till huvudinnehållet</a>' in html
    assert '<main id="main"' in html
    return html


def test_login_page_is_swedish_and_keeps_next(db, client):
    response = client.get(reverse("login") + "?next=/brukare/")
    assert response.status_code == 200
    html = full_page(response)
    assert "<h1>Logga in</h1>" in html
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert 'name="next" value="/brukare/"' in html
    assert ">Logga in</button>" in html
    assert 'aria-label="Huvudmeny"' not in html  # no navigation before logging in


def test_a_failed_login_says_so_in_swedish(world, client):
    response = client.post(
        reverse("login"), {"username": world.officer.username, "password": "fel-lösenord"}
    )
    html = full_page(response)
    assert 'role="alert"' in html
    assert "Ange ett korrekt användarnamn och lösenord" in html


def test_start_page_shows_roles_clients_and_the_primary_action(world):
    response = world.login(world.officer).get(reverse("start"))
    assert response.status_code == 200
    html = full_page(response)
    assert "<h1>Start</h1>" in html
    assert "Biståndshandläggare" in html
    assert "Biståndsenheten Järfälla" in html
    assert "Du har behörighet att se 1 brukare." in html
    assert f'href="{reverse("client_list")}"' in html
    assert f'href="{reverse("client_create")}"' in html
    assert 'aria-current="page">Start</a>' in html
    assert "Logga ut</button>" in html
    assert reverse("admin:index") not in html


def test_start_page_for_staff_links_to_the_admin_and_offers_no_registration(world):
    html = full_page(world.login(world.administrator).get(reverse("start")))
    assert "Administratör" in html
    assert f'href="{reverse("admin:index")}"' in html
    assert reverse("client_create") not in html
    assert "Du har inga brukare att visa." in html


def test_client_list_masks_personal_numbers_and_marks_protected_identity(world):
    ClientFactory(ordering_unit=world.unit, last_name="Berg", protected_identity=True)
    response = world.login(world.officer).get(reverse("client_list"))
    assert response.status_code == 200
    html = full_page(response)
    number = world.client.personal_number
    assert world.client.personal_number_masked in html
    assert number not in html
    assert world.client.personal_number_display not in html
    assert "<caption" in html
    assert '<th scope="col">Personnummer</th>' in html
    assert "Skyddade personuppgifter</span>" in html
    assert reverse("client_detail", args=[world.client.pk]) in html
    assert 'method="post"' in html
    assert 'hx-post="/brukare/"' in html


def test_client_search_over_htmx_returns_the_table_alone(world):
    http = world.login(world.officer)
    response = http.post(reverse("client_list"), {"q": "Anders"}, HTTP_HX_REQUEST="true")
    html = page(response)
    assert "<html" not in html
    assert "Andersson" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "1 brukare matchar sökningen." in html

    response = http.post(reverse("client_list"), {"q": "Finnsinte"}, HTTP_HX_REQUEST="true")
    html = page(response)
    assert "Inga brukare att visa." in html
    assert "Inga brukare matchar sökningen." in html


def test_client_search_works_without_javascript(world):
    response = world.login(world.officer).post(reverse("client_list"), {"q": "Anders"})
    html = full_page(response)
    assert 'value="Anders"' in html
    assert "Andersson" in html
    assert "hx-swap-oob" not in html
    assert '<p class="result-count" id="client-count" role="status">1 brukare matchar' in html


def test_client_list_paginates_with_sida(world):
    ClientFactory.create_batch(50, ordering_unit=world.unit)
    html = full_page(world.login(world.officer).get(reverse("client_list")))
    assert "Visar 1–50 av 51 brukare." in html
    assert 'href="?sida=2"' in html
    html = full_page(world.login(world.officer).get(reverse("client_list") + "?sida=2"))
    assert "Sida 2 av 2" in html
    assert 'href="?sida=1"' in html


def test_client_detail_shows_the_full_number_and_relatives(world):
    ClientRelativeFactory(client=world.client, name="Anna Andersson", email="anna@example.se")
    response = world.login(world.officer).get(reverse("client_detail", args=[world.client.pk]))
    assert response.status_code == 200
    html = full_page(response)
    assert f"<h1>{world.client}</h1>" in html
    assert world.client.personal_number_display in html
    assert "<dl" in html
    assert "Storgatan 1" in html
    assert "Närstående" in html
    assert "Anna Andersson" in html
    assert "dotter" in html
    assert "Registerutdrag (PDF)" in html
    assert reverse("client_edit", args=[world.client.pk]) in html
    assert reverse("client_access_log", args=[world.client.pk]) not in html


def test_protected_identity_hides_contact_details_from_others_than_the_responsible_officer(world):
    Client.objects.filter(pk=world.client.pk).update(protected_identity=True)
    url = reverse("client_detail", args=[world.client.pk])
    html = full_page(world.login(world.manager).get(url))
    assert (
        "Skyddade personuppgifter – adress och telefon visas bara för ansvarig handläggare." in html
    )
    assert "Storgatan 1" not in html
    assert world.client.phone not in html
    assert reverse("client_access_log", args=[world.client.pk]) in html
    # The unit manager may assign the case (issue 10), not change the client's details.
    assert "Ändra uppgifter" not in html
    assert "Fördela ärendet" in html

    html = full_page(world.login(world.officer).get(url))
    assert "Storgatan 1" in html


def test_client_form_renders_fields_accessibly(world):
    response = world.login(world.officer).get(reverse("client_create"))
    assert response.status_code == 200
    html = full_page(response)
    assert "<h1>Registrera brukare</h1>" in html
    assert 'for="id_personal_number_input"' in html
    assert 'id="id_personal_number_input_helptext"' in html
    assert 'aria-describedby="id_personal_number_input_helptext"' in html
    assert 'for="id_protected_identity"' in html
    assert ">Spara</button>" in html
    assert ">Avbryt</a>" in html


def test_client_form_errors_are_summarised_and_tied_to_their_fields(world):
    response = world.login(world.officer).post(
        reverse("client_create"),
        {"personal_number_input": "19121212-1213", "first_name": "", "gender": "female"},
    )
    assert response.status_code == 200
    html = full_page(response)
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_first_name"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_first_name_error"' in html
    assert 'aria-describedby="id_first_name_error"' in html
    assert "<strong>Fel:</strong>" in html


def test_relative_form_and_the_message_after_saving(world):
    http = world.login(world.officer)
    url = reverse("relative_add", args=[world.client.pk])
    html = full_page(http.get(url))
    assert f"<h1>Lägg till närstående eller företrädare för {world.client}</h1>" in html
    assert 'for="id_kind"' in html
    assert 'id="id_relationship_helptext"' in html

    html = full_page(http.post(url, {"kind": "next_of_kin", "name": ""}))
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_name"' in html

    response = http.post(url, {"kind": "next_of_kin", "name": "Anna Andersson"}, follow=True)
    html = full_page(response)
    assert 'class="messages" aria-live="polite"' in html
    assert "Klart:</strong>" in html
    assert "Anna Andersson" in html
    relative = world.client.relatives.get()
    remove = reverse("relative_remove", args=[world.client.pk, relative.pk])
    assert f'action="{remove}"' in html
    assert '<span class="visually-hidden"> Anna Andersson</span>' in html


def test_client_edit_form_has_the_clients_name_in_the_heading(world):
    response = world.login(world.officer).get(reverse("client_edit", args=[world.client.pk]))
    assert response.status_code == 200
    html = full_page(response)
    assert f"<h1>Ändra uppgifter för {world.client}</h1>" in html
    assert "id_personal_number_input" not in html


def test_access_log_lists_who_read_the_client(world):
    AccessLog.objects.create(
        user=world.officer,
        client_ids=[world.client.pk],
        action="view",
        what="Brukarsidan",
        ip_address=None,
    )
    url = reverse("client_access_log", args=[world.client.pk])
    response = world.login(world.manager).get(url)
    assert response.status_code == 200
    html = full_page(response)
    assert f"<h1>Åtkomstlogg för {world.client}</h1>" in html
    assert '<th scope="col">IP-adress</th>' in html
    assert "Brukarsidan" in html
    assert str(world.officer) in html
    assert timezone.localtime().strftime("%Y-%m-%d") in html


def test_registerutdrag_is_a_pdf_and_its_template_references_no_url(world):
    ClientRelativeFactory(client=world.client, name="Anna Andersson")
    response = world.login(world.officer).get(reverse("client_export", args=[world.client.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    html = render_to_string(
        "ramtid/client_export_pdf.html",
        {
            "client": world.client,
            "relatives": world.client.relatives.all(),
            "show_contact": False,
            "printed_at": timezone.localtime(),
            "printed_by": world.officer,
        },
    )
    assert "<h1>Registerutdrag</h1>" in html
    assert world.client.personal_number_display in html
    assert "adress och telefon visas bara för ansvarig handläggare" in html
    assert "Storgatan 1" not in html
    assert "Anna Andersson" in html
    assert f"av {world.officer}</p>" in html
    assert not re.search(r"\b(src|href)=|url\(|@import", html)


def test_not_found_and_forbidden_pages_are_swedish(world):
    http = world.login(world.manager)
    response = http.get(reverse("client_detail", args=[world.other_client.pk]))
    assert response.status_code == 404
    assert "Sidan finns inte" in full_page(response)

    response = http.get(reverse("client_edit", args=[world.client.pk]))
    assert response.status_code == 403
    assert "Du har inte behörighet" in full_page(response)


def test_server_error_page_renders_without_a_request():
    html = get_template("500.html").render()
    assert '<html lang="sv">' in html
    assert "Något gick fel" in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (3096, "51:36"),
        (0, "0:00"),
        (5, "0:05"),
        (60, "1:00"),
        (306, "5:06"),
        (-90, "-1:30"),
        (-1, "-0:01"),
        ("3096", "51:36"),
        (None, ""),
        ("", ""),
        ("inte ett tal", ""),
    ],
)
def test_hhmm(minutes, shown):
    assert hhmm(minutes) == shown


def test_hhmm_rounds_part_minutes_half_up():
    assert hhmm(3095.5) == "51:36"
    assert hhmm(3095.4) == "51:35"
