from django.core.management.base import BaseCommand, CommandError

from emailengine.progress import progress

from ...dkim import DKIM_MIN_BITS
from ...services.dkim import dkim_keys_export, sending_domain_dkim_generate
from ...selectors import sending_domain_list
from ._brand import tenant_from, tenant_option


class Command(BaseCommand):
    help = ("Generate RSA DKIM keys for the sending domains that have none (or all with --rotate); "
            "private keys are stored encrypted. --export-dir writes <domain>.pem files for PowerMTA.")

    def add_arguments(self, parser):
        tenant_option(parser)
        parser.add_argument("--bits", type=int, default=2048, help="RSA key size (default 2048, minimum 1024).")
        parser.add_argument("--rotate", action="store_true", help="Replace existing keys too.")
        parser.add_argument("--export-dir", metavar="DIR", help="Write each private key as DIR/<domain>.pem (0600).")

    def handle(self, *args, tenant=None, bits=2048, rotate=False, export_dir=None, **options):
        if bits < DKIM_MIN_BITS:
            raise CommandError(f"--bits must be at least {DKIM_MIN_BITS}")
        domains = sending_domain_list(tenant=tenant_from(tenant))
        count = sending_domain_dkim_generate(domains=domains, bits=bits, rotate=rotate, progress=progress)
        self.stdout.write(f"{count} DKIM key(s) generated ({bits} bits)")
        if rotate and count:
            self.stdout.write("Publish the new DKIM records (generate_dns_records) and PEM files before sending.")
        if export_dir:
            written = dkim_keys_export(directory=export_dir, domains=domains)
            self.stdout.write(f"{len(written)} PEM file(s) written to {export_dir}")
