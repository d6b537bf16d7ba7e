"""python manage.py import_contacts FILE --tenant SLUG [--source ID] [--tags a,b]"""
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from contacts.services.csv_import import CsvImportError, contacts_import_csv
from emailengine.progress import progress
from tenants.audit import Actor, audit_as
from tenants.selectors import tenant_get


class Command(BaseCommand):
    help = "Import contacts from a CSV file (, or ; separated, UTF-8 or Latin-1) into one brand."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--tenant", required=True, help="Brand slug or id, e.g. sos-expat")
        parser.add_argument("--source", type=int, default=None, help="Data source id (default: the brand's CSV source)")
        parser.add_argument("--tags", default="", help="Tags added to every row: a,b")

    def handle(self, *args, file, tenant, source, tags, **options):
        if not os.path.isfile(file):
            raise CommandError(f"No such file: {file}")
        brand = tenant_get(ref=tenant)
        if brand is None:
            raise CommandError(f"Unknown brand {tenant!r}.")
        bar = progress(total=os.path.getsize(file), desc=f"import {os.path.basename(file)}", unit="B")
        seen = {"bytes": 0}

        def on_progress(done, total, report):
            bar.update(done - seen["bytes"])
            seen["bytes"] = done
            bar.set_postfix(rows=report.total_processed, new=report.new_contacts, errors=report.error_count)

        connection.set_tenant(brand)
        try:
            with audit_as(Actor(channel="command")):
                report = contacts_import_csv(
                    path=file, data_source_id=source, tags=[t for t in tags.split(",") if t.strip()],
                    on_progress=on_progress, origin=f"command import of {os.path.basename(file)}",
                )
        except CsvImportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
            connection.set_schema_to_public()
        for error in report.errors[:50]:
            self.stderr.write(f"  line {error['line']}: {error['email'] or '-'}: {error['error']}")
        if report.error_count > 50:
            self.stderr.write(f"  ... and {report.error_count - 50} more rejected rows")
        self.stdout.write(self.style.SUCCESS(
            f"{report.total_processed} rows: {report.new_contacts} new, {report.updated_contacts} updated, "
            f"{report.duplicates_skipped} duplicates skipped, {report.error_count} rejected"
        ))
