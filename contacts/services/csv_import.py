"""CSV import, streaming and set-based: the same importer for the command, the admin and the API.

- Encoding: UTF-8 with or without BOM; a file that is not valid UTF-8 is read as Latin-1
  (decided by one fast pass over the bytes before parsing).
- Separator: `,` or `;`, whichever the header line uses most.
- Headers: the seed's snake_case names or common variants (`Email`, `E-mail`,
  `First Name`, `firstName`, `Prénom`...); unknown columns go into `custom_fields`
  under their header name. A `tags` column is split on `|` or `,`.
- Rows are checked like API items (`contact_item_check`); bad rows are reported
  with their line number in the file, good rows are stored. Rows are stored in
  chunks of `CHUNK_ROWS`, one transaction each: a thread parses the next chunks
  (straight into COPY text, see `CsvRowChecker`) while `CSV_WRITERS` connections
  store the previous ones (psycopg releases the GIL while it waits). Small chunks
  keep both cores busy from the first seconds to the last and the staging tables
  in memory. Chunks are stored as all-new (`expect_new`) until one holds a known
  email.
"""
import codecs
import csv
import io
import operator
import os
import queue
import re
import threading
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tenants.audit import audit_record

from ..models import DataSource, ImportJob
from .ingest import (TEXT_FIELDS, TEXT_NAMES, IngestResult, ItemError, StagingRows, contact_item_check, contact_staged_store,
                     data_sources_by_id, ingest_after_commit, tags_normalize)
from .normalization import email_normalize_common, language_normalize

CHUNK_ROWS = 20_000
CSV_WRITERS = 2
MAX_REPORTED_ERRORS = 1000
SNIFF_BYTES = 1 << 20

