import csv
import io
from datetime import datetime, timezone

import pytest

from deliverability.pmta_accounting import (
    AccountingRowError,
    accounting_time_parse,
    pmta_accounting_parse,
)

HEADER = ("type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,"
          "srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool")


def row(**values):
    """A row for HEADER with the given values, everything else empty."""
    return ",".join(values.get(column, "") for column in HEADER.split(","))


STANDARD = "\n".join([
    HEADER,
    row(type="d", timeLogged="2024-05-01 10:00:00+0000", orig="bounce@mail1.sos-mail.com",
        rcpt="Alice@Example.ORG", dsnAction="relayed", dsnStatus="2.0.0 (success)",
        dsnDiag="smtp;250 2.0.0 OK", dlvSourceIp="45.123.10.1", vmta="vmta-sos-expat-1", jobId="42", envId="e-1"),
    row(type="b", timeLogged="2024-05-01 10:01:00+0000", rcpt="gone@example.org",
        dsnStatus="5.1.1 (bad destination mailbox address)",
        dsnDiag='"smtp;550 5.1.1 <gone@example.org>: user unknown, ""no such user"""', bounceCat="bad-mailbox",
        vmta="vmta-sos-expat-1", jobId="42"),
    row(type="b", timeLogged="2024-05-01 10:02:00+0000", rcpt="x@gmail.com", bounceCat="spam-related",
        dsnDiag="smtp;550 5.7.1 spam", vmta="vmta-sos-expat-2", jobId="42"),
    row(type="rb", timeLogged="2024-05-01 10:03:00+0000", rcpt="full@example.org", bounceCat="quota-issues",
        vmta="vmta-sos-expat-2"),
    row(type="b", timeLogged="2024-05-01 10:04:00+0000", rcpt="c@example.org", bounceCat="content-related",
        vmta="vmta-sos-expat-2"),
    row(type="t", timeLogged="2024-05-01 10:05:00+0000", rcpt="slow@yahoo.com", dsnStatus="4.7.0",
        dsnDiag="smtp;421 4.7.0 [TS01] try later", vmta="vmta-ulixai-3"),
]) + "\n"


def parse(text, errors=None):
    return list(pmta_accounting_parse(io.StringIO(text), errors=errors))


def test_standard_records_are_read_by_column_name():
    """Every field the importer needs comes out typed: UTC datetime, lowercased rcpt, VMTA, job and envelope ids."""
    records = parse(STANDARD)
    assert [r.type for r in records] == ["d", "b", "b", "rb", "b", "t"]
    delivered = records[0]
    assert delivered.time_logged == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert delivered.rcpt == "alice@example.org"
    assert delivered.orig == "bounce@mail1.sos-mail.com"
    assert delivered.dsn_status == "2.0.0 (success)"
    assert delivered.vmta == "vmta-sos-expat-1"
    assert (delivered.job_id, delivered.env_id, delivered.dlv_source_ip) == ("42", "e-1", "45.123.10.1")
    assert delivered.line == 2
    assert delivered.fields["dsnAction"] == "relayed"
    assert records[1].dsn_diag == 'smtp;550 5.1.1 <gone@example.org>: user unknown, "no such user"'


def test_records_are_classified_for_ip_and_contact_statistics():
    """d delivered, t deferred; bounces hard, block, soft or other by bounceCat."""
    records = parse(STANDARD)
    assert [r.classification for r in records] == ["delivered", "hard", "block", "soft", "other", "deferred"]
    assert [r.is_bounce for r in records] == [False, True, True, True, True, False]


@pytest.mark.parametrize("category, expected", [
    ("bad-mailbox", "hard"), ("bad-domain", "hard"), ("inactive-mailbox", "hard"),
    ("quota-issues", "soft"), ("no-answer-from-host", "soft"), ("relaying-issues", "soft"),
    ("routing-errors", "soft"), ("spam-related", "block"), ("policy-related", "block"),
    ("Policy-Related", "block"), ("virus-related", "other"), ("", "other"),
])
def test_each_bounce_category_has_its_class(category, expected):
    """The hard/soft/block split of the reference, case-insensitive; anything else is other."""
    text = HEADER + "\n" + row(type="b", timeLogged="2024-05-01 10:00:00+0000", rcpt="a@b.c", bounceCat=category) + "\n"
    assert parse(text)[0].classification == expected


