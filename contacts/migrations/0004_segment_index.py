"""Segments counted index-only: TagSet, Contact.tagset / suppressed / deliverable, one narrow B-tree.

- `contacts_tagset` holds each distinct `tag_ids` combination once; `contacts_contact.tagset_id`
  points at the contact's. A BEFORE trigger on contacts fills it whenever a writer changes
  `tag_ids` without setting it (the ContactTag statement triggers, the ORM), and on inserts
  that leave it empty. The bulk ingest writes both itself, so the trigger stays out of its way.
- `suppressed` mirrors the suppression list: statement triggers on `contacts_suppression`
  set/clear it, and the BEFORE trigger re-derives it from the list whenever a contact is
  inserted (except by the bulk ingest, which never inserts a suppressed email: it sets
  `contacts.bulk_ingest = on` locally) or its email or flag is written (so a stale ORM save
  cannot unsuppress anybody).
- `deliverable` (generated) = active AND validation not invalid AND not suppressed.
- The GIN index on tag_ids and the (language, status) index go: the B-tree
  (tagset_id, deliverable, language) INCLUDE (id) answers segments, tag filters and
  audiences, index-only.
"""
import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
INSERT INTO contacts_tagset (tag_ids) SELECT DISTINCT tag_ids FROM contacts_contact ON CONFLICT DO NOTHING;
UPDATE contacts_contact c SET tagset_id = t.id FROM contacts_tagset t WHERE t.tag_ids = c.tag_ids;
UPDATE contacts_contact c SET suppressed = true FROM contacts_suppression s WHERE s.email = c.email;

CREATE FUNCTION contacts_tagset_for(ids integer[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE found bigint;
BEGIN
  SELECT id INTO found FROM contacts_tagset WHERE tag_ids = ids;
  IF found IS NULL THEN
    INSERT INTO contacts_tagset (tag_ids) VALUES (ids) ON CONFLICT (tag_ids) DO NOTHING RETURNING id INTO found;
    IF found IS NULL THEN
      SELECT id INTO found FROM contacts_tagset WHERE tag_ids = ids;
    END IF;
  END IF;
  RETURN found;
END $$;

CREATE FUNCTION contacts_contact_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tag_ids IS NULL THEN
    NEW.tag_ids := '{}';
  END IF;
  IF NEW.tagset_id IS NULL
     OR (TG_OP = 'UPDATE' AND NEW.tag_ids IS DISTINCT FROM OLD.tag_ids AND NEW.tagset_id IS NOT DISTINCT FROM OLD.tagset_id) THEN
    NEW.tagset_id := contacts_tagset_for(NEW.tag_ids);
  END IF;
  IF TG_OP = 'INSERT' OR NEW.email IS DISTINCT FROM OLD.email OR NEW.suppressed IS DISTINCT FROM OLD.suppressed THEN
    IF TG_OP = 'UPDATE' OR coalesce(current_setting('contacts.bulk_ingest', true), '') <> 'on' THEN
      NEW.suppressed := EXISTS (SELECT 1 FROM contacts_suppression s WHERE s.email = NEW.email);
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER contact_derive_inserted BEFORE INSERT ON contacts_contact FOR EACH ROW
  WHEN (NEW.tagset_id IS NULL OR coalesce(current_setting('contacts.bulk_ingest', true), '') <> 'on')
  EXECUTE FUNCTION contacts_contact_derive();
CREATE TRIGGER contact_derive_updated BEFORE UPDATE ON contacts_contact FOR EACH ROW
  WHEN (NEW.tagset_id IS NULL
        OR (NEW.tag_ids IS DISTINCT FROM OLD.tag_ids AND NEW.tagset_id IS NOT DISTINCT FROM OLD.tagset_id)
        OR NEW.email IS DISTINCT FROM OLD.email OR NEW.suppressed IS DISTINCT FROM OLD.suppressed)
  EXECUTE FUNCTION contacts_contact_derive();

CREATE FUNCTION contacts_suppressed_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE contacts_contact c SET suppressed = true
    WHERE c.email IN (SELECT email FROM new_entries) AND NOT c.suppressed;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE contacts_contact c SET suppressed = false
    WHERE c.email IN (SELECT email FROM old_entries) AND c.suppressed;
  ELSE
    UPDATE contacts_contact c SET suppressed = NOT c.suppressed
    WHERE c.email IN (SELECT email FROM old_entries UNION SELECT email FROM new_entries);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER suppression_inserted AFTER INSERT ON contacts_suppression
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION contacts_suppressed_refresh();
CREATE TRIGGER suppression_deleted AFTER DELETE ON contacts_suppression
  REFERENCING OLD TABLE AS old_entries FOR EACH STATEMENT EXECUTE FUNCTION contacts_suppressed_refresh();
CREATE TRIGGER suppression_updated AFTER UPDATE ON contacts_suppression
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries FOR EACH STATEMENT
  EXECUTE FUNCTION contacts_suppressed_refresh();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS suppression_inserted ON contacts_suppression;
DROP TRIGGER IF EXISTS suppression_deleted ON contacts_suppression;
DROP TRIGGER IF EXISTS suppression_updated ON contacts_suppression;
DROP TRIGGER IF EXISTS contact_derive_inserted ON contacts_contact;
DROP TRIGGER IF EXISTS contact_derive_updated ON contacts_contact;
DROP FUNCTION IF EXISTS contacts_suppressed_refresh();
DROP FUNCTION IF EXISTS contacts_contact_derive();
DROP FUNCTION IF EXISTS contacts_tagset_for(integer[]);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0003_bulk_links_without_db_constraints'),
    ]

    operations = [
        migrations.CreateModel(
            name='TagSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag_ids', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None, unique=True)),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_tag_ids_gin',
        ),
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_language_status',
        ),
        migrations.AddField(
            model_name='contact',
            name='suppressed',
            field=models.BooleanField(db_default=False, default=False, editable=False, help_text='The email is on the suppression list (kept by the database)'),
        ),
        migrations.AddField(
            model_name='contact',
            name='tagset',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, help_text='The TagSet of tag_ids, kept by the database (see module doc)', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contacts.tagset'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddField(
            model_name='contact',
            name='deliverable',
            field=models.GeneratedField(db_persist=True, expression=models.ExpressionWrapper(models.Q(('status', 'active'), models.Q(('validation_status', 'invalid'), _negated=True), ('suppressed', False)), output_field=models.BooleanField()), output_field=models.BooleanField()),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['tagset', 'deliverable', 'language'], include=('id',), name='contact_segment'),
        ),
    ]
