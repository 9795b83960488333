"""Implementation plans over the API, so that a provider's own documentation system can write
its plans under the same rules and access as the pages; and the orders, with what this app
knows of them (the plan deadline, the contact person).

Another organisation's plan (and a plan the ordering unit may not see yet) is a 404; a plan the
user can see but may not write is a 403; what the services refuse is a 400 with their Swedish
messages keyed by field (ramtid.api.exceptions), and a save against a stale `version` is a 409.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from bestallning import selectors as order_selectors
from bestallning.api import views as order_views
from genomforandeplan import permissions, selectors, services
from genomforandeplan.api.serializers import (
    ContactAssignSerializer,
    FollowUpSerializer,
    OrderWithPlanSerializer,
    PlanCompleteSerializer,
    PlanReviewSerializer,
    PlanSerializer,
    PlanStartSerializer,
    PlanWriteSerializer,
)
from genomforandeplan.models import HEADING_FIELDS, ImplementationPlan, PlanVersion
from genomforandeplan.states import PlanState
from ramtid.api.mixins import LoggedReadMixin


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _conflict_if_stale(
    plan: ImplementationPlan, version: int | None, error: DjangoValidationError
) -> None:
    """After a service refused a plan-wide save: if the plan is no longer at the version the
    caller read, that was the reason, and the answer is a 409 with the service's message."""
    if hasattr(error, "error_dict") or version is None:
        return
    if not ImplementationPlan.objects.filter(pk=plan.pk, version=version).exists():
        raise Conflict({"version": error.messages}) from None


