"""Forms for decisions and orders: they parse and validate fields; the services run the flow.

Plain forms rather than ModelForms: a ModelForm would write into the instance and validate the
model's constraints itself, while here the services own every write and word their own errors
(they come back as `ValidationError`s whose keys are these forms' field names).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bestallning import rules, services
from bestallning.choices import (
    DecisionKind,
    DecisionOutcome,
    FunctionLevel,
    NeedChangeDirection,
    NeedChangeDuration,
    NeedChangeReason,
    Period,
    SupportOrientation,
    Weekday,
)
from bestallning.models import Decision, NeedChangeReport, Order, OrderedIntervention
from ramtid.choices import InterventionCategory
from ramtid.forms import AddableRowsMixin, DateInput, label_needed_for
from ramtid.models import InterventionType, LifeArea, LifeAreaCategory, Municipality, Provider

# Personal care first, with the headings of 004 Bilaga 4.
CATEGORY_HEADINGS = {
    InterventionCategory.PERSONAL_CARE: _("SoL Omvårdnadsinsatser"),
    InterventionCategory.SERVICE: _("SoL Serviceinsatser"),
}
MAX_INTERVENTIONS = 50


def label_of(model, name: str) -> str:
    return model._meta.get_field(name).verbose_name.capitalize()


def help_of(model, name: str) -> str:
    return model._meta.get_field(name).help_text


def date_field(model, name: str, **kwargs) -> forms.DateField:
    kwargs.setdefault("label", label_of(model, name))
    return forms.DateField(widget=DateInput(), **kwargs)


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RadioSelect(forms.RadioSelect):
    """Radios whose group "label" points at the first radio, so that the error summary's link
    (ramtid/_error_summary.html) moves focus into the group instead of to the top of the page."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


def number_input(bounds: tuple[int, int]) -> forms.NumberInput:
    """A short number field whose browser hints (min, max) come from the rule's bounds."""
    low, high = bounds
    return forms.NumberInput(
        attrs={"inputmode": "numeric", "class": "input--short", "min": low, "max": high}
    )


class FrequencyValidationMixin:
    """A form with a frequency (period, occasions, every n weeks, weekdays, minutes), checked by
    the one rule the services, the API and the visit import use (rules.frequency_errors)."""

    occasions_required = False

    def check_frequency(self, data: dict) -> None:
        errors = rules.frequency_errors(
            period=data.get("period"),
            occasions=data.get("occasions"),
            every_n_weeks=data.get("every_n_weeks"),
            weekdays=data.get("weekdays") if "weekdays" in self.fields else None,
            minutes=data.get("minutes") if "minutes" in self.fields else None,
            occasions_required=self.occasions_required,
        )
        for name, message in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)


class GroupedChoicesMixin:
    """Checkbox groups drawn under headings (granted interventions by category)."""

    def grouped_subwidgets(self, name: str, groups: dict[str, str]) -> list[tuple[str, list]]:
        """[(heading, [BoundWidget, …]), …] in the order of first appearance; `groups` maps a
        choice's value (as text) to its heading."""
        result: dict[str, list] = {}
        for widget in self[name].subwidgets:
            result.setdefault(groups.get(str(widget.data["value"]), ""), []).append(widget)
        return list(result.items())


# ---------------------------------------------------------------------------------------------
# The municipality's catalogue, read once per request and shared by every row of the order page


