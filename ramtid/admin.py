"""Django's admin, in Swedish, for configuration only: rules, catalogue, organisations, users and
API tokens. Case data (clients, decisions, plans) is not here: it is reached only through the
scoped pages.

The administrator role decides, not Django's per-model permissions: a superuser administers
everything, a user with the administrator role the configuration of their own municipalities,
and nobody else anything. Another municipality's object is simply not in the querysets.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ramtid import permissions, services
from ramtid.models import (
    ApiToken,
    InterventionType,
    LifeArea,
    LifeAreaCategory,
    Membership,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

admin.site.site_header = _("Ramtid – administration")
admin.site.site_title = _("Ramtid")
admin.site.index_title = _("Kommunens inställningar")

# A filter by municipality offers only the municipalities of the rows the administrator may see:
# Django's default filter lists every municipality, another municipality's name too (issue 10,
# the route matrix).
MUNICIPALITY_FILTER = ("municipality", admin.RelatedOnlyFieldListFilter)


class RoleAdminMixin:
    """Permissions from the administrator role, querysets scoped to the administered
    municipalities through `municipality_lookup`."""

    municipality_lookup = "municipality"

    def _municipality_ids(self, request) -> set[int]:
        return permissions.administered_municipality_ids(request.user)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(self._municipality_ids(request))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        # Inlines are asked with the parent object as well.
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = {f"{self.municipality_lookup}__in": self._municipality_ids(request)}
        return queryset.filter(**lookup).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            ids = self._municipality_ids(request)
            scoped = {
                "municipality": Municipality.objects.filter(pk__in=ids),
                "ordering_unit": OrderingUnit.objects.filter(municipality__in=ids),
                "provider": Provider.objects.filter(municipality__in=ids),
                "user": User.objects.filter(memberships__municipality__in=ids).distinct(),
            }
            if db_field.name in scoped:
                kwargs["queryset"] = scoped[db_field.name]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Municipality)
class MunicipalityAdmin(RoleAdminMixin, admin.ModelAdmin):
    municipality_lookup = "pk"
    list_display = ["name", "code", "plan_deadline_days", "delegation_hours"]
    fieldsets = [
        (None, {"fields": ["name", "code"]}),
        (
            _("Genomförandeplan"),
            {"fields": ["plan_deadline_days", "contact_person_days", "plan_follow_up_months"]},
        ),
        (
            _("Ramtid och tidsberäkning"),
            {
                "fields": [
                    "ramtid_window_start",
                    "ramtid_window_end",
                    "days_per_month",
                    "weeks_per_month",
                ]
            },
        ),
        (
            _("Uppföljning"),
            {
                "fields": [
                    "monthly_check_day",
                    "consecutive_months_before_review",
                    "review_interval_months",
                    "first_review_after_months",
                    "complaint_answer_days",
                ]
            },
        ),
        (_("Delegation"), {"fields": ["delegation_hours"]}),
    ]

    def has_add_permission(self, request):
        # A new municipality is a new tenant: the operator's superuser creates it.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            created = services.municipality_create(**form.cleaned_data)
            obj.pk = created.pk


@admin.register(OrderingUnit)
class OrderingUnitAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = [MUNICIPALITY_FILTER]


@admin.register(Provider)
class ProviderAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "organisation_number", "municipality"]
    list_filter = [MUNICIPALITY_FILTER, "kind"]


@admin.register(InterventionType)
class InterventionTypeAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "standard_minutes",
        "is_care_package",
        "active",
        "municipality",
    ]
    # The municipality may be empty (the default catalogue), and Django's admin joins only the
    # relations that may not: named here, it is read with the rows, not once per row.
    list_select_related = ["municipality"]
    list_filter = [MUNICIPALITY_FILTER, "category", "active"]
    list_editable = ["standard_minutes", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Orders will refer to catalogue rows: retire an intervention with "aktiv" instead.
        return False


class LifeAreaCategoryInline(admin.TabularInline):
    model = LifeAreaCategory
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LifeArea)
class LifeAreaAdmin(admin.ModelAdmin):
    """The ICF classification is national: everyone in the admin may read it, nobody edit it."""

    list_display = ["number", "name", "grants_interventions"]
    inlines = [LifeAreaCategoryInline]

    def has_module_permission(self, request):
        return request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(RoleAdminMixin, admin.TabularInline):
    """A user's roles. A role that reaches case data, granted or changed here, waits for a unit
    manager's approval before it counts (issue 10: configuration staff cannot make themselves,
    or anyone, case staff alone)."""

    model = Membership
    extra = 0
    fk_name = "user"
    fields = ["role", "municipality", "ordering_unit", "provider", "granted_by", "approved_at"]
    readonly_fields = ["granted_by", "approved_at"]

    def get_formset(self, request, obj=None, **kwargs):
        # A new user gets a role in the same form (issue 10): without one the account would be
        # active, yet outside every list of the administrator who made it. (Removing a user's
        # last role later switches the account off: services.memberships_granted.)
        if obj is None and not request.user.is_superuser:
            kwargs["formset"] = RoleRequiredFormSet
            kwargs.setdefault("extra", 1)
        return super().get_formset(request, obj, **kwargs)


class RoleRequiredFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if not kept:
            raise ValidationError(
                _(
                    "Ge användaren en roll. Ett konto utan roll kan inte göra något, och du "
                    "skulle inte längre hitta det bland kommunens användare."
                )
            )


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    municipality_lookup = "memberships__municipality"
    inlines = [MembershipInline]
    administrator_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personuppgifter"), {"fields": ("first_name", "last_name", "email")}),
        (_("Behörighet"), {"fields": ("is_active", "is_staff", "is_integration_account")}),
        (_("Viktiga datum"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        # Only a superuser hands out superuser status or Django's own permissions.
        if obj is not None and not request.user.is_superuser:
            return self.administrator_fieldsets
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Integration"), {"fields": ("is_integration_account",)}))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            services.memberships_granted(
                memberships=formset.save(commit=False),
                deleted=formset.deleted_objects,
                by=request.user,
            )
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)


API_TOKEN_FIELDS = ["name", "user", "provider", "ordering_unit", "can_write", "expires_at"]


class ApiTokenForm(forms.ModelForm):
    """A new key: the service's checks run here too, so a refusal is a message by the field."""

    # The administrator making the key (ApiTokenAdmin.get_form sets it on the form's class).
    by = None

    class Meta:
        model = ApiToken
        fields = API_TOKEN_FIELDS

    def clean(self):
        cleaned = super().clean()
        user, expires_at = cleaned.get("user"), cleaned.get("expires_at")
        if user is not None and expires_at is not None:
            services.api_token_check(
                user=user,
                provider=cleaned.get("provider"),
                ordering_unit=cleaned.get("ordering_unit"),
                expires_at=expires_at,
                by=self.by,
            )
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin):
    """API keys, for integration accounts only (a provider's or a unit's system, issue 10), each
    in one provider or unit of the administered municipality, reading or also writing.

    The key is shown once, on the page that answers the form, and stored nowhere: not in the
    database (only its hash), not in a message or the session. A key cannot be changed or
    deleted, only revoked (the action "Återkalla"), so the trail keeps it."""

    form = ApiTokenForm
    list_display = [
        "name",
        "prefix",
        "user",
        "organisation",
        "can_write",
        "expires_at",
        "state",
        "last_used_at",
    ]
    list_select_related = ["user", "provider", "ordering_unit__municipality"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]
    # Shown, never edited, once made; key_hash never.
    shown_fields = [
        *API_TOKEN_FIELDS,
        "prefix",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        ids = self._municipality_ids(request)
        return queryset.filter(
            Q(provider__municipality__in=ids) | Q(ordering_unit__municipality__in=ids)
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return self.has_module_permission(request)

    def get_fields(self, request, obj=None):
        return API_TOKEN_FIELDS if obj is None else self.shown_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.by = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"expires_at": services.api_token_default_expiry(), "can_write": False}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            field.queryset = field.queryset.filter(is_integration_account=True, is_active=True)
            field.help_text = _(
                "Bara integrationskonton kan få API-nycklar, aldrig en person. Kontot ska ha "
                "en roll hos utföraren eller beställarenheten."
            )
        elif db_field.name in ("provider", "ordering_unit"):
            field.help_text = _(
                "Nyckeln gäller bara här, vilka andra roller kontot än har. Välj en utförare "
                "eller en beställarenhet."
            )
        return field

    @admin.display(description=_("organisation"))
    def organisation(self, token: ApiToken):
        return token.provider or token.ordering_unit

    @admin.display(description=_("status"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return _("Återkallad")
        if token.expires_at <= timezone.now():
            return _("Utgången")
        return _("Giltig")

    def save_model(self, request, obj, form, change):
        token, key = services.api_token_create(
            by=request.user, **{name: form.cleaned_data[name] for name in API_TOKEN_FIELDS}
        )
        obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
        # For response_add only: the one page that shows it.
        obj.key_shown_once = key

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API-nyckeln är skapad"),
            "token": obj,
            "key": obj.key_shown_once,
        }
        return TemplateResponse(request, "admin/ramtid/apitoken/created.html", context)

    @admin.action(description=_("Återkalla valda API-nycklar"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset)
        for token in tokens:
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d API-nyckel är återkallad.",
                "%(count)d API-nycklar är återkallade.",
                len(tokens),
            )
            % {"count": len(tokens)},
        )
