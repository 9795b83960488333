"""Django's admin, in Swedish, for configuration only: rules, catalogue, organisations, users and
API tokens. Case data (clients, decisions, plans) is not here: it is reached only through the
scoped pages.

The administrator role decides, not Django's per-model permissions: a superuser administers
everything, a user with the administrator role the configuration of their own municipalities,
and nobody else anything. Another municipality's object is simply not in the querysets.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as DrfTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from ramtid import permissions, services
from ramtid.models import (
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
    list_filter = ["municipality"]


@admin.register(Provider)
class ProviderAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "organisation_number", "municipality"]
    list_filter = ["municipality", "kind"]


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
    list_filter = ["municipality", "category", "active"]
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


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(RoleAdminMixin, DrfTokenAdmin):
    """API tokens, for integration accounts only (a provider's or a unit's system, issue 10).

    The key is shown once, when it is made, and never listed: a key in a list would let whoever
    reads the admin act as the system. Making and removing a key is in the audit trail."""

    municipality_lookup = "user__memberships__municipality"
    list_display = ("user", "created")

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            field.queryset = field.queryset.filter(is_integration_account=True)
            field.help_text = _("Bara integrationskonton kan få API-nycklar, aldrig en person.")
        return field

    def save_model(self, request, obj, form, change):
        services.api_token_create(token=obj, by=request.user)
        self.message_user(
            request,
            _("API-nyckeln för %(user)s är %(key)s. Den visas bara nu: kopiera den till systemet.")
            % {"user": obj.user, "key": obj.key},
        )

    def delete_model(self, request, obj):
        services.api_token_delete(token=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            services.api_token_delete(token=token, by=request.user)
