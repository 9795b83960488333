"""The implementation plan as a PDF for the client (004 Bilaga 5: the client gets a copy): plain
Swedish, large type, the five headings of §3.3 for the plan and for each intervention."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from genomforandeplan import selectors, services
from genomforandeplan.choices import MeetingPlace, Participant
from genomforandeplan.models import (
    HEADING_FIELDS,
    ContactAssignment,
    Headings,
    ImplementationPlan,
    PlanVersion,
)
from ramtid.audit import log_access
from ramtid.choices import AccessAction
from ramtid.models import User
from ramtid.pdf import pdf_response, render_pdf

# Who took part, as the client reads it about themselves.
_PARTICIPANT_WORDS = {
    Participant.CLIENT: "Jag",
    Participant.RELATIVE: "en anhörig eller närstående",
    Participant.REPRESENTATIVE: "min företrädare eller mitt ombud",
    Participant.GUARDIAN: "min gode man eller förvaltare",
}

_HEADING_LABELS = {f.name: str(f.verbose_name) for f in Headings._meta.get_fields()}


def _headings(values: dict) -> list[tuple[str, str]]:
    """The five headings in §3.3's order, each with its text (possibly empty)."""
    return [(_HEADING_LABELS[key], values.get(key, "")) for key in HEADING_FIELDS]


def _participants(keys: list[str]) -> str:
    words = [_PARTICIPANT_WORDS.get(key, key) for key in keys]
    if len(words) < 2:
        return "".join(words).capitalize()
    text = ", ".join(words[:-1]) + " och " + words[-1]
    return text[:1].upper() + text[1:]


def _content(plan: ImplementationPlan, version: PlanVersion | None) -> dict:
    """What the client approved (the latest version), or else the working copy as it stands."""
    if version is not None:
        return version.snapshot
    return services.snapshot(plan, services.current_order(plan))


def plan_print_context(plan: ImplementationPlan, user: User) -> dict:
    version = plan.versions.select_related("review").order_by("-number").first()
    data = _content(plan, version)
    order = services.current_order(plan)
    assignment = (
        ContactAssignment.objects.filter(order__in=[order.pk, plan.order_id])
        .select_related("contact_person", "deputy")
        .order_by("-order__valid_from")
        .first()
    )
    place = data.get("meeting_place", "")
    approved_on = data.get("client_approved_on")
    return {
        "plan": plan,
        "client": plan.client,
        "version": version,
        "is_draft": version is None,
        # A revision is being written after the version printed here.
        "revision_in_progress": version is not None and plan.state.draft,
        "needs_revision": services.needs_revision(plan, order),
        "order": order,
        "headings": _headings(data["headings"]),
        "items": [
            {
                "name": item["name"],
                "frequency": item["frequency"],
                "headings": _headings(item["headings"]),
            }
            for item in data["items"]
        ],
        "planned_daily_visits": data.get("planned_daily_visits"),
        "participants": _participants(data.get("participants", [])),
        "meeting_place": (
            data.get("meeting_place_other")
            if place == MeetingPlace.OTHER
            else str(dict(MeetingPlace.choices).get(place, ""))
        ),
        "client_influence": data.get("client_influence", ""),
        "deviation_reason": data.get("deviation_reason", ""),
        "deviation_helper": data.get("deviation_helper", ""),
        "life_story": data.get("life_story", ""),
        "client_approved_on": datetime.date.fromisoformat(approved_on) if approved_on else None,
        "client_approval_how": data.get("client_approval_how", ""),
        "contact": assignment,
        "next_follow_up": selectors.next_follow_up_due(plan),
        "printed_at": timezone.localtime(),
        "printed_by": user,
    }


def plan_pdf_response(
    plan: ImplementationPlan, user: User, *, request: HttpRequest | None = None
) -> HttpResponse:
    """The plan as a PDF, read again through the user's selector (another organisation's plan,
    or a plan the ordering unit may not see yet, is a 404); the export is logged."""
    scoped = selectors.plans_visible_to(user).filter(pk=plan.pk).first()
    if scoped is None:
        raise Http404
    log_access(
        user=user,
        clients=[scoped.client],
        action=AccessAction.EXPORT,
        what="Genomförandeplan (PDF)",
        request=request,
    )
    pdf = render_pdf("genomforandeplan/plan_pdf.html", plan_print_context(scoped, user))
    return pdf_response(pdf, f"genomforandeplan-{scoped.pk}.pdf")
