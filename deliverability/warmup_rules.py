"""The warmup state machine: what one IP's figures for one day mean for its next day.

Pure functions, no database. `deliverability.services.warmup.warmup_step` loads each IP and
its figures, asks `warmup_judge`, applies the verdict and records it.

The rules (rates are per message sent that day):

* not enough volume to judge (under `MIN_SENT` messages, or -- for a warmup IP -- under
  `MIN_QUOTA_SHARE` of its quota): **stay**;
* hard bounces at least twice the week's threshold, complaints at or over 0.3%, or block
  bounces (spam-/policy-related) over 1%: **pause**;
* hard bounces at or over the threshold, complaints at or over 0.1%, or any block bounce:
  **hold** (same day); the second hold in a row **steps back** one day;
* otherwise **advance** one day; advancing past the last day of the plan **promotes** the IP
  to active.

Active IPs are judged against the last week's threshold: healthy means **keep**; pause as
above; two holds in a row step the IP back into warmup on the plan's last day (its quota
drops from the active cap to the last week's figure until it advances again). For an active
IP only the `MIN_SENT` floor applies: its cap (50,000 by default) is a ceiling, not a target,
and requiring half of it would leave a burnt active IP unjudged on most days.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_SENT = 20
MIN_QUOTA_SHARE = Decimal("0.5")
COMPLAINT_HOLD_RATE = Decimal("0.1")  # percent
COMPLAINT_PAUSE_RATE = Decimal("0.3")  # percent
BLOCK_PAUSE_RATE = Decimal("1")  # percent
DAYS_PER_WEEK = 7

ADVANCE = "advance"
HOLD = "hold"
STEP_BACK = "step_back"
PAUSE = "pause"
PROMOTE = "promote"
STAY = "stay"
KEEP = "keep"


@dataclass(frozen=True)
class PlanWeek:
    daily_quota: int
    max_bounce_rate: Decimal  # percent


@dataclass(frozen=True)
class DayFigures:
    sent: int = 0
    hard_bounces: int = 0
    block_bounces: int = 0
    complaints: int = 0


@dataclass(frozen=True)
class Verdict:
    """What happens to the IP: `decision`, its `state`/`day`/`holds` afterwards, the
    rates (percent) and threshold it was judged on and a sentence saying why."""

    decision: str
    state: str
    day: int
    holds: int
    hard_bounce_rate: Decimal
    complaint_rate: Decimal
    block_rate: Decimal
    threshold: Decimal
    reason: str


def plan_last_day(weeks) -> int:
    return len(weeks) * DAYS_PER_WEEK


def plan_week_of(day: int, weeks) -> PlanWeek:
    """The plan week of a warmup day (week = ceil(day / 7), clamped to the plan)."""
    index = min(max(math.ceil(day / DAYS_PER_WEEK), 1), len(weeks)) - 1
    return weeks[index]


def warmup_quota(*, state: str, day: int, weeks, active_cap: int) -> int:
    """Today's quota of an IP: its plan day's figure (warmup), the active cap, or 0."""
    if state == "warmup":
        return plan_week_of(day, weeks).daily_quota
    if state == "active":
        return active_cap
    return 0


def _rate(count: int, sent: int) -> Decimal:
    if sent <= 0:
        return Decimal("0")
    return (Decimal(count) * 100 / Decimal(sent)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def warmup_judge(*, state: str, day: int, holds: int, quota: int, figures: DayFigures, weeks) -> Verdict:
    """Judge one warmup or active IP on one day's `figures`; `quota` is that day's quota.

    Raises ValueError for other states (standby, paused and retired IPs are not judged) and
    for an empty plan.
    """
    if state not in ("warmup", "active"):
        raise ValueError(f"only warmup and active IPs are judged, not {state!r}")
    if not weeks:
        raise ValueError("the warmup plan has no weeks")
    last_day = plan_last_day(weeks)
    week = plan_week_of(day, weeks) if state == "warmup" else weeks[-1]
    threshold = Decimal(week.max_bounce_rate)
    sent = figures.sent
    hard = _rate(figures.hard_bounces, sent)
    complaints = _rate(figures.complaints, sent)
    blocks = _rate(figures.block_bounces, sent)
    rates = f"hard bounces {hard}% (threshold {threshold}%), complaints {complaints}%, blocks {blocks}% of {sent} sent"

    def verdict(decision, new_state, new_day, new_holds, why):
        return Verdict(decision, new_state, new_day, new_holds, hard, complaints, blocks, threshold, f"{why}: {rates}")

    if sent < MIN_SENT or (state == "warmup" and sent < quota * MIN_QUOTA_SHARE):
        floor = f"{MIN_SENT}" if state == "active" else f"max({MIN_SENT}, 50% of quota {quota})"
        return Verdict(STAY, state, day, holds, hard, complaints, blocks, threshold,
                       f"not enough volume to judge: {sent} sent, needs {floor}")

    if hard >= 2 * threshold or complaints >= COMPLAINT_PAUSE_RATE or blocks > BLOCK_PAUSE_RATE:
        return verdict(PAUSE, "paused", day if state == "warmup" else 0, 0, "far over the limits")

    if hard >= threshold or complaints >= COMPLAINT_HOLD_RATE or figures.block_bounces > 0:
        if holds + 1 >= 2:
            if state == "active":
                return verdict(STEP_BACK, "warmup", last_day, 0, "second hold in a row, back to the plan's last day")
            return verdict(STEP_BACK, "warmup", max(day - 1, 1), 0, "second hold in a row, one day back")
        return verdict(HOLD, state, day, holds + 1, "over the limits")

    if state == "active":
        return verdict(KEEP, "active", 0, 0, "healthy")
    if day >= last_day:
        return verdict(PROMOTE, "active", 0, 0, f"healthy after day {day}, promoted to active")
    return verdict(ADVANCE, "warmup", day + 1, 0, "healthy")
