from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ramtid import permissions, personal_number
from ramtid.choices import Role
from ramtid.models import Client, ClientRelative, OrderingUnit, User
from ramtid.services import CLIENT_FIELDS, CONTACT_FIELDS


class DateInput(forms.DateInput):
    """A date as the browser's date picker gives it (ÅÅÅÅ-MM-DD)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def labelled_date_field(label: str, **kwargs) -> forms.DateField:
    """A date field of a filter form (a report's or the log review's period), with the Swedish
    messages."""
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={
            "required": _("Ange ett datum."),
            "invalid": _("Ange datumet som ÅÅÅÅ-MM-DD."),
        },
        **kwargs,
    )


def apply_service_errors(
    form: forms.BaseForm, error: ValidationError, *, renamed: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError onto a form: each message next to its field (`renamed`
    maps a model field to the form field that carries it), the rest at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            name = (renamed or {}).get(name, name)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def apply_page_errors(
    form: forms.BaseForm, rows: list, error: ValidationError, *, prefix: str
) -> None:
    """Put a service's ValidationError onto a page of one form and a formset saved with one
    service call: a key `<prefix>-<index>-<field>` goes onto the index:th of the `rows` saved
    (each row's add_service_error puts it next to its field), any other key next to the form's
    field of that name, the rest (e.g. someone else saved first) at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, texts in error.message_dict.items():
        key_prefix, _sep, rest = key.partition("-")
        index, _sep, name = rest.partition("-")
        if key_prefix == prefix and index.isdigit() and int(index) < len(rows):
            rows[int(index)].add_service_error(name, texts)
        else:
            form.add_error(key if key in form.fields else None, texts)


def page_error_list(form: forms.BaseForm, formset, *, row_word: str) -> list[tuple[str, str]]:
    """(text, anchor) for the error summary at the top of a page of one form and a formset: the
    form's errors, then each row's, numbered as the page numbers them ("Insats 2, tid: …").
    An anchor is the field's id, or the row's prefix; the formset's own errors link to its
    section, whose heading has the id `section-<prefix>`."""
    items = [(text, "") for text in form.non_field_errors()]
    items += [
        (f"{field.label}: {text}", field.id_for_label) for field in form for text in field.errors
    ]
    items += [(text, f"section-{formset.prefix}") for text in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        items += [
            (
                gettext("%(row)s %(n)s: %(e)s") % {"row": row_word, "n": number, "e": text},
                row.prefix,
            )
            for text in row.non_field_errors()
        ]
        items += [
            (
                gettext("%(row)s %(n)s, %(field)s: %(e)s")
                % {"row": row_word, "n": number, "field": str(field.label).lower(), "e": text},
                field.id_for_label or row.prefix,
            )
            for field in row
            for text in field.errors
        ]
    return items


def total_forms(data: Mapping, *, prefix: str, maximum: int) -> int:
    """How many rows the page says its formset has (its TOTAL_FORMS), within 0..maximum: the
    index of the row "Lägg till insats" adds."""
    try:
        return max(0, min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), maximum))
    except (TypeError, ValueError):
        return 0


def with_new_row(
    data: QueryDict, *, prefix: str, maximum: int, defaults: Mapping[str, str | list[str]]
) -> QueryDict:
    """The posted page with one more, empty row (its fields set to `defaults`, a list for a
    multiple choice): "Lägg till insats" without JavaScript, where nothing is saved and the page
    comes back with the new row. Unchanged when the formset is full."""
    data = data.copy()
    index = total_forms(data, prefix=prefix, maximum=maximum)
    if index < maximum:
        data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
        for name, value in defaults.items():
            if isinstance(value, list):
                data.setlist(f"{prefix}-{index}-{name}", value)
            else:
                data[f"{prefix}-{index}-{name}"] = value
    return data


def label_needed_for(form: forms.BaseForm, needed_for: dict[str, str]) -> None:
    """Label fields by what they are needed for ("krävs för att skicka") instead of
    "(frivilligt)": the mapping comes from the rule that requires them, so that the label and the
    rule live in one place (ramtid/_field.html shows it)."""
    for name, text in needed_for.items():
        if name in form.fields:
            form.fields[name].needed_for = text


class AddableRowsMixin:
    """For a formset whose page adds rows one at a time ("Lägg till insats"): an empty row at
    `index` with the formset's prefix, fields and kwargs, rendered on its own (with htmx:
    ramtid.web.added_row; without JavaScript the page is posted back with_new_row)."""

    def new_row(self, index: int) -> forms.BaseForm:
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix(index),
            use_required_attribute=False,
            empty_permitted=True,
            **self.get_form_kwargs(index),
        )
        self.add_fields(form, index)
        return form


