import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services.pmta import pmta_accounting_import


class Command(BaseCommand):
    help = ("Import PowerMTA accounting CSV files (read by column name; .gz accepted) into the IPs' daily "
            "figures and the registered handlers. Idempotent: a record already imported counts nothing.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files=(), **options):
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
                result = pmta_accounting_import(lines_or_file=handle, source_name=path.name)
            self.stdout.write(
                f"{path.name}: {result.records} records, {result.new} new, {result.duplicates} already imported, "
                f"{result.unmatched} for unknown VMTAs, {len(result.errors)} unreadable rows"
            )
            for error in result.errors[:10]:
                self.stdout.write(f"    line {error.line}: {error.reason}")
