from rest_framework import serializers

from ramtid import permissions
from ramtid.models import Client, ClientRelative, InterventionType

PROTECTED_FIELDS = ("street_address", "postal_code", "city", "phone")


class PageFactsMixin:
    """For a serializer whose fields need facts that are read for many rows at once (a fixed
    number of queries per page, not a few per row): `page_facts(rows)` returns {pk: facts} for
    every row, and the fields call `self.facts(obj)`. In a list the first row reads the facts
    of the whole page it is on; a single object reads its own."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "page_facts", None)):
            raise TypeError(f"{cls.__name__} must define page_facts(rows) -> {{pk: facts}}")

    def facts(self, obj):
        cache = self.context.setdefault(f"_facts_{type(self).__name__}", {})
        if obj.pk not in cache:
            listed = isinstance(self.parent, serializers.ListSerializer)
            page = self.parent.instance if listed else None
            rows = list(page) if page is not None else []
            cache.update(self.page_facts(rows if obj in rows else [obj]))
        return cache[obj.pk]


class PlainRowMixin:
    """For a read-only serializer whose rows come hundreds to a page (a plan's items, versions
    and follow-ups): `plain(obj)` reads the row straight off the object, a fraction of what DRF
    spends building it field by field. The fields stay declared, for the schema and for the
    test that a plain row is exactly what DRF would give (tests/test_plain_rows.py)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "plain", None)):
            raise TypeError(f"{cls.__name__} must define plain(obj) -> dict")

    def to_representation(self, obj) -> dict:
        return self.plain(obj)

    def drf_representation(self, obj) -> dict:
        """The row as DRF builds it from the declared fields."""
        return super().to_representation(obj)


def iso_date(value) -> str | None:
    """A date as DRF's DateField gives it."""
    return value.isoformat() if value is not None else None


def text_of(value) -> str | None:
    """An object as DRF's StringRelatedField gives it."""
    return str(value) if value is not None else None


class ClientRelativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientRelative
        fields = ["id", "kind", "name", "relationship", "phone", "email"]


class ClientSerializer(serializers.ModelSerializer):
    personal_number = serializers.CharField(source="personal_number_display", read_only=True)
    ordering_unit = serializers.StringRelatedField()
    relatives = ClientRelativeSerializer(many=True, read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "personal_number",
            "first_name",
            "last_name",
            "gender",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "protected_identity",
            "ordering_unit",
            "relatives",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not permissions.can_view_client_contact(user, instance):
            # A relative's phone or e-mail can lead to the person as surely as their own.
            for field in PROTECTED_FIELDS:
                data[field] = None
            for relative in data["relatives"]:
                relative["phone"] = relative["email"] = None
        return data


class InterventionTypeSerializer(serializers.ModelSerializer):
    """En insats i kommunens insatskatalog: id:t anges när en plan skrivs via API:t."""

    municipality = serializers.StringRelatedField(
        help_text="Kommunen vars katalog insatsen ingår i."
    )
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = InterventionType
        fields = [
            "id",
            "municipality",
            "name",
            "category",
            "category_display",
            "standard_minutes",
            "is_care_package",
            "active",
        ]
        read_only_fields = fields