def test_column_order_does_not_matter_and_keys_stay_the_same():
    """A file with the columns in another order gives the same records with the same keys."""
    rows = list(csv.reader(io.StringIO(STANDARD)))
    order = list(reversed(range(len(rows[0]))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[cells[i] for i in order] for cells in rows])
    assert out.getvalue().startswith("vmtaPool,queue,envId")
    original, reordered = parse(STANDARD), parse(out.getvalue())
    assert [(r.type, r.rcpt, r.vmta, r.classification, r.dsn_diag) for r in reordered] == \
        [(r.type, r.rcpt, r.vmta, r.classification, r.dsn_diag) for r in original]
    assert [r.record_key for r in reordered] == [r.record_key for r in original]


def test_record_keys_are_distinct_per_row_and_stable_across_parses():
    """Importing the same file twice yields the same keys; different rows never share one."""
    first, second = parse(STANDARD), parse(STANDARD)
    assert [r.record_key for r in first] == [r.record_key for r in second]
    assert len({r.record_key for r in first}) == len(first)
    assert all(len(r.record_key) == 64 for r in first)


def test_complaints_read_their_extra_feedback_columns():
    """An f row may carry feedbackType and friends beyond the header; they are read by name."""
    text = "\n".join([
        "type,timeLogged,orig,rcpt,vmta,jobId",
        "f,2024-05-02 08:00:00+0000,bounce@mail1.sos-mail.com,Bob@Yahoo.com,vmta-sos-expat-4,77,abuse,arf,Yahoo!-Mail-Feedback/2.0,mta.yahoo.com,mail1.sos-mail.com",
        "d,2024-05-02 08:00:01+0000,bounce@mail1.sos-mail.com,carol@yahoo.com,vmta-sos-expat-4,77",
    ]) + "\n"
    errors = []
    complaint, delivered = parse(text, errors)
    assert errors == []
    assert complaint.classification == "complaint"
    assert complaint.feedback_type == "abuse"
    assert complaint.rcpt == "bob@yahoo.com"
    assert complaint.vmta == "vmta-sos-expat-4"
    assert complaint.fields["reportingMta"] == "mta.yahoo.com"
    assert complaint.fields["reportedDomain"] == "mail1.sos-mail.com"
    assert delivered.feedback_type == ""


def test_feedback_columns_in_the_header_may_be_left_off_by_other_rows():
    """With feedback columns named in the header, d rows that stop before them are fine."""
    text = "\n".join([
        "type,timeLogged,rcpt,vmta,feedbackType,format,userAgent,reportingMta,reportedDomain",
        "d,2024-05-02T08:00:00Z,a@example.org,vmta-ulixai-1",
        "f,2024-05-02T08:00:00Z,b@example.org,vmta-ulixai-1,abuse,arf,ua,mta.example.org,mail1.ulixai-mail.com",
    ]) + "\n"
    errors = []
    records = parse(text, errors)
    assert errors == []
    assert [(r.type, r.feedback_type) for r in records] == [("d", ""), ("f", "abuse")]


