"""The order's states and what each allows (DOMAIN.md §4): the one table that services,
permissions, the API, views and templates read. Templates get the booleans of `OrderState`,
never raw status strings.

    draft ──send──▶ sent ──receive──▶ received ──execute──▶ executed
                      └──────────── execute ──────────────────▲
    sent, received, executed ──(a change is sent)──▶ superseded
    sent, received, executed ──end──▶ ended

A decision's delegation status is here too, as booleans (`DecisionState`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bestallning.choices import ApprovalStatus, OrderStatus

# An issued order binds the provider for its period: everything but a draft.
ISSUED = frozenset(
    {
        OrderStatus.SENT,
        OrderStatus.RECEIVED,
        OrderStatus.EXECUTED,
        OrderStatus.SUPERSEDED,
        OrderStatus.ENDED,
    }
)
# An active order is in force, or about to be: a plan is written against it, a contact person
# named, a change of need reported, and it can be changed or ended.
ACTIVE = frozenset({OrderStatus.SENT, OrderStatus.RECEIVED, OrderStatus.EXECUTED})

# Which statuses each transition may start from.
EDITABLE = frozenset({OrderStatus.DRAFT})
SENDABLE = frozenset({OrderStatus.DRAFT})
RECEIVABLE = frozenset({OrderStatus.SENT})
EXECUTABLE = frozenset({OrderStatus.SENT, OrderStatus.RECEIVED})
CHANGEABLE = ACTIVE  # a change order is made from an active order
ENDABLE = ACTIVE
SUPERSEDABLE = ACTIVE
NEED_CHANGE_REPORTABLE = ACTIVE

# Sorted, for querysets: .filter(status__in=...).
ISSUED_STATUSES = tuple(sorted(ISSUED))
ACTIVE_STATUSES = tuple(sorted(ACTIVE))


@dataclass(frozen=True)
class OrderState:
    """An order's status as the booleans a template or a check asks about."""

    status: OrderStatus

    @classmethod
    def of(cls, order) -> OrderState:
        return cls(OrderStatus(order.status))

    @property
    def draft(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def issued(self) -> bool:
        return self.status in ISSUED

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def executed(self) -> bool:
        return self.status == OrderStatus.EXECUTED

    @property
    def superseded(self) -> bool:
        return self.status == OrderStatus.SUPERSEDED

    @property
    def ended(self) -> bool:
        return self.status == OrderStatus.ENDED

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def sendable(self) -> bool:
        return self.status in SENDABLE

    @property
    def receivable(self) -> bool:
        return self.status in RECEIVABLE

    @property
    def executable(self) -> bool:
        return self.status in EXECUTABLE

    @property
    def changeable(self) -> bool:
        return self.status in CHANGEABLE

    @property
    def endable(self) -> bool:
        return self.status in ENDABLE

    @property
    def need_change_reportable(self) -> bool:
        return self.status in NEED_CHANGE_REPORTABLE


@dataclass(frozen=True)
class DecisionState:
    """A decision's delegation and withdrawal, as booleans."""

    approval_status: ApprovalStatus
    withdrawn: bool

    @classmethod
    def of(cls, decision) -> DecisionState:
        return cls(ApprovalStatus(decision.approval_status), decision.withdrawn_at is not None)

    @property
    def awaiting_manager(self) -> bool:
        return self.approval_status == ApprovalStatus.PENDING

    @property
    def rejected_by_manager(self) -> bool:
        return self.approval_status == ApprovalStatus.REJECTED

    @property
    def approved_by_manager(self) -> bool:
        return self.approval_status == ApprovalStatus.APPROVED

    @property
    def within_delegation(self) -> bool:
        return self.approval_status == ApprovalStatus.NOT_REQUIRED
