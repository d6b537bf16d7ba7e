"""Contact ingestion, set-based: every source (API, webhooks, CSV) ends here.

`contact_item_check` validates and normalises one item (the checking side: it
raises `ItemError` with a user-facing reason). `contact_ingest` checks a batch for
the current brand and stores the valid items with a fixed number of statements,
however many items there are:

1. missing tags are created (one INSERT ... ON CONFLICT DO NOTHING), and each
   distinct tag combination of the batch is resolved once (`ingest_combo`: slugs,
   sorted ids, its `TagSet`), so rows only carry a combination number;
2. the items are COPied into a temporary staging table (`StagingRows` builds the
   COPY text; suppressed emails are dropped there);
3. one plain `INSERT ... SELECT` of the rows whose email the index does not hold
   creates the new contacts (tag_ids and tagset_id included), then, if some rows
   were not new, one `INSERT ... ON CONFLICT (email) DO UPDATE ... WHERE <something
   changed>` updates the changed ones (and takes every row if a concurrent insert
   made the plain INSERT fail). An empty value never overwrites a stored one
   (COALESCE/NULLIF); status is never touched by ingestion;
4. the new tag links, events (`ingested`, `updated`, `tagged`) and data source
   totals are written with one INSERT/UPDATE ... SELECT each.

A batch expected to be all new (`expect_new`: the CSV importer while its chunks
turn out so) skips the existence probe and does 3 and 4 in one statement
(`_INSERT_ALL_NEW`); one known email makes it fail whole and the batch takes the
steps above.

Counting rules (the response of POST /api/v2/contacts/ingest):
- `new_contacts`: created;
- `updated_contacts`: existed, and a field or a tag changed;
- `duplicates_skipped`: existed unchanged, repeated in the same batch (the first
  occurrence wins), or on the brand's suppression list. A suppressed email is
  never stored, updated or reactivated by ingestion: the item is skipped whole;
- `errors`: one `{"index", "email", "error"}` per rejected item;
- `total_processed`: every item received (the sum of the four above).
"""
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from tenants.audit import audit_record

from ..models import DataSource
from .normalization import InvalidEmail, email_normalize, language_normalize, tag_slug_normalize

MAX_ITEMS_PER_REQUEST = 10_000

TEXT_FIELDS = (
    ("first_name", 150),
    ("last_name", 150),
    ("company", 255),
    ("website", 500),
    ("category", 50),
    ("phone", 50),
    ("country", 64),
    ("city", 150),
    ("linkedin_url", 500),
    ("facebook_url", 500),
    ("instagram_url", 500),
    ("twitter_url", 500),
)
TEXT_NAMES = tuple(name for name, _ in TEXT_FIELDS)


class ItemError(ValueError):
    """One item cannot be ingested; the message is the reason shown to the client."""


@dataclass
class IngestResult:
    total_processed: int = 0
    new_contacts: int = 0
    updated_contacts: int = 0
    duplicates_skipped: int = 0
    errors: list = field(default_factory=list)

    def add(self, other):
        self.total_processed += other.total_processed
        self.new_contacts += other.new_contacts
        self.updated_contacts += other.updated_contacts
        self.duplicates_skipped += other.duplicates_skipped
        self.errors.extend(other.errors)
        return self

    def as_response(self):
        """Exactly the seed's response keys."""
        return {
            "success": True,
            "total_processed": self.total_processed,
            "new_contacts": self.new_contacts,
            "updated_contacts": self.updated_contacts,
            "duplicates_skipped": self.duplicates_skipped,
            "errors": sorted(self.errors, key=lambda e: e["index"]),
        }


def data_sources_by_id():
    """{id: is_active} for the current brand's data sources."""
    return dict(DataSource.objects.values_list("pk", "is_active"))


_TAGS_SEEN = {}  # tuple/str of raw names -> slugs tuple or ItemError message (items repeat few combinations)


