"""The order as a printable PDF, laid out like the example order in 004 Bilaga 4."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from bestallning import ordered_time, rules, selectors
from bestallning.choices import Period, SupportOrientation
from bestallning.models import Order, OrderedIntervention
from ramtid.audit import log_access
from ramtid.choices import AccessAction, InterventionCategory
from ramtid.formatting import hhmm
from ramtid.models import User
from ramtid.pdf import pdf_response, render_pdf
from ramtid.permissions import can_view_client_contact

# Bilaga 4's closing line of each intervention: "Behovet kan tillgodoses med <x> insats".
_ORIENTATION_WORDS = {
    SupportOrientation.SUPPORTIVE: "stödjande/tränande",
    SupportOrientation.COMPENSATORY: "kompenserande",
}

# The two groups of "Beställda insatser", personal care first as in Bilaga 4.
_GROUPS = (
    (InterventionCategory.PERSONAL_CARE, "SoL Omvårdnadsinsatser"),
    (InterventionCategory.SERVICE, "SoL Serviceinsatser"),
)


@dataclass(frozen=True)
class PrintedIntervention:
    name: str
    need: str
    frequency: str
    minutes_per_month: str
    item: OrderedIntervention
    assessment: str


def _need(item: OrderedIntervention) -> str:
    """The ICF subcategory the intervention serves, or the life area when it has none."""
    if item.life_area_category is not None:
        return item.life_area_category.name
    return item.life_area.name if item.life_area is not None else ""


def _assessment(item: OrderedIntervention) -> str:
    words = _ORIENTATION_WORDS.get(item.support_orientation)
    if words is None:
        return "Inriktningen på stödet är inte specificerad"
    return f"Behovet kan tillgodoses med {words} insats"


def order_print_context(order: Order, user: User) -> dict:
    """Everything the order's PDF shows, already worded; `order` has its interventions."""
    time = ordered_time.order_time(order)
    printed = []
    regular = []
    for item, minutes in time.rows:
        frequency = item.frequency()
        printed.append(
            PrintedIntervention(
                name=item.intervention_type.name,
                need=_need(item),
                frequency=rules.time_text(frequency) if frequency else "Frekvens saknas",
                minutes_per_month="–" if minutes is None else hhmm(minutes),
                item=item,
                assessment=_assessment(item),
            )
        )
        if frequency and frequency.period != Period.PER_DAY:
            regular.append(f"{item.intervention_type.name} {rules.occasion_text(frequency)}")
    groups = [
        (heading, [p for p in printed if p.item.intervention_type.category == category])
        for category, heading in _GROUPS
    ]
    client = order.client
    return {
        "order": order,
        "client": client,
        "decision": order.decision,
        "show_contact": can_view_client_contact(user, client),
        "regular": regular,
        "groups": [(heading, items) for heading, items in groups if items],
        "interventions": printed,
        "total_hhmm": hhmm(time.total),
        "double_staffing_hhmm": hhmm(time.basis.double_staffing_minutes),
        "related_factors": [
            ("Kroppsfunktioner", order.body_functions),
            ("Omgivningsfaktorer", order.environmental_factors),
            ("Hälsotillstånd", order.health_condition),
            ("Personfaktorer", order.personal_factors),
        ],
        "superseded_by": (
            Order.objects.filter(supersedes=order).only("valid_from").first()
            if order.state.superseded
            else None
        ),
        "printed_at": timezone.localtime(),
        "printed_by": user,
    }


def order_pdf_response(
    order: Order, user: User, *, request: HttpRequest | None = None
) -> HttpResponse:
    """The order as a PDF. It is read again through the user's selector, so a caller that
    forgot to scope its lookup still cannot print another organisation's order; the read is
    logged for the client (who exported what, when)."""
    scoped = selectors.order_with_interventions(
        selectors.orders_visible_to(user).filter(pk=order.pk)
    ).first()
    if scoped is None:
        raise Http404
    log_access(
        user=user,
        clients=[scoped.client],
        action=AccessAction.EXPORT,
        what="Beställning (PDF)",
        request=request,
    )
    pdf = render_pdf("bestallning/order_pdf.html", order_print_context(scoped, user))
    return pdf_response(pdf, f"bestallning-{scoped.pk}.pdf")
