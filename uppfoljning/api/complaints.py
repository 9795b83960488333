"""Complaints over the API (uppfoljning.complaints), for the providers' systems and the
officers: `GET /api/klagomal/` lists the complaints the user sees (filterable by status, late,
category, client and the day received), `POST /api/klagomal/` registers one, `POST
…/{id}/besvara/` is the answer of the organisation it concerns and `POST …/{id}/avsluta/` the
officer's closing, under the same rules as the pages.

Another organisation's complaint, or a client the user does not see, is a 404; a visible one
the user may not act on is a 403; what the services refuse is a 400 with their Swedish messages
by field (ramtid.api.exceptions). Answering or closing again with the same content is answered
with the complaint as it is (a resent request changes nothing)."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from bestallning.api.serializers import ClientRefSerializer
from ramtid.api.filters import unknown_choice
from ramtid.api.mixins import LoggedReadMixin
from ramtid.selectors import clients_visible_to
from uppfoljning import complaints, permissions
from uppfoljning.api.time import ProviderRefSerializer
from uppfoljning.choices import AnswerMethod, ComplainantKind, ComplaintAbout, ComplaintCategory
from uppfoljning.models import Complaint

STATUSES = ["open", "answered", "closed"]


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(value, value) for value in STATUSES],
        method="filter_status",
        help_text=gettext_lazy(
            "open: inte besvarade; answered: besvarade, inte avslutade; closed: avslutade."
        ),
        error_messages=unknown_choice("status", STATUSES),
    )
    late = django_filters.BooleanFilter(
        method="filter_late",
        help_text=gettext_lazy(
            "true: bara de som inte besvarats i tid (obesvarade efter sista dagen eller "
            "besvarade efter den)."
        ),
    )
    category = django_filters.ChoiceFilter(
        choices=ComplaintCategory.choices,
        error_messages=unknown_choice("kategori", ComplaintCategory.values),
    )
    client = django_filters.NumberFilter(field_name="client_id", help_text="Brukarens id.")
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", help_text="Mottagna denna dag eller senare."
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", help_text="Mottagna denna dag eller tidigare."
    )

    class Meta:
        model = Complaint
        fields = ["status", "late", "category", "client", "received_from", "received_to"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(complaints.STATUS_Q[value])

    def filter_late(self, queryset, name, value):
        late = complaints.late_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ComplaintSerializer(serializers.ModelSerializer):
    client = ClientRefSerializer(read_only=True)
    provider = ProviderRefSerializer(read_only=True, allow_null=True)
    registered_by = serializers.StringRelatedField()
    answered_by = serializers.StringRelatedField()
    closed_by = serializers.StringRelatedField()
    status = serializers.SerializerMethodField(
        help_text="open (att besvara), answered (besvarat, inte avslutat) eller closed."
    )
    late = serializers.SerializerMethodField(
        help_text="Inte besvarat i tid: obesvarat efter sista dagen, eller besvarat efter den."
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "client",
            "ordering_unit",
            "about",
            "provider",
            "received_on",
            "answer_due",
            "raised_by",
            "raised_by_name",
            "category",
            "description",
            "registration_number",
            "registered_by",
            "registered_at",
            "status",
            "late",
            "answer_text",
            "answer_method",
            "answered_on",
            "answered_at",
            "answered_by",
            "closing_note",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = fields

    def get_status(self, complaint: Complaint) -> str:
        return complaints.ComplaintState.of(complaint).status

    def get_late(self, complaint: Complaint) -> bool:
        return complaints.ComplaintState.of(complaint).late


class ComplaintCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(help_text="Brukarens id.")
    about = serializers.ChoiceField(
        choices=ComplaintAbout.choices,
        help_text="provider: utförarens insatser; ordering_unit: beställarenhetens handläggning.",
        error_messages=unknown_choice("värde", ComplaintAbout.values),
    )
    provider = serializers.IntegerField(
        required=False, allow_null=True, help_text="Utförarens id; krävs när about är provider."
    )
    received_on = serializers.DateField(
        required=False, help_text="Den dag klagomålet togs emot; i dag om det utelämnas."
    )
    raised_by = serializers.ChoiceField(
        choices=ComplainantKind.choices,
        error_messages=unknown_choice("värde", ComplainantKind.values),
    )
    raised_by_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(
        choices=ComplaintCategory.choices,
        error_messages=unknown_choice("kategori", ComplaintCategory.values),
    )
    description = serializers.CharField(max_length=4000)
    registration_number = serializers.CharField(required=False, allow_blank=True, max_length=50)


class AnswerSerializer(serializers.Serializer):
    answer_text = serializers.CharField(max_length=4000)
    answer_method = serializers.ChoiceField(
        choices=AnswerMethod.choices, error_messages=unknown_choice("värde", AnswerMethod.values)
    )
    answered_on = serializers.DateField(
        required=False, help_text="Den dag svaret lämnades; i dag om det utelämnas."
    )


class CloseSerializer(serializers.Serializer):
    closing_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    registration_number = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Diarienummer."
    )


@extend_schema_view(
    list=extend_schema(summary="Lista klagomål"),
    retrieve=extend_schema(summary="Visa ett klagomål"),
)
class ComplaintViewSet(
    LoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Synpunkter och klagomål om brukarnas hemtjänst: utföraren ser klagomålen om sig själv,
    handläggaren sin enhets brukares."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def get_queryset(self):
        return complaints.complaints_visible_to(self.request.user).order_by("-received_on", "-pk")

    def _response(self, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
        complaint = self.get_queryset().get(pk=complaint.pk)
        self.log_read([complaint.client])
        return Response(self.get_serializer(complaint).data, status=code)

    @extend_schema(
        request=ComplaintCreateSerializer,
        responses={201: ComplaintSerializer},
        summary="Registrera ett klagomål",
    )
    def create(self, request: Request) -> Response:
        """Handläggaren på brukarens enhet registrerar klagomål om enheten eller om en utförare
        som har eller har haft en beställning för brukaren; utförarens samordnare och brukarens
        kontaktman om utföraren själv."""
        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = clients_visible_to(request.user).filter(pk=values.pop("client")).first()
        if client is None:
            raise NotFound(_("Brukaren finns inte."))
        targets = complaints.complaint_targets(request.user, client)
        if not targets:
            raise PermissionDenied(_("Du kan inte registrera klagomål för brukaren."))
        provider_id = values.pop("provider", None)
        values["provider"] = None
        if values["about"] == ComplaintAbout.PROVIDER:
            if provider_id is None:
                raise ValidationError({"provider": [_("Ange utförarens id.")]})
            provider = next((p for p in targets.providers if p.pk == provider_id), None)
            if provider is None:
                raise ValidationError(
                    {"provider": [_("Du kan inte registrera klagomål om den utföraren.")]}
                )
            values["provider"] = provider
        elif targets.unit is None:
            raise ValidationError(
                {"about": [_("Klagomål om handläggningen registreras av brukarens handläggare.")]}
            )
        values.setdefault("received_on", timezone.localdate())
        complaint = complaints.register_complaint(client=client, by=request.user, **values)
        return self._response(complaint, status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ComplaintSerializer, summary="Besvara")
    @action(detail=True, methods=["post"], url_path="besvara")
    def answer(self, request: Request, pk=None) -> Response:
        """Den organisation som klagomålet gäller registrerar svaret: utförarens samordnare, eller
        handläggaren på brukarens enhet för handläggningen."""
        complaint = self.get_object()
        if not permissions.answers_complaint(request.user, complaint):
            raise PermissionDenied(_("Bara den som klagomålet gäller kan besvara det."))
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaints.answer_complaint(complaint=complaint, by=request.user, **data.validated_data)
        return self._response(complaint)

    @extend_schema(request=CloseSerializer, responses=ComplaintSerializer, summary="Avsluta")
    @action(detail=True, methods=["post"], url_path="avsluta")
    def close(self, request: Request, pk=None) -> Response:
        """Handläggaren på brukarens enhet avslutar ett besvarat klagomål om en utförare."""
        complaint = self.get_object()
        if not permissions.closes_complaint(request.user, complaint):
            raise PermissionDenied(_("Bara handläggare på brukarens enhet avslutar klagomålet."))
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaints.close_complaint(complaint=complaint, by=request.user, **data.validated_data)
        return self._response(complaint)


router = SimpleRouter()
router.register("klagomal", ComplaintViewSet, basename="complaint_api")

urlpatterns = router.urls
