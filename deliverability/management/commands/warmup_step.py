from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...services import warmup_step
from ...services.pmta import pmta_config_write


class Command(BaseCommand):
    help = ("Judge every warmup and active IP on the previous day's figures (advance, hold, step back, pause "
            "with a standby promoted, promote), set the day's quotas, and rewrite PMTA_CONFIG_PATH if set.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The UTC day to step to, YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options):
        try:
            day = date_type_parse(date) if date else timezone.now().date()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        report = warmup_step(date=day)
        decisions = ", ".join(f"{kind} {count}" for kind, count in sorted(report.items()) if kind != "quotas set")
        self.stdout.write(f"Warmup step {day}: {decisions or 'no decision (already run?)'}")
        if settings.PMTA_CONFIG_PATH:
            changed = pmta_config_write(path=settings.PMTA_CONFIG_PATH)
            self.stdout.write(f"{settings.PMTA_CONFIG_PATH} {'rewritten' if changed else 'unchanged'}")


def date_type_parse(value):
    return date.fromisoformat(value)
