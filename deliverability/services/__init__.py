"""Deliverability services (writes). Import from here: `from deliverability.services import quota_reserve`."""
from .fleet import (
    FleetError,
    ip_quota_set,
    ip_quotas_refresh,
    ip_state_change,
    warmup_plan_create,
    warmup_plan_load,
)
from .quota import NoQuota, Reservation, quota_available, quota_release, quota_reserve
from .stats import ip_daily_stats_add
from .warmup import warmup_step

__all__ = [
    "FleetError",
    "NoQuota",
    "Reservation",
    "ip_daily_stats_add",
    "ip_quota_set",
    "ip_quotas_refresh",
    "ip_state_change",
    "quota_available",
    "quota_release",
    "quota_reserve",
    "warmup_plan_create",
    "warmup_plan_load",
    "warmup_step",
]