_HEADER_KEY = re.compile(r"[^a-z0-9]")
HEADER_ALIASES = {
    "email": ("email", "emailaddress", "mail", "courriel", "adresseemail", "emailadresse"),
    "first_name": ("firstname", "first", "givenname", "prenom", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname", "nom", "name2"),
    "company": ("company", "companyname", "organization", "organisation", "societe", "entreprise", "cabinet"),
    "website": ("website", "url", "site", "web", "siteweb", "websiteurl", "homepage"),
    "language": ("language", "lang", "langue", "locale", "languagecode"),
    "category": ("category", "categorie", "type"),
    "phone": ("phone", "telephone", "tel", "phonenumber", "mobile", "portable"),
    "country": ("country", "pays", "countrycode"),
    "city": ("city", "ville", "town"),
    "linkedin_url": ("linkedinurl", "linkedin"),
    "facebook_url": ("facebookurl", "facebook"),
    "instagram_url": ("instagramurl", "instagram"),
    "twitter_url": ("twitterurl", "twitter", "x"),
    "tags": ("tags", "tag", "labels"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


class CsvImportError(ValueError):
    """The file or the request cannot be imported at all (no email column, unknown data source...)."""


@dataclass
class ImportReport:
    total_processed: int = 0
    new_contacts: int = 0
    updated_contacts: int = 0
    duplicates_skipped: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return {
            "total_processed": self.total_processed,
            "new_contacts": self.new_contacts,
            "updated_contacts": self.updated_contacts,
            "duplicates_skipped": self.duplicates_skipped,
            "error_count": self.error_count,
        }


def header_field(name):
    """The contact field a CSV header names (`First Name` -> `first_name`), or None (custom field)."""
    key = _HEADER_KEY.sub("", _strip_accents(name.strip().lower()))
    return _ALIAS_TO_FIELD.get(key)


def _strip_accents(text):
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def csv_encoding_detect(path):
    """`utf-8-sig` when the file has a UTF-8 BOM, `utf-8` when it decodes as UTF-8, else `latin-1`."""
    with open(path, "rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


class _CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read (for progress)."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n


class CsvRows:
    """The rows of an open CSV file after its header, as csv.reader gives them, and faster.

    A line with no quote and no NUL is split on the delimiter (what csv.reader would give);
    any other line goes through one csv.reader, which takes the lines a quoted field spans.
    `lines` is the file line number where the row just read ends; `counter` counts the
    bytes read (progress).
    """

    def __init__(self, *, columns, text, delimiter, counter, total_bytes):
        self.columns = columns
        self.text = text
        self.delimiter = delimiter
        self.counter = counter
        self.total_bytes = total_bytes
        self.lines = 1  # the header
        self._pushed = []
        self._reader = csv.reader(self._quoted_lines(), delimiter=delimiter)

    def _quoted_lines(self):
        while True:
            line = self._pushed.pop() if self._pushed else next(self.text, None)
            if line is None:
                return
            self.lines += 1
            yield line

    def __iter__(self):
        delimiter, reader, pushed = self.delimiter, self._reader, self._pushed
        for line in self.text:
            if '"' in line or "\0" in line:
                pushed.append(line)
                yield next(reader)
            else:
                self.lines += 1
                yield line.rstrip("\r\n").split(delimiter)

    def close(self):
        self.text.close()


def csv_rows_read(*, path):
    """The CsvRows of a CSV file (CsvImportError when the header is unusable)."""
    encoding = csv_encoding_detect(path)
    counter = _CountingReader(open(path, "rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=encoding, newline="")
    header_line = text.readline()
    if not header_line.strip():
        text.close()
        raise CsvImportError("The file is empty: the first line must name the columns (at least an email column).")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    columns = [(index, header_field(name), name.strip()) for index, name in enumerate(header)]
    if not any(f == "email" for _, f, _ in columns):
        text.close()
        raise CsvImportError(f"No email column in the header ({', '.join(h.strip() for h in header)}).")
    return CsvRows(columns=columns, text=text, delimiter=delimiter, counter=counter,
                   total_bytes=os.path.getsize(path))


def _row_item(columns, row):
    item, custom = {}, {}
    for index, name, header in columns:
        if index >= len(row):
            break
        value = row[index]
        if not value:
            continue
        if name is None:
            if header:
                custom[header] = value
        else:
            item[name] = value
    if custom:
        item["custom_fields"] = custom
    return item


class CsvRowChecker:
    """Turns CSV rows into staging rows, with `contact_item_check`'s rules and messages.

    The common row (as wide as the header, a plain email, texts within limits, a tags
    cell seen before) is handled by `fast` straight into COPY text; any other row goes
    through `slow` (`_row_item` + `contact_item_check`), which gives the same result or
    the exact error. Only the text columns the file has are staged (`text_names`).
    """

    def __init__(self, *, columns, sources, data_source_id, extra_tags):
        self.columns = columns
        self.sources = sources
        self.data_source_id = data_source_id
        self.source_text = str(data_source_id)
        self.extra = tuple(extra_tags)
        fields = [name for _, name, _ in columns if name]
        self.width = len(columns)
        self.custom_columns = [(index, header) for index, name, header in columns if name is None and header]
        limits = dict(TEXT_FIELDS)
        texts = sorted(((index, name) for index, name, _ in columns if name in limits),
                       key=lambda pair: TEXT_NAMES.index(pair[1]))
        self.text_names = tuple(name for _, name in texts)
        self.text_limits = tuple(limits[name] for name in self.text_names)
        self.min_limit = min(self.text_limits, default=0)
        indexes = [index for index, _ in texts]
        if len(indexes) == 1:
            self._texts = lambda row, i=indexes[0]: [row[i].strip()]
        elif indexes:
            getter = operator.itemgetter(*indexes)
            self._texts = lambda row: list(map(str.strip, getter(row)))
        else:
            self._texts = lambda row: []
        self.category_at = self.text_names.index("category") if "category" in self.text_names else None
        self.country_at = self.text_names.index("country") if "country" in self.text_names else None
        self.email_column = next(index for index, name, _ in columns if name == "email")
        self.language_column = next((index for index, name, _ in columns if name == "language"), None)
        self.tags_column = next((index for index, name, _ in columns if name == "tags"), None)
        # No field named twice (else `_row_item` decides which value counts) and a usable source.
        self.fast_ok = len(set(fields)) == len(fields) and bool(sources.get(data_source_id))
        self.tag_cells = {}

    def staging_new(self):
        return StagingRows(text_names=self.text_names)

    def slow(self, row, line, staging, seen):
        """Add the row to `staging` (or count it as a repeat); returns an error dict or None."""
        item = _row_item(self.columns, row)
        try:
            checked = contact_item_check(item=item, data_sources=self.sources,
                                         default_data_source_id=self.data_source_id, extra_tags=self.extra)
        except ItemError as exc:
            return {"line": line, "email": item.get("email"), "error": str(exc)}
        if checked[0] not in seen:
            seen.add(checked[0])
            staging.add(checked)
        return None

    def fast(self, row, staging, seen):
        """True when the row was handled (staged or a repeat); False sends it to `slow`."""
        if len(row) < self.width:
            return False
        email = email_normalize_common(row[self.email_column])
        if email is None:
            return False
        texts = self._texts(row)
        if texts and max(map(len, texts)) > self.min_limit:
            for value, limit in zip(texts, self.text_limits):
                if len(value) > limit:
                    return False
        if self.category_at is not None:
            texts[self.category_at] = texts[self.category_at].lower()
        if self.country_at is not None and len(texts[self.country_at]) == 2:
            texts[self.country_at] = texts[self.country_at].upper()  # ISO country code
        custom = None
        for index, header in self.custom_columns:
            if row[index]:
                if custom is None:
                    custom = {}
                custom[header] = row[index]
        cell = row[self.tags_column] if self.tags_column is not None else ""
        combo = self.tag_cells.get(cell)
        if combo is None:
            try:
                tags = tags_normalize(cell) if cell else ()
            except ItemError:
                return False
            if self.extra:
                tags = tuple(dict.fromkeys(tags + self.extra))
            if len(self.tag_cells) < 100_000:
                combo = self.tag_cells[cell] = tags
            else:
                combo = tags
        language = language_normalize(row[self.language_column]) if self.language_column is not None else None
        if email in seen:
            return True
        seen.add(email)
        staging.add_fields(email, self.source_text, texts, language, custom, staging.combo(combo))
        return True


def csv_source_pick(*, data_source_id=None):
    """The data source for an import: the given id, else the brand's first active CSV source."""
    if data_source_id is not None:
        source = DataSource.objects.filter(pk=data_source_id).first()
        if source is None:
            raise CsvImportError(f"Unknown data source {data_source_id} in this brand.")
    else:
        source = DataSource.objects.filter(type=DataSource.Type.CSV, is_active=True).order_by("pk").first()
        if source is None:
            raise CsvImportError("This brand has no CSV data source: pass one explicitly.")
    if not source.is_active:
        raise CsvImportError(f"Data source {source.pk} is inactive.")
    return source


def contacts_import_csv(*, path, data_source_id=None, tags=(), on_progress=None, chunk_rows=CHUNK_ROWS,
                        origin="csv"):
    """Import a CSV file into the current brand; returns an ImportReport.

    `on_progress(bytes_done, bytes_total, report)` is called after each stored chunk.
    """
    source = csv_source_pick(data_source_id=data_source_id)
    try:
        extra = tags_normalize(list(tags))
    except ItemError as exc:
        raise CsvImportError(str(exc)) from None
    rows = csv_rows_read(path=path)
    counter, total_bytes = rows.counter, rows.total_bytes
    sources = data_sources_by_id()
    report = ImportReport()
    chunks = queue.Queue(maxsize=2)
    failure = []

    checker = CsvRowChecker(columns=rows.columns, sources=sources, data_source_id=source.pk, extra_tags=extra)

    def parse(writers):
        """Producer thread: CSV rows -> staging batches (pure Python, no database)."""
        try:
            staging, seen, errors, rows_in_chunk = checker.staging_new(), set(), [], 0
            fast = checker.fast if checker.fast_ok else (lambda row, staging, seen: False)
            slow = checker.slow
            for row in rows:
                if failure:
                    return
                rows_in_chunk += 1
                if not fast(row, staging, seen):
                    error = slow(row, rows.lines, staging, seen)
                    if error is not None:
                        errors.append(error)
                if rows_in_chunk >= chunk_rows:
                    chunks.put((staging, rows_in_chunk - len(errors), errors, counter.count))
                    staging, seen, errors, rows_in_chunk = checker.staging_new(), set(), [], 0
            chunks.put((staging, rows_in_chunk - len(errors), errors, counter.count))
        except BaseException as exc:  # noqa: BLE001 - handed to the storing thread
            failure.append(exc)
        finally:
            rows.close()
            for _ in range(writers):
                chunks.put(None)

    # Outside a transaction, chunks are stored by WRITERS threads, each on its own database
    # connection (PostgreSQL is single-threaded per connection, and storing costs it more than
    # parsing costs Python). Inside the caller's transaction everything stays on its connection.
    writers = CSV_WRITERS if not connection.in_atomic_block else 1
    tenant = connection.tenant
    lock = threading.Lock()
    done = {"bytes": 0}
    expect = {"new": True}

    def store(own_connection):
        if own_connection:
            connection.set_tenant(tenant)
        try:
            while not failure and (chunk := chunks.get()) is not None:
                staging, good_rows, errors, done_bytes = chunk
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        # A server crash may lose the last committed chunks of a bulk import (never
                        # half a chunk); re-running the import is idempotent.
                        cursor.execute("SET LOCAL synchronous_commit = off")
                    new, updated, suppressed = contact_staged_store(staging=staging, expect_new=expect["new"])
                    # Chunks are tried as all-new while they turn out so (a fresh list); once one
                    # holds known emails, the rest take the general path (no wasted attempts).
                    expect["new"] = new == staging.count - suppressed
                    stored = IngestResult(total_processed=good_rows, new_contacts=new, updated_contacts=updated,
                                          duplicates_skipped=good_rows - new - updated)
                    ingest_after_commit(result=stored)
                with lock:
                    report.total_processed += stored.total_processed + len(errors)
                    report.new_contacts += stored.new_contacts
                    report.updated_contacts += stored.updated_contacts
                    report.duplicates_skipped += stored.duplicates_skipped
                    report.error_count += len(errors)
                    report.errors.extend(errors[:MAX_REPORTED_ERRORS])
                    report.errors.sort(key=lambda e: e["line"])
                    del report.errors[MAX_REPORTED_ERRORS:]
                    done["bytes"] = max(done["bytes"], done_bytes)
                    if on_progress is not None:
                        on_progress(done["bytes"], total_bytes, report)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the calling thread
            failure.append(exc)
        finally:
            if own_connection:
                connection.close()

    producer = threading.Thread(target=parse, args=(writers,), name="csv-parse", daemon=True)
    producer.start()
    helpers = [threading.Thread(target=store, args=(True,), name=f"csv-store-{n}", daemon=True)
               for n in range(writers - 1)]
    try:
        for helper in helpers:
            helper.start()
        store(False)
        for helper in helpers:
            helper.join()
    finally:
        while producer.is_alive() or any(helper.is_alive() for helper in helpers):
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                pass
    if failure:
        exc = failure[0]
        if isinstance(exc, (UnicodeDecodeError, csv.Error)):
            raise CsvImportError(f"The file cannot be read as CSV: {exc}") from exc
        raise exc
    audit_record(action="action", object_type="contacts.contact",
                 object_repr=f"{origin} import of {report.total_processed} rows", changes=report.as_dict())
    return report


def import_upload_dir():
    path = os.path.join(settings.MEDIA_ROOT, "imports", connection.schema_name)
    os.makedirs(path, exist_ok=True)
    return path


def import_job_create(*, upload, data_source_id=None, tags=(), created_by=""):
    """Store an uploaded CSV and queue its import in the current brand; returns the ImportJob."""
    source = csv_source_pick(data_source_id=data_source_id)
    try:
        tags = list(tags_normalize(list(tags)))
    except ItemError as exc:
        raise CsvImportError(str(exc)) from None
    job_id = uuid.uuid4()
    path = os.path.join(import_upload_dir(), f"{job_id}.csv")
    size = 0
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
            size += len(chunk)
    job = ImportJob.objects.create(
        id=job_id, file_name=os.path.basename(getattr(upload, "name", "upload.csv"))[:255], file_path=path,
        data_source=source, tags=tags, total_bytes=size, created_by=created_by[:150],
    )
    tenant_id = connection.tenant.pk
    from ..tasks import contacts_import_csv as task

    transaction.on_commit(lambda: task.delay(tenant_id, str(job_id)))
    return job


def import_job_run(*, job_id):
    """Run a queued import job in the current brand (the Celery task's body)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)

    def on_progress(done, total, report):
        ImportJob.objects.filter(pk=job_id).update(processed_bytes=done, **report.as_dict(), errors=report.errors)

    try:
        report = contacts_import_csv(path=job.file_path, data_source_id=job.data_source_id, tags=job.tags,
                                     on_progress=on_progress, origin=f"import job {job_id}")
    except Exception as exc:  # noqa: BLE001 - the job records why it failed
        message = str(exc) if isinstance(exc, CsvImportError) else f"{type(exc).__name__}: {exc}"
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, failure=message[:2000],
                                                   finished_at=timezone.now())
        if not isinstance(exc, CsvImportError):
            raise
        return None
    finally:
        _remove_quietly(job.file_path)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE, processed_bytes=job.total_bytes, **report.as_dict(), errors=report.errors,
        finished_at=timezone.now(),
    )
    return report


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass
