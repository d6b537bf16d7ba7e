"""Unsubscribe, open pixel and click redirect, through the public routes."""
import pytest
from django.db import connection

from campaigns.models import Campaign, CampaignRecipient
from campaigns.services.dispatch import campaign_dispatch_run
from campaigns.services.launch import campaign_launch
from campaigns.tokens import CLICK, OPEN, UNSUBSCRIBE, token_make
from contacts.models import Contact, ContactEvent, Suppression
from templates_app.models import EmailTemplate

from .factories import OFFER_URL, make_campaign, make_contact


@pytest.fixture
def sent(sos, smtp_sink):
    """A campaign sent to one French and one Arabic contact; returns (campaign, contacts, messages by email)."""
    contacts = [make_contact(language="fr", tags=["prospect"]), make_contact(language="ar", tags=["prospect"])]
    campaign = make_campaign()
    campaign_launch(campaign=campaign, tenant=sos)
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    messages = {m["To"].addresses[0].addr_spec: m for m in smtp_sink.parsed()}
    connection.set_schema_to_public()
    return campaign, contacts, messages


def _in_brand(tenant):
    connection.set_tenant(tenant)


def _path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_one_click_unsubscribe_post_unsubscribes_at_once(sent, client, brands):
    """RFC 8058: POST List-Unsubscribe=One-Click to the List-Unsubscribe URL, no CSRF token, no page."""
    campaign, (contact, _), messages = sent
    url = messages[contact.email]["List-Unsubscribe"][1:-1]
    response = client.post(_path(url), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    _in_brand(brands.sos)
    contact.refresh_from_db()
    assert contact.status == "unsubscribed"
    assert Suppression.objects.filter(email=contact.email, reason="unsubscribed").exists()
    assert ContactEvent.objects.filter(contact=contact, event_type="unsubscribed", campaign_id=campaign.pk).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).unsubscribed_count == 1
    connection.set_schema_to_public()
    client.post(_path(url), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    _in_brand(brands.sos)
    assert Campaign.objects.get(pk=campaign.pk).unsubscribed_count == 1  # once per recipient


def test_the_confirmation_page_speaks_the_contacts_language_and_changes_nothing(sent, client, brands):
    campaign, (_, arabic), messages = sent
    url = messages[arabic.email]["List-Unsubscribe"][1:-1]
    response = client.get(_path(url))
    body = response.content.decode()
    assert response.status_code == 200 and 'dir="rtl"' in body and "إلغاء الاشتراك" in body
    _in_brand(brands.sos)
    assert Contact.objects.get(pk=arabic.pk).status == "active"
    connection.set_schema_to_public()
    response = client.post(_path(url))
    assert response.status_code == 200 and "لن تتلقى" in response.content.decode()
    _in_brand(brands.sos)
    assert Contact.objects.get(pk=arabic.pk).status == "unsubscribed"


@pytest.mark.parametrize("route", ["/u/{}", "/t/o/{}.gif", "/t/c/{}"])
def test_forged_or_altered_tokens_get_400_and_change_nothing(sent, client, brands, route):
    campaign, (contact, _), _ = sent
    kinds = {"/u/{}": UNSUBSCRIBE, "/t/o/{}.gif": OPEN, "/t/c/{}": CLICK}
    good = token_make(kind=kinds[route], tenant_id=brands.sos.pk, campaign_id=campaign.pk, contact_id=contact.pk,
                      link_index=0 if kinds[route] == CLICK else None)
    value, signature = good.split(".")
    forged_for_other = good.replace(value.split("-")[2], "zz", 1)
    for token in (forged_for_other, value + "." + signature[::-1], "1-1-1.abc", "garbage"):
        response = client.post(route.format(token)) if route.startswith("/u/") else client.get(route.format(token))
        assert response.status_code == 400
    _in_brand(brands.sos)
    contact.refresh_from_db()
    recipient = CampaignRecipient.objects.get(campaign=campaign, contact=contact)
    assert contact.status == "active" and recipient.opened_at is None and recipient.clicked_at is None
    assert not ContactEvent.objects.filter(event_type__in=["unsubscribed", "opened", "clicked"]).exists()


def test_clicks_redirect_only_to_the_templates_known_urls(sent, client, brands):
    """The tracked link in the message redirects to the template's URL; an index outside the list is refused."""
    campaign, (contact, _), messages = sent
    html = messages[contact.email].get_body(("html",)).get_content()
    assert OFFER_URL.replace("&", "&amp;") not in html  # rewritten into a click URL
    click_url = next(part.split('"')[0] for part in html.split('href="')[1:] if "/t/c/" in part)
    response = client.get(_path(click_url))
    assert response.status_code == 302 and response["Location"] == OFFER_URL
    outside = token_make(kind=CLICK, tenant_id=brands.sos.pk, campaign_id=campaign.pk, contact_id=contact.pk,
                         link_index=99)
    assert client.get(f"/t/c/{outside}").status_code == 400
    _in_brand(brands.sos)
    campaign.refresh_from_db()
    assert (campaign.clicked_count, campaign.opened_count) == (1, 1)
    template = EmailTemplate.objects.get(language="fr", is_default=True)
    assert template.avg_click_rate == pytest.approx(1.0) and template.avg_open_rate == pytest.approx(1.0)


def test_the_open_pixel_counts_the_first_open_once(sent, client, brands):
    campaign, (contact, arabic), messages = sent
    html = messages[contact.email].get_body(("html",)).get_content()
    pixel = html.split('<img src="')[1].split('"')[0]
    for _ in range(3):
        response = client.get(_path(pixel))
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    _in_brand(brands.sos)
    assert Campaign.objects.get(pk=campaign.pk).opened_count == 1
    assert ContactEvent.objects.filter(contact=contact, event_type="opened").count() == 3


def test_tracking_off_leaves_links_and_adds_no_pixel(sos, smtp_sink):
    make_contact(language="en", tags=["prospect"])
    campaign = make_campaign(tracking_enabled=False)
    campaign_launch(campaign=campaign, tenant=sos)
    campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    html = smtp_sink.parsed()[0].get_body(("html",)).get_content()
    assert "/t/o/" not in html and "/t/c/" not in html and OFFER_URL.replace("&", "&amp;") in html