def tags_normalize(raw):
    """A list of tag slugs from a list (or a `|`/`,` separated string) of names; ItemError if one is unusable."""
    if raw is None or raw == "":
        return ()
    kind = type(raw)
    key = raw if kind is str else (tuple(raw) if kind is list or kind is tuple else None)
    if key is not None:
        try:
            known = _TAGS_SEEN.get((kind is str, key))
        except TypeError:  # unhashable names: checked (and refused) below
            key = known = None
        if known is not None:
            if type(known) is str:
                raise ItemError(known)
            return known
    try:
        slugs = _tags_normalize(raw)
    except ItemError as exc:
        if key is not None and len(_TAGS_SEEN) < 50_000:
            _TAGS_SEEN[(kind is str, key)] = str(exc)
        raise
    if key is not None and len(_TAGS_SEEN) < 50_000:
        _TAGS_SEEN[(kind is str, key)] = slugs
    return slugs


def _tags_normalize(raw):
    if isinstance(raw, str):
        raw = raw.replace("|", ",").split(",")
    if not isinstance(raw, (list, tuple)):
        raise ItemError("tags must be a list of tag slugs.")
    slugs = []
    for name in raw:
        if not isinstance(name, str):
            raise ItemError("tags must be a list of tag slugs.")
        if not name.strip():
            continue
        slug = tag_slug_normalize(name)
        if not slug:
            raise ItemError(f"Tag {name!r} has no usable characters (a-z, 0-9, -).")
        if slug not in slugs:
            slugs.append(slug)
    return tuple(slugs)


def contact_item_check(*, item, data_sources, default_data_source_id=None, extra_tags=()):
    """The normalised staging row for one item, or ItemError with the reason."""
    if not isinstance(item, dict):
        raise ItemError("Each contact must be a JSON object.")
    try:
        email = email_normalize(item.get("email"))
    except InvalidEmail as exc:
        raise ItemError(f"Invalid email: {exc}") from None
    source = item.get("data_source_id", default_data_source_id)
    if source is None or source == "":
        source = default_data_source_id
    if source is None:
        raise ItemError("data_source_id is missing.")
    try:
        source = int(source)
    except (TypeError, ValueError):
        raise ItemError(f"data_source_id {source!r} is not a number.") from None
    active = data_sources.get(source)
    if active is None:
        raise ItemError(f"Unknown data source {source} in this brand.")
    if not active:
        raise ItemError(f"Data source {source} is inactive.")
    texts = []
    get = item.get
    for name, limit in TEXT_FIELDS:  # what _text does, inlined (this loop runs for every field of every item)
        value = get(name)
        if value is None:
            texts.append("")
            continue
        if type(value) is not str:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise ItemError(f"{name} must be a string.")
            value = str(value)
        value = value.strip()
        if len(value) > limit:
            raise ItemError(f"{name} is longer than {limit} characters.")
        texts.append(value)
    texts[4] = texts[4].lower()  # category
    if len(texts[6]) == 2:
        texts[6] = texts[6].upper()  # ISO country code
    custom = item.get("custom_fields")
    if custom is None:
        custom = {}
    if not isinstance(custom, dict):
        raise ItemError("custom_fields must be a JSON object.")
    if custom:
        custom = {str(k): v for k, v in custom.items() if v not in (None, "")}
    tags = tags_normalize(item.get("tags"))
    if extra_tags:
        tags = tuple(dict.fromkeys(tags + tuple(extra_tags)))
    return (email, source, *texts, language_normalize(item.get("language")), custom, tags)


