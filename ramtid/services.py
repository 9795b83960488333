"""Every write of core data (STYLE.md: services write, selectors read)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ramtid import api_keys, permissions, personal_number
from ramtid.choices import InterventionCategory, Role
from ramtid.formatting import genitive
from ramtid.models import (
    ApiToken,
    Client,
    ClientRelative,
    InterventionType,
    Municipality,
    OrderingUnit,
    Provider,
    User,
)

CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "protected_identity",
    "responsible_officer",
)


@transaction.atomic
def municipality_create(*, name: str, code: str, **rules) -> Municipality:
    """A new municipality starts with a copy of the default intervention catalogue."""
    municipality = Municipality(name=name, code=code, **rules)
    municipality.full_clean()
    municipality.save()
    catalogue_copy_defaults(municipality=municipality)
    return municipality


def catalogue_copy_defaults(*, municipality: Municipality) -> int:
    """Copy the default catalogue's interventions the municipality does not have yet; returns how
    many were added (0 when it already has them all, so it is safe to run again)."""
    existing = set(
        InterventionType.objects.filter(municipality=municipality).values_list("name", flat=True)
    )
    missing = [
        InterventionType(
            municipality=municipality,
            name=item.name,
            category=item.category,
            standard_minutes=item.standard_minutes,
            is_care_package=item.is_care_package,
            position=item.position,
        )
        for item in InterventionType.objects.filter(municipality__isnull=True)
        if item.name not in existing
    ]
    InterventionType.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def intervention_type_create(
    *,
    municipality: Municipality,
    name: str,
    category: str,
    standard_minutes: int,
    is_care_package: bool = False,
    position: int | None = None,
) -> InterventionType:
    """Add an intervention of the municipality's own to its catalogue, beside the copied default
    ones (e.g. Stockholm's "Tillsyn nattetid", 002). Without a position it comes last in its
    category. The name is unique within the municipality's catalogue."""
    if position is None:
        last = (
            InterventionType.objects.filter(municipality=municipality, category=category)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        position = 0 if last is None else last + 1
    intervention = InterventionType(
        municipality=municipality,
        name=name.strip(),
        category=category,
        standard_minutes=standard_minutes,
        is_care_package=is_care_package,
        position=position,
    )
    errors = {}
    if is_care_package and category != InterventionCategory.PERSONAL_CARE:
        errors["is_care_package"] = _("Ett omvårdnadspaket är en omvårdnadsinsats.")
    try:
        intervention.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            intervention.save()
    except IntegrityError:
        raise ValidationError(
            {
                "name": _("%(name)s finns redan i %(municipality)s insatskatalog.")
                % {"name": intervention.name, "municipality": genitive(municipality.name)}
            }
        ) from None
    return intervention


def _check_responsible_officer(officer: User | None, unit: OrderingUnit) -> None:
    if officer is None:
        return
    if not officer.memberships.filter(role=Role.CASE_OFFICER, ordering_unit=unit).exists():
        raise ValidationError(
            {"responsible_officer": _("Ansvarig handläggare måste vara handläggare i enheten.")}
        )


CONTACT_FIELDS = ("street_address", "postal_code", "city", "phone")


def _check_client_update_rights(by: User, client: Client, changed: list[str]) -> None:
    """Hidden means hidden in forms too: a protected identity's address, phone and the flag
    itself are changed only by whoever may see them, and the responsible officer is assigned as
    ramtid.permissions says (the form leaves these fields out; this is the rule behind it)."""
    if set(changed) & {*CONTACT_FIELDS, "protected_identity"} and not (
        permissions.can_view_client_contact(by, client)
    ):
        raise ValidationError(
            _(
                "Brukaren har skyddade personuppgifter. Bara ansvarig handläggare kan se och "
                "ändra adress, telefon och skyddet."
            )
        )
    if "responsible_officer" in changed and not permissions.can_assign_responsible_officer(
        by, client
    ):
        raise ValidationError(
            {
                "responsible_officer": _(
                    "Brukaren har skyddade personuppgifter. Ansvarig handläggare lämnar över "
                    "ärendet, eller enhetschefen fördelar det."
                )
            }
        )
    others = set(changed) - {*CONTACT_FIELDS, "protected_identity", "responsible_officer"}
    if others and not permissions.can_edit_client(by, client):
        raise ValidationError(_("Du kan inte ändra brukarens uppgifter."))


@transaction.atomic
def client_create(
    *, by: User, ordering_unit: OrderingUnit, personal_number_input: str, **fields
) -> Client:
    """Register a client in the officer's unit. The personal number is stored as 12 digits."""
    normalised = personal_number.normalise(personal_number_input)
    officer = fields.get("responsible_officer", by)
    fields["responsible_officer"] = officer
    _check_responsible_officer(officer, ordering_unit)
    client = Client(
        municipality_id=ordering_unit.municipality_id,
        ordering_unit=ordering_unit,
        personal_number=normalised,
        **{key: value for key, value in fields.items() if key in CLIENT_FIELDS},
    )
    client.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ValidationError(
            {"personal_number": _("Det finns redan en brukare med det personnumret i kommunen.")}
        ) from None
    return client


@transaction.atomic
def client_update(*, client: Client, by: User | None, **fields) -> Client:
    """Change a client's details; the personal number never changes once registered."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = [
        key for key in CLIENT_FIELDS if key in fields and getattr(client, key) != fields[key]
    ]
    if by is not None:
        _check_client_update_rights(by, client, changed)
    if "responsible_officer" in changed:
        _check_responsible_officer(fields["responsible_officer"], client.ordering_unit)
    for key in changed:
        setattr(client, key, fields[key])
    if changed:
        client.full_clean(validate_unique=False, validate_constraints=False)
        client.save(update_fields=changed)
    return client


@transaction.atomic
def relative_add(*, client: Client, by: User, **fields) -> ClientRelative:
    """Record a relative or representative (närstående, god man, förvaltare, ombud)."""
    relative = ClientRelative(client=client, **fields)
    relative.full_clean()
    relative.save()
    return relative


@transaction.atomic
def relative_remove(*, relative: ClientRelative, by: User) -> None:
    relative.delete()


# ---------------------------------------------------------------------------------------------
# Roles and API tokens (issue 10): configuration staff cannot act as, or become, case staff


@transaction.atomic
def memberships_granted(*, memberships, deleted, by: User) -> None:
    """Save roles granted or changed in the admin. A role that reaches case data (every role but
    the administrator's) waits for a unit manager's approval; removing a role needs none. The
    audit trail records each grant, change and removal (MembershipEvent)."""
    for membership in deleted:
        membership.delete()
    for membership in memberships:
        if membership.role != Role.ADMINISTRATOR:
            membership.granted_by = by
            membership.approved_at = None
            membership.approved_by = None
        membership.full_clean()
        membership.save()
    for user in {m.user_id: m.user for m in [*deleted, *memberships]}.values():
        _deactivate_without_roles(user=user)


def _deactivate_without_roles(*, user: User) -> None:
    """Issue 10: an account left without any role is switched off. It could no longer do
    anything, and the municipality's administrator, who sees the users with a role in her
    municipality, could no longer reach it: an active account nobody can see. (The admin's form
    for a new user asks for a role for the same reason, ramtid.admin.MembershipInline.) A
    superuser, who needs no role, is left as is."""
    if user.is_active and not user.is_superuser and not user.memberships.exists():
        user.is_active = False
        user.save(update_fields=["is_active"])


@transaction.atomic
def membership_approve(*, membership, by: User):
    """A unit manager approves a role granted in the admin: from now on it counts."""
    from ramtid.models import Membership

    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not permissions.can_approve_membership(by, membership):
        raise ValidationError(
            _("Rollen kan bara godkännas av en annan enhetschef än den som fått eller gett den.")
        )
    membership.approved_at, membership.approved_by = timezone.now(), by
    membership.save(update_fields=["approved_at", "approved_by"])
    return membership


@transaction.atomic
def membership_reject(*, membership, by: User) -> None:
    """A unit manager refuses a role granted in the admin: it is removed (and the removal is in
    the audit trail)."""
    from ramtid.models import Membership

    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not permissions.can_approve_membership(by, membership):
        raise ValidationError(_("Du kan inte avslå den här rollen."))
    membership.delete()
    # A new user whose only role is refused is left with none.
    _deactivate_without_roles(user=membership.user)


def api_token_check(
    *,
    user: User,
    provider: Provider | None,
    ordering_unit: OrderingUnit | None,
    expires_at: datetime.datetime | None,
    by: User,
) -> None:
    """Whether `by` may make this key; a ValidationError by field if not (the admin's form asks
    this before saving, the service again when making it).

    Issue 10: a key is for a dedicated integration account, never a person's (nobody acts with a
    key made for somebody else), in one provider or ordering unit of a municipality `by`
    administers, where the account holds a role; it expires within RAMTID_API_TOKEN_MAX_DAYS."""
    errors: dict[str, str] = {}
    if not user.is_integration_account:
        errors["user"] = _("API-nycklar ges bara till integrationskonton, aldrig en person.")
    elif user.pk == by.pk:
        errors["user"] = _("Du kan inte göra en API-nyckel åt ditt eget konto.")
    elif not user.is_active:
        errors["user"] = _("Kontot är inaktivt.")
    elif user.is_staff or user.is_superuser:
        errors["user"] = _(
            "Ett integrationskonto med tillgång till administrationen får ingen nyckel."
        )
    if (provider is None) == (ordering_unit is None):
        errors["provider"] = _("Välj antingen en utförare eller en beställarenhet, inte båda.")
    else:
        organisation = provider or ordering_unit
        if not permissions.can_manage_api_tokens_of(by, organisation):
            errors["provider" if provider else "ordering_unit"] = _(
                "Du administrerar inte kommunen som %(organisation)s hör till."
            ) % {"organisation": organisation}
        elif (
            "user" not in errors
            and not user.memberships.filter(provider=provider, ordering_unit=ordering_unit).exists()
        ):
            errors["user"] = _(
                "Kontot har ingen roll hos %(organisation)s. Ge det en roll där först: nyckeln "
                "gäller bara den rollen."
            ) % {"organisation": organisation}
    now = timezone.now()
    longest = datetime.timedelta(days=settings.RAMTID_API_TOKEN_MAX_DAYS)
    if expires_at is None:
        errors["expires_at"] = _("Ange hur länge nyckeln gäller.")
    elif expires_at <= now:
        errors["expires_at"] = _("Nyckeln måste gälla en tid framåt.")
    # A day's grace: the form's default, a year from today, is still accepted a little later.
    elif expires_at > now + longest + datetime.timedelta(days=1):
        errors["expires_at"] = _("En API-nyckel gäller högst %(days)d dagar.") % {
            "days": settings.RAMTID_API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)


def api_token_default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.RAMTID_API_TOKEN_MAX_DAYS)


@transaction.atomic
def api_token_create(
    *,
    name: str,
    user: User,
    provider: Provider | None = None,
    ordering_unit: OrderingUnit | None = None,
    can_write: bool = False,
    expires_at: datetime.datetime | None = None,
    by: User,
) -> tuple[ApiToken, str]:
    """A new API key (issue 10) and the key itself, which is returned here once and never
    stored: only its SHA-256 and its first characters are. The audit trail records the making
    (ApiTokenEvent "created", with the administrator in its context)."""
    if expires_at is None:
        expires_at = api_token_default_expiry()
    api_token_check(
        user=user, provider=provider, ordering_unit=ordering_unit, expires_at=expires_at, by=by
    )
    key = api_keys.new_key()
    token = ApiToken(
        name=name,
        user=user,
        provider=provider,
        ordering_unit=ordering_unit,
        can_write=can_write,
        expires_at=expires_at,
        created_by=by,
        prefix=api_keys.key_prefix(key),
        key_hash=api_keys.key_hash(key),
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a key: from the next request on it is refused (401). The token is kept, revoked,
    for the audit trail (ApiTokenEvent "revoked"); revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    organisation = token.provider or token.ordering_unit
    if not permissions.can_manage_api_tokens_of(by, organisation):
        raise ValidationError(_("Du kan inte återkalla den här API-nyckeln."))
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


# How often a key's last use is written: at most once a minute, not on every request.
API_TOKEN_USE_INTERVAL = datetime.timedelta(minutes=1)


def api_token_used(*, token: ApiToken) -> None:
    """Note that the key was used now, when it was last noted more than a minute ago. One
    conditional UPDATE: of two requests at once, one writes."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_USE_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_USE_INTERVAL)
    ).update(last_used_at=now)
    token.last_used_at = now
