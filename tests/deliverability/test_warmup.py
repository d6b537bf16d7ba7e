"""The daily warmup step, branch by branch, from constructed IPDailyStats."""
import datetime
from decimal import Decimal

import pytest

from deliverability.models import IPAddress, IPDailyStats, IPState, WarmupDecision
from deliverability.services import warmup_step
from deliverability.warmup_rules import DayFigures, PlanWeek, warmup_judge

from .factories import make_ip

TODAY = datetime.date(2025, 3, 10)
YESTERDAY = TODAY - datetime.timedelta(days=1)


def figures(ip, *, sent, hard=0, complaints=0, blocks=0, day=YESTERDAY):
    IPDailyStats.objects.create(ip=ip, date=day, sent=sent, delivered=sent - hard - blocks,
                                hard_bounces=hard, complaints=complaints, block_bounces=blocks)


def warmup_ip(brands, *, day, quota, n=None):
    return make_ip(brands.sos, n=n, state=IPState.WARMUP, warmup_day=day, quota_today=quota, quota_date=YESTERDAY)


def decision_of(ip, date=TODAY):
    return WarmupDecision.objects.get(ip=ip, date=date, automatic=True)


def test_a_healthy_warmup_day_advances_one_day_and_the_quota_follows_the_plan(brands):
    """Day 7 at 1.9% hard bounces (threshold 2%), no complaint, no block: day 8, week 2's 200/day."""
    ip = warmup_ip(brands, day=7, quota=50)
    figures(ip, sent=1000, hard=19)
    report = warmup_step(date=TODAY)
    ip.refresh_from_db()
    assert (ip.state, ip.warmup_day, ip.weight, ip.quota_today, ip.quota_date) == ("warmup", 8, 50, 200, TODAY)
    assert report["advance"] == 1
    decision = decision_of(ip)
    assert (decision.decision, decision.day_before, decision.day_after) == ("advance", 7, 8)
    assert (decision.sent, decision.quota_judged, decision.quota_after) == (1000, 50, 200)
    assert decision.hard_bounce_rate == Decimal("1.9") and decision.threshold == Decimal("2")


def test_bounces_at_the_threshold_hold_the_ip_on_its_day(brands):
    """2% hard bounces in week 1 (threshold 2%, pause at 4%): same day, one hold counted."""
    ip = warmup_ip(brands, day=3, quota=50)
    figures(ip, sent=50, hard=1)
    warmup_step(date=TODAY)
    ip.refresh_from_db()
    assert (ip.state, ip.warmup_day, ip.warmup_holds, ip.quota_today) == ("warmup", 3, 1, 50)
    assert decision_of(ip).decision == "hold"


def test_complaints_between_0_1_and_0_3_percent_or_a_few_block_bounces_hold(brands):
    """0.2% complaints holds; so does a single block bounce under 1%."""
    complaining = warmup_ip(brands, day=20, quota=1500)
    figures(complaining, sent=1000, complaints=2)
    blocked = warmup_ip(brands, day=20, quota=1500)
    figures(blocked, sent=1000, blocks=5)
    warmup_step(date=TODAY)
    assert decision_of(complaining).decision == "hold"
    assert decision_of(blocked).decision == "hold"


def test_the_second_hold_in_a_row_steps_back_one_day(brands):
    """Hold on day 10, then a second hold the next day: day 9, holds reset."""
    ip = warmup_ip(brands, day=10, quota=200)
    figures(ip, sent=200, hard=4)  # 2%: hold
    warmup_step(date=TODAY)
    figures(ip, sent=200, hard=5, day=TODAY)  # 2.5%: hold again
    warmup_step(date=TODAY + datetime.timedelta(days=1))
    ip.refresh_from_db()
    assert (ip.state, ip.warmup_day, ip.warmup_holds) == ("warmup", 9, 0)
    assert decision_of(ip, TODAY + datetime.timedelta(days=1)).decision == "step_back"


