"""Launch and dispatch against the real database and a real SMTP server."""
import re

import pytest
from django.db import connection

from campaigns.models import CampaignRecipient
from campaigns.services.dispatch import campaign_dispatch_run
from campaigns.services.launch import PreflightFailed, campaign_launch
from contacts.models import Contact, ContactEvent, Suppression
from deliverability.models import IPAddress, IPDailyStats
from templates_app.models import EmailTemplate

from .factories import GREETING, LANGUAGES, make_campaign, make_contact


def _launch(campaign, tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign, tenant=tenant)
    connection.set_tenant(tenant)  # eager brand tasks leave the connection in the public schema
    campaign.refresh_from_db()
    return campaign


def test_exactly_the_segments_deliverable_contacts_get_one_message_each_in_their_language(
        sos, smtp_sink, django_capture_on_commit_callbacks):
    """Tagged, active, unsuppressed contacts get one message in their language; nobody else gets anything."""
    wanted = [make_contact(language=language, tags=["prospect"]) for language in LANGUAGES for _ in range(2)]
    no_language = make_contact(language=None, tags=["prospect"])
    make_contact(language="fr", tags=["other"])
    make_contact(language="fr", tags=["prospect"], status="unsubscribed")
    suppressed = make_contact(language="de", tags=["prospect"])
    Suppression.objects.create(email=suppressed.email, reason="manual")
    excluded = make_contact(language="es", tags=["prospect", "blocked"])
    campaign = _launch(make_campaign(tags_any=["prospect"], exclude_tags=["blocked"]), sos,
                       django_capture_on_commit_callbacks)

    assert campaign.status == "completed"
    received = {}
    for message in smtp_sink.parsed():
        received.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    expected = {c.email: c.language for c in wanted} | {no_language.email: "en"}
    assert set(received) == set(expected)
    assert all(len(messages) == 1 for messages in received.values())
    for email, (message,) in received.items():
        language = expected[email]
        assert message["Subject"].startswith(f"[{language}] {GREETING[language]} ")
        assert GREETING[language] in message.get_body(("html",)).get_content()
    assert excluded.email not in received and suppressed.email not in received
    assert campaign.total_recipients == len(expected) and campaign.sent_count == len(expected)
    assert CampaignRecipient.objects.filter(campaign=campaign, status="sent").count() == len(expected)


def test_headers_and_ips_follow_the_brand_fleet(sos, smtp_sink, django_capture_on_commit_callbacks, settings):
    """From on the IP's sending domain, VMTA of an active/warmup IP with quota, job, one-click unsubscribe."""
    settings.PUBLIC_BASE_URL = "https://engine.example.com"
    contacts = [make_contact(language="fr", tags=["prospect"]) for _ in range(30)]
    campaign = _launch(make_campaign(), sos, django_capture_on_commit_callbacks)
    connection.set_schema_to_public()
    ips = {ip.vmta_name: ip for ip in IPAddress.objects.filter(tenant=sos)}
    sending = {name for name, ip in ips.items() if ip.state in ("active", "warmup")}
    used = {}
    for message in smtp_sink.parsed():
        vmta = message["X-Virtual-MTA"]
        assert vmta in sending
        domain = ips[vmta].sending_domain.name
        assert message["From"].addresses[0].addr_spec == f"outreach@{domain}"
        assert message["From"].addresses[0].display_name == "SOS-Expat"
        assert message["Reply-To"].addresses[0].domain == "sos-expat.com"
        assert message["Message-ID"].endswith(f"@{domain}>")
        assert message["X-Job"] == str(campaign.pk)
        assert re.fullmatch(r"<https://engine\.example\.com/u/[^>]+>", message["List-Unsubscribe"])
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"][1:-1]
        assert unsubscribe in message.get_body(("html",)).get_content()
        assert unsubscribe in message.get_body(("plain",)).get_content()
        used[vmta] = used.get(vmta, 0) + 1
    assert sum(used.values()) == len(contacts)
    for vmta, count in used.items():
        ip = IPAddress.objects.get(vmta_name=vmta)
        assert ip.sent_today == count <= ip.quota_today
        assert IPDailyStats.objects.get(ip=ip).sent == count


def test_sending_updates_contacts_events_templates_and_counters(sos, smtp_sink, django_capture_on_commit_callbacks):
    contacts = [make_contact(language="en", tags=["prospect"]) for _ in range(3)]
    campaign = _launch(make_campaign(), sos, django_capture_on_commit_callbacks)
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.total_campaigns_received == 1 and contact.last_campaign_sent_at is not None
        assert ContactEvent.objects.filter(contact=contact, campaign_id=campaign.pk, event_type="sent").count() == 1
    assert EmailTemplate.objects.get(language="en", is_default=True).total_sent == 3


def test_a_template_without_an_unsubscribe_placeholder_gets_a_visible_footer(
        brands, smtp_sink, django_capture_on_commit_callbacks):
    from .factories import make_fleet, make_templates

    make_fleet(brands.sos)
    connection.set_tenant(brands.sos)
    make_templates(with_unsubscribe_placeholder=False)
    make_contact(language="ar", tags=["prospect"])
    _launch(make_campaign(), brands.sos, django_capture_on_commit_callbacks)
    (message,) = smtp_sink.parsed()
    url = message["List-Unsubscribe"][1:-1]
    assert "إلغاء الاشتراك" in message.get_body(("html",)).get_content()
    assert url in message.get_body(("html",)).get_content() and url in message.get_body(("plain",)).get_content()


def test_contacts_suppressed_after_launch_are_skipped_at_send_time(sos, smtp_sink):
    """The audience is frozen at launch, but suppression and status are checked again when sending."""
    keep = make_contact(language="en", tags=["prospect"])
    later_suppressed = make_contact(language="en", tags=["prospect"])
    later_bounced = make_contact(language="en", tags=["prospect"])
    campaign = make_campaign()
    campaign_launch(campaign=campaign, tenant=sos)  # on_commit not run: dispatch is ours to start
    Suppression.objects.create(email=later_suppressed.email, reason="unsubscribed")
    Contact.objects.filter(pk=later_bounced.pk).update(status="bounced")
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    assert [m["To"].addresses[0].addr_spec for m in smtp_sink.parsed()] == [keep.email]
    reasons = dict(CampaignRecipient.objects.filter(campaign=campaign).values_list("contact_id", "reason"))
    assert reasons[later_suppressed.pk] == "suppressed" and reasons[later_bounced.pk] == "contact bounced"
    campaign.refresh_from_db()
    assert (campaign.sent_count, campaign.skipped_count, campaign.status) == (1, 2, "completed")


def test_a_recipient_missing_a_variable_is_skipped_with_the_reason(sos, smtp_sink):
    EmailTemplate.objects.filter(language="en").update(subject="Hi {company}")
    make_contact(language="en", tags=["prospect"], company="Acme")
    nameless = make_contact(language="en", tags=["prospect"], company="")
    campaign = make_campaign()
    campaign_launch(campaign=campaign, tenant=sos)
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    assert len(smtp_sink.messages) == 1
    assert CampaignRecipient.objects.get(contact=nameless).reason == "missing variable {company}"


def test_quota_exhaustion_makes_the_campaign_wait_then_resume(sos, smtp_sink):
    """With quota for 5 today, 5 go out, the campaign waits (still sending), and resumes when quota returns."""
    connection.set_schema_to_public()
    IPAddress.objects.filter(tenant=sos, state__in=["active", "warmup"]).update(quota_today=2, sent_today=0)
    IPAddress.objects.filter(tenant=sos, state="warmup").update(quota_today=1)
    connection.set_tenant(sos)
    for _ in range(8):
        make_contact(language="en", tags=["prospect"])
    campaign = make_campaign()
    campaign_launch(campaign=campaign, tenant=sos)
    outcome = campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert outcome.next == "wait" and len(smtp_sink.messages) == 5
    assert campaign.status == "sending" and campaign.waiting_until is not None
    assert "quota" in campaign.waiting_reason
    assert CampaignRecipient.objects.filter(campaign=campaign, status="queued", claim_token__isnull=True).count() == 3

    connection.set_schema_to_public()
    IPAddress.objects.filter(tenant=sos, state__in=["active", "warmup"]).update(sent_today=0)  # a new day
    connection.set_tenant(sos)
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert len(smtp_sink.messages) == 8 and len({m.rcpt_tos[0] for m in smtp_sink.messages}) == 8
    assert campaign.status == "completed" and campaign.sent_count == 8 and campaign.waiting_until is None


def test_pre_flight_failures_block_the_launch_with_what_to_fix(brands, settings):
    """No IP, no template, empty segment, DNS not passing: launch refused, nothing frozen."""
    settings.DELIVERABILITY_ENFORCE_DNS = True
    connection.set_tenant(brands.sos)
    make_contact(language="fr", tags=["prospect"])
    campaign = make_campaign(tags_any=["nobody-has-this"])
    with pytest.raises(PreflightFailed) as failed:
        campaign_launch(campaign=campaign, tenant=brands.sos)
    statuses = {check["name"]: check["status"] for check in failed.value.report["checks"]}
    assert statuses["audience"] == "error" and statuses["quota"] == "error"
    campaign = make_campaign(tags_any=["prospect"])
    with pytest.raises(PreflightFailed) as failed:
        campaign_launch(campaign=campaign, tenant=brands.sos)
    messages = " ".join(check["message"] for check in failed.value.report["checks"] if check["status"] == "error")
    assert "No default template" in messages and "no active or warmup IP" in messages
    campaign.refresh_from_db()
    assert campaign.status == "draft" and campaign.preflight["ok"] is False
    assert not CampaignRecipient.objects.exists()


def test_pre_flight_refuses_sending_domains_failing_dns(sos, settings):
    settings.DELIVERABILITY_ENFORCE_DNS = True
    make_contact(language="fr", tags=["prospect"])
    with pytest.raises(PreflightFailed, match="check_dns"):
        campaign_launch(campaign=make_campaign(), tenant=sos)
