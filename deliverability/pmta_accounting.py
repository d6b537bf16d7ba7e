"""PowerMTA accounting files: CSV records of deliveries, bounces, deferrals and complaints.

The first line names the columns and their order depends on PowerMTA's configuration,
so rows are read by column name. A line naming ``type`` and other PowerMTA columns
starts a new header (files concatenated together, or one header per record type). Feedback-loop
(``f``) rows may carry the extra columns ``feedbackType, format, userAgent,
reportingMta, reportedDomain`` beyond the header; they are read by those names.

Malformed rows never stop the parse: each is reported as an :class:`AccountingRowError`
(line number and reason) and the next row is read. A row shorter than the header is
accepted only if the columns it lacks are ones we do not read; a last line without its
newline is a record PowerMTA is still writing and is reported, not read.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Iterator, Mapping

logger = logging.getLogger(__name__)

DELIVERED = "delivered"
DEFERRED = "deferred"
COMPLAINT = "complaint"
RECEIPT = "receipt"
HARD = "hard"
SOFT = "soft"
BLOCK = "block"
OTHER = "other"

RECORD_TYPES = {"d": DELIVERED, "t": DEFERRED, "f": COMPLAINT, "r": RECEIPT, "b": None, "rb": None}

# Bounce categories: hard ones say the address is dead, soft ones that it may recover,
# block ones that the receiver refuses the sending IP (its reputation, not the contact's).
HARD_BOUNCE_CATEGORIES = frozenset({"bad-mailbox", "bad-domain", "inactive-mailbox"})
SOFT_BOUNCE_CATEGORIES = frozenset({"quota-issues", "no-answer-from-host", "relaying-issues", "routing-errors"})
BLOCK_BOUNCE_CATEGORIES = frozenset({"spam-related", "policy-related"})

FEEDBACK_COLUMNS = ("feedbackType", "format", "userAgent", "reportingMta", "reportedDomain")
REQUIRED_COLUMNS = ("type", "timeLogged", "rcpt")

# Our field name -> PowerMTA column name.
_COLUMNS = {
    "time_logged": "timeLogged",
    "rcpt": "rcpt",
    "orig": "orig",
    "dsn_status": "dsnStatus",
    "dsn_diag": "dsnDiag",
    "bounce_cat": "bounceCat",
    "vmta": "vmta",
    "job_id": "jobId",
    "env_id": "envId",
    "dlv_source_ip": "dlvSourceIp",
    "feedback_type": "feedbackType",
}


@dataclass(frozen=True)
class AccountingRecord:
    """One accounting row.

    ``type`` is PowerMTA's (``d``, ``b``, ``t``, ``f``, ``rb``, ``r``); ``time_logged``
    an aware UTC datetime; ``rcpt`` lowercased; other text fields as written (empty
    string when the column is absent). ``classification``: ``delivered`` (d),
    ``deferred`` (t), ``complaint`` (f), ``receipt`` (r), and for bounces (b, rb)
    ``hard``, ``soft``, ``block`` or ``other`` from ``bounce_cat``. ``record_key`` is a
    sha256 hex of the row's non-empty ``column=value`` pairs sorted by column, so the
    same row gives the same key whatever the column order: store it to import a file
    twice without counting anything twice. ``fields`` holds every column by its
    PowerMTA name; ``line`` is the row's first line in the file.
    """

    line: int
    type: str
    time_logged: datetime
    rcpt: str
    orig: str
    dsn_status: str
    dsn_diag: str
    bounce_cat: str
    vmta: str
    job_id: str
    env_id: str
    dlv_source_ip: str
    feedback_type: str
    classification: str
    record_key: str
    fields: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_bounce(self) -> bool:
        return self.type in ("b", "rb")


@dataclass(frozen=True)
class AccountingRowError:
    """A row (or header) that could not be read: its first ``line`` and the ``reason``."""

    line: int
    reason: str


def pmta_accounting_parse(
    source: Iterable[str] | Iterable[bytes], *, errors: list | None = None
) -> Iterator[AccountingRecord]:
    """Yield the records of an accounting file, given as a file object opened in text
    (or binary, decoded as UTF-8) mode or as any iterable of lines.

    Each malformed row is appended to ``errors`` as an :class:`AccountingRowError`
    when a list is given, and logged as a warning (line and reason, no row content).
    """
    lines = _Lines(source)
    reader = csv.reader(lines)
    header: list[str] | None = None
    header_problem = "no header line before this row"
    last_line = 0
    while True:
        first_line = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            _report(errors, first_line, f"unreadable CSV: {exc}")
            continue
        last_line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if _is_header(row):
            header = [cell.strip().lstrip("\ufeff") for cell in row]
            missing = [c for c in REQUIRED_COLUMNS if c.lower() not in {h.lower() for h in header}]
            if missing:
                header_problem = f"the header on line {first_line} lacks the columns {', '.join(missing)}"
                _report(errors, first_line, header_problem)
                header = None
            continue
        if header is None:
            _report(errors, first_line, header_problem)
            continue
        if lines.cut_short:
            _report(errors, first_line, "incomplete last line (the file is still being written?)")
            continue
        record = _record(header, row, first_line)
        if isinstance(record, AccountingRowError):
            _report(errors, record.line, record.reason)
        else:
            yield record


def accounting_time_parse(value: str) -> datetime:
    """Parse PowerMTA's ``2024-05-01 10:00:00+0000`` (also with a space before the
    offset) and ISO 8601 (``2024-05-01T10:00:00Z``); no offset means UTC. Returns UTC."""
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", value.strip())
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _record(header: list[str], row: list[str], line: int) -> AccountingRecord | AccountingRowError:
    values = _columns(header, row, line)
    if isinstance(values, AccountingRowError):
        return values
    record_type = values.get("type", "").strip().lower()
    if record_type not in RECORD_TYPES:
        return AccountingRowError(line, f"unknown record type {record_type!r}")
    raw_time = values.get("timeLogged", "")
    try:
        time_logged = accounting_time_parse(raw_time)
    except ValueError:
        return AccountingRowError(line, f"unreadable timeLogged {raw_time[:40]!r}")
    data = {name: values.get(column, "").strip() for name, column in _COLUMNS.items() if name != "time_logged"}
    data["rcpt"] = data["rcpt"].lower()
    if not data["rcpt"] and record_type != "f":
        return AccountingRowError(line, "empty rcpt")
    bounce_cat = data["bounce_cat"].lower()
    data["bounce_cat"] = bounce_cat
    return AccountingRecord(
        line=line,
        type=record_type,
        time_logged=time_logged,
        classification=RECORD_TYPES[record_type] or _bounce_class(bounce_cat),
        record_key=_record_key(values),
        fields=values,
        **data,
    )


def _columns(header: list[str], row: list[str], line: int) -> dict[str, str] | AccountingRowError:
    """Map the row onto column names, allowing the feedback columns to be extra or absent."""
    names = list(header)
    lowered = {name.lower() for name in names}
    type_index = [name.lower() for name in names].index("type")
    is_feedback = type_index < len(row) and row[type_index].strip().lower() == "f"
    if len(row) > len(names) and is_feedback:
        names += [c for c in FEEDBACK_COLUMNS if c.lower() not in lowered][: len(row) - len(names)]
    if len(row) > len(names):
        return AccountingRowError(line, f"{len(row)} fields but the header names {len(names)}")
    if len(row) < len(names):
        # Short rows are accepted when only columns we do not read are absent.
        absent = [name for name in names[len(row):] if name.lower() in _READ_COLUMNS]
        if absent:
            return AccountingRowError(line, f"only {len(row)} fields but the header names {len(names)}:"
                                            f" {', '.join(absent)} missing (truncated row?)")
        names = names[: len(row)]
    return {_CANONICAL.get(name.lower(), name): value for name, value in zip(names, row)}


_CANONICAL = {column.lower(): column for column in ("type", *_COLUMNS.values())}
_READ_COLUMNS = frozenset(_CANONICAL) - {c.lower() for c in FEEDBACK_COLUMNS}
_KNOWN_COLUMNS = frozenset(c.lower() for c in ("type", *_COLUMNS.values(), *FEEDBACK_COLUMNS, "timeQueued",
                                                "orcpt", "dsnAction", "dsnMta", "queue", "vmtaPool"))


def _is_header(row: list[str]) -> bool:
    """A header names ``type`` and at least one other PowerMTA column; no data row does."""
    cells = {cell.strip().lstrip("\ufeff").lower() for cell in row}
    return "type" in cells and len(cells & _KNOWN_COLUMNS) >= 2


def _bounce_class(bounce_cat: str) -> str:
    if bounce_cat in HARD_BOUNCE_CATEGORIES:
        return HARD
    if bounce_cat in SOFT_BOUNCE_CATEGORIES:
        return SOFT
    if bounce_cat in BLOCK_BOUNCE_CATEGORIES:
        return BLOCK
    return OTHER


def _record_key(values: Mapping[str, str]) -> str:
    canonical = "\x1e".join(f"{name.lower()}\x1f{value}" for name, value in
                            sorted(values.items(), key=lambda item: item[0].lower()) if value != "")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Lines:
    """Text lines of the source, noticing a last line cut short: in a file every line
    ends in a newline, so one without it after others with it is a partial write."""

    def __init__(self, source):
        self._source = iter(source)
        self._seen_newline = False
        self.cut_short = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._source)
        if isinstance(line, bytes):
            line = line.decode("utf-8", errors="replace")
        ends = line.endswith(("\n", "\r"))
        self.cut_short = self._seen_newline and not ends
        self._seen_newline = self._seen_newline or ends
        return line


def _report(errors: list | None, line: int, reason: str) -> None:
    logger.warning("PowerMTA accounting: line %d skipped: %s", line, reason)
    if errors is not None:
        errors.append(AccountingRowError(line, reason))
