"""Forms for implementation plans: they parse and validate fields; the services run the flow.

Plain forms, as in bestallning.forms: the services own every write and word their own errors,
whose keys are these forms' field names (a row's are `items-<i>-<field>`).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bestallning import rules as order_rules
from bestallning.choices import Period
from bestallning.forms import (
    Catalogue,
    CheckboxSelectMultiple,
    DateInput,
    FrequencyValidationMixin,
    RadioSelect,
    number_input,
    text_area,
)
from genomforandeplan import rules, services
from genomforandeplan.choices import CHECKLIST_STEPS, MeetingPlace, Participant
from genomforandeplan.models import HEADING_FIELDS, Headings, ImplementationPlan, PlanItem
from ramtid.choices import Role
from ramtid.forms import AddableRowsMixin, label_needed_for
from ramtid.models import User

MAX_ITEMS = 50
ITEMS_PREFIX = "items"
OWN_WORDS = _("Med brukarens egna ord: skriv det brukaren säger, inte en bedömning.")


def _heading(name: str) -> forms.CharField:
    return forms.CharField(
        label=Headings._meta.get_field(name).verbose_name,
        help_text=OWN_WORDS,
        required=False,
        widget=text_area(3),
    )


class HeadingsForm(forms.Form):
    """The five headings of 004 §3.3, for the plan as a whole and for each intervention."""

    can_do_myself = _heading("can_do_myself")
    need_help_with = _heading("need_help_with")
    how_and_when = _heading("how_and_when")
    who_helps = _heading("who_helps")
    my_goal = _heading("my_goal")


# ---------------------------------------------------------------------------------------------
# Contact person


class ContactAssignForm(forms.Form):
    # Any user id may be posted: the service says who does not work at the provider, on the field.
    contact_person = forms.IntegerField(label=_("Kontaktman"), widget=forms.Select)
    deputy = forms.IntegerField(
        label=_("Ersättare"),
        required=False,
        help_text=_("Tar över när kontaktmannen är ledig."),
        widget=forms.Select,
    )

    def __init__(self, *args, provider_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        staff = (
            User.objects.filter(
                memberships__provider_id=provider_id,
                memberships__role__in=[Role.CONTACT_PERSON, Role.PROVIDER_COORDINATOR],
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        people = [(user.pk, user.get_full_name() or user.username) for user in staff]
        self.fields["contact_person"].widget.choices = [("", _("Välj kontaktman")), *people]
        self.fields["deputy"].widget.choices = [("", _("Ingen ersättare")), *people]

    def _user(self, name: str) -> User | None:
        pk = self.cleaned_data.get(name)
        if pk is None:
            return None
        user = User.objects.filter(pk=pk, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Välj en person i listan."))
        return user

    def clean_contact_person(self) -> User:
        return self._user("contact_person")

    def clean_deputy(self) -> User | None:
        return self._user("deputy")


# ---------------------------------------------------------------------------------------------
# The plan page: the plan as a whole, participation, checklist, reasons for gaps, approval


class PlanForm(HeadingsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    planned_daily_visits = forms.IntegerField(
        label=_("Planerade besök per dag"),
        required=False,
        min_value=0,
        max_value=24,
        help_text=_("Hur många gånger per dag personalen kommer. Ska följa beställningen."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    participants = forms.MultipleChoiceField(
        label=_("Vem deltog när planen skrevs?"),
        choices=Participant.choices,
        required=False,
        widget=CheckboxSelectMultiple,
    )
    meeting_place = forms.ChoiceField(
        label=_("Var skrevs planen?"),
        choices=MeetingPlace.choices,
        required=False,
        widget=RadioSelect,
    )
    meeting_place_other = forms.CharField(
        label=_("Annan plats"),
        required=False,
        max_length=200,
        help_text=_("Fyll i om ni träffades någon annanstans än hemma eller per telefon."),
    )
    client_influence = forms.CharField(
        label=_("Hur brukaren påverkade planen"),
        required=False,
        help_text=_("Vad brukaren själv ville, valde eller ändrade."),
        widget=text_area(3),
    )
    deviation_reason = forms.CharField(
        label=_("Varför brukaren inte kunde eller ville delta"),
        required=False,
        help_text=_("Fyll bara i om brukaren inte deltog (004 §3.2.9)."),
        widget=text_area(3),
    )
    deviation_helper = forms.CharField(
        label=_("Vem som hjälpte till i stället"), required=False, max_length=200
    )
    life_story = forms.CharField(
        label=_("Levnadsberättelse"),
        required=False,
        help_text=_("Kort, om brukaren vill: det som är viktigt för brukaren att personalen vet."),
        widget=text_area(4),
    )
    # Saved with the rest of the page; completing the plan freezes them into the version.
    client_approved_on = forms.DateField(
        label=_("Datum då brukaren godkände planen"),
        required=False,
        widget=DateInput(),
        help_text=_("Dagen då brukaren godkände planen, även om du för in den senare."),
    )
    client_approval_how = forms.CharField(
        label=_("Hur brukaren godkände planen"),
        required=False,
        max_length=200,
        help_text=_("T.ex. muntligt vid besöket, eller med sin underskrift."),
    )

    def __init__(self, *args, gaps: list[rules.Gap] = (), ordered_daily_visits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gaps = list(gaps)
        for key, label in CHECKLIST_STEPS:
            self.fields[f"step_{key}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"step_{key}_on"] = forms.DateField(
                label=_("Datum"), required=False, widget=DateInput()
            )
        for gap in self.gaps:
            self.fields[f"reason_{gap.key}"] = forms.CharField(
                label=_("Skäl"),
                required=False,
                max_length=1000,
                help_text=_("Varför planen avviker från beställningen, om den inte rättas."),
                # Kept as it is in the page when an autosave refreshes the check around it.
                widget=forms.Textarea(attrs={"rows": 2, "hx-preserve": "true"}),
            )
        needed_for = rules.needed_for_labels()
        needed_for.update({f"reason_{gap.key}": rules.GAP_REASON.needed_for for gap in self.gaps})
        if ordered_daily_visits:
            needed_for["planned_daily_visits"] = rules.NEEDED_TO_COMPLETE
            self.fields["planned_daily_visits"].help_text = _(
                "Beställningen har %(count)s besök per dag. Planen ska följa det, eller ange "
                "ett skäl nedan."
            ) % {"count": ordered_daily_visits}
        label_needed_for(self, needed_for)

    @classmethod
    def initial_for(cls, plan: ImplementationPlan) -> dict:
        initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        initial["version"] = plan.version
        for key, _label in CHECKLIST_STEPS:
            day = (plan.checklist or {}).get(key)
            initial[f"step_{key}"] = bool(day)
            initial[f"step_{key}_on"] = day or ""
        for key, text in (plan.coverage_reasons or {}).items():
            initial[f"reason_{key}"] = text
        return initial

    def checklist_rows(self) -> list[tuple]:
        return [(self[f"step_{key}"], self[f"step_{key}_on"]) for key, _label in CHECKLIST_STEPS]

    def gap_rows(self) -> list[tuple]:
        return [(gap, self[f"reason_{gap.key}"]) for gap in self.gaps]

    def service_fields(self, plan: ImplementationPlan) -> dict:
        data = self.cleaned_data
        checklist = {}
        for key, _label in CHECKLIST_STEPS:
            day = data.get(f"step_{key}_on")
            if data.get(f"step_{key}") or day:
                checklist[key] = (day or timezone.localdate()).isoformat()
        reasons = dict(plan.coverage_reasons or {})
        for gap in self.gaps:
            text = data.get(f"reason_{gap.key}", "").strip()
            if text:
                reasons[gap.key] = text
            else:
                reasons.pop(gap.key, None)
        fields = {name: data[name] for name in HEADING_FIELDS}
        fields.update(
            planned_daily_visits=data["planned_daily_visits"],
            participants=list(data["participants"]),
            meeting_place=data["meeting_place"],
            meeting_place_other=data["meeting_place_other"],
            client_influence=data["client_influence"],
            deviation_reason=data["deviation_reason"],
            deviation_helper=data["deviation_helper"],
            life_story=data["life_story"],
            checklist=checklist,
            coverage_reasons=reasons,
            client_approved_on=data["client_approved_on"],
            client_approval_how=data["client_approval_how"],
        )
        return fields


class CompleteForm(forms.Form):
    """The confirmation of "Markera planen som klar": the version of the working copy that the
    contact person read, so that a save in between stops the completion."""

    version = forms.IntegerField(widget=forms.HiddenInput)


# ---------------------------------------------------------------------------------------------
# One card per planned intervention


class PlanItemForm(FrequencyValidationMixin, HeadingsForm):
    occasions_required = True  # a plan item says how often, or it is not a plan

    intervention_type = forms.ChoiceField(label=_("Insats"))
    period = forms.ChoiceField(
        label=_("Hur ofta"), choices=Period.choices, initial=Period.PER_WEEK, widget=RadioSelect
    )
    occasions = forms.IntegerField(
        label=_("Antal tillfällen"),
        error_messages={"required": _("Ange hur många gånger insatsen ges.")},
        widget=number_input(order_rules.OCCASIONS),
    )
    every_n_weeks = forms.IntegerField(
        label=_("Antal veckor mellan tillfällena"),
        required=False,
        initial=2,
        help_text=_("Bara för ”var n:te vecka”: 2 = varannan vecka."),
        widget=number_input(order_rules.EVERY_N_WEEKS),
    )

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["intervention_type"].choices = [
            ("", _("Välj insats")),
            *catalogue.type_choices,
        ]
        self.chosen = catalogue.type_for(self["intervention_type"].value())

    @classmethod
    def initial_for(cls, item: PlanItem) -> dict:
        return {
            "intervention_type": item.intervention_type_id,
            "period": item.period,
            "occasions": item.occasions,
            "every_n_weeks": item.every_n_weeks if item.period == Period.EVERY_N_WEEKS else 2,
            **{name: getattr(item, name) for name in HEADING_FIELDS},
        }

    def clean_intervention_type(self):
        kind = self.catalogue.type_for(self.cleaned_data["intervention_type"])
        if kind is None:
            raise forms.ValidationError(_("Välj en insats ur kommunens insatskatalog."))
        return kind

    def clean(self):
        data = super().clean()
        self.check_frequency(data)
        return data

    def service_input(self) -> services.PlanItemInput:
        data = self.cleaned_data
        return services.PlanItemInput(
            intervention_type=data["intervention_type"],
            period=data["period"],
            occasions=data["occasions"] or 0,
            every_n_weeks=(data["every_n_weeks"] or 0)
            if data["period"] == Period.EVERY_N_WEEKS
            else 1,
            **{name: data[name] for name in HEADING_FIELDS},
        )

    def add_service_error(self, name: str, messages: list[str]) -> None:
        self.add_error(name if name in self.fields else None, messages)


class BasePlanItemFormSet(AddableRowsMixin, forms.BaseFormSet):
    def rows(self) -> list[PlanItemForm]:
        """The cards to save, in page order: filled in and not marked for removal."""
        return [
            form for form in self.forms if not self._should_delete_form(form) and form.cleaned_data
        ]


PlanItemFormSet = forms.formset_factory(
    PlanItemForm,
    formset=BasePlanItemFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
)


# ---------------------------------------------------------------------------------------------
# The officer's review, the follow-up, comparing versions


class PlanReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Beslut"),
        choices=[("1", _("Godkänn planen")), ("0", _("Skicka tillbaka till utföraren"))],
        coerce=lambda value: value == "1",
        widget=RadioSelect,
    )
    comment = forms.CharField(
        label=_("Kommentar till utföraren"),
        required=False,
        help_text=_("Krävs när planen skickas tillbaka: skriv vad utföraren behöver ändra."),
        widget=text_area(4),
    )


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(
        label=_("Datum för uppföljningen"), widget=DateInput(), initial=timezone.localdate
    )
    notes = forms.CharField(
        label=_("Vad uppföljningen visade"),
        required=False,
        help_text=_("Hur insatserna fungerar för brukaren och om målen nås."),
        widget=text_area(5),
    )
    needs_changed = forms.BooleanField(
        label=_("Brukarens behov har ändrats (handläggaren behöver kontaktas)"), required=False
    )


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("Jämför version"), coerce=int)
    b = forms.TypedChoiceField(label=_("med version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(n)s") % {"n": n}) for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
