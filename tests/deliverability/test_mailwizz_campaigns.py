"""Campaign -> MailWizz (groups by template, idempotent after crashes), results <- MailWizz (stats,
unsubscribes) and the open/click webhook, against the MailWizz double on the real database."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from django_tenants.utils import tenant_context

from campaigns.models import Campaign, CampaignRecipient
from contacts.models import Contact, ContactEvent, ContactStatus, Suppression
from deliverability.mailwizz_state import MailWizzCampaignGroup
from deliverability.mailwizz_sync import (
    MailWizzSyncError,
    MailWizzUnavailable,
    mailwizz_campaign_push,
    mailwizz_results_pull,
    mailwizz_webhook_token_rotate,
)
from deliverability.models import MailWizzInstance
from tests.doubles.mailwizz import MailWizzDouble
from tests.templates_app.factories import EmailTemplateFactory


@pytest.fixture(autouse=True)
def fast_mailwizz(settings):
    settings.MAILWIZZ_BACKOFF = 0.01
    settings.MAILWIZZ_TIMEOUT = 2.0
    settings.MAILWIZZ_MAX_RETRIES = 1


class LostResponseDouble(MailWizzDouble):
    """Applies the n-th POST /lists or POST /campaigns, then answers after the client gave up: MailWizz created
    the object but we never learnt its uid (as when our worker dies between the two)."""

    def __init__(self, *, lose: tuple[str, int], **kwargs):
        super().__init__(**kwargs)
        self.lose = lose
        self.created = Counter()

    def _stall_if_chosen(self, kind):
        self.created[kind] += 1
        if self.lose == (kind, self.created[kind]):
            self._stopping.wait(self.timeout_delay)

    def _post_lists(self, **kwargs):
        answer = super()._post_lists(**kwargs)
        self._stall_if_chosen("lists")
        return answer

    def _post_campaign(self, **kwargs):
        answer = super()._post_campaign(**kwargs)
        self._stall_if_chosen("campaigns")
        return answer

    def wait_idle(self):
        """Until the stalled request has been answered (to a client that left)."""
        deadline = time.monotonic() + 10
        while any(r.status is None for r in self.requests) and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def losing_double():
    started = []

    def make(lose):
        double = LostResponseDouble(lose=lose, timeout_delay=1.0).start()
        started.append(double)
        return double

    yield make
    for double in started:
        double.stop()


def instance_for(double, tenant):
    return MailWizzInstance.objects.create(
        tenant=tenant, name="MailWizz", base_url=double.base_url, api_public_key=double.public_key,
        api_private_key=double.private_key if double.api_version == 1 else "", api_version=double.api_version,
        default_list_id="", is_active=True,
    )


@pytest.fixture
def campaign_setup(brands):
    """A MailWizz campaign of SOS-Expat whose frozen audience resolves to two templates (en and fr)."""
    with tenant_context(brands.sos):
        en = EmailTemplateFactory(language="en", is_default=True, subject="Hello {firstName|there}",
                                  body_html="<p>Hi {firstName|there} from {company|your team}</p>")
        fr = EmailTemplateFactory(language="fr", is_default=True, subject="Bonjour {firstName|à vous}",
                                  body_html="<p>Bonjour {firstName|à vous}. <a href=\"{unsubscribeUrl}\">Stop</a></p>")
        campaign = Campaign.objects.create(name="Spring", channel="mailwizz", status="sending")
        contacts = {}
        for email, language in (("ann@example.org", "en"), ("ben@example.org", "en"), ("chloe@example.org", "fr"),
                                ("dan@example.org", "fr"), ("eve@example.org", None)):
            contact = Contact.objects.create(email=email, first_name=email.split("@")[0].title(), language=language)
            CampaignRecipient.objects.create(campaign=campaign, contact=contact, language=language or "en")
            contacts[email] = contact
    return campaign, {"en": en, "fr": fr}, contacts


def groups_of(campaign):
    return {g.template_id: g for g in MailWizzCampaignGroup.objects.filter(campaign_id=campaign.pk)}


class TestCampaignPush:
    def test_it_creates_one_list_and_one_campaign_per_template_group(self, brands, mailwizz_double_factory,
                                                                     campaign_setup):
        """Recipients are grouped by the template they resolve to; each group gets its own list holding exactly
        its recipients and a campaign with that template's subject and HTML (placeholders as MailWizz tags, an
        unsubscribe link) and the brand's from-name. Every group's ids are stored."""
        double = mailwizz_double_factory()
        instance_for(double, brands.sos)
        campaign, templates, _ = campaign_setup

        result = mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)

        assert result.complete and result.problems == []
        groups = groups_of(campaign)
        assert set(groups) == {templates["en"].pk, templates["fr"].pk}
        assert len(double.lists()) == 2 and len(double.campaigns()) == 2
        en, fr = groups[templates["en"].pk], groups[templates["fr"].pk]
        assert {s["email"] for s in double.subscribers(en.list_uid)} == {"ann@example.org", "ben@example.org",
                                                                         "eve@example.org"}
        assert {s["email"] for s in double.subscribers(fr.list_uid)} == {"chloe@example.org", "dan@example.org"}
        en_campaign = double.campaign(en.campaign_uid)
        assert en_campaign["list_uid"] == en.list_uid
        assert en_campaign["subject"] == "Hello [FNAME]"
        assert en_campaign["from_name"] == "SOS-Expat"
        assert "Hi [FNAME] from [COMPANY]" in en_campaign["template"]["content"]
        assert 'href="[UNSUBSCRIBE_URL]"' in en_campaign["template"]["content"]
        fr_html = double.campaign(fr.campaign_uid)["template"]["content"]
        assert fr_html.count("[UNSUBSCRIBE_URL]") == 1  # the template places it: no footer added
        with tenant_context(brands.sos):
            stored = Campaign.objects.get(pk=campaign.pk)
            assert stored.mailwizz_campaign_id in {en.campaign_uid, fr.campaign_uid}
            assert set(CampaignRecipient.objects.filter(campaign=campaign).values_list("template_id", flat=True)) == {
                templates["en"].pk, templates["fr"].pk}

    def test_pushing_again_creates_nothing_new(self, brands, mailwizz_double_factory, campaign_setup):
        double = mailwizz_double_factory()
        instance_for(double, brands.sos)
        campaign, _, _ = campaign_setup
        mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        double.requests.clear()

        assert mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos).complete
        assert [r for r in double.requests if r.method == "POST"] == []

    def test_a_crash_between_two_groups_never_creates_a_second_list_or_campaign(self, brands, losing_double,
                                                                               campaign_setup, settings):
        """MailWizz creates the second group's list but the answer is lost (the push fails as our worker would).
        The retry finds that list by the name stored before the call, reuses it, and ends with exactly one list
        and one campaign per group."""
        settings.MAILWIZZ_TIMEOUT = 0.3
        double = losing_double(("lists", 2))
        instance_for(double, brands.sos)
        campaign, templates, _ = campaign_setup

        with pytest.raises(MailWizzUnavailable):
            mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        double.wait_idle()
        second = groups_of(campaign)[templates["fr"].pk]
        assert second.list_requested_at is not None and second.list_uid == ""
        assert len(double.lists()) == 2 and len(double.campaigns()) == 1

        result = mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)

        assert result.complete
        assert len(double.lists()) == 2 and len(double.campaigns()) == 2
        second.refresh_from_db()
        lost_list = [lst for lst in double.lists() if lst["general"]["name"] == second.list_name]
        assert [lst["general"]["list_uid"] for lst in lost_list] == [second.list_uid]
        assert {s["email"] for s in double.subscribers(second.list_uid)} == {"chloe@example.org", "dan@example.org"}

    def test_a_campaign_whose_creation_may_have_happened_is_flagged_not_created_twice(
            self, brands, losing_double, campaign_setup, settings):
        """When the answer to the second group's campaign creation is lost, the retry does not create it again:
        the group is marked uncertain and reported for a person to check in MailWizz."""
        settings.MAILWIZZ_TIMEOUT = 0.3
        double = losing_double(("campaigns", 2))
        instance_for(double, brands.sos)
        campaign, templates, _ = campaign_setup

        with pytest.raises(MailWizzUnavailable):
            mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        double.wait_idle()

        result = mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)

        assert not result.complete and "may exist already" in result.problems[0]
        assert groups_of(campaign)[templates["fr"].pk].state == MailWizzCampaignGroup.State.UNCERTAIN
        assert groups_of(campaign)[templates["en"].pk].state == MailWizzCampaignGroup.State.CREATED
        assert len(double.campaigns()) == 2

    def test_an_smtp_campaign_is_refused(self, brands, mailwizz_double_factory):
        double = mailwizz_double_factory()
        instance_for(double, brands.sos)
        with tenant_context(brands.sos):
            campaign = Campaign.objects.create(name="Direct", channel="smtp")
        with pytest.raises(MailWizzSyncError, match="not a MailWizz campaign"):
            mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        assert double.requests == []


class TestResultsPull:
    def test_stats_and_unsubscribes_come_back_into_counters_and_contacts(self, brands, mailwizz_double_factory,
                                                                         campaign_setup):
        """Counters take MailWizz's figures summed over the groups; a MailWizz unsubscribe suppresses the contact
        here (status, suppression list, event, recipient) once, however often results are pulled."""
        double = mailwizz_double_factory()
        instance_for(double, brands.sos)
        campaign, templates, contacts = campaign_setup
        mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        groups = groups_of(campaign)
        en, fr = groups[templates["en"].pk], groups[templates["fr"].pk]
        double.campaign_set_stats(en.campaign_uid, {"processed_count": 3, "delivery_success_count": 3,
                                                    "unique_opens_count": 2, "unique_clicks_count": 1})
        double.campaign_set_stats(fr.campaign_uid, {"processed_count": 2, "delivery_success_count": 1,
                                                    "unique_opens_count": 1, "bounces_count": 1})
        double.campaign_add_unsubscribe(fr.campaign_uid, "chloe@example.org", reason="not interested")

        report = mailwizz_results_pull(tenant=brands.sos)
        mailwizz_results_pull(tenant=brands.sos)

        assert report == {"groups": 2, "campaigns": 1, "new_unsubscribes": 1}
        with tenant_context(brands.sos):
            stored = Campaign.objects.get(pk=campaign.pk)
            assert (stored.sent_count, stored.delivered_count, stored.opened_count, stored.clicked_count,
                    stored.bounced_count, stored.unsubscribed_count) == (5, 4, 3, 1, 1, 1)
            chloe = Contact.objects.get(email="chloe@example.org")
            assert chloe.status == ContactStatus.UNSUBSCRIBED
            assert Suppression.objects.get(email="chloe@example.org").reason == "unsubscribed"
            assert ContactEvent.objects.filter(contact=chloe, event_type="unsubscribed",
                                               campaign_id=campaign.pk).count() == 1
            assert CampaignRecipient.objects.get(campaign=campaign, contact=chloe).unsubscribed_at is not None
            assert Contact.objects.get(email="dan@example.org").status == ContactStatus.ACTIVE


class TestWebhook:
    URL = "/api/v2/events/mailwizz/sos-expat"

    @staticmethod
    def event(kind, email, campaign_uid, **extra):
        return {"event": {"type": kind, "ip_address": "203.0.113.9", "user_agent": "Mail", "date_added":
                          "2026-11-29 10:00:00", **extra},
                "subscriber": {"attributes": {"subscriber_uid": "abcdefghij123", "email": email}},
                "campaign": {"attributes": {"campaign_uid": campaign_uid}}}

    def test_opens_and_clicks_are_recorded_once_with_the_brand_token(self, brands, mailwizz_double_factory,
                                                                      campaign_setup, api_client):
        double = mailwizz_double_factory()
        instance_for(double, brands.sos)
        campaign, templates, _ = campaign_setup
        mailwizz_campaign_push(campaign_id=campaign.pk, tenant=brands.sos)
        uid = groups_of(campaign)[templates["en"].pk].campaign_uid
        token = mailwizz_webhook_token_rotate(tenant=brands.sos)
        client = api_client()

        opened = client.post(f"{self.URL}?token={token}", self.event("open", "Ann@example.org", uid), format="json")
        again = client.post(f"{self.URL}?token={token}", self.event("open", "ann@example.org", uid), format="json")
        clicked = client.post(f"{self.URL}?token={token}",
                              self.event("click", "ann@example.org", uid, clicked_url="https://sos-expat.com/x"),
                              format="json")

        assert opened.status_code == 200 and opened.json()["recorded"] is True
        assert again.json() == {"success": True, "recorded": False, "reason": "duplicate"}
        assert clicked.json()["event"] == "clicked"
        with tenant_context(brands.sos):
            stored = Campaign.objects.get(pk=campaign.pk)
            assert (stored.opened_count, stored.clicked_count) == (1, 1)
            ann = Contact.objects.get(email="ann@example.org")
            recipient = CampaignRecipient.objects.get(campaign=campaign, contact=ann)
            assert recipient.opened_at is not None and recipient.clicked_at is not None
            assert ContactEvent.objects.get(contact=ann, event_type="clicked").event_data["url"] == \
                "https://sos-expat.com/x"

    def test_a_wrong_or_missing_token_is_refused(self, brands, api_client):
        mailwizz_webhook_token_rotate(tenant=brands.sos)
        client = api_client()
        body = self.event("open", "ann@example.org", "abcdefghij123")

        assert client.post(f"{self.URL}?token=guess", body, format="json").status_code == 403
        missing = client.post(self.URL, body, format="json")
        assert missing.status_code == 403 and missing.json()["success"] is False
        other_brand = mailwizz_webhook_token_rotate(tenant=brands.ulixai)
        assert client.post(f"{self.URL}?token={other_brand}", body, format="json").status_code == 403

    def test_a_malformed_event_is_a_400(self, brands, api_client):
        token = mailwizz_webhook_token_rotate(tenant=brands.sos)
        response = api_client().post(f"{self.URL}?token={token}", {"event": {"type": "open"}}, format="json")
        assert response.status_code == 400 and "required" in response.json()["error"]
