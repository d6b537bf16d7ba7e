"""The campaign state machine, tested directly (no database)."""
import pytest

from campaigns.logic.lifecycle import (
    ACTIONS,
    CANCELLED,
    COMPLETED,
    DRAFT,
    PAUSED,
    SCHEDULED,
    SENDING,
    STATUSES,
    IllegalTransition,
    lifecycle_actions,
    lifecycle_next,
)

ALLOWED = {
    (DRAFT, "schedule"): SCHEDULED,
    (DRAFT, "launch"): SENDING,
    (DRAFT, "cancel"): CANCELLED,
    (SCHEDULED, "unschedule"): DRAFT,
    (SCHEDULED, "launch"): SENDING,
    (SCHEDULED, "cancel"): CANCELLED,
    (SENDING, "pause"): PAUSED,
    (SENDING, "complete"): COMPLETED,
    (SENDING, "cancel"): CANCELLED,
    (PAUSED, "resume"): SENDING,
    (PAUSED, "cancel"): CANCELLED,
}


@pytest.mark.parametrize(("status", "action"), sorted(ALLOWED))
def test_each_allowed_action_leads_to_its_status(status, action):
    """draft → scheduled → sending ⇄ paused → completed, or cancelled, exactly as drawn."""
    assert lifecycle_next(status=status, action=action) == ALLOWED[(status, action)]


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in STATUSES for a in ACTIONS if (s, a) not in ALLOWED],
)
def test_every_other_pair_is_an_illegal_transition(status, action):
    """Every (status, action) not in the diagram is refused with IllegalTransition."""
    with pytest.raises(IllegalTransition) as error:
        lifecycle_next(status=status, action=action)
    assert error.value.status == status and error.value.action == action


def test_the_error_says_what_is_wrong_and_what_would_be_allowed():
    """The message names the action, the current status and the statuses it applies to."""
    with pytest.raises(IllegalTransition, match=r"cannot pause a draft campaign: only a sending campaign can be paused"):
        lifecycle_next(status=DRAFT, action="pause")
    with pytest.raises(IllegalTransition, match=r"completed is final"):
        lifecycle_next(status=COMPLETED, action="resume")
    with pytest.raises(IllegalTransition, match=r"unknown action 'explode'"):
        lifecycle_next(status=DRAFT, action="explode")


def test_completed_and_cancelled_allow_nothing():
    """Final statuses offer no action at all."""
    assert lifecycle_actions(status=COMPLETED) == []
    assert lifecycle_actions(status=CANCELLED) == []
    assert lifecycle_actions(status=SENDING) == ["pause", "complete", "cancel"]
