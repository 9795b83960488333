from rest_framework import serializers

from ramtid import permissions
from ramtid.models import Client, ClientRelative, InterventionType

PROTECTED_FIELDS = ("street_address", "postal_code", "city", "phone")


class PageFactsMixin:
    """For a serializer whose fields need facts that are read for many rows at once (a fixed
    number of queries per page, not a few per row): `page_facts(rows)` returns {pk: facts} for
    every row, and the fields call `self.facts(obj)`. In a list the first row reads the facts
    of the whole page it is on; a single object reads its own."""

    def page_facts(self, rows: list) -> dict:
        raise NotImplementedError

    def facts(self, obj):
        cache = self.context.setdefault(f"_facts_{type(self).__name__}", {})
        if obj.pk not in cache:
            listed = isinstance(self.parent, serializers.ListSerializer)
            page = self.parent.instance if listed else None
            rows = list(page) if page is not None else []
            cache.update(self.page_facts(rows if obj in rows else [obj]))
        return cache[obj.pk]


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
