"""python manage.py sync_mailwizz [--tenant SLUG] [--full] [--results] [--campaign ID] [--health]
[--rotate-webhook-token]: the MailWizz channel's jobs on demand (the same services beat runs)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from emailengine.progress import progress
from tenants.models import Tenant
from tenants.selectors import tenant_get

from ...mailwizz_sync import (
    MailWizzNotConfigured,
    MailWizzSyncError,
    mailwizz_campaign_push,
    mailwizz_contacts_push,
    mailwizz_health_check,
    mailwizz_results_pull,
    mailwizz_webhook_token_rotate,
)
from ...models import MailWizzInstance


class Command(BaseCommand):
    help = ("Push new and changed contacts to each brand's MailWizz default list (every deliverable contact "
            "with --full; non-deliverable ones are unsubscribed there). Other jobs on request: --results, "
            "--campaign ID, --health, --rotate-webhook-token.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", metavar="SLUG", help="Only this brand (slug or id); every active brand by default.")
        parser.add_argument("--full", action="store_true", help="Every contact, not only those changed since the last run.")
        parser.add_argument("--results", action="store_true", help="Pull campaign stats and unsubscribes instead.")
        parser.add_argument("--campaign", type=int, metavar="ID",
                            help="Push this MailWizz campaign (needs --tenant) instead of contacts.")
        parser.add_argument("--health", action="store_true", help="Check the instances' health instead.")
        parser.add_argument("--rotate-webhook-token", action="store_true",
                            help="Print a new webhook URL for the brand (needs --tenant); the old token stops working.")

    def handle(self, *args, tenant=None, full=False, results=False, campaign=None, health=False,
               rotate_webhook_token=False, **options):
        brands = self._brands(tenant)
        if (campaign is not None or rotate_webhook_token) and not tenant:
            raise CommandError("--campaign and --rotate-webhook-token need --tenant.")
        if rotate_webhook_token:
            token = mailwizz_webhook_token_rotate(tenant=brands[0])
            self.stdout.write("MailWizz webhook URL (shown once; put it in each MailWizz campaign's open/click webhooks):")
            self.stdout.write(f"{settings.PUBLIC_BASE_URL}/api/v2/events/mailwizz/{brands[0].slug}?token={token}")
            return
        if health:
            for instance in MailWizzInstance.objects.filter(tenant__in=brands, is_active=True).order_by("pk"):
                ok, error = mailwizz_health_check(instance=instance)
                self.stdout.write(f"{instance.tenant.slug} {instance.name}: {'ok' if ok else 'DOWN ' + error}")
            return
        failed = False
        for brand in brands:
            try:
                if campaign is not None:
                    outcome = mailwizz_campaign_push(campaign_id=campaign, tenant=brand)
                    for group in outcome.groups:
                        self.stdout.write(f"{brand.slug} campaign {campaign} template {group['template_id']}: "
                                          f"{group['state']} list {group['list_uid'] or '-'} "
                                          f"campaign {group['campaign_uid'] or '-'} ({group['subscribers_added']} added, "
                                          f"{group['subscriber_errors']} refused)")
                    for problem in outcome.problems:
                        self.stderr.write(f"{brand.slug}: {problem}")
                    failed |= bool(outcome.problems)
                elif results:
                    report = mailwizz_results_pull(tenant=brand)
                    self.stdout.write(f"{brand.slug}: {report['groups']} campaign groups pulled, "
                                      f"{report['new_unsubscribes']} new unsubscribes")
                else:
                    with progress(desc=f"{brand.slug} contacts", unit="contact") as bar:
                        report = mailwizz_contacts_push(tenant=brand, full=full, on_chunk=bar.update)
                    self.stdout.write(
                        f"{brand.slug}: {report.looked_at} contacts looked at, {report.added} added, "
                        f"{report.linked_existing} already there, {report.updated} updated, "
                        f"{report.unsubscribed} unsubscribed, {report.errors} errors"
                        + (f", fields created: {', '.join(report.fields_created)}" if report.fields_created else ""))
            except MailWizzNotConfigured as exc:
                self.stdout.write(f"{brand.slug}: skipped ({exc})")
            except MailWizzSyncError as exc:
                failed = True
                self.stderr.write(f"{brand.slug}: {exc}")
        if failed:
            raise CommandError("MailWizz sync failed for at least one brand (see above).")

    @staticmethod
    def _brands(ref):
        if not ref:
            return list(Tenant.objects.filter(is_active=True).order_by("pk"))
        brand = tenant_get(ref=ref)
        if brand is None:
            known = ", ".join(Tenant.objects.order_by("pk").values_list("slug", flat=True))
            raise CommandError(f"unknown brand {ref!r} (known: {known})")
        return [brand]
