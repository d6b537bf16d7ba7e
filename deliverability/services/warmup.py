"""The daily warmup step: judge every warmup and active IP on yesterday's figures, apply the
verdicts (advance, hold, step back, pause with a standby promoted, promote to active),
record each decision with its numbers and give every IP its quota for the day."""
from __future__ import annotations

from collections import Counter
from datetime import date as date_type
from datetime import timedelta

from django.db import transaction

from ..models import IPAddress, IPDailyStats, IPState, WarmupDecision, WarmupDecisionKind
from ..warmup_rules import PAUSE, DayFigures, warmup_judge
from .fleet import _plans_for, ip_quota_for, ip_quota_set, ip_quotas_refresh, ip_state_apply


def warmup_step(*, date: date_type) -> dict[str, int]:
    """Run the warmup step for UTC day `date` (judging `date - 1`). Idempotent: an IP that
    already has its automatic decision for `date` is not judged again. Returns how many
    decisions of each kind were made (plus "quotas set")."""
    judged_day = date - timedelta(days=1)
    report = Counter()
    with transaction.atomic():
        ips = list(
            IPAddress.objects.select_for_update()
            .filter(state__in=(IPState.ACTIVE, IPState.WARMUP))
            .order_by("tenant_id", "address")
        )
        plans = _plans_for(ip.tenant_id for ip in ips)
        decided = set(WarmupDecision.objects.filter(date=date, automatic=True).values_list("ip_id", flat=True))
        figures = {
            row.ip_id: row for row in IPDailyStats.objects.filter(date=judged_day, ip_id__in=[ip.id for ip in ips])
        }
        for ip in ips:
            if ip.id in decided:
                continue
            weeks, _cap = plans[ip.tenant_id]
            stats = figures.get(ip.id)
            quota_judged = ip.quota_today if ip.quota_date == judged_day else ip_quota_for(ip, plans=plans)
            verdict = warmup_judge(
                state=ip.state, day=ip.warmup_day, holds=ip.warmup_holds, quota=quota_judged, weeks=weeks,
                figures=DayFigures(
                    sent=stats.sent if stats else 0,
                    hard_bounces=stats.hard_bounces if stats else 0,
                    block_bounces=stats.block_bounces if stats else 0,
                    complaints=stats.complaints if stats else 0,
                ),
            )
            before_state, before_day = ip.state, ip.warmup_day
            ip_state_apply(ip=ip, state=verdict.state, day=verdict.day, holds=verdict.holds,
                           reason=verdict.reason, today=date)
            quota = ip_quota_for(ip, plans=plans)
            ip_quota_set(ip_id=ip.id, date=date, quota=quota)
            WarmupDecision.objects.create(
                ip=ip, date=date, decision=verdict.decision, automatic=True,
                state_before=before_state, state_after=verdict.state, day_before=before_day, day_after=ip.warmup_day,
                quota_judged=quota_judged, quota_after=quota, sent=stats.sent if stats else 0,
                hard_bounce_rate=verdict.hard_bounce_rate, complaint_rate=verdict.complaint_rate,
                block_rate=verdict.block_rate, threshold=verdict.threshold, reason=verdict.reason[:255],
            )
            decided.add(ip.id)
            report[verdict.decision] += 1
            if verdict.decision == PAUSE:
                promoted = _standby_promote(tenant_id=ip.tenant_id, replacing=ip, date=date, plans=plans)
                if promoted is not None:
                    decided.add(promoted.id)
                    report[WarmupDecisionKind.STANDBY_PROMOTED] += 1
        report["quotas set"] = ip_quotas_refresh(date=date, only_stale=True)
    return dict(report)


def _standby_promote(*, tenant_id, replacing, date, plans):
    """Bring the brand's first standby IP (by address) into warmup day 1 in place of `replacing`."""
    standby = (
        IPAddress.objects.select_for_update()
        .filter(tenant_id=tenant_id, state=IPState.STANDBY)
        .order_by("address")
        .first()
    )
    if standby is None:
        return None
    reason = f"promoted from standby to replace paused {replacing.address}"
    ip_state_apply(ip=standby, state=IPState.WARMUP, day=1, reason=reason, today=date)
    quota = ip_quota_for(standby, plans=plans)
    ip_quota_set(ip_id=standby.id, date=date, quota=quota)
    WarmupDecision.objects.create(
        ip=standby, date=date, decision=WarmupDecisionKind.STANDBY_PROMOTED, automatic=True,
        state_before=IPState.STANDBY, state_after=IPState.WARMUP, day_before=0, day_after=1,
        quota_after=quota, reason=reason,
    )
    return standby
