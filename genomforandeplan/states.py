"""The plan's states and what each allows: the one table that services, permissions, the API,
views and templates read (templates get the booleans of `PlanState`, never raw status strings).

    draft ──complete──▶ ready ──review──▶ approved ──save──▶ draft
      ▲                   │        └────▶ returned ──save──▶ returned ──complete──▶ ready
      └────── save ───────┘
"""

from __future__ import annotations

from dataclasses import dataclass

from genomforandeplan.choices import PlanStatus

# Which statuses each transition may start from.
SAVABLE = frozenset(PlanStatus)
# A ready or approved plan is completed as it stands; changed, it becomes a draft again.
COMPLETABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
REVIEWABLE = frozenset({PlanStatus.READY})
# A completed version exists and is not being reworked: the officer may have it in hand.
COMPLETED = frozenset({PlanStatus.READY, PlanStatus.APPROVED})

# What saving the working copy makes of the plan. A ready or approved plan that is changed
# becomes the draft of a new version; a returned plan stays returned, with the officer's comment
# in view, until the reworked version is completed.
AFTER_SAVE = {
    PlanStatus.DRAFT: PlanStatus.DRAFT,
    PlanStatus.READY: PlanStatus.DRAFT,
    PlanStatus.APPROVED: PlanStatus.DRAFT,
    PlanStatus.RETURNED: PlanStatus.RETURNED,
}


@dataclass(frozen=True)
class PlanState:
    """A plan's status as the booleans a template or a check asks about."""

    status: PlanStatus

    @classmethod
    def of(cls, plan) -> PlanState:
        return cls(PlanStatus(plan.status))

    @property
    def draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def ready(self) -> bool:
        """Completed by the provider, waiting for the officer's review."""
        return self.status == PlanStatus.READY

    @property
    def returned(self) -> bool:
        return self.status == PlanStatus.RETURNED

    @property
    def approved(self) -> bool:
        return self.status == PlanStatus.APPROVED

    @property
    def can_complete(self) -> bool:
        return self.status in COMPLETABLE

    @property
    def can_review(self) -> bool:
        return self.status in REVIEWABLE

    @property
    def status_after_save(self) -> PlanStatus:
        return AFTER_SAVE[self.status]
