"""Fewer indexes on the bulk-written tables: every index costs each ingested row a B-tree insert.

- ContactTag: the single-column contact_id and tag_id indexes and (tag_id, contact_id) go; the
  unique (contact_id, tag_id) serves lookups by contact, nothing reads links by tag alone
  (segments and tag filters read contacts_tagset / contact_segment). 5 B-trees -> 2.
- ContactEvent: the single-column contact_id index duplicates contactevent_contact_time.
- Contact: the varchar_pattern_ops copy of the email index Django adds for LIKE; lookups
  by email are exact.
"""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0004_segment_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='contacttag',
            name='contacttag_tag_contact',
        ),
        migrations.AlterField(
            model_name='contacttag',
            name='tag',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contact_tags', to='contacts.tag'),
        ),
        migrations.AlterField(
            model_name='contacttag',
            name='contact',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contact_tags', to='contacts.contact'),
        ),
        migrations.AlterField(
            model_name='contactevent',
            name='contact',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='contacts.contact'),
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS contacts_contact_email_b008e8f9_like",
            "CREATE INDEX IF NOT EXISTS contacts_contact_email_b008e8f9_like ON contacts_contact (email varchar_pattern_ops)",
        ),
    ]
