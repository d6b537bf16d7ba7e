"""Deliverability services (writes). Import from here: `from deliverability.services import quota_reserve`."""
from .fleet import (
    FleetError,
    ip_quota_set,
    ip_quotas_refresh,
    ip_state_change,
    warmup_plan_create,
    warmup_plan_load,
)
from .dkim import dkim_keys_export, sending_domain_dkim_generate
from .dns import DnsSetupError, dns_records_render, sending_domain_dns_check
from .pmta import (
    AccountingImport,
    accounting_handler_register,
    accounting_handler_unregister,
    pmta_accounting_import,
    pmta_config_build,
    pmta_config_write,
)
from .quota import NoQuota, Reservation, quota_available, quota_release, quota_reserve
from .stats import ip_daily_stats_add
from .warmup import warmup_step

__all__ = [
    "AccountingImport",
    "DnsSetupError",
    "accounting_handler_register",
    "accounting_handler_unregister",
    "dkim_keys_export",
    "dns_records_render",
    "pmta_accounting_import",
    "pmta_config_build",
    "pmta_config_write",
    "sending_domain_dkim_generate",
    "sending_domain_dns_check",
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
