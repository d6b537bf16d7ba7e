from django.core.management.base import BaseCommand, CommandError

from ...services.pmta import pmta_config_build, pmta_config_write


class Command(BaseCommand):
    help = ("The complete PowerMTA configuration from the fleet (VMTAs, pools, per-ISP limits, DKIM, "
            "accounting), deterministic; to stdout or --output FILE (written atomically).")

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE")
        parser.add_argument("--dkim-dir", default="/etc/pmta/dkim", metavar="DIR",
                            help="Where PowerMTA finds <domain>.pem (see generate_dkim_keys --export-dir).")
        parser.add_argument("--injection-host", action="append", metavar="IP_OR_CIDR",
                            help="Host allowed to inject (repeatable; default 127.0.0.1).")

    def handle(self, *args, output=None, dkim_dir="/etc/pmta/dkim", injection_host=None, **options):
        hosts = tuple(injection_host or ("127.0.0.1",))
        try:
            if output:
                changed = pmta_config_write(path=output, dkim_dir=dkim_dir, injection_hosts=hosts)
                self.stdout.write(f"{output} {'written' if changed else 'unchanged'}")
            else:
                self.stdout.write(pmta_config_build(dkim_dir=dkim_dir, injection_hosts=hosts), ending="")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
