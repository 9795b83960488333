"""Who may do what in the follow-up. Visibility of lists is the selectors' job (each part's
`*_visible_to`); these checks decide actions on objects the user can already reach."""

from __future__ import annotations

from ramtid.choices import Role
from ramtid.models import Provider, User
from ramtid.permissions import (
    administered_municipality_ids,
    has_role,
    municipality_ids,
    ordering_unit_ids,
)
from ramtid.permissions import provider_ids as _provider_ids


def fee_officer_municipality_ids(user: User) -> set[int]:
    """The municipalities whose over-time list the user reads as a fee officer."""
    return municipality_ids(user, {Role.FEE_OFFICER})


def can_import_visits(user: User, provider: Provider) -> bool:
    """The provider's coordinator imports its visits; the municipality's administrator may do it
    on a provider's behalf (a file sent by e-mail, a system that is down)."""
    return provider.pk in _provider_ids(user, {Role.PROVIDER_COORDINATOR}) or (
        provider.municipality_id in administered_municipality_ids(user)
    )


def can_explain_time(user: User, result) -> bool:
    """The provider's coordinator explains a month that is over or under (004 §4.1.2)."""
    return result.provider_id in _provider_ids(user, {Role.PROVIDER_COORDINATOR})


def can_decide_time(user: User, result) -> bool:
    """The officers of the client's unit approve or reject the provider's explanation."""
    return result.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_review(user: User, review) -> bool:
    """The officers of the client's unit make the individual review (004 §4.1.4)."""
    return review.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def is_fee_officer(user: User) -> bool:
    return has_role(user, Role.FEE_OFFICER)


# ---------------------------------------------------------------------------------------------
# Visits in (engineer A: uppfoljning.imports, plausibility)


def can_view_import_errors(user: User, visit_import) -> bool:
    """The error rows of an import name rows of the provider's file, which may concern any of its
    clients: for those who may import for the provider, not for an officer of one unit."""
    return can_import_visits(user, visit_import.provider)


def client_visit_provider_ids(user: User, client) -> set[int] | None:
    """Whose visits of a client the user sees: all (None) for the staff of the client's unit,
    otherwise only their own provider's."""
    if client.ordering_unit_id in ordering_unit_ids(user):
        return None
    return _provider_ids(user)


# ---------------------------------------------------------------------------------------------
# Individual reviews and staff continuity (engineer D: uppfoljning.reviews, continuity)


def review_unit_ids(user: User) -> set[int]:
    """The units whose individual reviews the user reads: the officers' and the unit managers'.
    Providers never see reviews (they are the municipality's case work)."""
    return ordering_unit_ids(user, {Role.CASE_OFFICER, Role.UNIT_MANAGER})


def continuity_unit_ids(user: User) -> set[int]:
    """The units whose clients' staff continuity the user follows (all providers' staff)."""
    return ordering_unit_ids(user, {Role.CASE_OFFICER, Role.UNIT_MANAGER})


def continuity_provider_ids(user: User) -> set[int]:
    """The providers whose own staff's continuity at their clients the user follows."""
    return _provider_ids(user)


def can_follow_continuity(user: User) -> bool:
    return bool(continuity_unit_ids(user) or continuity_provider_ids(user))


# ---------------------------------------------------------------------------------------------
# Complaints (issue 11: uppfoljning.complaints)


def complaint_unit_ids(user: User) -> set[int]:
    """The units whose clients' complaints the user reads: the officers' and the unit
    managers' (the manager for the dashboard; the officers act)."""
    return ordering_unit_ids(user, {Role.CASE_OFFICER, Role.UNIT_MANAGER})


def complaint_officer_unit_ids(user: User) -> set[int]:
    """The units for whose clients the user registers complaints, answers those about the
    unit's handling and closes those about a provider: the case officers'."""
    return ordering_unit_ids(user, {Role.CASE_OFFICER})


def complaint_coordinated_provider_ids(user: User) -> set[int]:
    """The providers whose complaints the user reads, registers and answers in full: the
    coordinator's (the provider's own answer to a complaint about its work)."""
    return _provider_ids(user, {Role.PROVIDER_COORDINATOR})


def complaint_contact_provider_ids(user: User) -> set[int]:
    """The providers where the user is a contact person only: she registers and reads the
    complaints about her own clients (those she is contact person or deputy for), and leaves
    the answer to the coordinator."""
    return _provider_ids(user, {Role.CONTACT_PERSON}) - complaint_coordinated_provider_ids(user)


def sees_complaints(user: User) -> bool:
    """Whether the user has the complaint pages at all. Fee officers, administrators and the
    log reviewers have none: complaints are case data."""
    return bool(complaint_unit_ids(user) or _provider_ids(user))


def answers_complaint(user: User, complaint) -> bool:
    """The organisation the complaint concerns answers it: the provider's coordinator, or an
    officer of the client's unit for the unit's own handling."""
    if complaint.provider_id is not None:
        return complaint.provider_id in complaint_coordinated_provider_ids(user)
    return complaint.client.ordering_unit_id in complaint_officer_unit_ids(user)


def can_answer_complaint(user: User, complaint) -> bool:
    """Whether the user may answer the complaint now: it is open and hers to answer."""
    return complaint.answered_at is None and answers_complaint(user, complaint)


def closes_complaint(user: User, complaint) -> bool:
    """An officer of the client's unit closes a provider's complaint once it is answered (the
    follow-up of 002: the registration number goes into the client's file). The unit's own
    complaints are closed by their answer."""
    return (
        complaint.provider_id is not None
        and complaint.client.ordering_unit_id in complaint_officer_unit_ids(user)
    )


def can_close_complaint(user: User, complaint) -> bool:
    """Whether the user may close the complaint now: answered, not closed, hers to close."""
    return (
        complaint.answered_at is not None
        and complaint.closed_at is None
        and closes_complaint(user, complaint)
    )


# ---------------------------------------------------------------------------------------------
# The managers' dashboard (issue 11: uppfoljning.dashboard)


def dashboard_unit_ids(user: User) -> set[int]:
    """The ordering units whose dashboard the user reads: the unit manager's. Officers have
    their worklists; contact persons, fee officers and administrators read no unit's figures."""
    return ordering_unit_ids(user, {Role.UNIT_MANAGER})


def dashboard_provider_ids(user: User) -> set[int]:
    """The providers whose dashboard the user reads: the coordinator's (a provider's manager
    sees the same for her own organisation). Not a contact person's."""
    return _provider_ids(user, {Role.PROVIDER_COORDINATOR})


def sees_dashboard(user: User) -> bool:
    return bool(dashboard_unit_ids(user) or dashboard_provider_ids(user))


# ---------------------------------------------------------------------------------------------
# Liaison meetings (issue 11: uppfoljning.liaison)


def liaison_unit_ids(user: User) -> set[int]:
    """The units whose liaison meetings the user prepares and reads: the officers' and the unit
    managers' (002: the unit's officers meet the providers)."""
    return ordering_unit_ids(user, {Role.CASE_OFFICER, Role.UNIT_MANAGER})


def liaison_provider_ids(user: User) -> set[int]:
    """The providers whose liaison packs and meetings the user reads: the coordinator's, the
    other party of the meeting. Contact persons have none."""
    return _provider_ids(user, {Role.PROVIDER_COORDINATOR})


def can_record_liaison_meeting(user: User, unit) -> bool:
    """The unit's officers and unit managers record its meetings and add to their notes; the
    provider's coordinator reads them."""
    return unit.pk in liaison_unit_ids(user)
