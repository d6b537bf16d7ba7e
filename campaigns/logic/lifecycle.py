"""The campaign lifecycle: which action moves a campaign from which status to which.

    draft ──schedule──▶ scheduled ──launch──▶ sending ──pause──▶ paused
      │  ◀──unschedule──   │                   │  ◀──resume──      │
      └──────launch────────┼──────────────────▶│                   │
                           │                   └──complete──▶ completed
    any of draft, scheduled, sending, paused ──cancel──▶ cancelled

`completed` and `cancelled` are final. Services call `lifecycle_next(status=, action=)`
before changing a campaign; anything else raises `IllegalTransition` with a message
a person can act on.
"""
from __future__ import annotations

DRAFT = "draft"
SCHEDULED = "scheduled"
SENDING = "sending"
PAUSED = "paused"
COMPLETED = "completed"
CANCELLED = "cancelled"

STATUSES = (DRAFT, SCHEDULED, SENDING, PAUSED, COMPLETED, CANCELLED)
FINAL_STATUSES = frozenset({COMPLETED, CANCELLED})

# action -> (statuses it applies to, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "schedule": (frozenset({DRAFT}), SCHEDULED),
    "unschedule": (frozenset({SCHEDULED}), DRAFT),
    "launch": (frozenset({DRAFT, SCHEDULED}), SENDING),
    "pause": (frozenset({SENDING}), PAUSED),
    "resume": (frozenset({PAUSED}), SENDING),
    "complete": (frozenset({SENDING}), COMPLETED),
    "cancel": (frozenset({DRAFT, SCHEDULED, SENDING, PAUSED}), CANCELLED),
}
ACTIONS = tuple(TRANSITIONS)


class IllegalTransition(ValueError):
    """`action` is not allowed on a campaign whose status is `status`."""

    def __init__(self, *, status: str, action: str):
        self.status = status
        self.action = action
        if action not in TRANSITIONS:
            message = f"unknown action {action!r}; actions are {', '.join(ACTIONS)}"
        elif status not in STATUSES:
            message = f"unknown campaign status {status!r}"
        else:
            allowed = " or ".join(sorted(TRANSITIONS[action][0]))
            message = f"cannot {action} a {status} campaign: only a {allowed} campaign can be {_past(action)}"
            if status in FINAL_STATUSES:
                message += f" ({status} is final)"
        super().__init__(message)


def _past(action: str) -> str:
    return {"schedule": "scheduled", "unschedule": "unscheduled", "launch": "launched", "pause": "paused",
            "resume": "resumed", "complete": "completed", "cancel": "cancelled"}[action]


def lifecycle_next(*, status: str, action: str) -> str:
    """The status `action` leads to from `status`; IllegalTransition if not allowed."""
    try:
        sources, target = TRANSITIONS[action]
    except KeyError:
        raise IllegalTransition(status=status, action=action) from None
    if status not in sources:
        raise IllegalTransition(status=status, action=action)
    return target


def lifecycle_actions(*, status: str) -> list[str]:
    """The actions allowed from `status`, in ACTIONS order (for admin buttons and API hints)."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]