@dataclass
class Catalogue:
    """The intervention catalogue and the life areas as choices, so that fifty rows of the order
    page cost no more queries than one."""

    types: dict[int, InterventionType]
    active_ids: set[int]
    areas: dict[int, LifeArea]
    categories: dict[int, LifeAreaCategory]
    type_choices: list = field(default_factory=list)
    content_choices: list = field(default_factory=list)
    area_choices: list = field(default_factory=list)

    @classmethod
    def for_municipality(cls, municipality: Municipality, *, in_use: Iterable[int] = ()):
        """The municipality's active catalogue, plus inactive types an order already uses (the
        service then says they are no longer in use, instead of the row silently losing them)."""
        rows = list(
            InterventionType.objects.filter(municipality=municipality).order_by("position", "name")
        )
        in_use = set(in_use)
        types = {t.pk: t for t in rows if t.active or t.pk in in_use}
        areas = {a.pk: a for a in LifeArea.objects.prefetch_related("categories")}
        categories = {c.pk: c for a in areas.values() for c in a.categories.all()}
        catalogue = cls(
            types=types,
            active_ids={t.pk for t in rows if t.active},
            areas=areas,
            categories=categories,
        )
        catalogue._build_choices()
        return catalogue

    def _build_choices(self) -> None:
        for category, heading in CATEGORY_HEADINGS.items():
            options = [
                (pk, self.type_label(t)) for pk, t in self.types.items() if t.category == category
            ]
            if options:
                self.type_choices.append((heading, options))
        self.content_choices = [
            (pk, t.name)
            for pk, t in self.types.items()
            if t.category == InterventionCategory.PERSONAL_CARE
            and not t.is_care_package
            and pk in self.active_ids
        ]
        for area in sorted(self.areas.values(), key=lambda a: a.number):
            if not area.grants_interventions:
                continue  # area 11: no intervention is granted from it (004 Bilaga 6)
            subcategories = list(area.categories.all())
            if not subcategories:
                self.area_choices.append((f"area-{area.pk}", str(area)))
                continue
            self.area_choices.append(
                (
                    str(area),
                    [(f"area-{area.pk}", f"{area.name} – hela livsområdet")]
                    + [(f"category-{c.pk}", c.name) for c in subcategories],
                )
            )

    def type_label(self, kind: InterventionType) -> str:
        label = f"{kind.name} ({kind.standard_minutes} min)"
        if kind.pk not in self.active_ids:
            label += " – används inte längre"
        return label

    @property
    def care_package_ids(self) -> set[str]:
        return {str(pk) for pk, t in self.types.items() if t.is_care_package}

    def type_for(self, value) -> InterventionType | None:
        try:
            return self.types.get(int(value))
        except (TypeError, ValueError):
            return None


class InterventionTypeSelect(forms.Select):
    """Marks the care packages' options, so the stylesheet can show the package contents only
    when a care package is chosen (CSS :has(), no script)."""

    care_package_ids: set[str] = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.care_package_ids:
            option["attrs"]["data-care-package"] = "true"
        return option


# ---------------------------------------------------------------------------------------------
# Decisions


class DecisionForm(GroupedChoicesMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=label_of(Decision, "outcome"), choices=DecisionOutcome.choices, widget=RadioSelect
    )
    kind = forms.ChoiceField(
        label=_("Typ av insats"),
        choices=DecisionKind.choices,
        widget=RadioSelect,
        help_text=_("Står på beställningen: ”Bifall Omvårdnad SoL 4 kap. 1 §”."),
    )
    legal_basis = forms.CharField(
        label=label_of(Decision, "legal_basis"), max_length=100, initial="SoL 4 kap. 1 §"
    )
    decided_on = date_field(Decision, "decided_on")
    valid_from = date_field(Decision, "valid_from")
    valid_to = date_field(
        Decision,
        "valid_to",
        required=False,
        help_text=_("Lämna tomt om beslutet gäller tills vidare."),
    )
    granted_interventions = forms.MultipleChoiceField(
        label=label_of(Decision, "granted_interventions"),
        required=False,
        widget=CheckboxSelectMultiple,
    )
    hours_per_month = forms.DecimalField(
        label=_("Omfattning, timmar per månad"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=744,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("T.ex. 51,6. Ett bifall beviljar timmar; ange 0 bara vid avslag."),
    )
    reasoning = forms.CharField(label=label_of(Decision, "reasoning"), widget=text_area(5))
    purpose_and_goal = forms.CharField(
        label=label_of(Decision, "purpose_and_goal"), widget=text_area(4)
    )

    @classmethod
    def initial_for(cls, decision: Decision) -> dict:
        """A decision's values as the form shows them, to correct it."""
        initial = {name: getattr(decision, name) for name in services.DECISION_FIELDS}
        initial["granted_interventions"] = [t.pk for t in decision.granted_interventions.all()]
        return initial

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        today = timezone.localdate()
        self.fields["decided_on"].initial = today
        self.fields["valid_from"].initial = today
        self.fields["granted_interventions"].choices = [
            (pk, name)
            for _group, options in catalogue.type_choices
            for pk, name in options
            if pk in catalogue.active_ids
        ]

    def granted_groups(self):
        headings = {
            str(pk): heading
            for heading, options in self.catalogue.type_choices
            for pk, _name in options
        }
        return self.grouped_subwidgets("granted_interventions", headings)

    def clean_granted_interventions(self):
        return [self.catalogue.types[int(pk)] for pk in self.cleaned_data["granted_interventions"]]


class DecisionWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför återkallas beslutet?"),
        help_text=_("T.ex. att fel timantal registrerades. Skälet sparas med beslutet."),
        widget=text_area(4),
    )


class DecisionReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Godkänner du beslutet?"),
        choices=[("yes", _("Godkänn beslutet")), ("no", _("Godkänn inte beslutet"))],
        coerce=lambda value: value == "yes",
        widget=RadioSelect,
    )
    approval_comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        widget=text_area(4),
        help_text=_("Krävs om du inte godkänner beslutet: handläggaren ser kommentaren."),
    )

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not data.get("approval_comment", "").strip():
            self.add_error("approval_comment", _("Skriv varför beslutet inte godkänns."))
        return data


# ---------------------------------------------------------------------------------------------
# Orders: create, change, end, execute


class OrderCreateForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Utförare som brukaren har valt"),
        queryset=Provider.objects.none(),
        empty_label=_("Välj utförare"),
    )
    valid_from = date_field(Order, "valid_from", label=_("Beställningen gäller från"))

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(
            municipality_id=decision.client.municipality_id
        )
        self.fields["valid_from"].initial = max(decision.valid_from, timezone.localdate())


class OrderChangeForm(forms.Form):
    valid_from = date_field(
        Order,
        "valid_from",
        label=_("Ändringen gäller från"),
        help_text=_("Den nuvarande beställningen gäller till och med dagen före."),
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = max(
            order.valid_from + datetime.timedelta(days=1), timezone.localdate()
        )


class OrderEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Sista dag beställningen gäller"), widget=DateInput())
    reason = forms.CharField(
        label=_("Anledning till avslut"),
        widget=text_area(3),
        help_text=_("T.ex. att brukaren har flyttat eller inte längre vill ha hjälp."),
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        # Today, or the start of an order that has not started yet: the service refuses a last
        # day before the start, so the default must never be one.
        ended_on = self.fields["ended_on"]
        ended_on.initial = max(timezone.localdate(), order.valid_from)
        # The last day is included (valid_to: "gäller till och med").
        ended_on.help_text = _(
            "Tidigast %(start)s, dagen beställningen börjar gälla. Är det sista dagen gäller "
            "beställningen bara den dagen."
        ) % {"start": f"{order.valid_from:%Y-%m-%d}"}


class OrderExecuteForm(forms.Form):
    executed_on = forms.DateField(
        label=_("Verkställd datum"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("Dagen då hjälpen började."),
    )


# ---------------------------------------------------------------------------------------------
# The order page: the order's own fields and its interventions (a formset)


class OrderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    valid_from = date_field(Order, "valid_from", label=_("Beställningen gäller från"))
    order_text = forms.CharField(
        label=_("Det utföraren behöver veta"),
        help_text=help_of(Order, "order_text"),
        required=False,
        widget=text_area(5),
    )
    daily_visits = forms.IntegerField(
        label=_("Antal besök per dag"),
        help_text=_("Ange 0 om brukaren inte har dagliga besök."),
        required=False,
        min_value=0,
        max_value=24,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    daily_visits_description = forms.CharField(
        label=_("De dagliga besöken gäller"),
        help_text=_(
            "Vad besöken är till för, t.ex. ”hjälp med personlig omvårdnad i form av klädsel "
            "och hygien, tillsyn och mathållning”."
        ),
        required=False,
        widget=text_area(3),
    )
    overall_goals = forms.CharField(
        label=_("Mål, ett per rad"),
        help_text=_("T.ex. ”Leva ett värdigt liv och känna välbefinnande”."),
        required=False,
        widget=text_area(3),
    )
    body_functions = forms.CharField(
        label=label_of(Order, "body_functions"), required=False, widget=text_area(4)
    )
    environmental_factors = forms.CharField(
        label=label_of(Order, "environmental_factors"), required=False, widget=text_area(4)
    )
    health_condition = forms.CharField(
        label=label_of(Order, "health_condition"), required=False, widget=text_area(4)
    )
    personal_factors = forms.CharField(
        label=label_of(Order, "personal_factors"), required=False, widget=text_area(4)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_needed_for(self, {name: rules.NEEDED_TO_SEND for name in rules.SEND_REQUIRED_FIELDS})

    @classmethod
    def initial_for(cls, order: Order) -> dict:
        initial = {name: getattr(order, name) for name in services.ORDER_FIELDS}
        initial["overall_goals"] = "\n".join(order.overall_goals)
        initial["version"] = order.version
        return initial

    def clean_overall_goals(self) -> list[str]:
        goals = [line.strip() for line in self.cleaned_data["overall_goals"].splitlines()]
        goals = [goal for goal in goals if goal]
        too_long = [n for n, goal in enumerate(goals, start=1) if len(goal) > 300]
        if too_long:
            raise forms.ValidationError(
                _("Mål %(lines)s är längre än 300 tecken; dela upp det på flera rader.")
                % {"lines": ", ".join(map(str, too_long))}
            )
        return goals

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.ORDER_FIELDS}


class InterventionForm(FrequencyValidationMixin, forms.Form):
    """One ordered intervention. The catalogue comes in from the formset (`form_kwargs`)."""

    intervention_type = forms.ChoiceField(
        label=_("Insats"), widget=InterventionTypeSelect(attrs={"class": "intervention__type"})
    )
    # Which catalogue entry the minutes were filled in from: when the officer picks another
    # intervention, the time basis endpoint puts in that one's standard time instead.
    minutes_source = forms.CharField(required=False, widget=forms.HiddenInput)
    life_area = forms.ChoiceField(
        label=_("Livsområde"),
        required=False,
        help_text=_(
            "Det livsområde (ICF) som insatsen tillgodoser, med underkategori om det finns."
        ),
    )
    period = forms.ChoiceField(
        label=_("Hur ofta"),
        choices=Period.choices,
        initial=Period.PER_WEEK,
        widget=RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Veckodagar"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        initial=list(rules.ALL_WEEKDAYS),
        widget=CheckboxSelectMultiple,
    )
    every_n_weeks = forms.IntegerField(
        label=_("Antal veckor mellan tillfällena"),
        required=False,
        initial=2,
        help_text=_("2 = varannan vecka, 3 = var tredje vecka."),
        widget=number_input(rules.EVERY_N_WEEKS),
    )
    occasions = forms.IntegerField(
        label=_("Antal tillfällen"),
        required=False,
        help_text=_("Per dag, per vecka eller per period."),
        widget=number_input(rules.OCCASIONS),
    )
    minutes = forms.IntegerField(
        label=_("Minuter per tillfälle"), required=False, widget=number_input(rules.MINUTES)
    )
    double_staffing = forms.BooleanField(
        label=_("Dubbelbemanning (två personal samtidigt)"), required=False
    )
    assessed_level = forms.ChoiceField(
        label=label_of(OrderedIntervention, "assessed_level"),
        choices=[("", _("Välj")), *FunctionLevel.choices],
        required=False,
    )
    intended_level = forms.ChoiceField(
        label=label_of(OrderedIntervention, "intended_level"),
        choices=[("", _("Välj")), *FunctionLevel.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Resurser och svårigheter"),
        help_text=_("Vad brukaren klarar själv och vad hon eller han behöver hjälp med."),
        required=False,
        widget=text_area(4),
    )
    client_goal = forms.CharField(
        label=_("Brukarens mål"),
        help_text=_("Med brukarens egna ord."),
        required=False,
        widget=text_area(4),
    )
    support_orientation = forms.ChoiceField(
        label=_("Bedömt behov av insatser: behovet kan tillgodoses med"),
        choices=SupportOrientation.choices,
        initial=SupportOrientation.UNSPECIFIED,
        widget=RadioSelect,
    )
    care_package_contents = forms.TypedMultipleChoiceField(
        label=_("Omvårdnadsinsatser i paketet"),
        help_text=help_of(OrderedIntervention, "care_package_contents"),
        coerce=int,
        required=False,
        widget=CheckboxSelectMultiple,
    )

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        label_needed_for(self, {name: rules.NEEDED_TO_SEND for name in rules.SEND_REQUIRED_FIELDS})
        kind = self.fields["intervention_type"]
        kind.choices = [("", _("Välj insats")), *catalogue.type_choices]
        kind.widget.care_package_ids = catalogue.care_package_ids
        self.fields["life_area"].choices = [("", _("Välj livsområde")), *catalogue.area_choices]
        self.fields["care_package_contents"].choices = catalogue.content_choices
        chosen = self.chosen = catalogue.type_for(self["intervention_type"].value())
        if chosen is not None:
            self.fields["minutes"].help_text = _(
                "Schablontid för %(name)s: %(minutes)s minuter. Justera efter behov."
            ) % {"name": chosen.name, "minutes": chosen.standard_minutes}
        else:
            self.fields["minutes"].help_text = _("Schablontiden från insatskatalogen.")

    @classmethod
    def initial_for(cls, item: OrderedIntervention) -> dict:
        life_area = ""
        if item.life_area_category_id:
            life_area = f"category-{item.life_area_category_id}"
        elif item.life_area_id:
            life_area = f"area-{item.life_area_id}"
        return {
            "intervention_type": item.intervention_type_id,
            "minutes_source": str(item.intervention_type_id),
            "life_area": life_area,
            "period": item.period,
            "weekdays": item.weekdays or list(rules.ALL_WEEKDAYS),
            "every_n_weeks": item.every_n_weeks if item.period == Period.EVERY_N_WEEKS else 2,
            "occasions": item.occasions,
            "minutes": item.minutes,
            "double_staffing": item.double_staffing,
            "assessed_level": item.assessed_level,
            "intended_level": item.intended_level,
            "description": item.description,
            "client_goal": item.client_goal,
            "support_orientation": item.support_orientation,
            "care_package_contents": [t.pk for t in item.care_package_contents.all()],
        }

    def clean_intervention_type(self) -> InterventionType:
        kind = self.catalogue.type_for(self.cleaned_data["intervention_type"])
        if kind is None:
            raise forms.ValidationError(_("Välj en insats ur kommunens insatskatalog."))
        return kind

    def clean_life_area(self) -> tuple[LifeArea | None, LifeAreaCategory | None]:
        value = self.cleaned_data["life_area"]
        kind, _sep, pk = value.partition("-")
        if kind == "category" and pk.isdigit() and int(pk) in self.catalogue.categories:
            category = self.catalogue.categories[int(pk)]
            return self.catalogue.areas[category.life_area_id], category
        if kind == "area" and pk.isdigit() and int(pk) in self.catalogue.areas:
            return self.catalogue.areas[int(pk)], None
        return None, None

    def clean_care_package_contents(self) -> list[InterventionType]:
        return [self.catalogue.types[pk] for pk in self.cleaned_data["care_package_contents"]]

    def clean(self):
        data = super().clean()
        kind = data.get("intervention_type")
        if kind is not None and not data.get("minutes") and "minutes" not in self.errors:
            data["minutes"] = kind.standard_minutes
        self.check_frequency(data)
        return data

    def frequency(self) -> rules.Frequency | None:
        """The row's frequency from what is filled in so far, or None while a part is missing.
        Lenient on purpose: the time basis is shown while the officer is still typing."""
        data = getattr(self, "cleaned_data", None) or {}
        kind = data.get("intervention_type")
        period = data.get("period")
        minutes = data.get("minutes") or (kind.standard_minutes if kind else None)
        occasions = data.get("occasions")
        if not (kind and period and minutes and occasions):
            return None
        weekdays = frozenset(data.get("weekdays") or ())
        every_n_weeks = data.get("every_n_weeks") or 0
        if period == Period.PER_DAY and not weekdays:
            return None
        if period == Period.EVERY_N_WEEKS and every_n_weeks < 1:
            return None
        return rules.Frequency(
            period=Period(period),
            occasions=occasions,
            minutes=minutes,
            weekdays=weekdays if period == Period.PER_DAY else rules.ALL_WEEKDAYS,
            every_n_weeks=every_n_weeks if period == Period.EVERY_N_WEEKS else 1,
            double_staffing=bool(data.get("double_staffing")),
        )

    def service_input(self) -> services.InterventionInput:
        data = self.cleaned_data
        kind, period = data["intervention_type"], data["period"]
        life_area, category = data["life_area"]
        return services.InterventionInput(
            intervention_type=kind,
            period=period,
            minutes=data["minutes"],
            occasions=data["occasions"],
            weekdays=data["weekdays"] if period == Period.PER_DAY else None,
            every_n_weeks=(data["every_n_weeks"] or 0) if period == Period.EVERY_N_WEEKS else 1,
            life_area=life_area,
            life_area_category=category,
            double_staffing=data["double_staffing"],
            assessed_level=data["assessed_level"],
            intended_level=data["intended_level"],
            description=data["description"],
            client_goal=data["client_goal"],
            support_orientation=data["support_orientation"],
            care_package_contents=data["care_package_contents"] if kind.is_care_package else [],
        )

    # The service's error keys are the model's field names; two of them share a control here.
    SERVICE_FIELDS = {"life_area_category": "life_area"}

    def add_service_error(self, name: str, messages: list[str]) -> None:
        name = self.SERVICE_FIELDS.get(name, name)
        self.add_error(name if name in self.fields else None, messages)


class BaseInterventionFormSet(AddableRowsMixin, forms.BaseFormSet):
    def rows(self) -> list[InterventionForm]:
        """The rows to save, in page order: filled in and not marked for removal."""
        return [
            form for form in self.forms if not self._should_delete_form(form) and form.cleaned_data
        ]

    def rows_with_frequency(self) -> list[tuple[InterventionForm, rules.Frequency | None]]:
        """For the time basis of unsaved data: cleans leniently, never raises."""
        self.is_valid()
        return [
            (form, form.frequency())
            for form in self.forms
            if not self._should_delete_form(form)
            and (getattr(form, "cleaned_data", None) or {}).get("intervention_type")
        ]


InterventionFormSet = forms.formset_factory(
    InterventionForm,
    formset=BaseInterventionFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_INTERVENTIONS,
    validate_max=True,
)
INTERVENTIONS_PREFIX = "interventions"


# ---------------------------------------------------------------------------------------------
# Change of need


class NeedChangeReportForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Hur har behovet förändrats?"),
        choices=NeedChangeDirection.choices,
        widget=RadioSelect,
    )
    duration = forms.ChoiceField(
        label=_("Är förändringen varaktig eller tillfällig?"),
        choices=NeedChangeDuration.choices,
        widget=RadioSelect,
    )
    reason = forms.ChoiceField(
        label=label_of(NeedChangeReport, "reason"),
        choices=NeedChangeReason.choices,
        widget=RadioSelect,
    )
    description = forms.CharField(
        label=_("Beskriv förändringen"),
        help_text=_(
            "Vad har hänt, vad behöver brukaren hjälp med nu och sedan när? Handläggaren "
            "kontaktar er vid behov."
        ),
        widget=text_area(5),
    )


class NeedChangeNoChangeForm(forms.Form):
    answer_reason = forms.CharField(
        label=_("Varför ändras inte beställningen?"),
        help_text=_("Utföraren ser motiveringen."),
        widget=text_area(4),
    )
