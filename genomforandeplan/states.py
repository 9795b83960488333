"""The plan's states and what each allows: the one table that services, permissions, the API,
views and templates read (templates get the booleans of `PlanState`, never raw status strings).

    draft ──complete──▶ ready ──review──▶ approved
      ▲                   │        └────▶ returned
      └──── save ─────────┴──────────────────┘   (saving a completed plan opens a new draft)
"""

from __future__ import annotations

from dataclasses import dataclass

from genomforandeplan.choices import PlanStatus

# Which statuses each transition may start from.
SAVABLE = frozenset(PlanStatus)  # saving any plan makes it a draft of the next version
COMPLETABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.APPROVED})
REVIEWABLE = frozenset({PlanStatus.READY})
# A completed version exists and is not being reworked: the officer may have it in hand.
COMPLETED = frozenset({PlanStatus.READY, PlanStatus.APPROVED})


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
    def reopens_on_save(self) -> bool:
        """Saving starts a new draft: the client must approve the plan again."""
        return self.status != PlanStatus.DRAFT
