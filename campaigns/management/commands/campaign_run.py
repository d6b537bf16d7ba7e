"""python manage.py campaign_run --tenant SLUG --campaign ID [--launch] [--preflight]

Without a Celery worker: run a campaign's pre-flight, launch it (with --launch, when draft or
scheduled) and dispatch it in this process until it completes or has to wait.
"""
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from tenants.selectors import tenant_get


class Command(BaseCommand):
    help = "Pre-flight, launch and dispatch a campaign in this process (no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Brand slug or id")
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--launch", action="store_true", help="Launch it first (draft or scheduled)")
        parser.add_argument("--preflight", action="store_true", help="Only print the pre-flight report")

    def handle(self, *args, tenant, campaign, launch, preflight, **options):
        from campaigns.models import Campaign
        from campaigns.services.dispatch import campaign_dispatch_run
        from campaigns.services.launch import PreflightFailed, campaign_launch, campaign_preflight

        brand = tenant_get(ref=tenant)
        if brand is None:
            raise CommandError(f"No brand {tenant!r}.")
        with tenant_context(brand):
            found = Campaign.objects.filter(pk=campaign).first()
            if found is None:
                raise CommandError(f"No campaign {campaign} in {brand.slug}.")
            if preflight:
                report = campaign_preflight(campaign=found, tenant=brand)
                for check in report["checks"]:
                    self.stdout.write(f"{check['status'].upper():8} {check['name']}: {check['message']}")
                return
            if launch:
                try:
                    # The launch enqueues dispatch on commit; with no worker running, this process sends.
                    found = campaign_launch(campaign=found, tenant=brand)
                except PreflightFailed as failed:
                    for check in failed.report["checks"]:
                        self.stdout.write(f"{check['status'].upper():8} {check['name']}: {check['message']}")
                    raise CommandError("pre-flight failed") from failed
            outcome = campaign_dispatch_run(tenant=brand, campaign_id=campaign, run_seconds=10 ** 9)
            found.refresh_from_db()
        self.stdout.write(
            f"{found.name}: {found.status}; this run sent {outcome.sent}, skipped {outcome.skipped}, failed "
            f"{outcome.failed}" + (f"; waiting until {outcome.wait_until:%Y-%m-%d %H:%M} UTC ({outcome.reason})"
                                   if outcome.wait_until else "")
        )