def test_malformed_rows_are_reported_with_line_and_reason_and_the_rest_is_read():
    """Bad time, unknown type, empty rcpt, too many or too few fields, a huge field: reported, not fatal."""
    huge = "y" * 200_000
    text = "\n".join([
        "type,timeLogged,rcpt,vmta,dsnDiag",
        "d,yesterday,a@example.org,vmta-sos-expat-1,ok",              # 2 bad time
        "z,2024-05-01 10:00:00+0000,a@example.org,vmta-sos-expat-1,",  # 3 unknown type
        "d,2024-05-01 10:00:00+0000,,vmta-sos-expat-1,",               # 4 empty rcpt
        "d,2024-05-01 10:00:00+0000,a@example.org,vmta-sos-expat-1,x,extra",  # 5 too many
        "d,2024-05-01 10:00:00+0000,a@example.org",                    # 6 vmta missing
        "",                                                           # 7 blank: ignored
        f"b,2024-05-01 10:00:00+0000,a@example.org,vmta-sos-expat-1,{huge}",  # 8 over the csv field limit
        "d,2024-05-01 10:00:00+0000,good@example.org,vmta-sos-expat-1,ok",  # 9 fine
    ]) + "\n"
    errors = []
    records = parse(text, errors)
    assert [(r.line, r.rcpt) for r in records] == [(9, "good@example.org")]
    assert [e.line for e in errors] == [2, 3, 4, 5, 6, 8]
    assert all(isinstance(e, AccountingRowError) for e in errors)
    reasons = [e.reason for e in errors]
    assert "timeLogged" in reasons[0]
    assert "unknown record type 'z'" in reasons[1]
    assert reasons[2] == "empty rcpt"
    assert "6 fields" in reasons[3]
    assert "vmta" in reasons[4]
    assert "field limit" in reasons[5]


def test_a_last_line_cut_short_is_not_read():
    """A file still being written ends mid-row: that row is reported, not half-imported."""
    text = STANDARD + "d,2024-05-01 10:06:00+0000,,,late@example.org,,,,,,,,,,,,,,vmta-sos-e"
    errors = []
    records = parse(text, errors)
    assert len(records) == 6
    assert [e.line for e in errors] == [8]
    assert "incomplete last line" in errors[0].reason


def test_rows_without_a_usable_header_are_reported():
    """No header, or a header without timeLogged: every row says why it was skipped."""
    errors = []
    assert parse("d,2024-05-01 10:00:00+0000,a@example.org\n", errors) == []
    assert errors[0].reason == "no header line before this row"
    errors = []
    assert parse("type,rcpt\nd,a@example.org\n", errors) == []
    assert [e.line for e in errors] == [1, 2]
    assert "timeLogged" in errors[0].reason


def test_a_repeated_header_switches_the_column_order():
    """Concatenated files: each header line applies to the rows after it."""
    text = ("type,timeLogged,rcpt\nd,2024-05-01 10:00:00+0000,a@example.org\n"
            "type,rcpt,timeLogged\nd,b@example.org,2024-05-01 11:00:00+0000\n")
    records = parse(text)
    assert [(r.rcpt, r.time_logged.hour) for r in records] == [("a@example.org", 10), ("b@example.org", 11)]


def test_binary_files_lists_of_lines_and_real_files_are_accepted(tmp_path):
    """The command opens files in any mode; tests and pipes pass lists of lines."""
    path = tmp_path / "acct.csv"
    path.write_text(STANDARD, encoding="utf-8")
    with open(path, newline="", encoding="utf-8") as text_file:
        from_text = [r.record_key for r in pmta_accounting_parse(text_file)]
    with open(path, "rb") as binary_file:
        from_binary = [r.record_key for r in pmta_accounting_parse(binary_file)]
    from_list = [r.record_key for r in pmta_accounting_parse(STANDARD.splitlines())]
    assert from_text == from_binary == from_list
    assert len(from_text) == 6


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01 10:00:00+0000", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
    ("2024-05-01 12:00:00+0200", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
    ("2024-05-01 05:00:00 -0500", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
    ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
    ("2024-05-01T10:00:00.250+00:00", datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=timezone.utc)),
    ("2024-05-01 10:00:00", datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)),
])
def test_times_in_pmta_and_iso_formats_come_out_in_utc(text, expected):
    """PowerMTA's +0000 offsets and ISO 8601 both parse; a time without offset is UTC."""
    parsed = accounting_time_parse(text)
    assert parsed == expected
    assert parsed.tzinfo == timezone.utc


def test_complaint_extras_are_found_when_type_is_not_the_first_column():
    """Feedback extras follow the header whatever column holds the type."""
    text = ("timeLogged,rcpt,type,vmta\n"
            "2024-05-02 08:00:00+0000,bob@yahoo.com,f,vmta-sos-expat-4,abuse,arf\n")
    errors = []
    (complaint,) = parse(text, errors)
    assert errors == []
    assert (complaint.type, complaint.feedback_type, complaint.fields["format"]) == ("f", "abuse", "arf")
