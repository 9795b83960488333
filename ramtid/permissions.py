"""Who may do what: the only place roles are checked (STYLE.md, CARE's named checks).

Visibility of whole objects is decided by the selectors (ramtid.selectors.clients_visible_to and
friends): a view fetches through them, so another organisation's object is a 404. The checks here
decide what a user may do with, or see of, an object they can already reach.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ramtid.choices import ORDERING_UNIT_ROLES, PROVIDER_ROLES, Role
from ramtid.models import ApiToken, Client, Membership, OrderingUnit, Provider, User


def memberships(user: User) -> list[Membership]:
    """The user's memberships, read once per user object (and so once per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_ramtid_memberships", None)
    if cached is None:
        # A role granted in the admin counts once a second person has approved it (issue 10).
        queryset = user.memberships.filter(approved_at__isnull=False)
        token = api_token_of(user)
        if token is not None:
            # A key acts in its own provider or unit only, whatever other roles the account
            # holds (issue 10): the roles there are all it has. Every check and selector asks
            # here, so this is the one place a key's scope is applied.
            queryset = queryset.filter(
                provider_id=token.provider_id, ordering_unit_id=token.ordering_unit_id
            )
        cached = list(queryset.select_related("ordering_unit", "provider", "municipality"))
        user._ramtid_memberships = cached
    return cached


def api_token_of(user: User) -> ApiToken | None:
    """The API key this request was made with (None in a session)."""
    return getattr(user, "_ramtid_api_token", None)


def act_through_api_token(user: User, token: ApiToken) -> None:
    """The request was made with this API key (ramtid.api.authentication): from now on the user
    holds only the roles in the key's organisation."""
    user._ramtid_api_token = token
    user._ramtid_memberships = None


def has_role(user: User, *roles: Role) -> bool:
    return any(m.role in roles for m in memberships(user))


def ordering_unit_ids(user: User, roles=ORDERING_UNIT_ROLES) -> set[int]:
    return {m.ordering_unit_id for m in memberships(user) if m.role in roles}


def provider_ids(user: User, roles=PROVIDER_ROLES) -> set[int]:
    return {m.provider_id for m in memberships(user) if m.role in roles}


def municipality_ids(user: User, roles) -> set[int]:
    """The municipalities where the user holds one of these municipal roles."""
    return {m.municipality_id for m in memberships(user) if m.role in roles}


def administered_municipality_ids(user: User) -> set[int]:
    return municipality_ids(user, {Role.ADMINISTRATOR})


def can_create_client(user: User) -> bool:
    return has_role(user, Role.CASE_OFFICER)


def can_edit_client(user: User, client: Client) -> bool:
    return client.ordering_unit_id in ordering_unit_ids(user, {Role.CASE_OFFICER})


def can_view_client_contact(user: User, client: Client) -> bool:
    """Protected identity (skyddade personuppgifter): address and phone for the responsible
    officer only; otherwise for anyone who can see the client."""
    if client.protected_identity:
        return client.responsible_officer_id == user.pk
    return True


def can_assign_responsible_officer(user: User, client: Client) -> bool:
    """Who answers for the client. For a client with protected identity only the responsible
    officer hands the case on, or the unit manager assigns it: an officer cannot make herself
    responsible and so come to see the address. Otherwise any officer of the unit."""
    if client.protected_identity:
        return client.responsible_officer_id == user.pk or (
            client.ordering_unit_id in ordering_unit_ids(user, {Role.UNIT_MANAGER})
        )
    return can_edit_client(user, client)


def can_open_client_form(user: User, client: Client) -> bool:
    """The officers of the unit change the client's details; the unit manager may open the form
    to assign the responsible officer."""
    return can_edit_client(user, client) or can_assign_responsible_officer(user, client)


def can_approve_membership(user: User, membership: Membership) -> bool:
    """A role granted in the admin is approved by a unit manager: of the unit for an ordering
    unit's roles, of any unit of the municipality for the others. Never by the person who gets
    it or the one who granted it: two people always."""
    if membership.approved_at is not None or user.pk in (
        membership.user_id,
        membership.granted_by_id,
    ):
        return False
    if membership.ordering_unit_id:
        return membership.ordering_unit_id in ordering_unit_ids(user, {Role.UNIT_MANAGER})
    return any(
        m.role == Role.UNIT_MANAGER and m.municipality_id == membership.municipality_id
        for m in memberships(user)
    )


def can_manage_api_tokens_of(user: User, organisation: Provider | OrderingUnit) -> bool:
    """The municipality's administrator makes and revokes the API keys of its providers' and
    units' integration accounts; nobody those of another municipality (issue 10)."""
    return user.is_superuser or organisation.municipality_id in administered_municipality_ids(user)


def can_view_access_log(user: User, client: Client) -> bool:
    """The unit manager follows up who accessed the clients of their unit."""
    return client.ordering_unit_id in ordering_unit_ids(user, {Role.UNIT_MANAGER})


def log_review_unit_ids(user: User) -> set[int]:
    """The units whose clients' audit trail the user reviews (loggkontroll, issue 10): a unit
    manager's."""
    return ordering_unit_ids(user, {Role.UNIT_MANAGER})


def log_review_municipality_ids(user: User) -> set[int]:
    """The municipalities whose whole audit trail the user reviews: the security officer's
    (loggkontrollant). The role reads the log, names and ids of clients, never their cases."""
    return municipality_ids(user, {Role.SECURITY_OFFICER})


def can_review_access_log(user: User) -> bool:
    return bool(log_review_unit_ids(user) or log_review_municipality_ids(user))


def can_draw_log_samples(user: User) -> bool:
    """The monthly sample of the municipality's log is the security officer's."""
    return bool(log_review_municipality_ids(user))


def prefetch_memberships(users: Iterable[User]) -> None:
    """Read the approved memberships of many users in one query, so that memberships() and the
    checks built on it ask the database nothing more for them (the log review's readers)."""
    users = [user for user in users if getattr(user, "_ramtid_memberships", None) is None]
    if not users:
        return
    by_user: dict[int, list[Membership]] = {user.pk: [] for user in users}
    for membership in Membership.objects.filter(
        user_id__in=by_user, approved_at__isnull=False
    ).select_related("ordering_unit", "provider", "municipality"):
        by_user[membership.user_id].append(membership)
    for user in users:
        user._ramtid_memberships = by_user[user.pk]


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    name: str
    # A number shown beside the label (e.g. open notices), with its words for screen readers.
    count: int | None = None
    count_label: str = ""


def uses_the_api(user: User) -> bool:
    """The API serves the administrators who connect other systems and the providers whose own
    documentation systems read orders and write plans; the others work in the pages."""
    return user.is_superuser or has_role(user, Role.ADMINISTRATOR, Role.PROVIDER_COORDINATOR)


def navigation_for(user: User) -> list[NavItem]:
    items = [NavItem(_("Start"), reverse("start"), "start")]
    if ordering_unit_ids(user) or provider_ids(user):
        items.append(NavItem(_("Brukare"), reverse("client_list"), "client_list"))
    # Apps built on the core add their pages (settings.RAMTID_NAVIGATION: callables of the user
    # returning NavItems), so the core never imports them.
    for path in getattr(settings, "RAMTID_NAVIGATION", []):
        items.extend(import_string(path)(user))
    if can_review_access_log(user):
        items.append(NavItem(_("Loggkontroll"), reverse("log_review"), "log_review"))
    if user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    if uses_the_api(user):
        items.append(NavItem(_("API"), reverse("api_docs"), "api_docs"))
    return items
