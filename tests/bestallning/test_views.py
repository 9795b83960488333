"""The pages for decisions and orders: the officer's journey from decision to sent order, the
provider's inbox, change of need, and who reaches what (another organisation's object is a 404,
a visible one the user may not act on a 403)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestallning import services
from bestallning.choices import ApprovalStatus, NeedChangeAnswer, OrderStatus
from bestallning.models import Decision, NeedChangeReport, Order
from ramtid.choices import Role
from ramtid.models import LifeArea, LifeAreaCategory
from tests.bestallning.conftest import TODAY, catalogue, make_decision, make_order, row
from tests.factories import ClientFactory, UserFactory, member

# ------------------------------------------------------------------------------- helpers


def row_data(kind, **overrides) -> dict:
    """One intervention row as the order page posts it."""
    values = {
        "intervention_type": kind.pk,
        "minutes_source": kind.pk,
        "life_area": f"area-{LifeArea.objects.get(number=5).pk}",
        "period": "per_week",
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "every_n_weeks": 2,
        "occasions": 2,
        "minutes": kind.standard_minutes,
        "assessed_level": "moderate",
        "intended_level": "moderate",
        "description": "Klarar att tvätta håret själv men når inte rygg och fötter.",
        "client_goal": "Lisas mål är att klara de delar av duschen hon kan.",
        "support_orientation": "supportive",
    }
    values.update(overrides)
    return values


def page_data(order: Order, rows: list[dict], **fields) -> dict:
    """The whole order page as posted: the order's fields, the formset and the version read."""
    data = {
        "version": order.version,
        "valid_from": order.valid_from.isoformat(),
        "order_text": "Kontaktperson för planering är dottern Linnéa.",
        "daily_visits": "0",
        "daily_visits_description": "",
        "overall_goals": "Leva ett värdigt liv och känna välbefinnande",
        "body_functions": "",
        "environmental_factors": "",
        "health_condition": "",
        "personal_factors": "",
        "interventions-TOTAL_FORMS": len(rows),
        "interventions-INITIAL_FORMS": order.interventions.count(),
        "interventions-MIN_NUM_FORMS": 0,
        "interventions-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    for index, values in enumerate(rows):
        for name, value in values.items():
            data[f"interventions-{index}-{name}"] = value
    return data


def text_of(response) -> str:
    """The page's words, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def new_draft(world) -> Order:
    decision = make_decision(world)
    return services.order_create(
        decision=decision, by=world.officer, provider=world.provider, valid_from=TODAY
    )


# ------------------------------------------------------------------------------- decisions


def test_the_officer_records_a_decision_from_the_client_page(world):
    kinds = catalogue(world.municipality)
    http = world.login(world.officer)
    client_page = http.get(reverse("client_detail", args=[world.client.pk]))
    assert reverse("decision_create", args=[world.client.pk]) in client_page.content.decode()

    form = http.get(reverse("decision_create", args=[world.client.pk]))
    assert "SoL Omvårdnadsinsatser" in form.content.decode()
    response = http.post(
        reverse("decision_create", args=[world.client.pk]),
        {
            "outcome": "granted",
            "kind": "personal_care",
            "legal_basis": "SoL 4 kap. 1 §",
            "decided_on": TODAY.isoformat(),
            "valid_from": TODAY.isoformat(),
            "valid_to": "",
            "granted_interventions": [kinds["Duschhjälp"].pk, kinds["Tillsyn"].pk],
            "hours_per_month": "51,6",
            "reasoning": "Behöver hjälp med hygien och tillsyn.",
            "purpose_and_goal": "Att kunna bo kvar hemma tryggt.",
        },
    )

    decision = Decision.objects.get(client=world.client)
    assert response.status_code == 302
    assert response["Location"] == reverse("decision_detail", args=[decision.pk])
    assert decision.hours_per_month == Decimal("51.60")
    assert decision.approval_status == ApprovalStatus.NOT_REQUIRED
    assert set(decision.granted_interventions.values_list("name", flat=True)) == {
        "Duschhjälp",
        "Tillsyn",
    }
    page = http.get(response["Location"])
    assert "51:36 timmar/månad" in text_of(page)
    assert reverse("order_create", args=[decision.pk]) in page.content.decode()


def test_a_decision_with_a_period_backwards_gets_the_message_on_the_field(world):
    http = world.login(world.officer)
    response = http.post(
        reverse("decision_create", args=[world.client.pk]),
        {
            "outcome": "granted",
            "kind": "personal_care",
            "legal_basis": "SoL 4 kap. 1 §",
            "decided_on": TODAY.isoformat(),
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "hours_per_month": "10",
            "reasoning": "x",
            "purpose_and_goal": "y",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_to"] == [
        "Slutdatumet kan inte vara före startdatumet."
    ]
    assert not Decision.objects.exists()


def test_a_decision_over_the_delegation_says_so_and_goes_to_the_manager(world):
    world.municipality.delegation_hours = 136
    world.municipality.save()
    http = world.login(world.officer)
    response = http.post(
        reverse("decision_create", args=[world.client.pk]),
        {
            "outcome": "granted",
            "kind": "personal_care",
            "legal_basis": "SoL 4 kap. 1 §",
            "decided_on": TODAY.isoformat(),
            "valid_from": TODAY.isoformat(),
            "hours_per_month": "150",
            "reasoning": "Omfattande behov dygnet runt.",
            "purpose_and_goal": "Att kunna bo kvar hemma.",
        },
        follow=True,
    )
    decision = Decision.objects.get()
    assert decision.approval_status == ApprovalStatus.PENDING
    assert (
        "Beslutet är över din delegation (136 tim/mån) och väntar på enhetschefens godkännande. "
        "Beställningar på beslutet kan inte skickas förrän det är godkänt."
    ) in text_of(response)

    # The unit manager finds it on the start page and must give a reason to refuse it.
    manager = world.login(world.manager)
    start = manager.get(reverse("start"))
    assert "Beslut som väntar på ditt godkännande" in text_of(start)
    review_url = reverse("decision_review", args=[decision.pk])
    assert review_url in start.content.decode()
    refused = manager.post(review_url, {"approve": "no", "approval_comment": ""})
    assert refused.status_code == 200
    assert "Skriv varför beslutet inte godkänns." in text_of(refused)
    decision.refresh_from_db()
    assert decision.approval_status == ApprovalStatus.PENDING

    approved = manager.post(review_url, {"approve": "yes", "approval_comment": ""})
    assert approved.status_code == 302
    decision.refresh_from_db()
    assert (decision.approval_status, decision.approved_by) == (
        ApprovalStatus.APPROVED,
        world.manager,
    )
    assert "Inga beslut väntar" in text_of(manager.get(reverse("start")))


def test_only_the_units_manager_reviews(world):
    world.municipality.delegation_hours = 100
    world.municipality.save()
    decision = make_decision(world, hours=Decimal("120"))
    url = reverse("decision_review", args=[decision.pk])
    assert world.login(world.officer).get(url).status_code == 403
    assert world.login(world.other_manager).get(url).status_code == 404
    assert world.login(world.manager).get(url).status_code == 200


# ------------------------------------------------------------------------------- the draft


def test_the_officer_makes_an_order_and_lands_on_its_page(world):
    decision = make_decision(world)
    http = world.login(world.officer)
    form = http.get(reverse("order_create", args=[decision.pk]))
    assert world.provider.name in form.content.decode()

    response = http.post(
        reverse("order_create", args=[decision.pk]),
        {"provider": world.provider.pk, "valid_from": TODAY.isoformat()},
    )

    order = Order.objects.get()
    assert (order.status, order.provider, order.ordered_by) == (
        OrderStatus.DRAFT,
        world.provider,
        world.officer,
    )
    assert response["Location"] == reverse("order_edit", args=[order.pk])
    page = http.get(response["Location"])
    assert page.status_code == 200
    # A new draft starts with one empty intervention row and the time basis beside it.
    assert page.context["formset"].total_form_count() == 1
    assert "0:00 timmar/månad" in text_of(page)
    assert 'hx-post="' + reverse("order_time_basis", args=[order.pk]) in page.content.decode()
    # A sent order's page is another: the order detail view sends a draft's officer here.
    assert http.get(reverse("order_detail", args=[order.pk]))["Location"] == reverse(
        "order_edit", args=[order.pk]
    )


def test_saving_a_draft_with_two_interventions(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    area = LifeArea.objects.get(number=4)
    walking = LifeAreaCategory.objects.get(
        life_area=area, name="Att röra sig omkring på olika platser"
    )
    http = world.login(world.officer)

    response = http.post(
        reverse("order_edit", args=[order.pk]),
        page_data(
            order,
            [
                row_data(kinds["Duschhjälp"], minutes=30),
                row_data(
                    kinds["Tillsyn"],
                    period="per_day",
                    weekdays=[1, 2, 3, 4, 5],
                    occasions=2,
                    minutes=6,
                    life_area=f"category-{walking.pk}",
                ),
            ],
            daily_visits="6",
            overall_goals="Leva ett värdigt liv\n\nKänna sig trygg hemma\n",
        ),
    )

    assert response.status_code == 302, response.context and response.context["error_list"]
    order.refresh_from_db()
    assert order.version == 2
    assert order.daily_visits == 6
    assert order.overall_goals == ["Leva ett värdigt liv", "Känna sig trygg hemma"]
    shower, supervision = order.interventions.all()
    assert (shower.intervention_type.name, shower.minutes, shower.occasions) == (
        "Duschhjälp",
        30,
        2,
    )
    assert shower.weekdays == []  # only per day keeps weekdays
    assert (supervision.period, supervision.weekdays) == ("per_day", [1, 2, 3, 4, 5])
    assert (supervision.life_area, supervision.life_area_category) == (area, walking)

    # Read back: the rows come back as they were saved, with the version to save against.
    page = http.get(reverse("order_edit", args=[order.pk]))
    assert page.context["order_form"]["version"].value() == 2
    assert page.context["formset"].total_form_count() == 2
    assert "Utkastet är sparat." in text_of(page)


def test_the_time_basis_follows_the_unsaved_form(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    assert Decimal(world.municipality.weeks_per_month) == Decimal("4.35")
    http = world.login(world.officer)

    response = http.post(
        reverse("order_time_basis", args=[order.pk]),
        page_data(order, [row_data(kinds["Duschhjälp"], occasions=2, minutes=30)]),
        headers={"HX-Request": "true"},
    )

    # 2 × 30 minutes a week × 4.35 weeks a month = 261 minutes.
    assert response.status_code == 200
    assert response.context["total_hhmm"] == "4:21"
    assert "4:21 timmar/månad" in text_of(response)
    assert 'id="time-basis-total" hx-swap-oob="innerHTML"' in response.content.decode()
    order.refresh_from_db()
    assert (order.version, order.interventions.count()) == (1, 0)  # nothing saved


def test_choosing_an_intervention_fills_in_its_standard_time(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    shower = kinds["Duschhjälp"]
    http = world.login(world.officer)

    # The row's minutes came from another intervention: the new one's standard time replaces
    # them, and the minutes field comes back out of band.
    response = http.post(
        reverse("order_time_basis", args=[order.pk]),
        page_data(order, [row_data(shower, minutes_source="", minutes="", occasions=1)]),
    )
    body = response.content.decode()
    assert re.search(r'<div id="interventions-0-minutes-field"[^>]*hx-swap-oob="true"', body)
    assert f'value="{shower.standard_minutes}"' in body
    assert f"Schablontid för Duschhjälp: {shower.standard_minutes} minuter" in body

    # Minutes the officer adjusted for the chosen intervention are kept.
    kept = http.post(
        reverse("order_time_basis", args=[order.pk]),
        page_data(order, [row_data(shower, minutes=20, occasions=1)]),
    )
    assert 'id="interventions-0-minutes-field"' not in kept.content.decode()
    assert kept.context["total_hhmm"] == "1:27"  # 20 min × 4.35


def test_adding_a_row_with_htmx_returns_one_more_form(world):
    order = new_draft(world)
    http = world.login(world.officer)
    response = http.post(
        reverse("order_add_intervention", args=[order.pk]),
        {"interventions-TOTAL_FORMS": "2"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'id="interventions-2"' in body
    assert 'name="interventions-2-intervention_type"' in body
    assert 'name="interventions-2-DELETE"' in body
    assert 'name="interventions-TOTAL_FORMS" value="3"' in body


def test_adding_a_row_without_javascript_rerenders_the_page_and_saves_nothing(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    response = world.login(world.officer).post(
        reverse("order_edit", args=[order.pk]),
        {**page_data(order, [row_data(kinds["Duschhjälp"])]), "add_row": "1"},
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == 2
    assert formset.forms[1]["period"].value() == "per_week"
    order.refresh_from_db()
    assert (order.version, order.interventions.count()) == (1, 0)


def test_a_care_package_with_two_contents_gets_the_message_on_its_row_and_nothing_is_saved(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    http = world.login(world.officer)

    response = http.post(
        reverse("order_edit", args=[order.pk]),
        page_data(
            order,
            [
                row_data(kinds["Duschhjälp"]),
                row_data(
                    kinds["Omvårdnadspaket morgon"],
                    period="per_day",
                    occasions=1,
                    care_package_contents=[kinds["Personlig hygien"].pk, kinds["Toalettbesök"].pk],
                ),
            ],
        ),
    )

    assert response.status_code == 200
    package_row = response.context["formset"].forms[1]
    assert package_row.errors["care_package_contents"] == [
        "Ett omvårdnadspaket används bara när minst tre omvårdnadsinsatser ges vid samma besök "
        "(004 §2.4.2). Nu ingår 2. Lägg till fler, eller beställ insatserna var för sig."
    ]
    assert response.context["formset"].forms[0].errors == {}
    assert "Beställningen är inte sparad" in text_of(response)
    assert 'href="#id_interventions-1-care_package_contents_0"' in response.content.decode()
    order.refresh_from_db()
    assert (order.version, order.interventions.count(), order.order_text) == (1, 0, "")


def test_a_removed_row_is_not_saved_and_errors_follow_the_rows_that_are(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    http = world.login(world.officer)
    response = http.post(
        reverse("order_edit", args=[order.pk]),
        page_data(
            order,
            [
                row_data(kinds["Duschhjälp"], DELETE="on"),
                row_data(kinds["Städning 2 rok"], period="every_n_weeks", every_n_weeks=1),
            ],
        ),
    )
    # The service counts the second row as its first; the message lands on the second row.
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[1].errors["every_n_weeks"] == [
        "Ange hur många veckor det går mellan tillfällena (2–52)."
    ]
    assert forms[0].errors == {}


def test_a_stale_version_gets_the_conflict_message_and_nothing_is_saved(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    read_at_version_1 = page_data(order, [row_data(kinds["Duschhjälp"])], order_text="Min text")
    services.order_save_draft(
        order=order, by=world.officer, version=1, fields={"order_text": "Kollegans text"},
        interventions=[],
    )  # fmt: skip

    response = world.login(world.officer).post(
        reverse("order_edit", args=[order.pk]), read_at_version_1
    )

    assert response.status_code == 200
    summary = response.content.decode().split('class="order-layout"')[0]
    assert "Någon annan har sparat beställningen sedan du öppnade den." in summary
    order.refresh_from_db()
    assert (order.version, order.order_text, order.interventions.count()) == (
        2,
        "Kollegans text",
        0,
    )


def test_quality_warnings_sit_beside_their_field_and_do_not_block(world):
    kinds = catalogue(world.municipality)
    order = make_order(
        world,
        order_text="Hjälp med frukost kl 08:00.",
        overall_goals=["Leva ett värdigt liv", "Skälig levnadsnivå"],
        rows=[row(kinds["Duschhjälp"], client_goal="")],
    )
    page = world.login(world.officer).get(reverse("order_edit", args=[order.pk]))
    warnings = page.context["warnings"]

    assert [w["kind_label"] for w in warnings["order_text"]] == [
        "Klockslag",
        "Tid på dygnet kopplad till uppgift",
    ]
    assert [w["line"] for w in warnings["overall_goals"]] == [2]
    assert page.context["formset"].forms[0].warnings_client_goal
    body = text_of(page)
    assert "Så kan du skriva:" in body and "Rad 2:" in body
    assert page.context["blockers"] == []
    assert 'formaction="' + reverse("order_send", args=[order.pk]) in page.content.decode()
    assert not re.search(r'formaction="[^"]*"[^>]*disabled', page.content.decode())


def test_sending_is_refused_while_something_blocks_it_and_works_after(world):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    http = world.login(world.officer)
    data = page_data(order, [row_data(kinds["Duschhjälp"], occasions="")], daily_visits="")
    http.post(reverse("order_edit", args=[order.pk]), data)
    order.refresh_from_db()

    page = http.get(reverse("order_edit", args=[order.pk]))
    assert page.context["blockers"] == [
        "Antal besök per dag saknas (ange 0 om brukaren inte har dagliga besök).",
        "Duschhjälp saknar fast frekvens (antal tillfällen).",
    ]
    assert re.search(r'formaction="[^"]*"[^>]*disabled>Skicka', page.content.decode())
    assert "Det här måste vara klart innan beställningen kan skickas" in text_of(page)

    refused = http.post(
        reverse("order_send", args=[order.pk]),
        page_data(order, [row_data(kinds["Duschhjälp"], occasions="")], daily_visits=""),
        follow=True,
    )
    assert "Utkastet är sparat men kunde inte skickas" in text_of(refused)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT

    # Sending saves what is typed first, so the fixes made on the page go along.
    sent = http.post(
        reverse("order_send", args=[order.pk]),
        page_data(order, [row_data(kinds["Duschhjälp"], occasions=2)], daily_visits="0"),
    )
    assert sent["Location"] == reverse("order_detail", args=[order.pk])
    order.refresh_from_db()
    assert (order.status, order.sent_by, order.interventions.get().occasions) == (
        OrderStatus.SENT,
        world.officer,
        2,
    )
    # A sent order is no longer edited: its draft page leads to the read-only page.
    assert http.get(reverse("order_edit", args=[order.pk]))["Location"] == reverse(
        "order_detail", args=[order.pk]
    )


def test_deleting_a_draft(world):
    order = new_draft(world)
    http = world.login(world.officer)
    assert http.get(reverse("order_delete", args=[order.pk])).status_code == 200
    response = http.post(reverse("order_delete", args=[order.pk]))
    assert response["Location"] == reverse("client_detail", args=[world.client.pk])
    assert not Order.objects.exists()


# ------------------------------------------------------------------------------- the provider


def test_the_provider_receives_and_executes_from_the_inbox(world, sent_order):
    http = world.login(world.coordinator)
    start = http.get(reverse("start"))
    body = text_of(start)
    assert "Nya och ändrade beställningar" in body
    assert world.client.personal_number_masked in body
    assert world.client.personal_number_display not in body
    assert reverse("order_receive", args=[sent_order.pk]) in start.content.decode()

    received = http.post(reverse("order_receive", args=[sent_order.pk]), {"next": reverse("start")})
    assert received["Location"] == reverse("start")
    sent_order.refresh_from_db()
    assert (sent_order.status, sent_order.received_by) == (OrderStatus.RECEIVED, world.coordinator)

    future = http.post(
        reverse("order_execute", args=[sent_order.pk]),
        {"executed_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
        follow=True,
    )
    assert "Verkställighetsdatumet kan inte vara i framtiden." in text_of(future)
    http.post(reverse("order_execute", args=[sent_order.pk]), {"executed_on": TODAY.isoformat()})
    sent_order.refresh_from_db()
    assert (sent_order.status, sent_order.executed_on) == (OrderStatus.EXECUTED, TODAY)
    assert "Inga nya eller ändrade beställningar." in text_of(http.get(reverse("start")))


def test_the_order_page_shows_the_provider_the_full_personal_number(world, sent_order):
    page = world.login(world.coordinator).get(reverse("order_detail", args=[sent_order.pk]))
    body = text_of(page)
    assert world.client.personal_number_display in body
    assert "Beställd kvantitet: 6:32 timmar/månad" in body  # Duschhjälp 2 × 45 min a week
    assert "Kvittera mottagen" in body
    assert "Ändra beställning" not in body


def test_a_protected_address_is_hidden_from_the_provider(world, sent_order):
    world.client.protected_identity = True
    world.client.save()
    provider_page = world.login(world.coordinator).get(
        reverse("order_detail", args=[sent_order.pk])
    )
    assert world.client.street_address not in provider_page.content.decode()
    officer_page = world.login(world.officer).get(reverse("order_detail", args=[sent_order.pk]))
    assert world.client.street_address in officer_page.content.decode()


def test_a_contact_person_sees_the_inbox_but_cannot_receive(world, sent_order):
    http = world.login(world.contact_person)
    start = http.get(reverse("start"))
    assert world.client.full_name in text_of(start)
    assert reverse("order_receive", args=[sent_order.pk]) not in start.content.decode()
    assert http.post(reverse("order_receive", args=[sent_order.pk])).status_code == 403
    assert http.post(reverse("order_execute", args=[sent_order.pk]), {}).status_code == 403


# ------------------------------------------------------------------------------- change of need


def test_the_provider_reports_a_change_of_need_and_the_officer_answers_no_change(world, sent_order):
    provider = world.login(world.contact_person)
    url = reverse("need_change_create", args=[sent_order.pk])
    assert provider.get(url).status_code == 200
    response = provider.post(
        url,
        {
            "direction": "increased",
            "duration": "temporary",
            "reason": "illness",
            "description": "Lisa har fått lunginflammation och behöver mer hjälp en tid.",
        },
    )
    assert response["Location"] == reverse("order_detail", args=[sent_order.pk])
    report = NeedChangeReport.objects.get()
    assert (report.reported_by, report.is_open) == (world.contact_person, True)

    officer = world.login(world.officer)
    start = officer.get(reverse("start"))
    assert reverse("need_change_detail", args=[report.pk]) in start.content.decode()
    assert "1 förändrat behov att besvara" in text_of(start)

    detail_url = reverse("need_change_detail", args=[report.pk])
    assert "lunginflammation" in text_of(officer.get(detail_url))
    answer_url = reverse("need_change_answer", args=[report.pk])
    empty = officer.post(answer_url, {"answer_reason": " "})
    assert empty.status_code == 200
    assert empty.context["form"].errors["answer_reason"]
    report.refresh_from_db()
    assert report.is_open

    done = officer.post(answer_url, {"answer_reason": "Tillfälligt; ryms inom ramen."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.answer, report.answer_reason, report.answered_by) == (
        NeedChangeAnswer.NO_CHANGE,
        "Tillfälligt; ryms inom ramen.",
        world.officer,
    )
    # The provider reads the answer on the order.
    page = world.login(world.coordinator).get(detail_url)
    assert "Tillfälligt; ryms inom ramen." in text_of(page)
    assert world.login(world.coordinator).post(answer_url, {"answer_reason": "x"}).status_code == (
        403
    )


def test_a_change_order_answers_the_report_when_it_is_sent(world, sent_order):
    kinds = catalogue(world.municipality)
    report = services.need_change_report(
        order=sent_order, by=world.coordinator, direction="increased", duration="lasting",
        reason="other", description="Behöver hjälp med dusch tre gånger i veckan.",
    )  # fmt: skip
    http = world.login(world.officer)
    change_url = reverse("order_change", args=[sent_order.pk])
    assert change_url in http.get(reverse("need_change_detail", args=[report.pk])).content.decode()

    response = http.post(change_url, {"valid_from": (TODAY + datetime.timedelta(days=1))})
    change = Order.objects.get(supersedes=sent_order)
    assert response["Location"] == reverse("order_edit", args=[change.pk])
    report.refresh_from_db()
    assert report.is_open  # answered when the change is sent, not before

    http.post(
        reverse("order_send", args=[change.pk]),
        page_data(change, [row_data(kinds["Duschhjälp"], occasions=3)]),
    )
    change.refresh_from_db()
    report.refresh_from_db()
    assert change.status == OrderStatus.SENT
    assert (report.answer, report.new_order) == (NeedChangeAnswer.NEW_ORDER, change)

    # The provider sees it as changed, with what changed since the order before.
    provider = world.login(world.coordinator)
    assert "Ändrad" in text_of(provider.get(reverse("start")))
    page = text_of(provider.get(reverse("order_detail", args=[change.pk])))
    assert "Ändringar sedan föregående beställning" in page
    assert "två gånger per vecka" in page and "tre gånger per vecka" in page


def test_the_officer_ends_an_order(world, sent_order):
    http = world.login(world.officer)
    url = reverse("order_end", args=[sent_order.pk])
    missing = http.post(url, {"ended_on": TODAY.isoformat(), "reason": ""})
    assert missing.status_code == 200
    response = http.post(url, {"ended_on": TODAY.isoformat(), "reason": "Flyttar till SÄBO."})
    assert response.status_code == 302
    sent_order.refresh_from_db()
    assert (sent_order.status, sent_order.valid_to) == (OrderStatus.ENDED, TODAY)


# ------------------------------------------------------------------------------- access

GET_ORDER_PAGES = ["order_detail", "order_edit", "order_change", "order_end", "need_change_create"]
POST_ORDER_ACTIONS = ["order_send", "order_receive", "order_execute", "order_time_basis"]


@pytest.fixture
def other_contact_person(world):
    return member(UserFactory(username="annankontaktman"), Role.CONTACT_PERSON,
                  provider=world.other_provider)  # fmt: skip


@pytest.fixture
def outsiders(world, other_contact_person):
    return {
        "other_officer": world.other_officer,
        "other_manager": world.other_manager,
        "other_coordinator": world.other_coordinator,
        "other_contact_person": other_contact_person,
        "fee_officer": world.fee_officer,
    }


@pytest.mark.parametrize(
    "role",
    ["other_officer", "other_manager", "other_coordinator", "other_contact_person", "fee_officer"],
)
def test_another_organisation_gets_404_everywhere(world, outsiders, sent_order, role):
    report = services.need_change_report(
        order=sent_order, by=world.coordinator, direction="decreased", duration="lasting",
        reason="other", description="Klarar mer själv.",
    )  # fmt: skip
    http = world.login(outsiders[role])
    decision = sent_order.decision
    for name in GET_ORDER_PAGES:
        assert http.get(reverse(name, args=[sent_order.pk])).status_code == 404, name
    for name in POST_ORDER_ACTIONS:
        assert http.post(reverse(name, args=[sent_order.pk])).status_code == 404, name
    for name in ("decision_detail", "decision_review", "order_create"):
        assert http.get(reverse(name, args=[decision.pk])).status_code == 404, name
    assert http.get(reverse("decision_create", args=[world.client.pk])).status_code == 404
    assert http.get(reverse("need_change_detail", args=[report.pk])).status_code == 404
    assert http.post(reverse("need_change_answer", args=[report.pk])).status_code == 404
    # Nothing of the order shows on their start page either.
    assert world.client.full_name not in text_of(http.get(reverse("start")))


@pytest.mark.parametrize("role", ["coordinator", "contact_person"])
def test_the_provider_never_sees_a_draft(world, role):
    order = make_order(world)
    http = world.login(getattr(world, role))
    for name in ("order_detail", "order_edit", "need_change_create"):
        assert http.get(reverse(name, args=[order.pk])).status_code == 404, name
    for name in ("order_send", "order_receive", "order_time_basis"):
        assert http.post(reverse(name, args=[order.pk])).status_code == 404, name
    assert world.client.full_name not in text_of(http.get(reverse("start")))
    # The provider does not see decisions at all.
    decision_url = reverse("decision_detail", args=[order.decision_id])
    assert http.get(decision_url).status_code == 404


@pytest.mark.parametrize(
    ("role", "url_name", "method", "status"),
    [
        ("coordinator", "order_edit", "get", 403),  # the provider's order, not theirs to edit
        ("coordinator", "order_change", "get", 403),
        ("coordinator", "order_end", "get", 403),
        ("manager", "order_change", "get", 403),  # managers read; officers order
        ("manager", "order_receive", "post", 403),
        ("officer", "order_receive", "post", 403),
        ("officer", "order_execute", "post", 403),
        ("officer", "need_change_create", "get", 403),
        ("officer", "order_detail", "get", 200),
        ("manager", "order_detail", "get", 200),
        ("contact_person", "order_detail", "get", 200),
        ("contact_person", "need_change_create", "get", 200),
    ],
)
def test_visible_but_not_allowed_is_403(world, sent_order, role, url_name, method, status):
    http = world.login(getattr(world, role))
    response = getattr(http, method)(reverse(url_name, args=[sent_order.pk]))
    assert response.status_code == status


def test_the_client_page_lists_decisions_and_orders_for_the_unit_only(world, sent_order):
    body = text_of(world.login(world.officer).get(reverse("client_detail", args=[world.client.pk])))
    assert "Beslut och beställningar" in body and "Nytt beslut" in body and "Skickad" in body
    manager = text_of(world.login(world.manager).get(reverse("client_detail",
                                                             args=[world.client.pk])))  # fmt: skip
    assert "Beslut och beställningar" in manager and "Nytt beslut" not in manager
    provider = world.login(world.coordinator).get(reverse("client_detail", args=[world.client.pk]))
    assert reverse("order_detail", args=[sent_order.pk]) in provider.content.decode()
    assert reverse("decision_detail", args=[sent_order.decision_id]) not in (
        provider.content.decode()
    )


# ------------------------------------------------------------------------------- queries


def _start_page_queries(http) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("start")).status_code == 200
    return len(queries)


def _sent_order_for_a_new_client(world) -> Order:
    client = ClientFactory(ordering_unit=world.unit, responsible_officer=world.officer)
    decision = make_decision(world, client=client)
    order = make_order(world, decision=decision)
    return services.order_send(order=order, by=world.officer)


@pytest.mark.parametrize("role", ["coordinator", "officer"])
def test_the_start_page_costs_the_same_queries_for_two_orders_or_six(world, role):
    http = world.login(getattr(world, role))
    for _ in range(2):
        _sent_order_for_a_new_client(world)
    with_two = _start_page_queries(http)
    for _ in range(4):
        _sent_order_for_a_new_client(world)
    services.order_receive(order=Order.objects.first(), by=world.coordinator)

    assert _start_page_queries(http) == with_two


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decided_on", "2026-02-30", "giltigt datum"),
        ("valid_from", "2026-13-01", "giltigt datum"),
        ("hours_per_month", "-5", "större än eller lika med 0"),
        ("hours_per_month", "100000", ""),
    ],
)
def test_impossible_dates_and_absurd_hours_on_a_decision_are_refused(world, field, value, message):
    data = {
        "outcome": "granted",
        "legal_basis": "SoL 4 kap. 1 §",
        "decided_on": TODAY.isoformat(),
        "valid_from": TODAY.isoformat(),
        "valid_to": "",
        "hours_per_month": "10",
        "reasoning": "x",
        "purpose_and_goal": "y",
        field: value,
    }
    response = world.login(world.officer).post(
        reverse("decision_create", args=[world.client.pk]), data
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors and errors
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"minutes": "-10"}, "minutes"), ({"minutes": "100000"}, "minutes"),
     ({"occasions": "-1"}, "occasions")],
)  # fmt: skip
def test_negative_or_absurd_minutes_are_refused_on_the_row_and_nothing_is_saved(
    world, overrides, field
):
    kinds = catalogue(world.municipality)
    order = new_draft(world)
    response = world.login(world.officer).post(
        reverse("order_edit", args=[order.pk]),
        page_data(order, [row_data(kinds["Duschhjälp"], **overrides)], order_text="Ändrad"),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors[field]
    order.refresh_from_db()
    assert order.version == 1 and order.order_text == "" and not order.interventions.exists()


def test_an_intervention_from_another_municipalitys_catalogue_is_refused_on_the_row(world):
    foreign = catalogue(world.other_municipality)["Duschhjälp"]
    order = new_draft(world)
    response = world.login(world.officer).post(
        reverse("order_edit", args=[order.pk]), page_data(order, [row_data(foreign)])
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["intervention_type"]
    assert not order.interventions.exists()