def label_empty_choice(field: forms.Field, label: str) -> None:
    """Name a select's empty choice ("Välj kön") instead of Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = label
    else:
        field.choices = [("", label), *((v, t) for v, t in field.choices if v not in ("", None))]


class ClientSearchForm(forms.Form):
    """The client list's search and filters.

    The search text is sent by POST only, so that a personal number typed here never ends up in
    a URL or an access log. The filters carry no personal data: they are the list's GET
    parameters (in the page links and bookmarks), and the search form posts them along.
    """

    q = forms.CharField(label=_("Sök på namn eller personnummer"), required=False, max_length=100)
    mina = forms.ChoiceField(
        label=_("Visa"),
        required=False,
        choices=[("", _("Alla brukare")), ("1", _("Mina brukare"))],
        widget=forms.Select(attrs={"class": "search__filter"}),
    )
    status = forms.ChoiceField(
        label=_("Beställningar"),
        required=False,
        widget=forms.Select(attrs={"class": "search__filter"}),
    )

    FILTERS = ("mina", "status")

    def __init__(self, *args, statuses, can_filter_own: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = {status.value: status for status in statuses}
        if not can_filter_own:
            del self.fields["mina"]
        if statuses:
            self.fields["status"].choices = [
                ("", _("Alla")),
                *((status.value, status.label) for status in statuses),
            ]
            self.fields["status"].help_text = " ".join(
                f"{status.label}: {status.description}."
                for status in statuses
                if status.description
            )
        else:
            del self.fields["status"]

    @property
    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FILTERS if name in self.fields]

    def filters(self) -> dict[str, str]:
        """The valid filters that are set, as GET parameters."""
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.FILTERS if data.get(name)}

    def search(self) -> dict:
        """Keyword arguments for selectors.client_search; what is not valid is left out."""
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q", ""),
            "mine": data.get("mina") == "1",
            "status": self.statuses.get(data.get("status", "")),
        }


class ClientForm(forms.ModelForm):
    personal_number_input = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        help_text=_("ÅÅÅÅMMDD-NNNN. Personer som fyllt 100 kan skrivas ÅÅMMDD+NNNN."),
        max_length=20,
    )
    ordering_unit = forms.ModelChoiceField(
        label=_("Beställarenhet"), queryset=OrderingUnit.objects.none()
    )

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)

    field_order = [
        "personal_number_input",
        "first_name",
        "last_name",
        "gender",
        "protected_identity",
        "street_address",
        "postal_code",
        "city",
        "phone",
        "ordering_unit",
        "responsible_officer",
    ]

    def __init__(self, *args, units, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ordering_unit"].queryset = units
        if len(units) == 1:
            self.fields["ordering_unit"].initial = units[0]
        if self.instance.pk:
            # The officers of the client's own unit (the unit manager has no officer units).
            units = [self.instance.ordering_unit_id]
        officers = User.objects.filter(
            memberships__role=Role.CASE_OFFICER, memberships__ordering_unit__in=units
        ).distinct()
        self.fields["responsible_officer"].queryset = officers
        self.fields["responsible_officer"].required = False
        label_empty_choice(self.fields["gender"], _("Välj kön"))
        label_empty_choice(self.fields["ordering_unit"], _("Välj beställarenhet"))
        if self.instance.pk:
            label_empty_choice(self.fields["responsible_officer"], _("Ingen ansvarig handläggare"))
            # The personal number identifies the person and is never changed after registration.
            del self.fields["personal_number_input"]
            del self.fields["ordering_unit"]
            self._limit_to_rights(user)
        else:
            # Left empty, the officer who registers the client becomes responsible (the view).
            label_empty_choice(
                self.fields["responsible_officer"], _("Välj handläggare – annars du själv")
            )

    def _limit_to_rights(self, user) -> None:
        """Hidden means hidden in the form too: a protected identity's address, phone and the
        flag are not even sent to an officer who is not responsible, and the responsible officer
        is offered only to whoever may assign it (ramtid.permissions; the service checks again).
        """
        client = self.instance
        if user is None:
            return
        if not permissions.can_edit_client(user, client):
            for name in ("first_name", "last_name", "gender"):
                del self.fields[name]
        if not (
            permissions.can_edit_client(user, client)
            and (permissions.can_view_client_contact(user, client))
        ):
            for name in (*CONTACT_FIELDS, "protected_identity"):
                del self.fields[name]
        if not permissions.can_assign_responsible_officer(user, client):
            del self.fields["responsible_officer"]

    def clean_personal_number_input(self):
        return personal_number.normalise(self.cleaned_data["personal_number_input"])

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].replace(" ", "")
        if value and (len(value) != 5 or not value.isdigit()):
            raise forms.ValidationError(_("Postnumret ska vara fem siffror, t.ex. 177 30."))
        return f"{value[:3]} {value[3:]}" if value else ""


class ClientRelativeForm(forms.ModelForm):
    class Meta:
        model = ClientRelative
        fields = ["kind", "name", "relationship", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_empty_choice(self.fields["kind"], _("Välj typ"))
