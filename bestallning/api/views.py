"""Decisions and orders over the API: reads scoped by the selectors, one action per transition.

Another organisation's order is a 404 (it is not in the queryset); an order the user can see but
may not act on is a 403; a transition the services refuse is a 400 with their Swedish messages
(the core's exception handler, ramtid.api.exceptions, turns their ValidationError into it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from bestallning import permissions, selectors, services, states
from bestallning.api.filters import OrderFilter
from bestallning.api.serializers import (
    DecisionSerializer,
    ExecuteSerializer,
    NeedChangeReportSerializer,
    OrderSerializer,
)
from bestallning.models import Order, OrderedIntervention
from ramtid.api.mixins import LoggedReadMixin


class DecisionViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Biståndsbeslut för beställarenhetens brukare. Utförare ser inga beslut."""

    serializer_class = DecisionSerializer

    def get_queryset(self):
        return selectors.decisions_visible_to(self.request.user).prefetch_related(
            "granted_interventions"
        )


def for_order_serializer(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders with what OrderSerializer reads, and no more, in a fixed number of queries.

    Not the superseded order (its id is on the row) or the client's unit, which the selector
    joins for the pages. A page of a hundred orders has some six hundred interventions naming
    a few dozen catalogue entries and life areas: those are read once each and shared by the
    rows that name them (a join would build one object per row), and a care package's contents
    come as a plain list per intervention (`package_contents`; Django's default prefetch builds
    a related manager and a queryset for every intervention).
    """
    return (
        orders.select_related(None)
        .select_related("client__municipality", "provider", "decision", "ordered_by")
        .prefetch_related(
            Prefetch(
                "interventions",
                queryset=OrderedIntervention.objects.prefetch_related(
                    "intervention_type",
                    "life_area",
                    "life_area_category",
                    Prefetch("care_package_contents", to_attr="package_contents"),
                ),
            )
        )
    )


# Served at /api/bestallningar/ through genomforandeplan.api.views.OrderViewSet, which extends
# this one with what genomforandeplan knows of an order (the plan deadline, the contact person):
# bestallning may not import genomforandeplan, so the later app adds to the earlier one.
class OrderViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Beställningar: handläggarna ser sin enhets, utförare de som skickats till dem."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return for_order_serializer(selectors.orders_visible_to(self.request.user))

    def _transition(
        self,
        allowed: Callable[[object, Order], bool],
        allowed_from: frozenset,
        refused: str,
        run: Callable[[Order], object],
    ):
        """Run one workflow transition on a visible order. `refused` says who may do it; an
        order in a status the transition does not start from (`allowed_from`, the state table
        bestallning.states) is refused with its status."""
        order = self.get_object()
        if not allowed(self.request.user, order):
            if order.status not in allowed_from:
                refused = _("Det går inte när beställningen har status ”%(status)s”.") % {
                    "status": order.get_status_display()
                }
            raise PermissionDenied(refused)
        return run(order)

    def _order_response(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        order = self.get_queryset().get(pk=order.pk)
        self.log_read([order.client])
        return Response(self.get_serializer(order).data, status=code)

    @extend_schema(request=None, summary="Kvittera beställningen")
    @action(detail=True, methods=["post"], url_path="kvittera")
    def receive(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare kvitterar att beställningen har kommit fram."""
        order = self._transition(
            permissions.can_receive_order,
            states.RECEIVABLE,
            _("Bara utförarens samordnare kan kvittera beställningen."),
            lambda order: services.order_receive(order=order, by=request.user),
        )
        return self._order_response(order)

    @extend_schema(request=ExecuteSerializer, summary="Verkställ")
    @action(detail=True, methods=["post"], url_path="verkstall")
    def execute(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare anger den dag då insatserna började ges."""
        data = ExecuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = self._transition(
            permissions.can_execute_order,
            states.EXECUTABLE,
            _("Bara utförarens samordnare kan verkställa beställningen."),
            lambda order: services.order_execute(
                order=order, by=request.user, executed_on=data.validated_data["executed_on"]
            ),
        )
        return self._order_response(order)

    @extend_schema(
        request=NeedChangeReportSerializer,
        responses={201: NeedChangeReportSerializer},
        summary="Rapportera förändrat behov",
    )
    @action(detail=True, methods=["post"], url_path="forandrat-behov")
    def report_need_change(self, request: Request, pk=None) -> Response:
        """Utföraren meddelar handläggaren att brukarens behov har ändrats."""
        data = NeedChangeReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = self._transition(
            permissions.can_report_need_change,
            states.NEED_CHANGE_REPORTABLE,
            _("Bara utföraren som har beställningen kan rapportera förändrat behov."),
            lambda order: services.need_change_report(
                order=order, by=request.user, **data.validated_data
            ),
        )
        return Response(NeedChangeReportSerializer(report).data, status=status.HTTP_201_CREATED)
