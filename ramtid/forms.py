from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ramtid import personal_number
from ramtid.choices import Role
from ramtid.models import Client, ClientRelative, OrderingUnit, User
from ramtid.services import CLIENT_FIELDS


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


class AddableRowsMixin:
    """For a formset whose page adds rows one at a time ("Lägg till insats"): an empty row at
    `index` with the formset's prefix, fields and kwargs, rendered on its own."""

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


class ClientSearchForm(forms.Form):
    # Sent by POST, so that a personal number typed here never ends up in a URL or an access log.
    q = forms.CharField(label=_("Sök på namn eller personnummer"), required=False, max_length=100)


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

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ordering_unit"].queryset = units
        if len(units) == 1:
            self.fields["ordering_unit"].initial = units[0]
        officers = User.objects.filter(
            memberships__role=Role.CASE_OFFICER, memberships__ordering_unit__in=units
        ).distinct()
        self.fields["responsible_officer"].queryset = officers
        self.fields["responsible_officer"].required = False
        if self.instance.pk:
            # The personal number identifies the person and is never changed after registration.
            del self.fields["personal_number_input"]
            del self.fields["ordering_unit"]

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
