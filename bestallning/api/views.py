"""Decisions and orders over the API: reads scoped by the selectors, one action per transition.

Another organisation's order is a 404 (it is not in the queryset); an order the user can see but
may not act on is a 403; a transition the services refuse is a 400 with their Swedish message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from bestallning import permissions, selectors, services
from bestallning.api.serializers import (
    DecisionSerializer,
    ExecuteSerializer,
    NeedChangeReportSerializer,
    OrderSerializer,
)
from bestallning.choices import OrderStatus
from bestallning.models import Order
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.models import Client


class LoggedReadMixin:
    """Every read of case data over the API is logged for the clients it concerns."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._listed = page if page is not None else list(queryset)
        return page

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._log(self.client_of(obj) for obj in self._listed)
        return response

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._log([self.client_of(obj)])
        return Response(self.get_serializer(obj).data)

    def client_of(self, obj) -> Client:
        return obj.client

    def _log(self, clients: Iterable[Client]) -> None:
        unique = {client.pk: client for client in clients}
        log_access(
            user=self.request.user,
            clients=unique.values(),
            action=AccessAction.API,
            what=f"API {self.request.path}",
            request=self.request._request,
        )


class DecisionViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Biståndsbeslut för beställarenhetens brukare. Utförare ser inga beslut."""

    serializer_class = DecisionSerializer

    def get_queryset(self):
        return selectors.decisions_visible_to(self.request.user).prefetch_related(
            "granted_interventions"
        )


def _bad_request(error: DjangoValidationError) -> ValidationError:
    """The services' Swedish messages, keyed by field where they name one."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    enum=OrderStatus.values,
    description="Visa bara beställningar med den här statusen.",
)


class OrderViewSet(LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Beställningar: handläggarna ser sin enhets, utförare de som skickats till dem."""

    serializer_class = OrderSerializer

    def get_queryset(self):
        orders = selectors.order_with_interventions(selectors.orders_visible_to(self.request.user))
        wanted = self.request.query_params.get("status") if self.action == "list" else None
        if wanted:
            if wanted not in OrderStatus.values:
                message = _("Okänd status. Välj bland: %(values)s.") % {
                    "values": ", ".join(OrderStatus.values)
                }
                raise ValidationError({"status": [message]})
            orders = orders.filter(status=wanted)
        return orders

    @extend_schema(parameters=[STATUS_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _transition(
        self,
        allowed: Callable[[object, Order], bool],
        states: tuple[str, ...],
        refused: str,
        run: Callable[[Order], object],
    ):
        """Run one workflow transition on a visible order. `refused` says who may do it; an
        order in a state the transition does not apply to is refused with its status."""
        order = self.get_object()
        if not allowed(self.request.user, order):
            if order.status not in states:
                refused = _("Det går inte när beställningen har status ”%(status)s”.") % {
                    "status": order.get_status_display()
                }
            raise PermissionDenied(refused)
        try:
            return run(order)
        except DjangoValidationError as error:
            raise _bad_request(error) from None

    def _order_response(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        order = self.get_queryset().get(pk=order.pk)
        self._log([order.client])
        return Response(self.get_serializer(order).data, status=code)

    @extend_schema(request=None, responses=OrderSerializer, summary="Kvittera beställningen")
    @action(detail=True, methods=["post"], url_path="kvittera")
    def receive(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare kvitterar att beställningen har kommit fram."""
        order = self._transition(
            permissions.can_receive_order,
            (OrderStatus.SENT,),
            _("Bara utförarens samordnare kan kvittera beställningen."),
            lambda order: services.order_receive(order=order, by=request.user),
        )
        return self._order_response(order)

    @extend_schema(request=ExecuteSerializer, responses=OrderSerializer, summary="Verkställ")
    @action(detail=True, methods=["post"], url_path="verkstall")
    def execute(self, request: Request, pk=None) -> Response:
        """Utförarens samordnare anger den dag då insatserna började ges."""
        data = ExecuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = self._transition(
            permissions.can_execute_order,
            (OrderStatus.SENT, OrderStatus.RECEIVED),
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
            (OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED),
            _("Bara utföraren som har beställningen kan rapportera förändrat behov."),
            lambda order: services.need_change_report(
                order=order, by=request.user, **data.validated_data
            ),
        )
        return Response(NeedChangeReportSerializer(report).data, status=status.HTTP_201_CREATED)
