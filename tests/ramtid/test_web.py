"""The core's web plumbing (ramtid.web, and the page helpers in ramtid.forms) that every app's
pages use: fetching through a selector (a 404 outside the user's scope), the permission check (a
403), where an action form goes back to, the one-form page, adding a row to a formset, and the
service's errors on a page of one form and a formset."""

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.template import Template
from django.test import RequestFactory
from django.urls import reverse

from ramtid.forms import (
    AddableRowsMixin,
    apply_page_errors,
    page_error_list,
    total_forms,
    with_new_row,
)
from ramtid.selectors import clients_visible_to
from ramtid.web import added_row, client_crumbs, form_page, next_url, require, visible
from tests.factories import ClientRelativeFactory

# ------------------------------------------------------------------------------- access


def test_visible_returns_the_object_from_the_users_scope(world):
    assert visible(clients_visible_to(world.officer), world.client.pk) == world.client


def test_visible_is_a_404_for_an_object_outside_the_users_scope(world):
    # Another unit's client exists, but not for this officer: it looks like one that does not.
    with pytest.raises(Http404):
        visible(clients_visible_to(world.officer), world.other_client.pk)
    with pytest.raises(Http404):
        visible(clients_visible_to(world.officer), 999_999)


def test_visible_on_a_related_queryset_is_a_404_for_another_clients_row(world):
    relative = ClientRelativeFactory(client=world.other_client)
    with pytest.raises(Http404):
        visible(world.client.relatives.all(), relative.pk)
    # Through the page: the officer may edit her own client, but not via its URL remove another's.
    remove = reverse("relative_remove", args=[world.client.pk, relative.pk])
    assert world.login(world.officer).post(remove).status_code == 404
    assert relative.__class__.objects.filter(pk=relative.pk).exists()


def test_require_is_a_403_when_the_permission_is_refused():
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)


def test_a_refused_permission_on_a_visible_object_is_a_403_page(world):
    # The unit manager sees the client but may not edit it (ramtid.views._editable_client).
    response = world.login(world.manager).get(reverse("client_edit", args=[world.client.pk]))
    assert response.status_code == 403


# ------------------------------------------------------------------------------- next_url


def _posted(next_value: str, *, secure: bool = False):
    return RequestFactory().post("/", {"next": next_value}, secure=secure)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/start/",
        "//evil.example/start/",
        "http://evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_next_url_refuses_a_foreign_or_empty_target(target):
    assert next_url(_posted(target), "/bestallningar/1/") == "/bestallningar/1/"


def test_next_url_accepts_a_path_on_this_site():
    assert next_url(_posted("/?flik=inkorg"), "/x/") == "/?flik=inkorg"
    assert next_url(_posted("http://testserver/brukare/"), "/x/") == "http://testserver/brukare/"


def test_next_url_refuses_plain_http_from_a_secure_page():
    assert next_url(_posted("http://testserver/brukare/", secure=True), "/x/") == "/x/"


def test_next_url_reads_only_the_posted_form():
    request = RequestFactory().post("/?next=/brukare/", {})
    assert next_url(request, "/x/") == "/x/"


# ------------------------------------------------------------------------------- pages


def test_client_crumbs_lead_to_the_list_and_the_client(world):
    assert client_crumbs(world.client) == [
        ("Brukare", reverse("client_list")),
        (str(world.client), reverse("client_detail", args=[world.client.pk])),
    ]


class _AskForm(forms.Form):
    reason = forms.CharField(label="Skäl")
    approve = forms.ChoiceField(
        label="Beslut", choices=[("yes", "Ja"), ("no", "Nej")], widget=forms.RadioSelect
    )


def test_form_page_renders_every_field_the_crumbs_and_the_buttons(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = form_page(
        request,
        form=_AskForm(),
        title="Återkalla beslutet?",
        intro="Beslutet återkallas.",
        submit="Återkalla",
        danger=True,
        cancel="/tillbaka/",
        crumbs=[("Brukare", "/brukare/"), ("Lisa Andersson", "/brukare/1/")],
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Återkalla beslutet?</h1>" in html
    assert '<p class="lead">Beslutet återkallas.</p>' in html
    assert (
        '<p class="breadcrumb"><a href="/brukare/">Brukare</a> / '
        '<a href="/brukare/1/">Lisa Andersson</a></p>'
    ) in html
    assert '<label for="id_reason">Skäl</label>' in html
    assert '<legend class="field__legend">Beslut</legend>' in html  # radios in a fieldset
    assert '<button type="submit" class="button button--danger">Återkalla</button>' in html
    assert '<a class="button button--link" href="/tillbaka/">Avbryt</a>' in html


# ------------------------------------------------------------------------------- rows


class _RowForm(forms.Form):
    minutes = forms.IntegerField(label="Tid")
    period = forms.CharField(label="Period", required=False)
    days = forms.MultipleChoiceField(
        label="Dagar", choices=[("1", "mån"), ("2", "tis")], required=False
    )

    def add_service_error(self, name: str, messages: list[str]) -> None:
        self.add_error(name if name in self.fields else None, messages)


class _BaseRows(AddableRowsMixin, forms.BaseFormSet):
    pass


_Rows = forms.formset_factory(_RowForm, formset=_BaseRows, extra=0, max_num=3, validate_max=True)


class _PageForm(forms.Form):
    text = forms.CharField(label="Beställningstext", required=False)


def _rows_data(count: int, **extra) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"rows-TOTAL_FORMS": str(count), "rows-INITIAL_FORMS": "0", **extra})
    for index in range(count):
        data[f"rows-{index}-minutes"] = "10"
    return data


