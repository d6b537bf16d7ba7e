"""The fleet's state: warmup plans, today's quotas and the manual state changes of an IP."""
from __future__ import annotations

from datetime import date as date_type

from django.db import connection, transaction
from django.utils import timezone

from ..models import DEFAULT_WEIGHTS, IPAddress, IPState, WarmupDecision, WarmupDecisionKind, WarmupPlan
from ..warmup_rules import PlanWeek, warmup_quota

# The seed's six weeks: (daily quota per IP, hard-bounce threshold in percent).
SEED_PLAN_WEEKS = ((50, "2.00"), (200, "2.00"), (500, "1.50"), (1500, "1.50"), (5000, "1.00"), (10000, "1.00"))


class FleetError(ValueError):
    """A state change that cannot be made (shown to the operator as is)."""


def warmup_plan_create(*, tenant) -> tuple[WarmupPlan, bool]:
    """The brand's warmup plan, created with the seed's six weeks if it has none."""
    plan, created = WarmupPlan.objects.get_or_create(tenant=tenant)
    if created:
        plan.weeks.bulk_create(
            [plan.weeks.model(plan=plan, week=n, daily_quota=quota, max_bounce_rate=rate)
             for n, (quota, rate) in enumerate(SEED_PLAN_WEEKS, start=1)]
        )
    return plan, created


def warmup_plan_load(*, tenant_id) -> tuple[list[PlanWeek], int]:
    """`(weeks, active_daily_cap)` of a brand; the seed's plan if the brand has none stored."""
    plan = WarmupPlan.objects.filter(tenant_id=tenant_id).prefetch_related("weeks").first()
    weeks = [PlanWeek(w.daily_quota, w.max_bounce_rate) for w in plan.weeks.all()] if plan else []
    if not weeks:
        from decimal import Decimal

        weeks = [PlanWeek(quota, Decimal(rate)) for quota, rate in SEED_PLAN_WEEKS]
    return weeks, (plan.active_daily_cap if plan else 50_000)


def ip_quota_for(ip, *, plans) -> int:
    weeks, cap = plans[ip.tenant_id]
    return warmup_quota(state=ip.state, day=ip.warmup_day, weeks=weeks, active_cap=cap)


def _plans_for(tenant_ids):
    return {tenant_id: warmup_plan_load(tenant_id=tenant_id) for tenant_id in set(tenant_ids)}


def ip_quota_set(*, ip_id: int, date: date_type, quota: int, only_stale: bool = False) -> bool:
    """Set an IP's quota for `date`. Its sent count starts from 0 when `date` is a new day
    for it and is kept when it is already today's (sends already reserved stay counted).
    With `only_stale`, IPs whose quota is already for `date` are left alone."""
    condition = " AND quota_date IS DISTINCT FROM %(date)s" if only_stale else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IPAddress._meta.db_table} SET quota_today = %(quota)s,"
            " sent_today = CASE WHEN quota_date = %(date)s THEN sent_today ELSE 0 END,"
            " quota_date = %(date)s WHERE id = %(id)s" + condition,
            {"quota": quota, "date": date, "id": ip_id},
        )
        return cursor.rowcount == 1


def ip_quotas_refresh(*, date: date_type, tenant_id=None, only_stale: bool = False) -> int:
    """Give every IP (of one brand, or all) its quota for `date` from its state and warmup
    day: the plan's figure (warmup), the active cap (active), 0 otherwise. Counters of a
    previous day restart from 0. Returns how many IPs changed."""
    ips = IPAddress.objects.all()
    if tenant_id is not None:
        ips = ips.filter(tenant_id=tenant_id)
    if only_stale:
        ips = ips.exclude(quota_date=date)
    ips = list(ips.only("id", "tenant_id", "state", "warmup_day"))
    plans = _plans_for(ip.tenant_id for ip in ips)
    return sum(ip_quota_set(ip_id=ip.id, date=date, quota=ip_quota_for(ip, plans=plans), only_stale=only_stale)
               for ip in ips)


ACTIONS = ("pause", "resume", "retire", "start_warmup")


def ip_state_change(*, ip: IPAddress, action: str, reason: str = "", today: date_type | None = None) -> IPAddress:
    """An operator's change: `pause`, `resume` (back to the state and day it had before its
    pause), `retire`, or `start_warmup` (day 1). Updates weight and today's quota and records
    a manual decision in the IP's history. Raises FleetError when the change makes no sense."""
    if action not in ACTIONS:
        raise FleetError(f"unknown action {action!r}")
    today = today or timezone.now().date()
    with transaction.atomic():
        ip = IPAddress.objects.select_for_update().get(pk=ip.pk)
        before_state, before_day = ip.state, ip.warmup_day
        if action == "pause":
            if ip.state not in (IPState.ACTIVE, IPState.WARMUP):
                raise FleetError(f"{ip.address} is {ip.state}: only active and warmup IPs can be paused")
            new_state, new_day = IPState.PAUSED, ip.warmup_day
        elif action == "resume":
            if ip.state != IPState.PAUSED:
                raise FleetError(f"{ip.address} is {ip.state}: only paused IPs can be resumed")
            new_state, new_day = _state_before_pause(ip)
        elif action == "retire":
            if ip.state == IPState.RETIRED:
                raise FleetError(f"{ip.address} is already retired")
            new_state, new_day = IPState.RETIRED, 0
        else:
            if ip.state in (IPState.ACTIVE, IPState.WARMUP):
                raise FleetError(f"{ip.address} is {ip.state}: pause it before restarting its warmup")
            new_state, new_day = IPState.WARMUP, 1
        reason = reason or f"{action.replace('_', ' ')} by an operator"
        ip_state_apply(ip=ip, state=new_state, day=new_day, reason=reason, today=today)
        plans = _plans_for([ip.tenant_id])
        quota = ip_quota_for(ip, plans=plans)
        ip_quota_set(ip_id=ip.id, date=today, quota=quota)
        WarmupDecision.objects.create(
            ip=ip, date=today, decision=WarmupDecisionKind.MANUAL, automatic=False,
            state_before=before_state, state_after=new_state, day_before=before_day, day_after=new_day,
            quota_after=quota, reason=reason[:255],
        )
        ip.refresh_from_db()
    return ip


def ip_state_apply(*, ip: IPAddress, state: str, day: int, reason: str, today: date_type, holds: int = 0) -> None:
    """Write a new state on `ip` (weight from DEFAULT_WEIGHTS; warmup start date when entering
    warmup on day 1). Does not touch the quota (see ip_quota_set)."""
    fields = {"state": state, "warmup_day": day if state in (IPState.WARMUP, IPState.PAUSED) else 0,
              "warmup_holds": holds, "state_reason": reason[:255]}
    if state != ip.state:
        fields["weight"] = DEFAULT_WEIGHTS[state]
        fields["state_changed_at"] = timezone.now()
        if state == IPState.WARMUP and day == 1:
            fields["warmup_started_on"] = today
    for name, value in fields.items():
        setattr(ip, name, value)
    IPAddress.objects.filter(pk=ip.pk).update(**fields)


def _state_before_pause(ip) -> tuple[str, int]:
    last_pause = ip.warmup_decisions.filter(state_after=IPState.PAUSED).exclude(state_before=IPState.PAUSED).first()
    if last_pause and last_pause.state_before == IPState.ACTIVE:
        return IPState.ACTIVE, 0
    if last_pause and last_pause.state_before == IPState.WARMUP:
        return IPState.WARMUP, max(last_pause.day_before, 1)
    return IPState.WARMUP, max(ip.warmup_day, 1)
