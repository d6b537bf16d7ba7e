"""Celery tasks of the fleet: thin, each calls one service (scheduled in beat.py)."""
import logging
from datetime import date as date_type
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from emailengine.celery import app

logger = logging.getLogger(__name__)

# Accounting files untouched this long are finished (PowerMTA's move-interval is 5 minutes).
ACCOUNTING_SETTLED_SECONDS = 15 * 60


@app.task(name="deliverability.warmup_step", time_limit=600)
def warmup_step_task(date_iso=None):
    """The daily warmup step for today (UTC), then the PowerMTA config when PMTA_CONFIG_PATH is set."""
    from .services import warmup_step
    from .services.pmta import pmta_config_write

    day = date_type.fromisoformat(date_iso) if date_iso else timezone.now().date()
    report = warmup_step(date=day)
    logger.info("warmup step %s: %s", day, report)
    if settings.PMTA_CONFIG_PATH:
        pmta_config_write(path=settings.PMTA_CONFIG_PATH)
    return report


@app.task(name="deliverability.check_dns", time_limit=1800)
def check_dns_task():
    """Check every sending domain's DNS against DNS_NAMESERVER (or the system resolver) and store it."""
    from .services.dns import sending_domain_dns_check

    results = sending_domain_dns_check()
    failing = sum(1 for result in results if not result.ok)
    logger.info("DNS check: %d domains, %d with problems", len(results), failing)
    return {"domains": len(results), "failing": failing}


@app.task(name="deliverability.accounting_pickup", time_limit=1800)
def accounting_pickup_task():
    """Import every accounting CSV in PMTA_ACCOUNTING_DIR (idempotent, so the file PowerMTA is
    still writing can be read again later); move settled files into `imported/`."""
    from .services.pmta import pmta_accounting_import

    if not settings.PMTA_ACCOUNTING_DIR:
        return {}
    folder = Path(settings.PMTA_ACCOUNTING_DIR)
    done = folder / "imported"
    totals = {"files": 0, "new": 0, "duplicates": 0}
    now = timezone.now().timestamp()
    for path in sorted(folder.glob("*.csv")):
        settled = now - path.stat().st_mtime > ACCOUNTING_SETTLED_SECONDS
        with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
            result = pmta_accounting_import(lines_or_file=handle, source_name=path.name)
        totals["files"] += 1
        totals["new"] += result.new
        totals["duplicates"] += result.duplicates
        if settled:
            done.mkdir(exist_ok=True)
            path.rename(done / path.name)
    return totals
