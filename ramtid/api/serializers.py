from rest_framework import serializers

from ramtid import permissions
from ramtid.models import Client, ClientRelative

PROTECTED_FIELDS = ("street_address", "postal_code", "city", "phone")


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