def test_an_advance_between_two_holds_breaks_the_row(brands):
    """hold, advance, hold: the second hold is a first hold again, no step back."""
    ip = warmup_ip(brands, day=10, quota=200)
    for offset, hard in ((0, 4), (1, 0), (2, 4)):
        day = TODAY + datetime.timedelta(days=offset)
        figures(ip, sent=200, hard=hard, day=day - datetime.timedelta(days=1))
        warmup_step(date=day)
    ip.refresh_from_db()
    assert (ip.warmup_day, ip.warmup_holds) == (11, 1)


@pytest.mark.parametrize("hard,complaints,blocks", [(4, 0, 0), (0, 3, 0), (0, 0, 11)])
def test_far_over_the_limits_pauses_the_ip_and_promotes_the_first_standby_into_warmup(brands, hard, complaints,
                                                                                      blocks):
    """4% hard bounces (twice 2%), 0.3% complaints or block bounces over 1% pause the IP (weight
    0, quota 0) and bring the brand's first standby IP into warmup day 1 (weight 50, quota 50)."""
    ip = warmup_ip(brands, day=5, quota=50, n=41)
    sent = 1000
    figures(ip, sent=sent, hard=hard * 10, complaints=complaints, blocks=blocks)
    standby_first = make_ip(brands.sos, n=48, state=IPState.STANDBY, quota_date=YESTERDAY)
    standby_second = make_ip(brands.sos, n=49, state=IPState.STANDBY, quota_date=YESTERDAY)
    other_brand_standby = make_ip(brands.ulixai, n=48, state=IPState.STANDBY, quota_date=YESTERDAY)
    report = warmup_step(date=TODAY)
    for row in (ip, standby_first, standby_second, other_brand_standby):
        row.refresh_from_db()
    assert (ip.state, ip.weight, ip.quota_today) == ("paused", 0, 0)
    assert (standby_first.state, standby_first.warmup_day, standby_first.weight, standby_first.quota_today,
            standby_first.warmup_started_on) == ("warmup", 1, 50, 50, TODAY)
    assert standby_second.state == "standby" and other_brand_standby.state == "standby"
    assert report["pause"] == 1 and report["standby_promoted"] == 1
    pause = decision_of(ip)
    assert pause.decision == "pause" and pause.sent == 1000
    assert "45.123.10.41" in decision_of(standby_first).reason


def test_a_healthy_last_day_promotes_the_ip_to_active(brands):
    """After day 42 (week 6, 10,000/day) the IP becomes active: weight 100, the active cap."""
    ip = warmup_ip(brands, day=42, quota=10_000)
    figures(ip, sent=9000, hard=10)
    warmup_step(date=TODAY)
    ip.refresh_from_db()
    assert (ip.state, ip.weight, ip.warmup_day, ip.quota_today) == ("active", 100, 0, 50_000)
    assert decision_of(ip).decision == "promote"


