"""Contacts -> MailWizz and the health check, end to end against the MailWizz double (a real
HTTP server implementing the documented contract), on the real database."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from contacts.models import Contact, ContactEvent, ContactStatus, ContactTag, Suppression, Tag
from deliverability.mailwizz_client import MailWizzClient
from deliverability.mailwizz_state import MailWizzBrandSync, MailWizzContactError
from deliverability.mailwizz_sync import (
    CUSTOM_FIELDS,
    MailWizzRefused,
    MailWizzUnavailable,
    mailwizz_contacts_push,
    mailwizz_health_check,
)
from deliverability.mailwizz_tasks import mailwizz_contacts_push_task
from deliverability.models import MailWizzInstance


@pytest.fixture(autouse=True)
def fast_mailwizz(settings):
    settings.MAILWIZZ_BACKOFF = 0.01
    settings.MAILWIZZ_TIMEOUT = 2.0
    settings.MAILWIZZ_MAX_RETRIES = 2


def instance_for(double, tenant, *, default_list_id=""):
    return MailWizzInstance.objects.create(
        tenant=tenant, name=f"{tenant.name} MailWizz", base_url=double.base_url, api_public_key=double.public_key,
        api_private_key=double.private_key if double.api_version == 1 else "", api_version=double.api_version,
        default_list_id=default_list_id, is_active=True,
    )


def contact_make(tenant, email, **fields):
    with tenant_context(tenant):
        return Contact.objects.create(email=email, **fields)


def contact_reload(tenant, contact):
    with tenant_context(tenant):
        return Contact.objects.get(pk=contact.pk)


def contact_change(tenant, contact, **fields):
    with tenant_context(tenant):
        contact = Contact.objects.get(pk=contact.pk)
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.save()  # bumps updated_at
        return contact


def calls(double, method, suffix):
    return [r for r in double.requests if r.method == method and r.path.endswith(suffix)]


class TestContactsPush:
    @pytest.mark.parametrize("api_version", [1, 2])
    def test_it_pushes_deliverable_contacts_with_both_authentication_modes(self, brands, mailwizz_double_factory,
                                                                          api_version):
        """With a 1.x (signed) or 2.x (key) instance, the first run creates the brand's default list and its
        custom fields, adds deliverable contacts as confirmed subscribers and stores their MailWizz ids;
        MailWizz accepted every request (a bad signature would have been a 400)."""
        double = mailwizz_double_factory(api_version=api_version)
        instance = instance_for(double, brands.sos)
        anna = contact_make(brands.sos, "anna@example.org", first_name="Anna", last_name="Berg")
        bob = contact_make(brands.sos, "bob@example.org", first_name="Bob")
        gone = contact_make(brands.sos, "gone@example.org", status=ContactStatus.UNSUBSCRIBED)

        report = mailwizz_contacts_push(tenant=brands.sos)

        instance.refresh_from_db()
        assert instance.default_list_id
        assert [lst["general"]["name"] for lst in double.lists()] == ["SOS-Expat contacts (Email Engine)"]
        assert set(CUSTOM_FIELDS) <= set(double.list_field_tags(instance.default_list_id))
        subscribers = {s["email"]: s for s in double.subscribers(instance.default_list_id)}
        assert set(subscribers) == {"anna@example.org", "bob@example.org"}
        assert {s["status"] for s in subscribers.values()} == {"confirmed"}
        assert report.added == 2 and report.errors == 0
        for contact in (anna, bob):
            stored = contact_reload(brands.sos, contact)
            assert stored.mailwizz_subscriber_id == subscribers[contact.email]["subscriber_uid"]
            assert stored.mailwizz_list_id == instance.default_list_id
        assert contact_reload(brands.sos, gone).mailwizz_subscriber_id == ""
        assert all(200 <= r.status < 300 for r in double.requests)
        if api_version == 1:
            assert all("X-MW-SIGNATURE" in r.headers for r in double.requests)
        else:
            assert all(r.headers.get("X-API-KEY") == double.public_key for r in double.requests)

    def test_it_maps_contact_fields_to_mailwizz_list_fields(self, brands, mailwizz_double_factory):
        """EMAIL, FNAME, LNAME and the custom LANGUAGE, CATEGORY, COUNTRY, COMPANY, WEBSITE, CITY and TAGS
        fields carry the contact's values; tags are the slugs, comma-separated."""
        double = mailwizz_double_factory()
        list_uid = double.add_list("Brand list")
        instance_for(double, brands.sos, default_list_id=list_uid)
        contact = contact_make(
            brands.sos, "lea@example.org", first_name="Léa", last_name="Martin", language="fr", category="avocat",
            country="FR", company="Cabinet Martin", website="https://martin.example.org", city="Lyon",
        )
        with tenant_context(brands.sos):
            for slug in ("zeta", "alpha"):
                ContactTag.objects.create(contact=contact, tag=Tag.objects.create(slug=slug))

        mailwizz_contacts_push(tenant=brands.sos)

        [subscriber] = double.subscribers(list_uid)
        assert subscriber["fields"] == {
            "EMAIL": "lea@example.org", "FNAME": "Léa", "LNAME": "Martin", "LANGUAGE": "fr", "CATEGORY": "avocat",
            "COUNTRY": "FR", "COMPANY": "Cabinet Martin", "WEBSITE": "https://martin.example.org", "CITY": "Lyon",
            "TAGS": "alpha, zeta",
        }

    def test_it_sends_only_contacts_changed_since_the_last_successful_run(self, brands, mailwizz_double_factory,
                                                                          settings):
        """A second run without changes sends no subscriber; a changed contact is updated in place (PUT, no
        duplicate) and a contact that became unsubscribed is unsubscribed in MailWizz."""
        settings.MAILWIZZ_CURSOR_OVERLAP_SECONDS = 0
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        anna = contact_make(brands.sos, "anna@example.org", first_name="Anna")
        bob = contact_make(brands.sos, "bob@example.org", first_name="Bob")
        mailwizz_contacts_push(tenant=brands.sos)
        double.requests.clear()

        quiet = mailwizz_contacts_push(tenant=brands.sos)
        assert quiet.looked_at == 0
        assert not calls(double, "POST", "/subscribers/bulk") and not calls(double, "PUT", "")

        contact_change(brands.sos, anna, first_name="Annabelle")
        contact_change(brands.sos, bob, status=ContactStatus.BOUNCED)
        report = mailwizz_contacts_push(tenant=brands.sos)

        subscribers = {s["email"]: s for s in double.subscribers(list_uid)}
        assert len(subscribers) == 2
        assert subscribers["anna@example.org"]["fields"]["FNAME"] == "Annabelle"
        assert subscribers["bob@example.org"]["status"] == "unsubscribed"
        assert (report.updated, report.unsubscribed, report.added) == (1, 1, 0)

    def test_it_records_per_item_errors_on_contacts_without_stopping_the_chunked_run(self, brands,
                                                                                     mailwizz_double_factory):
        """Bulk calls carry at most chunk_size subscribers; a subscriber MailWizz refuses gets its error recorded
        (error row and a `mailwizz_error` event) while the others of its chunk and the next chunks are stored.
        The refused contact is not sent again until it changes."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contacts = [contact_make(brands.sos, f"person{n}@example.org") for n in range(5)]
        double.blacklist("person1@example.org")

        report = mailwizz_contacts_push(tenant=brands.sos, chunk_size=2)

        bulk = calls(double, "POST", "/subscribers/bulk")
        assert [len(r.form["subscribers"]) for r in bulk] == [2, 2, 1]
        assert (report.added, report.errors) == (4, 1)
        refused = contact_reload(brands.sos, contacts[1])
        assert refused.mailwizz_subscriber_id == ""
        error = MailWizzContactError.objects.get(tenant=brands.sos, contact_id=refused.pk)
        assert "blacklisted" in error.message
        with tenant_context(brands.sos):
            event = ContactEvent.objects.get(contact_id=refused.pk, event_type="mailwizz_error")
        assert "blacklisted" in event.event_data["error"]
        assert all(contact_reload(brands.sos, c).mailwizz_subscriber_id for c in contacts if c.pk != refused.pk)

        double.requests.clear()
        mailwizz_contacts_push(tenant=brands.sos, chunk_size=2)
        assert not calls(double, "POST", "/subscribers/bulk")

        contact_change(brands.sos, refused, first_name="Changed")
        mailwizz_contacts_push(tenant=brands.sos, chunk_size=2)
        assert len(calls(double, "POST", "/subscribers/bulk")) == 1

    def test_an_address_already_unsubscribed_in_mailwizz_is_linked_and_suppressed_not_reconfirmed(
            self, brands, mailwizz_double_factory):
        """When MailWizz already holds the email as unsubscribed, the contact is linked to it and suppressed
        here; MailWizz keeps it unsubscribed."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        with MailWizzClient(**double.client_kwargs()) as client:
            uid = client.create_subscriber(list_uid, email="said-no@example.org")
            client.unsubscribe_subscriber(list_uid, uid)
        contact = contact_make(brands.sos, "said-no@example.org")

        report = mailwizz_contacts_push(tenant=brands.sos)

        assert report.suppressed_from_mailwizz == 1
        stored = contact_reload(brands.sos, contact)
        assert (stored.mailwizz_subscriber_id, stored.status) == (uid, ContactStatus.UNSUBSCRIBED)
        with tenant_context(brands.sos):
            assert Suppression.objects.filter(email="said-no@example.org").exists()
        assert double.subscribers(list_uid)[0]["status"] == "unsubscribed"


