import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services.dns import DnsSetupError, dns_records_render
from ._brand import tenant_from, tenant_option


class Command(BaseCommand):
    help = ("The A, SPF, DKIM, DMARC and PTR records of the sending domains, as BIND zone files "
            "(one per sending base and per reverse /24) or JSON; to stdout or into --output DIR.")

    def add_arguments(self, parser):
        tenant_option(parser)
        parser.add_argument("--format", choices=("bind", "json"), default="bind")
        parser.add_argument("--output", metavar="DIR", help="Write one file per zone (or dns-records.json) here.")
        parser.add_argument("--serial", type=int, help="SOA serial (default: today as YYYYMMDD01).")

    def handle(self, *args, tenant=None, format="bind", output=None, serial=None, **options):
        try:
            files = dns_records_render(tenant=tenant_from(tenant), format=format, serial=serial)
        except (DnsSetupError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if not output:
            for name, text in files.items():
                if len(files) > 1:
                    self.stdout.write(f"; ===== {name} =====")
                self.stdout.write(text, ending="")
            return
        directory = Path(output)
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (directory / name).write_text(text)
        print(f"{len(files)} file(s) written to {directory}", file=sys.stderr)