@extend_schema_view(
    list=extend_schema(summary="Lista beställningar"),
    retrieve=extend_schema(summary="Visa en beställning"),
)
class OrderViewSet(order_views.OrderViewSet):
    """Beställningar: handläggarna ser sin enhets, utförare de som skickats till dem. Med
    genomförandeplanens tidsfrist och brukarens kontaktman."""

    serializer_class = OrderWithPlanSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("contact_assignment__contact_person", "contact_assignment__deputy")
        )

    @extend_schema(request=ContactAssignSerializer, summary="Utse kontaktman")
    @action(detail=True, methods=["post"], url_path="kontaktman")
    def assign_contact(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare utser brukarens kontaktman och ersättare (eller byter dem)."""
        order = self.get_object()
        if not permissions.can_assign_contact(request.user, order):
            raise PermissionDenied(_("Bara utförarens samordnare kan utse kontaktman."))
        data = ContactAssignSerializer(data=request.data, context={"provider": order.provider})
        data.is_valid(raise_exception=True)
        assignment = services.contact_assign(order=order, by=request.user, **data.validated_data)
        return self._order_response(assignment.order)


class PlanViewSet(
    LoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Genomförandeplaner: utföraren ser och skriver sina egna, beställarenheten ser dem när
    brukaren har godkänt dem."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        # What PlanSerializer reads, in a fixed number of queries however many plans: the rest
        # (the current order and its deadline) it reads for the whole page at once.
        return selectors.with_worklist_facts(
            selectors.plans_visible_to(self.request.user)
            .select_related(None)
            .select_related("client")
            # What many rows share (the provider, the types, the staff) prefetched, not joined:
            # one instance of each, not one per row.
            .prefetch_related(
                "provider",
                "items__intervention_type",
                # The frozen content only of the versions it shows (PlanSerializer.page_facts).
                Prefetch(
                    "versions",
                    queryset=PlanVersion.objects.defer("snapshot").select_related("review"),
                ),
                "versions__created_by",
                "follow_ups__followed_up_by",
            )
        )

    def _writable(self) -> ImplementationPlan:
        plan = self.get_object()
        if not permissions.can_write_plan(self.request.user, plan):
            raise PermissionDenied(
                _("Bara utförarens samordnare och brukarens kontaktman kan skriva planen.")
            )
        return plan

    def _plan_response(self, plan: ImplementationPlan, code: int = status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().get(pk=plan.pk)
        self.log_read([plan.client])
        return Response(self.get_serializer(plan).data, status=code)

    @extend_schema(summary="Lista genomförandeplaner")
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Visa en genomförandeplan")
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=PlanStartSerializer,
        responses={201: PlanSerializer},
        summary="Påbörja en genomförandeplan",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Påbörja planen för en beställning, förifylld med de beställda insatserna."""
        data = PlanStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = (
            order_selectors.orders_visible_to(request.user)
            .filter(pk=data.validated_data["order"])
            .first()
        )
        if order is None:
            raise Http404
        if not permissions.can_start_plan(request.user, order):
            raise PermissionDenied(
                _("Bara utförarens samordnare och brukarens kontaktman kan skriva planen.")
            )
        plan = services.plan_start(order=order, by=request.user)
        return self._plan_response(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses=PlanSerializer, summary="Spara planen")
    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        """Spara arbetsexemplaret med `version` från när det lästes. En klar eller godkänd plan
        blir ett utkast igen tills brukaren godkänner ändringen."""
        plan = self._writable()
        data = PlanWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        item_data = values.pop("items", None)
        if item_data is None:
            items = [
                services.PlanItemInput(
                    intervention_type=item.intervention_type,
                    period=item.period,
                    occasions=item.occasions,
                    every_n_weeks=item.every_n_weeks,
                    **{key: getattr(item, key) for key in HEADING_FIELDS},
                )
                for item in plan.items.all()
            ]
        else:
            items = [services.PlanItemInput(**item) for item in item_data]
        try:
            plan = services.plan_save(
                plan=plan, by=request.user, version=version, fields=values, items=items
            )
        except DjangoValidationError as error:
            _conflict_if_stale(plan, version, error)
            raise
        return self._plan_response(plan)

    @extend_schema(
        request=PlanWriteSerializer, responses=PlanSerializer, summary="Spara delar av planen"
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        request=PlanCompleteSerializer, responses=PlanSerializer, summary="Klarmarkera planen"
    )
    @action(detail=True, methods=["post"], url_path="klarmarkera")
    def complete(self, request: Request, pk=None) -> Response:
        """Brukaren har godkänt planen: den blir klar, en version sparas och handläggaren kan
        granska den."""
        plan = self._writable()
        data = PlanCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.plan_complete(plan=plan, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            _conflict_if_stale(plan, data.validated_data.get("version"), error)
            raise
        return self._plan_response(plan)

    @extend_schema(request=PlanReviewSerializer, responses=PlanSerializer, summary="Granska planen")
    @action(detail=True, methods=["post"], url_path="granska")
    def review(self, request: Request, pk=None) -> Response:
        """Handläggaren granskar den klara planen mot beställningen: godkänner den, eller
        skickar tillbaka den till utföraren med en kommentar."""
        plan = self.get_object()
        if not permissions.can_review_plan(request.user, plan):
            if not PlanState.of(plan).can_review:
                raise PermissionDenied(
                    _("Planen väntar inte på granskning (status ”%(status)s”).")
                    % {"status": plan.get_status_display()}
                )
            raise PermissionDenied(
                _("Bara handläggare på brukarens beställarenhet granskar planen.")
            )
        data = PlanReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_review(plan=plan, by=request.user, **data.validated_data)
        return self._plan_response(plan)

    @extend_schema(
        request=FollowUpSerializer,
        responses={201: FollowUpSerializer},
        summary="Registrera en uppföljning",
    )
    @action(detail=True, methods=["post"], url_path="uppfoljning")
    def follow_up(self, request: Request, pk=None) -> Response:
        """Utförarens uppföljning av planen, så ofta som kommunen har bestämt och när behoven
        ändras."""
        plan = self._writable()
        data = FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.plan_follow_up(plan=plan, by=request.user, **data.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)