@pytest.mark.parametrize(
    ("posted", "count"),
    [("2", 2), ("0", 0), ("-4", 0), ("50", 3), ("tre", 0), (None, 0)],
)
def test_total_forms_is_what_the_page_says_within_the_formsets_bounds(posted, count):
    data = {} if posted is None else {"rows-TOTAL_FORMS": posted}
    assert total_forms(data, prefix="rows", maximum=3) == count


def test_with_new_row_adds_one_row_with_its_defaults_and_leaves_the_post_alone():
    posted = _rows_data(1)
    data = with_new_row(
        posted, prefix="rows", maximum=3, defaults={"period": "per_week", "days": ["1", "2"]}
    )
    assert data["rows-TOTAL_FORMS"] == "2"
    assert data["rows-1-period"] == "per_week"
    assert data.getlist("rows-1-days") == ["1", "2"]
    assert data["rows-0-minutes"] == "10"
    assert posted["rows-TOTAL_FORMS"] == "1" and "rows-1-period" not in posted


def test_with_new_row_adds_nothing_to_a_full_formset():
    data = with_new_row(_rows_data(3), prefix="rows", maximum=3, defaults={"period": "per_week"})
    assert data["rows-TOTAL_FORMS"] == "3"
    assert "rows-3-period" not in data


ROW = Template(
    '<div id="{{ form.prefix }}" data-number="{{ form.number }}">{{ form.minutes }}</div>'
)


def test_added_row_is_one_empty_row_focused_and_the_count_raised_out_of_band():
    request = RequestFactory().post("/", {"rows-TOTAL_FORMS": "1"})
    response = added_row(request, _Rows(prefix="rows"), row_template=ROW, focus="minutes")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="rows-1" data-number="2">' in html
    assert 'name="rows-1-minutes"' in html
    assert "autofocus" in html
    assert (
        '<input type="hidden" name="rows-TOTAL_FORMS" value="2" id="id_rows-TOTAL_FORMS" '
        'hx-swap-oob="true">'
    ) in html


def test_added_row_leaves_a_full_formset_as_it_is():
    request = RequestFactory().post("/", {"rows-TOTAL_FORMS": "3"})
    response = added_row(request, _Rows(prefix="rows"), row_template=ROW, focus="minutes")
    assert response.status_code == 204
    assert response.content == b""


# ------------------------------------------------------------------------------- errors


def _page(count: int = 2):
    data = _rows_data(count)
    form, formset = _PageForm(data), _Rows(data, prefix="rows")
    assert form.is_valid() and formset.is_valid()
    return form, formset


def test_apply_page_errors_puts_each_message_on_its_row_its_field_or_the_top():
    form, formset = _page()
    error = ValidationError(
        {
            "rows-1-minutes": ["För lång tid."],
            "rows-0-unknown": ["Raden stämmer inte."],
            "rows-7-minutes": ["Ingen sådan rad."],
            "text": ["Beskriv behovet."],
            "version": ["Någon annan har sparat."],
        }
    )
    apply_page_errors(form, formset.forms, error, prefix="rows")
    assert formset.forms[1].errors == {"minutes": ["För lång tid."]}
    assert formset.forms[0].non_field_errors() == ["Raden stämmer inte."]
    assert form.errors["text"] == ["Beskriv behovet."]
    assert form.non_field_errors() == ["Ingen sådan rad.", "Någon annan har sparat."]


def test_apply_page_errors_puts_a_message_without_a_field_at_the_top():
    form, formset = _page()
    apply_page_errors(
        form, formset.forms, ValidationError("Någon annan har sparat."), prefix="rows"
    )
    assert form.non_field_errors() == ["Någon annan har sparat."]
    assert all(not row.errors for row in formset.forms)


def test_page_error_list_names_each_row_and_links_each_error_to_its_field():
    form, formset = _page()
    error = ValidationError(
        {
            "version": ["Någon annan har sparat."],
            "text": ["Beskriv behovet."],
            "rows-0-period": ["Ange perioden."],
            "rows-1-x": ["Raden stämmer inte."],
        }
    )
    apply_page_errors(form, formset.forms, error, prefix="rows")
    assert page_error_list(form, formset, row_word="Insats") == [
        ("Någon annan har sparat.", ""),
        ("Beställningstext: Beskriv behovet.", "id_text"),
        ("Insats 1, period: Ange perioden.", "id_rows-0-period"),
        ("Insats 2: Raden stämmer inte.", "rows-1"),
    ]


def test_page_error_list_links_the_formsets_own_errors_to_its_section():
    data = _rows_data(4)
    form, formset = _PageForm(data), _Rows(data, prefix="rows")
    assert form.is_valid() and not formset.is_valid()  # more rows than max_num
    anchors = [anchor for _text, anchor in page_error_list(form, formset, row_word="Kort")]
    assert anchors == ["section-rows"]


# ------------------------------------------------------------------------------- templates


def test_the_cores_templates_use_only_the_cores_templates():
    # Dependencies point one way (STYLE.md): the generic templates every app uses live in
    # templates/ramtid/, and none of the core's reaches into an app's folder.
    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    core = [*root.glob("*.html"), *(root / "ramtid").glob("*.html"), *root.glob("registration/*")]
    used = {
        (path.relative_to(root), name)
        for path in core
        for name in re.findall(r'\{% (?:include|extends) "([^"]+)"', path.read_text())
    }
    assert (Path("ramtid/form_page.html"), "ramtid/_crumbs.html") in used
    foreign = sorted(
        f"{path}: {name}"
        for path, name in used
        if name != "base.html" and not name.startswith("ramtid/")
    )
    assert foreign == []
