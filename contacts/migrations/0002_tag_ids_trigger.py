"""The database keeps Contact.tag_ids equal to the contact's ContactTag rows (sorted tag ids).

Statement-level triggers with transition tables: one UPDATE per statement, however
many links it touched. A session that writes tag_ids itself in the same statement
(the bulk ingest) sets `contacts.skip_tag_ids_refresh = on` locally to skip them.
"""
from django.db import migrations

REFRESH = """
UPDATE contacts_contact c
SET tag_ids = COALESCE((SELECT array_agg(ct.tag_id::integer ORDER BY ct.tag_id)
                        FROM contacts_contacttag ct WHERE ct.contact_id = c.id), '{}')
WHERE c.id IN (SELECT contact_id FROM %s)
"""

FORWARD = f"""
CREATE FUNCTION contacts_tag_ids_refresh_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('contacts.skip_tag_ids_refresh', true), '') = 'on' THEN RETURN NULL; END IF;
  {REFRESH % "changed_links"};
  RETURN NULL;
END $$;

CREATE FUNCTION contacts_tag_ids_refresh_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('contacts.skip_tag_ids_refresh', true), '') = 'on' THEN RETURN NULL; END IF;
  {REFRESH % "(SELECT contact_id FROM old_links UNION SELECT contact_id FROM new_links) AS both_links"};
  RETURN NULL;
END $$;

CREATE TRIGGER contacttag_inserted AFTER INSERT ON contacts_contacttag
  REFERENCING NEW TABLE AS changed_links FOR EACH STATEMENT EXECUTE FUNCTION contacts_tag_ids_refresh_changed();
CREATE TRIGGER contacttag_deleted AFTER DELETE ON contacts_contacttag
  REFERENCING OLD TABLE AS changed_links FOR EACH STATEMENT EXECUTE FUNCTION contacts_tag_ids_refresh_changed();
CREATE TRIGGER contacttag_updated AFTER UPDATE ON contacts_contacttag
  REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT
  EXECUTE FUNCTION contacts_tag_ids_refresh_updated();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS contacttag_inserted ON contacts_contacttag;
DROP TRIGGER IF EXISTS contacttag_deleted ON contacts_contacttag;
DROP TRIGGER IF EXISTS contacttag_updated ON contacts_contacttag;
DROP FUNCTION IF EXISTS contacts_tag_ids_refresh_changed();
DROP FUNCTION IF EXISTS contacts_tag_ids_refresh_updated();
"""


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