@pytest.mark.parametrize("sent,quota", [(19, 20), (24, 50), (4999, 10_000), (0, 50)])
def test_too_little_volume_keeps_the_ip_where_it_is(brands, sent, quota):
    """Under 20 sent or under half the quota: stay, even with terrible figures."""
    ip = warmup_ip(brands, day=8 if quota != 10_000 else 40, quota=quota)
    if sent:
        figures(ip, sent=sent, hard=sent // 2)
    warmup_step(date=TODAY)
    ip.refresh_from_db()
    assert ip.state == "warmup" and ip.warmup_day == (8 if quota != 10_000 else 40)
    decision = decision_of(ip)
    assert decision.decision == "stay" and decision.sent == sent


def test_half_the_quota_is_enough_volume_to_judge(brands):
    ip = warmup_ip(brands, day=8, quota=50)
    figures(ip, sent=25)
    warmup_step(date=TODAY)
    assert decision_of(ip).decision == "advance"


def test_active_ips_are_judged_against_the_last_weeks_threshold(brands):
    """Week 6 threshold is 1%: 0.9% keeps, 1% holds, 2% pauses (and a standby replaces it)."""
    healthy = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, quota_date=YESTERDAY)
    holding = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, quota_date=YESTERDAY)
    burnt = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, quota_date=YESTERDAY)
    standby = make_ip(brands.sos, state=IPState.STANDBY, quota_date=YESTERDAY)
    figures(healthy, sent=1000, hard=9)
    figures(holding, sent=1000, hard=10)
    figures(burnt, sent=1000, hard=20)
    warmup_step(date=TODAY)
    for row in (healthy, holding, burnt, standby):
        row.refresh_from_db()
    assert (healthy.state, healthy.quota_today, decision_of(healthy).decision) == ("active", 50_000, "keep")
    assert (holding.state, holding.warmup_holds, decision_of(holding).decision) == ("active", 1, "hold")
    assert (burnt.state, burnt.weight, burnt.quota_today, decision_of(burnt).decision) == ("paused", 0, 0, "pause")
    assert decision_of(burnt).threshold == Decimal("1")
    assert (standby.state, standby.warmup_day) == ("warmup", 1)


def test_an_active_ip_held_twice_goes_back_to_the_plans_last_warmup_day(brands):
    ip = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, quota_date=YESTERDAY)
    figures(ip, sent=1000, hard=10)
    warmup_step(date=TODAY)
    figures(ip, sent=1000, hard=10, day=TODAY)
    warmup_step(date=TODAY + datetime.timedelta(days=1))
    ip.refresh_from_db()
    assert (ip.state, ip.warmup_day, ip.weight, ip.quota_today) == ("warmup", 42, 50, 10_000)


def test_running_the_step_twice_for_the_same_day_decides_once(brands):
    ip = warmup_ip(brands, day=3, quota=50)
    figures(ip, sent=50)
    warmup_step(date=TODAY)
    second = warmup_step(date=TODAY)
    ip.refresh_from_db()
    assert ip.warmup_day == 4
    assert WarmupDecision.objects.filter(ip=ip).count() == 1
    assert "advance" not in second


def test_the_step_resets_the_days_counters_and_gives_standby_and_paused_ips_no_quota(brands):
    """Yesterday's sent counts restart from 0; standby/paused get 0; what was already reserved
    today (before the step ran) stays counted."""
    active = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, sent_today=3000, quota_date=YESTERDAY)
    paused = make_ip(brands.sos, state=IPState.PAUSED, quota_today=50, sent_today=10, quota_date=YESTERDAY)
    early = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=50_000, sent_today=70, quota_date=TODAY)
    warmup_step(date=TODAY)
    rows = {ip.id: ip for ip in IPAddress.objects.all()}
    assert (rows[active.id].sent_today, rows[active.id].quota_today, rows[active.id].quota_date) == (0, 50_000, TODAY)
    assert (rows[paused.id].sent_today, rows[paused.id].quota_today) == (0, 0)
    assert (rows[early.id].sent_today, rows[early.id].quota_today) == (70, 50_000)


def test_warmup_judge_reads_the_week_from_the_day():
    """Pure rule: day 15 is week 3 (threshold 1.5%), so 1.6% holds where week 2 would advance."""
    weeks = [PlanWeek(50, Decimal("2")), PlanWeek(200, Decimal("2")), PlanWeek(500, Decimal("1.5"))]
    verdict = warmup_judge(state="warmup", day=15, holds=0, quota=500,
                           figures=DayFigures(sent=1000, hard_bounces=16), weeks=weeks)
    assert verdict.decision == "hold" and verdict.threshold == Decimal("1.5")
    verdict = warmup_judge(state="warmup", day=14, holds=0, quota=200,
                           figures=DayFigures(sent=1000, hard_bounces=16), weeks=weeks)
    assert verdict.decision == "advance"
    with pytest.raises(ValueError):
        warmup_judge(state="standby", day=0, holds=0, quota=0, figures=DayFigures(), weeks=weeks)