class TestFailures:
    def test_a_5xx_is_retried_and_the_run_succeeds(self, brands, mailwizz_double_factory):
        """Two 500s in a row are retried by the client (MAILWIZZ_MAX_RETRIES=2); the run then completes."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contact_make(brands.sos, "anna@example.org")
        double.fail_next(2, status=500)

        report = mailwizz_contacts_push(tenant=brands.sos)

        assert [r.status for r in calls(double, "GET", "/fields")] == [500, 500, 200]
        assert report.added == 1

    def test_a_4xx_is_not_retried_and_nothing_is_marked_synced(self, brands, mailwizz_double_factory):
        """A 4xx refusal is sent once, fails the run with MailWizz's message, leaves the cursor and the contacts
        alone; the next run pushes them."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contact = contact_make(brands.sos, "anna@example.org")
        double.fail_next(1, status=400)

        with pytest.raises(MailWizzRefused):
            mailwizz_contacts_push(tenant=brands.sos)

        assert len(double.requests) == 1
        state = MailWizzBrandSync.objects.get(tenant=brands.sos)
        assert state.contacts_cursor is None and "HTTP 400" in state.contacts_last_error
        assert contact_reload(brands.sos, contact).mailwizz_subscriber_id == ""

        mailwizz_contacts_push(tenant=brands.sos)
        assert contact_reload(brands.sos, contact).mailwizz_subscriber_id
        state.refresh_from_db()
        assert state.contacts_cursor is not None and state.contacts_last_error == ""

    def test_an_outage_leaves_contacts_unsynced_until_mailwizz_is_back(self, brands, mailwizz_double_factory):
        """With MailWizz unreachable the run raises MailWizzUnavailable and marks nothing synced; once it is
        back the same contacts are pushed."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contacts = [contact_make(brands.sos, f"p{n}@example.org") for n in range(3)]
        double.set_down(True)

        with pytest.raises(MailWizzUnavailable):
            mailwizz_contacts_push(tenant=brands.sos)
        assert not any(contact_reload(brands.sos, c).mailwizz_subscriber_id for c in contacts)
        assert MailWizzBrandSync.objects.get(tenant=brands.sos).contacts_cursor is None

        double.set_down(False)
        report = mailwizz_contacts_push(tenant=brands.sos)
        assert report.added == 3
        assert all(contact_reload(brands.sos, c).mailwizz_subscriber_id for c in contacts)
        assert len(double.subscribers(list_uid)) == 3

    def test_the_task_retries_while_mailwizz_answers_503(self, brands, mailwizz_double_factory, settings):
        """The Celery task retries an outage (autoretry with backoff; eagerly here) and succeeds once MailWizz
        answers again."""
        settings.MAILWIZZ_MAX_RETRIES = 0
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contact = contact_make(brands.sos, "anna@example.org")
        double.fail_next(1, status=503)

        # throw=False: let Celery's eager apply() run the retry instead of raising Retry.
        result = mailwizz_contacts_push_task.apply(args=(brands.sos.pk,), throw=False).get()

        assert result["added"] == 1
        assert [r.status for r in calls(double, "GET", "/fields")] == [503, 200]
        assert contact_reload(brands.sos, contact).mailwizz_subscriber_id

    def test_the_command_pushes_every_contact_with_full(self, brands, mailwizz_double_factory, capsys):
        """`sync_mailwizz --tenant sos-expat --full` re-sends contacts already synced."""
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, brands.sos, default_list_id=list_uid)
        contact_make(brands.sos, "anna@example.org")
        call_command("sync_mailwizz", "--tenant", "sos-expat")
        double.requests.clear()

        call_command("sync_mailwizz", "--tenant", "sos-expat", "--full")

        assert len(calls(double, "PUT", "")) == 1
        assert "1 contacts looked at" in capsys.readouterr().out


class TestHealth:
    def test_it_records_ok_then_the_error_when_the_instance_is_down(self, brands, mailwizz_double_factory):
        double = mailwizz_double_factory()
        instance = instance_for(double, brands.sos)

        assert mailwizz_health_check(instance=instance) == (True, "")
        instance.refresh_from_db()
        assert instance.last_health_ok is True and instance.last_health_error == ""
        assert timezone.now() - instance.last_health_check < timezone.timedelta(minutes=1)

        double.set_down(True, mode="503")
        ok, error = mailwizz_health_check(instance=instance)
        instance.refresh_from_db()
        assert ok is False and instance.last_health_ok is False
        assert instance.last_health_error == error == "Service Unavailable. (HTTP 503)"

    def test_a_wrong_key_is_reported_without_showing_the_key(self, brands, mailwizz_double_factory):
        double = mailwizz_double_factory()
        instance = instance_for(double, brands.sos)
        MailWizzInstance.objects.filter(pk=instance.pk).update(api_public_key="wrong-key-0123456789")
        instance.refresh_from_db()

        ok, error = mailwizz_health_check(instance=instance)

        assert ok is False and "Invalid API key" in error and "wrong-key" not in error


class TestCursor:
    def test_a_change_committed_late_by_an_older_transaction_is_not_skipped(self, live_db, mailwizz_double_factory,
                                                                            settings):
        """A transaction that changed a contact before a run started but commits after it (its rows carry
        updated_at from before the run) is picked up by the next run: the cursor never passes the start of a
        transaction still open."""
        import psycopg
        from django.db import connection

        settings.MAILWIZZ_CURSOR_OVERLAP_SECONDS = 0
        double = mailwizz_double_factory()
        list_uid = double.add_list()
        instance_for(double, live_db.sos, default_list_id=list_uid)
        contact = contact_make(live_db.sos, "slow@example.org", first_name="Before")
        mailwizz_contacts_push(tenant=live_db.sos)

        params = connection.get_connection_params()
        with psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}) as other:
            with other.cursor() as cursor:
                cursor.execute(f"SET search_path = {live_db.sos.schema_name}")
                cursor.execute("UPDATE contacts_contact SET first_name = 'After', updated_at = now() WHERE id = %s",
                               [contact.pk])
                mailwizz_contacts_push(tenant=live_db.sos)  # cannot see the uncommitted change
            other.commit()

        mailwizz_contacts_push(tenant=live_db.sos)

        assert double.subscribers(list_uid)[0]["fields"]["FNAME"] == "After"
