"""Background jobs on contacts. Each takes ids, reloads and calls a service."""
from emailengine.celery import brand_task


@brand_task(name="contacts.validate", time_limit=3600, soft_time_limit=3500, ignore_result=True)
def contacts_validate(tenant_id, limit=None):
    """Validate the brand's pending contacts (MX, role accounts, disposable domains)."""
    from .services.validation import contacts_validate_pending

    return contacts_validate_pending(limit=limit)


@brand_task(name="contacts.import_csv", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, ignore_result=True)
def contacts_import_csv(tenant_id, job_id):
    """Run one queued CSV ImportJob."""
    from .services.csv_import import import_job_run

    import_job_run(job_id=job_id)
