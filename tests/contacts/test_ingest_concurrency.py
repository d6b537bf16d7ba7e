"""Bulk writes with real commits: the CSV import's parallel storing threads, and two ingests racing on one email."""
import threading
import time

import psycopg
import pytest
from django.db import connection

from contacts.models import Contact, ContactEvent, ContactTag
from contacts.seed import seed_tags_and_sources
from contacts.selectors import segment_count
from contacts.services.csv_import import contacts_import_csv
from contacts.services.ingest import contact_ingest

EVERY_STATUS = ["active", "invalid"]  # the loopback DNS has no MX: validation after commit marks them invalid


@pytest.fixture
def live_brand(live_db, loopback_dns):
    """SOS-Expat with its tags and sources, committed; validation after commit asks the (empty) loopback DNS."""
    seed_tags_and_sources(progress=lambda iterable=None, **kwargs: iterable)
    connection.set_tenant(live_db.sos)
    yield live_db
    connection.set_schema_to_public()


def test_a_csv_import_outside_a_transaction_stores_every_chunk_once_with_its_tags(live_brand, tmp_path):
    """Several chunks stored by parallel threads: every good row once, tags and events, errors in line order."""
    lines = ["email,first_name,tags"]
    for i in range(60):
        lines.append(f"p{i}@example.com,P{i},avocat|lang-fr" if i % 10 else f"bad-{i},X,avocat")
    lines.append("p1@example.com,Again,blogger")  # a repeat in a later chunk: an update (a new tag)
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = contacts_import_csv(path=str(path), chunk_rows=8)

    assert (report.total_processed, report.new_contacts, report.updated_contacts, report.error_count) == (61, 54, 1, 6)
    assert [e["line"] for e in report.errors] == [2, 12, 22, 32, 42, 52]
    assert Contact.objects.count() == 54
    assert ContactTag.objects.count() == 54 * 2 + 1
    assert ContactEvent.objects.filter(event_type="ingested").count() == 54
    assert sorted(Contact.objects.get(email="p1@example.com").tags.values_list("slug", flat=True)) == [
        "avocat", "blogger", "lang-fr"]
    assert segment_count(filter={"tags_all": ["prestataire", "lang-fr"], "status": EVERY_STATUS}) == 54


def test_an_email_inserted_meanwhile_by_another_transaction_is_updated_not_lost(live_brand):
    """The plain INSERT of new emails meets a concurrent insert: the batch is stored by the upsert instead."""
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                            password=settings["PASSWORD"] or None, dbname=settings["NAME"])
    other.execute(f"SET search_path = {live_brand.sos.schema_name}, public")
    other.execute("INSERT INTO contacts_contact (email, data_source_id, first_name, last_name, company, website,"
                  " category, phone, country, city, linkedin_url, facebook_url, instagram_url, twitter_url,"
                  " custom_fields, status, validation_status, mailwizz_subscriber_id, mailwizz_list_id,"
                  " total_campaigns_received, tag_ids, created_at, updated_at) VALUES ('race@example.com', 4,"
                  " 'First', '', '', '', '', '', '', '', '', '', '', '', '{}', 'active', 'pending', '', '', 0, '{}',"
                  " now(), now())")
    results = []

    def ingest():
        connection.set_tenant(live_brand.sos)
        try:
            results.append(contact_ingest(items=[
                {"email": "race@example.com", "data_source_id": 4, "city": "Lyon", "tags": ["avocat"]},
                {"email": "calm@example.com", "data_source_id": 4, "tags": ["avocat"]},
            ]))
        finally:
            connection.close()

    worker = threading.Thread(target=ingest)
    worker.start()
    time.sleep(1.0)  # the ingest now waits on the other transaction's row in the unique index
    assert worker.is_alive()
    other.commit()
    other.close()
    worker.join(30)
    assert not worker.is_alive()

    result = results[0]
    assert (result.new_contacts, result.updated_contacts, result.errors) == (1, 1, [])
    race = Contact.objects.get(email="race@example.com")
    assert (race.first_name, race.city) == ("First", "Lyon")
    assert list(race.tags.values_list("slug", flat=True)) == ["avocat"]
    assert segment_count(filter={"tags_any": ["avocat"], "status": EVERY_STATUS}) == 2