def tags_ensure(*, slugs):
    """{slug: id} for these slugs, creating the unknown ones (set-based)."""
    slugs = sorted(set(slugs))
    if not slugs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO contacts_tag (slug, label, color, description, created_at)
            SELECT s, s, '', '', now() FROM unnest(%s::text[]) AS s ORDER BY s
            ON CONFLICT (slug) DO NOTHING
            """,
            [slugs],
        )
        cursor.execute("SELECT slug, id FROM contacts_tag WHERE slug = ANY(%s)", [slugs])
        return dict(cursor.fetchall())


_COALESCE_SET = ",\n".join(f"{n} = COALESCE(NULLIF(EXCLUDED.{n}, ''), c.{n})" for n in TEXT_NAMES)
_CHANGED = "\n OR ".join(f"(EXCLUDED.{n} <> '' AND EXCLUDED.{n} IS DISTINCT FROM c.{n})" for n in TEXT_NAMES)
_TEXT_COLS = ", ".join(TEXT_NAMES)
_TEXT_SELECT = ", ".join(f"s.{n}" for n in TEXT_NAMES)

# One staging row per checked, email-unique item. `combo` numbers the item's tag combination
# (the same numbers as `ingest_combo`), so tags are resolved once per combination, not per row.
# An empty `language` means none. Text columns a batch does not carry (a CSV file without a
# phone column) are left out of its COPY and take their default.
# Created once per database session (catalog writes cost ~20 ms a batch when done every time)
# and emptied at each commit; `_STAGING_RESET` empties them for another batch in the same
# transaction (one per brand in a multi-brand request, one per chunk of a CSV import in tests).
_STAGING_DDL = f"""
CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
    email text NOT NULL,
    data_source_id bigint NOT NULL,
    {", ".join(f"{n} text NOT NULL DEFAULT ''" for n in TEXT_NAMES)},
    language text NOT NULL DEFAULT '',
    custom_fields jsonb NOT NULL DEFAULT '{{}}',
    combo integer NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ingest_combo (
    combo integer PRIMARY KEY,
    tags text[] NOT NULL,
    tag_ids integer[] NOT NULL,
    tagset_id bigint
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ingest_changed (
    id bigint NOT NULL,
    inserted boolean NOT NULL,
    data_source_id bigint NOT NULL,
    combo integer NOT NULL,
    email text NOT NULL
) ON COMMIT DELETE ROWS
"""
_STAGING_RESET = "DELETE FROM ingest_staging; DELETE FROM ingest_combo; DELETE FROM ingest_changed"
# The triggers stay out of the bulk statements' way (they write tag_ids, tagset_id and never a
# suppressed email themselves) until the batch is stored; then the transaction's later writes
# get them back.
_BULK_ON = "SET LOCAL contacts.skip_tag_ids_refresh = 'on'; SET LOCAL contacts.bulk_ingest = 'on'; SET LOCAL work_mem = '64MB';\n"
_BULK_OFF = "SET LOCAL contacts.skip_tag_ids_refresh = 'off'; SET LOCAL contacts.bulk_ingest = 'off'"

_COMBO_TAGSETS = """
INSERT INTO contacts_tagset (tag_ids) SELECT DISTINCT tag_ids FROM ingest_combo ORDER BY tag_ids
ON CONFLICT (tag_ids) DO NOTHING;
UPDATE ingest_combo x SET tagset_id = ts.id FROM contacts_tagset ts WHERE ts.tag_ids = x.tag_ids
"""

_COLUMNS = f"""email, data_source_id, {_TEXT_COLS}, language, custom_fields, status, validation_status,
        mailwizz_subscriber_id, mailwizz_list_id, total_campaigns_received, tag_ids, tagset_id, created_at, updated_at"""
_VALUES = f"""s.email, s.data_source_id, {_TEXT_SELECT}, NULLIF(s.language, ''), s.custom_fields, 'active', 'pending',
           '', '', 0, x.tag_ids, x.tagset_id, now(), now()"""

# The common case first: emails the brand does not have yet, with a plain INSERT (no
# speculative insertion: cheaper per row). New contacts get their tag_ids and tagset_id in
# the same statement (the contact triggers stay out of the way: see migration 0004). Rows
# are taken in email order (C collation: cheap, and one lock order for concurrent ingests).
# If another transaction inserts one of these emails meanwhile, the unique index refuses
# it and the batch takes the upsert below for every row instead. Each email is looked up in
# the unique index (LATERAL ... LIMIT 1: one probe per row, whatever the table's size).
# `ingest_changed` gets the new rows straight from RETURNING, with the first combination of
# their tag set (same tags; its order is the one the `ingested` event lists).
_FIRST_COMBOS = """
SELECT DISTINCT ON (tagset_id) tagset_id, combo, tag_ids, to_jsonb(tags) AS tags_json FROM ingest_combo
ORDER BY tagset_id, combo
"""
_INSERT_NEW = f"""
WITH inserted AS (
    INSERT INTO contacts_contact AS c ({_COLUMNS})
    SELECT {_VALUES}
    FROM ingest_staging s JOIN ingest_combo x ON x.combo = s.combo
    LEFT JOIN LATERAL (SELECT 1 AS found FROM contacts_contact e WHERE e.email = s.email LIMIT 1) e ON true
    WHERE e.found IS NULL
    ORDER BY s.email COLLATE "C"
    RETURNING c.id, c.email, c.data_source_id, c.tagset_id
)
INSERT INTO ingest_changed (id, inserted, data_source_id, combo, email)
SELECT i.id, true, i.data_source_id, r.combo, i.email
FROM inserted i JOIN ({_FIRST_COMBOS}) r ON r.tagset_id = i.tagset_id
"""

# When every email of the batch should be new (a CSV import whose previous chunk was all new):
# one plain INSERT with no existence probe (the unique index checks each email anyway), whose
# RETURNING feeds the links and the `ingested` events in the same statement (and gives the
# data source totals). Any existing email makes it fail whole (unique violation) and the batch takes
# the general path above instead. An event lists the tags of the first combination of its tag set;
# its data is built once per (tag set, data source) of the batch, not once per row. The small side
# of every join is hashed, so links and events are written in contact id order, the order their
# indexes take cheapest (a merge join sorting by tag set doubles the links' cost).
_INSERT_ALL_NEW = f"""
WITH inserted AS (
    INSERT INTO contacts_contact AS c ({_COLUMNS})
    SELECT {_VALUES}
    FROM ingest_staging s JOIN ingest_combo x ON x.combo = s.combo
    ORDER BY s.email COLLATE "C"
    RETURNING c.id, c.data_source_id, c.tagset_id
), firsts AS ({_FIRST_COMBOS}
), event_data AS (
    SELECT f.tagset_id, s.data_source_id,
           jsonb_build_object('data_source_id', s.data_source_id, 'tags', f.tags_json) AS data
    FROM firsts f, (SELECT DISTINCT data_source_id FROM ingest_staging) s
), linked AS (
    INSERT INTO contacts_contacttag (contact_id, tag_id, added_at)
    SELECT i.id, t, now() FROM inserted i JOIN firsts f ON f.tagset_id = i.tagset_id, unnest(f.tag_ids) AS t
), logged AS (
    INSERT INTO contacts_contactevent (contact_id, event_type, event_data, timestamp)
    SELECT i.id, 'ingested', d.data, now()
    FROM inserted i JOIN event_data d ON d.tagset_id = i.tagset_id AND d.data_source_id = i.data_source_id
)
SELECT data_source_id, count(*) FROM inserted GROUP BY data_source_id
"""

# The other rows: ON CONFLICT (email) DO UPDATE, only when something changes. Changed
# contacts merge their tags; the contact trigger re-derives their tag set.
_UPSERT = f"""
WITH upserted AS (
    INSERT INTO contacts_contact AS c ({_COLUMNS})
    SELECT {_VALUES}
    FROM ingest_staging s JOIN ingest_combo x ON x.combo = s.combo
    WHERE NOT EXISTS (SELECT 1 FROM ingest_changed n WHERE n.email = s.email)
    ORDER BY s.email COLLATE "C"
    ON CONFLICT (email) DO UPDATE SET
        {_COALESCE_SET},
        language = COALESCE(EXCLUDED.language, c.language),
        custom_fields = c.custom_fields || EXCLUDED.custom_fields,
        tag_ids = CASE WHEN c.tag_ids @> EXCLUDED.tag_ids THEN c.tag_ids
                       ELSE ARRAY(SELECT DISTINCT t FROM unnest(c.tag_ids || EXCLUDED.tag_ids) AS t ORDER BY t) END,
        updated_at = now()
    WHERE {_CHANGED}
       OR (EXCLUDED.language IS NOT NULL AND EXCLUDED.language IS DISTINCT FROM c.language)
       OR (EXCLUDED.custom_fields <> '{{}}'::jsonb AND EXISTS (
              SELECT 1 FROM jsonb_each(EXCLUDED.custom_fields) AS e WHERE c.custom_fields -> e.key IS DISTINCT FROM e.value))
       OR NOT (c.tag_ids @> EXCLUDED.tag_ids)
    RETURNING c.id, c.email, (c.xmax = 0) AS inserted
)
INSERT INTO ingest_changed (id, inserted, data_source_id, combo, email)
SELECT u.id, u.inserted, s.data_source_id, s.combo, s.email
FROM upserted u JOIN ingest_staging s ON s.email = u.email
"""

# Links of new contacts cannot exist yet: a plain INSERT. Changed contacts may already have
# some: ON CONFLICT DO NOTHING, and the ones really added make their `tagged` event.
_NEW_LINKS = """
INSERT INTO contacts_contacttag (contact_id, tag_id, added_at)
SELECT ch.id, t, now() FROM ingest_changed ch JOIN ingest_combo x ON x.combo = ch.combo, unnest(x.tag_ids) AS t
WHERE ch.inserted
"""

_UPDATED_LINKS = """
WITH linked AS (
    INSERT INTO contacts_contacttag (contact_id, tag_id, added_at)
    SELECT ch.id, t, now() FROM ingest_changed ch JOIN ingest_combo x ON x.combo = ch.combo, unnest(x.tag_ids) AS t
    WHERE NOT ch.inserted
    ORDER BY ch.id, t
    ON CONFLICT (contact_id, tag_id) DO NOTHING
    RETURNING contact_id, tag_id
)
INSERT INTO contacts_contactevent (contact_id, event_type, event_data, timestamp)
SELECT l.contact_id, 'tagged', jsonb_build_object('tags', jsonb_agg(tg.slug ORDER BY tg.slug)), now()
FROM linked l JOIN contacts_tag tg ON tg.id = l.tag_id
GROUP BY l.contact_id
"""

# One `ingested` (with the item's tags) or `updated` event per changed contact; the event
# data is built once per (tag combination, data source, kind), not once per row.
_EVENTS = """
INSERT INTO contacts_contactevent (contact_id, event_type, event_data, timestamp)
SELECT ch.id, CASE WHEN ch.inserted THEN 'ingested' ELSE 'updated' END, d.data, now()
FROM ingest_changed ch JOIN (
    SELECT k.combo, k.data_source_id, k.inserted,
           CASE WHEN k.inserted THEN jsonb_build_object('data_source_id', k.data_source_id, 'tags', to_jsonb(x.tags))
                ELSE jsonb_build_object('data_source_id', k.data_source_id) END AS data
    FROM (SELECT DISTINCT combo, data_source_id, inserted FROM ingest_changed) k
    JOIN ingest_combo x ON x.combo = k.combo
) d ON d.combo = ch.combo AND d.data_source_id = ch.data_source_id AND d.inserted = ch.inserted
"""

# Given [(data_source_id, count)]; run last in the batch, so that concurrent ingests wait for
# these row locks only while this one commits.
_SOURCE_TOTALS = """
UPDATE contacts_datasource d SET total_contacts_ingested = d.total_contacts_ingested + x.n, updated_at = now()
FROM unnest(%s::bigint[], %s::bigint[]) AS x(id, n) WHERE d.id = x.id
"""


class StagingRows:
    """Checked rows as COPY text for `ingest_staging`, with their tag combinations numbered once.

    `text_names` are the text columns the rows carry, in TEXT_NAMES order (all of them for
    API items; the file's for a CSV import). `add` takes what `contact_item_check` returns
    (email first, all twelve texts, tags last); `add_fields` takes the texts already laid
    out. Emails must be unique: callers drop repeats first.
    """

    __slots__ = ("lines", "combos", "count", "text_names", "_pick", "_tabs")

    def __init__(self, text_names=TEXT_NAMES):
        self.lines = []
        self.combos = {}
        self.count = 0
        self.text_names = tuple(text_names)
        picked = [TEXT_NAMES.index(name) for name in self.text_names]
        self._pick = None if self.text_names == TEXT_NAMES else (lambda texts: [texts[i] for i in picked])
        self._tabs = len(self.text_names) + 4  # separators in a line: email, source, texts, language, custom, combo

    def columns(self):
        return ("email", "data_source_id", *self.text_names, "language", "custom_fields", "combo")

    def combo(self, tags):
        number = self.combos.get(tags)
        if number is None:
            number = self.combos[tags] = len(self.combos)
        return number

    def add(self, row):
        email, source, *texts, language, custom, tags = row
        if self._pick is not None:
            texts = self._pick(texts)
        self.add_fields(email, str(source), texts, language, custom, self.combo(tags))

    def add_fields(self, email, source, texts, language, custom, combo):
        """`source` as a string, `texts` in `text_names` order."""
        line = "\t".join((email, source, *texts, language or "",
                          json.dumps(custom, ensure_ascii=False) if custom else "{}", str(combo)))
        if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != self._tabs:
            line = _copy_line_escaped(email, source, texts, language, custom, combo)
        self.lines.append(line)
        self.count += 1

    def copy_data(self):
        return "\n".join(self.lines) + "\n" if self.lines else ""


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line_escaped(email, source, texts, language, custom, combo):
    """The COPY text line for a row whose values need escaping (rare: tabs, newlines, backslashes)."""
    parts = [email.translate(_COPY_ESCAPES), source]
    parts.extend(t.translate(_COPY_ESCAPES) for t in texts)
    parts.append(language or "")
    parts.append(json.dumps(custom, ensure_ascii=False).translate(_COPY_ESCAPES) if custom else "{}")
    parts.append(str(combo))
    return "\t".join(parts)


def _copy_array_item(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def contact_staged_store(*, staging, expect_new=False):
    """Store a StagingRows batch in the current brand; returns (new, updated, suppressed).

    Rows whose email is on the suppression list are dropped before anything is written.
    `expect_new` tries `_INSERT_ALL_NEW` first (cheaper when it holds, one wasted attempt
    when it does not). Must run inside a transaction (the temp tables live until its end).
    """
    if not staging.count:
        return 0, 0, 0
    tag_map = tags_ensure(slugs={slug for tags in staging.combos for slug in tags})
    combo_lines = []
    for tags, number in staging.combos.items():
        tag_ids = sorted({tag_map[slug] for slug in tags})
        slugs = "{" + ",".join(_copy_array_item(t) for t in tags) + "}"
        combo_lines.append(f"{number}\t{slugs.translate(_COPY_ESCAPES)}\t{{{','.join(map(str, tag_ids))}}}\n")
    with connection.cursor() as cursor:
        cursor.execute(_BULK_ON + _STAGING_DDL + ";\n" + _STAGING_RESET)  # one round trip
        with cursor.cursor.copy("COPY ingest_combo (combo, tags, tag_ids) FROM STDIN") as copy:
            copy.write("".join(combo_lines))
        cursor.execute(_COMBO_TAGSETS)
        with cursor.cursor.copy(f"COPY ingest_staging ({', '.join(staging.columns())}) FROM STDIN") as copy:
            data = staging.copy_data()
            step = 1 << 20
            for start in range(0, len(data), step):
                copy.write(data[start:start + step])
        cursor.execute("DELETE FROM ingest_staging s USING contacts_suppression x WHERE x.email = s.email")
        suppressed = cursor.rowcount
        per_source = _all_new_store(cursor) if expect_new and staging.count > suppressed else None
        if per_source is not None:
            updated = 0
        else:
            per_source, updated = _general_store(cursor, expected=staging.count - suppressed)
        if per_source:
            cursor.execute(_SOURCE_TOTALS, [[source for source, _ in per_source], [n for _, n in per_source]])
        cursor.execute(_BULK_OFF)
    new = sum(n for _, n in per_source) - updated
    return new, updated, suppressed


def _all_new_store(cursor):
    """`_INSERT_ALL_NEW` in a savepoint: [(data_source_id, stored)], or None when an email existed."""
    try:
        with transaction.atomic():
            cursor.execute(_INSERT_ALL_NEW)
            return cursor.fetchall()
    except IntegrityError:
        return None


def _general_store(cursor, *, expected):
    """Insert the new rows, upsert the others, write links and events: ([(data_source_id, stored)], updated)."""
    inserted = 0
    try:
        with transaction.atomic():
            cursor.execute(_INSERT_NEW)
            inserted = cursor.rowcount
    except IntegrityError:  # one of the emails was inserted meanwhile: the upsert takes every row
        pass
    if inserted < expected:  # some emails exist already
        cursor.execute(_UPSERT)
    cursor.execute("SELECT data_source_id, count(*), count(*) FILTER (WHERE NOT inserted) FROM ingest_changed "
                   "GROUP BY data_source_id")
    per_source = cursor.fetchall()
    stored, updated = sum(row[1] for row in per_source), sum(row[2] for row in per_source)
    if stored > updated:
        cursor.execute(_NEW_LINKS)
    if stored:
        cursor.execute(_EVENTS)
    if updated:
        cursor.execute(_UPDATED_LINKS)
    return [(source, n) for source, n, _ in per_source], updated


def contact_checked_store(*, checked):
    """Store rows `contact_item_check` returned: dedup, suppression, upsert. Returns IngestResult (no errors)."""
    result = IngestResult(total_processed=len(checked))
    staging, seen = StagingRows(), set()
    for row in checked:
        if row[0] not in seen:
            seen.add(row[0])
            staging.add(row)
    new, updated, _suppressed = contact_staged_store(staging=staging)
    result.new_contacts += new
    result.updated_contacts += updated
    result.duplicates_skipped += len(checked) - new - updated  # repeats, suppressed, unchanged
    return result


def contact_ingest(*, items, positions=None, default_data_source_id=None, extra_tags=(), origin="api"):
    """Check and store a batch of items in the current brand, in one transaction.

    `positions` are the items' indexes in the caller's request (default 0..n-1), used in
    errors. Schedules deliverability validation of new contacts after commit.
    """
    positions = list(range(len(items))) if positions is None else positions
    sources = data_sources_by_id()
    extra = tags_normalize(list(extra_tags)) if extra_tags else ()
    checked, errors = [], []
    for position, item in zip(positions, items):
        try:
            checked.append(contact_item_check(
                item=item, data_sources=sources, default_data_source_id=default_data_source_id, extra_tags=extra
            ))
        except ItemError as exc:
            errors.append(ingest_error(position=position, item=item, message=str(exc)))
    with transaction.atomic():
        result = contact_checked_store(checked=checked)
        result.total_processed += len(errors)
        result.errors.extend(errors)
        ingest_after_commit(result=result)
        audit_record(
            action="action",
            object_type="contacts.contact",
            object_repr=f"{origin} ingest of {result.total_processed} contacts",
            changes=ingest_summary(result),
        )
    return result


def ingest_summary(result):
    return {
        "total_processed": result.total_processed,
        "new_contacts": result.new_contacts,
        "updated_contacts": result.updated_contacts,
        "duplicates_skipped": result.duplicates_skipped,
        "errors": len(result.errors),
    }


def ingest_error(*, position, item, message):
    email = item.get("email") if isinstance(item, dict) else None
    return {"index": position, "email": email if isinstance(email, str) else None, "error": message}


def ingest_after_commit(*, result):
    """Queue the validation of the new contacts once the batch is committed (never blocks the ingest)."""
    if not result.new_contacts:
        return
    tenant_id = connection.tenant.pk
    from .validation import validation_schedule

    transaction.on_commit(lambda: validation_schedule(tenant_id=tenant_id))

