from django.core.management.base import BaseCommand, CommandError

from emailengine.progress import progress

from ...dns_check import dns_check_table
from ...services.dns import sending_domain_dns_check
from ._brand import tenant_from, tenant_option


class Command(BaseCommand):
    help = ("Query DNS for each sending domain (A, PTR, forward-confirmed reverse DNS, SPF, DKIM, DMARC), "
            "store the result and print a table. Exit status 1 if a domain is not OK.")

    def add_arguments(self, parser):
        tenant_option(parser)
        parser.add_argument("--domain", action="append", metavar="NAME", help="Only this domain (repeatable).")
        parser.add_argument("--nameserver", metavar="IP[:PORT]",
                            help="Nameserver to ask (default: DNS_NAMESERVER, else the system's first).")
        parser.add_argument("--timeout", type=float, default=2.0, help="Seconds per query (default 2).")

    def handle(self, *args, tenant=None, domain=None, nameserver=None, timeout=2.0, **options):
        try:
            results = sending_domain_dns_check(tenant=tenant_from(tenant), names=domain, nameserver=nameserver,
                                               timeout=timeout, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not results:
            raise CommandError("no sending domain matches")
        self.stdout.write(dns_check_table(results))
        if not all(result.ok for result in results):
            raise SystemExit(1)
