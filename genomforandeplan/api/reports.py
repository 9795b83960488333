"""The plan coverage report over the API: `GET /api/rapporter/planer/?from=&to=&ordering_unit=
&provider=` gives the same figures as the page (genomforandeplan.reports): the totals of the
whole report, and its rows most urgent first, paged like every list (`?limit=&offset=`).

For the ordering unit's officers and managers and the provider's coordinators (and their
integration accounts); anyone else gets a 404, as does a unit or provider that is not among the
user's. Each request logs one read naming the clients of the rows it returns."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from bestallning.api.serializers import ClientRefSerializer
from genomforandeplan import reports
from genomforandeplan.choices import DeadlineStatus, ReviewOutcome
from genomforandeplan.reports import ReportFilter, ReportRow, Totals
from ramtid.api.pagination import Pagination
from ramtid.audit import log_access
from ramtid.choices import AccessAction

_DATE_ERRORS = {"invalid": gettext_lazy("Ange datumet som ÅÅÅÅ-MM-DD.")}


class PlanReportQuerySerializer(serializers.Serializer):
    """The query: the period (the default is the last twelve months) and the unit and the
    provider by id."""

    # "from" is a Python keyword: the fields are named in the query as from and to.
    start = serializers.DateField(required=False, error_messages=_DATE_ERRORS)
    end = serializers.DateField(required=False, error_messages=_DATE_ERRORS)
    ordering_unit = serializers.IntegerField(required=False)
    provider = serializers.IntegerField(required=False)

    def __init__(self, *args, data, **kwargs):
        renamed = {"start": data.get("from"), "end": data.get("to")}
        renamed.update({k: data.get(k) for k in ("ordering_unit", "provider")})
        super().__init__(*args, data={k: v for k, v in renamed.items() if v}, **kwargs)

    def validate(self, attrs):
        default_start, default_end = reports.default_period()
        attrs.setdefault("start", default_start)
        attrs.setdefault("end", default_end)
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError(
                {"to": gettext_lazy("Perioden måste sluta samma dag som den börjar eller senare.")}
            )
        return attrs

    @property
    def errors(self):
        # The fields as the caller named them.
        names = {"start": "from", "end": "to"}
        return {names.get(key, key): value for key, value in super().errors.items()}


class PlanReportRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlanReportTotalsSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text="Som inspektionen skrev det: \u201d10 av 15 har plan, 2 av 10 i tid, 1 av 10 "
        "täcker beställningen helt\u201d."
    )
    orders = serializers.IntegerField(help_text="Verkställda beställningar under perioden.")
    with_plan = serializers.IntegerField(help_text="Med en plan klarmarkerad mot beställningen.")
    on_time = serializers.IntegerField(help_text="Planer klara inom kommunens tidsfrist.")
    late = serializers.IntegerField(help_text="Planer klara efter tidsfristen.")
    missing = serializers.IntegerField(help_text="Ingen plan, tidsfristen har gått ut.")
    not_due = serializers.IntegerField(help_text="Ingen plan än, tidsfristen har inte gått ut.")
    approved = serializers.IntegerField(help_text="Planer godkända av handläggaren.")
    returned = serializers.IntegerField(help_text="Planer återsända till utföraren.")
    awaiting_review = serializers.IntegerField(help_text="Planer som väntar på granskning.")
    assessed = serializers.IntegerField(
        help_text="Planer som fortfarande följer beställningen: nämnaren för täckningen."
    )
    covering = serializers.IntegerField(help_text="Planer som täcker beställningen helt.")


class PlanReportPlanSerializer(serializers.Serializer):
    exists = serializers.BooleanField(help_text="En plan är klarmarkerad mot beställningen.")
    id = serializers.IntegerField(allow_null=True, help_text="Planens id, när den finns.")
    review = serializers.ChoiceField(
        choices=ReviewOutcome.choices,
        allow_null=True,
        help_text="Handläggarens granskning av den senaste versionen mot beställningen.",
    )
    approved = serializers.BooleanField()
    started = serializers.BooleanField(help_text="Påbörjad mot beställningen, inte klar.")
    earlier_plan = serializers.BooleanField(
        help_text="Ingen plan mot beställningen, men en mot en tidigare beställning."
    )


class PlanReportCoverageSerializer(serializers.Serializer):
    assessed = serializers.BooleanField(help_text="Planen följer beställningen och är jämförd.")
    covers = serializers.BooleanField(allow_null=True, help_text="Täcker beställningen helt.")
    later_order = serializers.BooleanField(
        help_text="Planen har sedan skrivits mot en senare beställning och bedöms mot den."
    )
    missing = serializers.ListField(child=serializers.CharField())
    not_ordered = serializers.ListField(child=serializers.CharField())
    frequency = serializers.ListField(child=serializers.CharField())
    daily_visits = serializers.ListField(child=serializers.CharField())


class PlanReportRowSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text="Beställningens id.")
    client = ClientRefSerializer()
    ordering_unit = PlanReportRefSerializer()
    provider = PlanReportRefSerializer()
    executed_on = serializers.DateField()
    plan_due = serializers.DateField()
    plan_ready_on = serializers.DateField(allow_null=True)
    days_to_ready = serializers.IntegerField(allow_null=True)
    deadline = serializers.ChoiceField(choices=DeadlineStatus.choices)
    days_late = serializers.IntegerField()
    plan = PlanReportPlanSerializer()
    coverage = PlanReportCoverageSerializer()

    def to_representation(self, row: ReportRow) -> dict:
        def messages(gaps) -> list[str]:
            return [gap.message for gap in gaps]

        order, client = row.order, row.order.client
        return {
            "order": order.pk,
            "client": ClientRefSerializer(client).data,
            "ordering_unit": {"id": client.ordering_unit_id, "name": client.ordering_unit.name},
            "provider": {"id": order.provider_id, "name": order.provider.name},
            "executed_on": order.executed_on.isoformat(),
            "plan_due": row.deadline.due.isoformat(),
            "plan_ready_on": row.ready_on.isoformat() if row.ready_on else None,
            "days_to_ready": row.days_to_ready,
            "deadline": row.deadline.status.value,
            "days_late": row.deadline.days_late,
            "plan": {
                "exists": row.has_plan,
                "id": row.plan_id if row.has_plan else None,
                "review": row.outcome if row.has_plan else None,
                "approved": row.approved,
                "started": row.plan_started,
                "earlier_plan": row.earlier_plan,
            },
            "coverage": {
                "assessed": row.assessed,
                "covers": row.covers,
                "later_order": row.later_order,
                "missing": messages(row.missing),
                "not_ordered": messages(row.not_ordered),
                "frequency": messages(row.frequency),
                "daily_visits": messages(row.daily_visits),
            },
        }


class PlanReportSerializer(serializers.Serializer):
    """The schema of the answer (built by the view)."""

    period = serializers.DictField(child=serializers.DateField())
    ordering_unit = PlanReportRefSerializer(allow_null=True)
    provider = PlanReportRefSerializer(allow_null=True)
    totals = PlanReportTotalsSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PlanReportRowSerializer(many=True)


class _Counted(Pagination):
    """The API's paging, told the number of rows (the totals' count) so it does not count
    again."""

    def __init__(self, count: int):
        self.known_count = count

    def get_count(self, queryset) -> int:
        return self.known_count


def totals_data(totals: Totals) -> dict:
    counts = [name for name in PlanReportTotalsSerializer().fields if name != "text"]
    return {"text": totals.text(), **{name: getattr(totals, name) for name in counts}}


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


class PlanReportView(GenericAPIView):
    """Planrapport: har de verkställda beställningarna en genomförandeplan, blev den klar i tid
    och täcker den beställningen? Summeringen gäller hela rapporten, raderna kommer de mest
    brådskande först."""

    serializer_class = PlanReportRowSerializer
    filter_backends: list = []

    def _filter(self, request: Request) -> ReportFilter:
        user = request.user
        if not reports.sees_plan_report(user):
            raise NotFound
        query = PlanReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return ReportFilter(
            start=data["start"],
            end=data["end"],
            unit=_in(reports.report_units(user), data.get("ordering_unit")),
            provider=_in(reports.report_providers(user), data.get("provider")),
        )

    @extend_schema(
        summary="Planrapport",
        parameters=[
            OpenApiParameter("from", str, description="Verkställd från och med, ÅÅÅÅ-MM-DD."),
            OpenApiParameter("to", str, description="Verkställd till och med, ÅÅÅÅ-MM-DD."),
            OpenApiParameter("ordering_unit", int, description="En beställarenhets id."),
            OpenApiParameter("provider", int, description="En utförares id."),
            OpenApiParameter("limit", int, description="Rader per sida (100, högst 500)."),
            OpenApiParameter("offset", int, description="Hoppa över så många rader."),
        ],
        responses=PlanReportSerializer,
    )
    def get(self, request: Request) -> Response:
        report = self._filter(request)
        today = timezone.localdate()
        orders = reports.report_orders(request.user, report)
        totals = reports.report_totals(orders, today)
        in_order = reports.by_urgency(reports.with_report_facts(orders, today))
        paginator = _Counted(totals.orders)
        rows = reports.report_rows(paginator.paginate_queryset(in_order, request, view=self))
        log_access(
            user=request.user,
            clients=[row.order.client_id for row in rows],
            action=AccessAction.API,
            what=f"API {request.path}",
            request=request._request,
        )
        return Response(
            {
                "period": {"from": report.start.isoformat(), "to": report.end.isoformat()},
                "ordering_unit": _ref(report.unit),
                "provider": _ref(report.provider),
                "totals": totals_data(totals),
                "count": totals.orders,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": PlanReportRowSerializer(rows, many=True).data,
            }
        )


def _in(options, pk: int | None):
    """The unit or provider `pk` among the user's, or a 404."""
    if pk is None:
        return None
    found = options.filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found
