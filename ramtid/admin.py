"""Django's admin, in Swedish, for configuration only: rules, catalogue, organisations, users.

Case data (clients, decisions, plans) is not here: it is reached only through the scoped pages.
An administrator who is not a superuser sees the configuration of their own municipalities.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

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


class MunicipalityScopedAdmin(admin.ModelAdmin):
    municipality_lookup = "municipality"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        ids = permissions.administered_municipality_ids(request.user)
        return queryset.filter(**{f"{self.municipality_lookup}__in": ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "municipality" and not request.user.is_superuser:
            kwargs["queryset"] = Municipality.objects.filter(
                pk__in=permissions.administered_municipality_ids(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin):
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
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            created = services.municipality_create(
                **{field: form.cleaned_data[field] for field in form.cleaned_data}
            )
            obj.pk = created.pk


@admin.register(OrderingUnit)
class OrderingUnitAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]


@admin.register(Provider)
class ProviderAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "kind", "municipality"]
    list_filter = ["municipality", "kind"]


@admin.register(InterventionType)
class InterventionTypeAdmin(MunicipalityScopedAdmin):
    list_display = [
        "name",
        "category",
        "standard_minutes",
        "is_care_package",
        "active",
        "municipality",
    ]
    list_filter = ["municipality", "category", "active"]
    list_editable = ["standard_minutes", "active"]
    search_fields = ["name"]


class LifeAreaCategoryInline(admin.TabularInline):
    model = LifeAreaCategory
    extra = 0


@admin.register(LifeArea)
class LifeAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "grants_interventions"]
    inlines = [LifeAreaCategoryInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        ids = permissions.administered_municipality_ids(request.user)
        return queryset.filter(memberships__municipality__in=ids).distinct()
