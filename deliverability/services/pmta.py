"""PowerMTA: the configuration written from the fleet, and the accounting files read back.

Accounting import hook: `pmta_accounting_import` parses the records, keeps only those never
imported before (their `record_key` is stored in PmtaAccountingRecord), adds the IP figures
to IPDailyStats and then calls every function registered with
`accounting_handler_register(handler)` as `handler(records=[AccountingRecord, ...],
source_name=...)` with the same new records, inside the same transaction as the keys: a
handler that raises rolls the chunk back, so nothing is marked imported that was not fully
counted. Campaigns registers its handler (recipients, contacts, campaign counters) in its
AppConfig.ready().
"""
from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from ..models import PmtaAccountingRecord
from ..pmta_accounting import BLOCK, COMPLAINT, DEFERRED, DELIVERED, HARD, OTHER, SOFT, pmta_accounting_parse
from ..pmta_config import pmta_config_render
from ..selectors import FleetIndex, pmta_fleet
from .stats import ip_daily_stats_add

CHUNK = 5000

# Which IPDailyStats counter each classification adds to (receipts count nowhere).
# `sent` is not counted here: the dispatch path counts what it hands to PowerMTA.
COUNTER_OF = {
    DELIVERED: "delivered",
    HARD: "hard_bounces",
    SOFT: "soft_bounces",
    OTHER: "soft_bounces",
    BLOCK: "block_bounces",
    COMPLAINT: "complaints",
    DEFERRED: "deferrals",
}

_handlers: list = []


def accounting_handler_register(handler):
    """Register `handler(*, records, source_name)`, called with each chunk of new records.
    Registering the same function twice has no effect. Returns the handler (usable as a decorator)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def accounting_handler_unregister(handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


@dataclass
class AccountingImport:
    """What one import did: `records` read, `new` counted, `duplicates` already imported,
    `unmatched` new records whose VMTA/source IP is not in the fleet, `errors` rows not read."""

    source_name: str
    records: int = 0
    new: int = 0
    duplicates: int = 0
    unmatched: int = 0
    errors: list = field(default_factory=list)


def _new_keys(keys: list[uuid.UUID], source_name: str) -> set[uuid.UUID]:
    table = PmtaAccountingRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, source, imported_at)"
            " SELECT k, %s, now() FROM unnest(%s::uuid[]) AS k"
            " ON CONFLICT (key) DO NOTHING RETURNING key",
            [source_name[:255], keys],
        )
        return {row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(str(row[0])) for row in cursor.fetchall()}


def _import_chunk(chunk, *, source_name, fleet, result):
    keyed = [(uuid.UUID(record.record_key[:32]), record) for record in chunk]
    with transaction.atomic():
        fresh = _new_keys([key for key, _ in keyed], source_name)
        new_records, rows = [], []
        for key, record in keyed:
            if key not in fresh:
                result.duplicates += 1
                continue
            fresh.discard(key)  # a record repeated inside the chunk counts once
            new_records.append(record)
            ip = fleet.ip_of(record)
            counter = COUNTER_OF.get(record.classification)
            if ip is None:
                result.unmatched += 1
            elif counter:
                rows.append((ip[0], record.time_logged.date(), {counter: 1}))
        ip_daily_stats_add(rows=rows)
        for handler in list(_handlers):
            handler(records=new_records, source_name=source_name)
    result.new += len(new_records)


def pmta_accounting_import(*, lines_or_file, source_name: str) -> AccountingImport:
    """Import PowerMTA accounting records (a file object or any iterable of lines), read by
    column name. Idempotent: a record already imported (same content, whatever the file or
    column order) counts nothing. Updates IPDailyStats by VMTA (or source IP) and calls the
    registered handlers (see the module docstring)."""
    result = AccountingImport(source_name=source_name)
    fleet = FleetIndex()
    chunk = []
    for record in pmta_accounting_parse(lines_or_file, errors=result.errors):
        result.records += 1
        chunk.append(record)
        if len(chunk) >= CHUNK:
            _import_chunk(chunk, source_name=source_name, fleet=fleet, result=result)
            chunk = []
    if chunk:
        _import_chunk(chunk, source_name=source_name, fleet=fleet, result=result)
    return result


def pmta_config_build(*, dkim_dir: str = "/etc/pmta/dkim", injection_hosts=("127.0.0.1",)) -> str:
    """The complete PowerMTA configuration of the fleet as it is in the database."""
    brands, ips = pmta_fleet()
    return pmta_config_render(brands=brands, ips=ips, dkim_dir=dkim_dir, injection_hosts=injection_hosts)


def pmta_config_write(*, path, dkim_dir: str = "/etc/pmta/dkim", injection_hosts=("127.0.0.1",)) -> bool:
    """Write the configuration to `path` atomically (temporary file, then rename). Returns
    whether the file changed."""
    text = pmta_config_build(dkim_dir=dkim_dir, injection_hosts=injection_hosts)
    path = Path(path)
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
