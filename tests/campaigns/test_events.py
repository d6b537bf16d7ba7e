"""PowerMTA accounting flowing back into contacts, campaigns, templates and IP figures, once."""
import io

from django.db import connection

from campaigns.models import Campaign, CampaignRecipient
from campaigns.services.dispatch import campaign_dispatch_run
from campaigns.services.launch import campaign_launch
from contacts.models import Contact, ContactEvent, Suppression
from deliverability.models import IPDailyStats
from deliverability.services.pmta import pmta_accounting_import
from templates_app.models import EmailTemplate

from .factories import make_campaign, make_contact

HEADER = "type,timeLogged,orig,rcpt,dsnStatus,dsnDiag,bounceCat,vmta,jobId,envId,dlvSourceIp\n"


def _row(kind, minute, recipient, *, campaign_id, category="", status="2.0.0"):
    return (f"{kind},2026-05-01 10:{minute:02d}:00+0000,outreach@x,{recipient.contact.email},{status},diag,"
            f"{category},{recipient.vmta},{campaign_id},,{recipient.ip_address}\n")


def _sent_campaign(sos, count):
    contacts = [make_contact(language="en", tags=["prospect"]) for _ in range(count)]
    campaign = make_campaign()
    campaign_launch(campaign=campaign, tenant=sos)
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    recipients = {r.contact_id: r for r in CampaignRecipient.objects.select_related("contact").filter(campaign=campaign)}
    return campaign, [recipients[c.pk] for c in contacts]


def test_accounting_records_update_contacts_campaign_and_ips_exactly_once(sos, smtp_sink):
    campaign, (delivered, hard, complainer, soft) = _sent_campaign(sos, 4)
    c = campaign.pk
    csv = HEADER + "".join([
        _row("d", 1, delivered, campaign_id=c),
        _row("d", 2, complainer, campaign_id=c),
        _row("b", 3, hard, campaign_id=c, category="bad-mailbox", status="5.1.1"),
        _row("t", 4, soft, campaign_id=c, category="quota-issues", status="4.2.2"),
        *[_row("b", 10 + n, soft, campaign_id=c, category="quota-issues", status="4.2.2") for n in range(5)],
        _row("f", 30, complainer, campaign_id=c),
    ])
    connection.set_schema_to_public()
    first = pmta_accounting_import(lines_or_file=io.StringIO(csv), source_name="acct-1.csv")
    again = pmta_accounting_import(lines_or_file=io.StringIO(csv), source_name="acct-1-copy.csv")
    assert (first.new, again.new, again.duplicates) == (10, 0, 10)

    connection.set_tenant(sos)
    campaign.refresh_from_db()
    assert (campaign.delivered_count, campaign.bounced_count, campaign.complained_count, campaign.deferred_count) == (
        2, 2, 1, 1)
    statuses = dict(Contact.objects.values_list("email", "status"))
    assert statuses[delivered.contact.email] == "active"
    assert statuses[hard.contact.email] == "bounced"
    assert statuses[complainer.contact.email] == "complained"
    assert statuses[soft.contact.email] == "bounced"  # the fifth soft bounce suppresses
    assert dict(Suppression.objects.values_list("email", "reason")) == {
        hard.contact.email: "hard_bounce", complainer.contact.email: "complaint", soft.contact.email: "hard_bounce"}
    assert ContactEvent.objects.filter(event_type="bounced", contact=soft.contact).count() == 5
    assert ContactEvent.objects.filter(event_type="delivered").count() == 2
    assert EmailTemplate.objects.get(language="en", is_default=True).total_sent == 4
    connection.set_schema_to_public()
    stats = {s.ip.vmta_name: s for s in IPDailyStats.objects.select_related("ip").filter(date="2026-05-01")}
    assert sum(s.delivered for s in stats.values()) == 2
    assert sum(s.hard_bounces for s in stats.values()) == 1
    assert sum(s.soft_bounces for s in stats.values()) == 5
    assert sum(s.complaints for s in stats.values()) == 1 and sum(s.deferrals for s in stats.values()) == 1


def test_the_events_endpoint_takes_the_csv_for_brands_the_key_may_write(sos, smtp_sink, make_api_key, api_client):
    campaign, (recipient,) = _sent_campaign(sos, 1)
    csv = HEADER + _row("d", 1, recipient, campaign_id=campaign.pk)
    connection.set_schema_to_public()
    reader = api_client(make_api_key(["sos-expat"], ["campaigns:read"]))
    response = reader.post("/api/v2/events/pmta", data=csv, content_type="text/csv",
                           HTTP_CONTENT_DISPOSITION="attachment; filename=acct.csv")
    assert response.status_code == 403
    other_brand = api_client(make_api_key(["ulixai"], ["campaigns:write"]))
    assert other_brand.post("/api/v2/events/pmta", data=csv, content_type="text/csv",
                            HTTP_CONTENT_DISPOSITION="attachment; filename=acct.csv").status_code in (403, 404)
    writer = api_client(make_api_key(["sos-expat"], ["campaigns:write"]))
    response = writer.post("/api/v2/events/pmta", data=csv, content_type="text/csv",
                           HTTP_CONTENT_DISPOSITION="attachment; filename=acct.csv")
    assert response.status_code == 200, response.content
    assert response.json()["new"] == 1 and response.json()["brands"] == ["sos-expat"]
    connection.set_tenant(sos)
    assert Campaign.objects.get(pk=campaign.pk).delivered_count == 1


def test_the_events_endpoint_needs_a_grant_on_every_brand_a_record_writes_to(sos, smtp_sink, make_api_key, api_client):
    """A record names its brand by envId, but its IP figures go to the brand owning the sending IP:
    a key for one brand cannot move another brand's IP figures by borrowing its own envId."""
    from tenants.models import Tenant

    from ..deliverability.factories import make_ip

    campaign, (recipient,) = _sent_campaign(sos, 1)
    connection.set_schema_to_public()
    other_ip = make_ip(Tenant.objects.get(slug="ulixai"))
    borrowed = (f"f,2026-05-01 10:01:00+0000,outreach@x,{recipient.contact.email},2.0.0,diag,,"
                f"{other_ip.vmta_name},{campaign.pk},{sos.pk}.{recipient.pk},{other_ip.address}\n")
    writer = api_client(make_api_key(["sos-expat"], ["campaigns:write"]))
    response = writer.post("/api/v2/events/pmta", data=HEADER + borrowed, content_type="text/csv",
                           HTTP_CONTENT_DISPOSITION="attachment; filename=acct.csv")
    assert response.status_code == 403, response.content
    assert not IPDailyStats.objects.filter(ip=other_ip, complaints__gt=0).exists()
    nobody = HEADER + "d,2026-05-01 10:02:00+0000,outreach@x,x@example.com,2.0.0,diag,,unknown-vmta,1,,192.0.2.254\n"
    response = writer.post("/api/v2/events/pmta", data=nobody, content_type="text/csv",
                           HTTP_CONTENT_DISPOSITION="attachment; filename=acct.csv")
    assert response.status_code == 400 and "nothing was imported" in response.json()["error"]
