"""Sending windows in the recipient's local time (pure logic) and their effect on claims."""
from datetime import datetime, timezone

from campaigns.logic.window import country_time_zones, window_open_at, window_open_countries


def test_countries_map_to_their_main_time_zone():
    zones = country_time_zones()
    assert zones["FR"] == "Europe/Paris" and zones["JP"] == "Asia/Tokyo" and zones["US"] == "America/New_York"


def test_hours_and_days_are_checked_in_local_time_and_may_wrap_midnight():
    monday_9 = datetime(2026, 6, 1, 9, 0)
    assert window_open_at(monday_9, hour_start=8, hour_end=18, days=[0, 1, 2, 3, 4])
    assert not window_open_at(monday_9, hour_start=8, hour_end=18, days=[5, 6])
    assert not window_open_at(datetime(2026, 6, 1, 18, 0), hour_start=8, hour_end=18, days=[])
    assert window_open_at(datetime(2026, 6, 1, 23, 0), hour_start=22, hour_end=6, days=[])
    assert window_open_at(datetime(2026, 6, 1, 5, 0), hour_start=22, hour_end=6, days=[])


def test_at_one_utc_instant_paris_is_open_and_tokyo_is_not():
    now = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)  # 10:00 in Paris, 17:00 in Tokyo
    open_countries, brand_open = window_open_countries(now=now, brand_time_zone="Europe/Paris", hour_start=9,
                                                       hour_end=12, days=[])
    assert "FR" in open_countries and "JP" not in open_countries and brand_open


def test_dispatch_only_claims_recipients_inside_their_window(sos, smtp_sink):
    """A window that is open nowhere right now leaves everyone queued and the campaign waiting."""
    from campaigns.services.dispatch import campaign_dispatch_run
    from campaigns.services.launch import campaign_launch

    from .factories import make_campaign, make_contact

    make_contact(language="fr", tags=["prospect"], country="FR")
    now = datetime.now(timezone.utc)
    closed_days = [day for day in range(7) if day not in {(now.weekday() + shift) % 7 for shift in (-1, 0, 1)}]
    campaign = make_campaign(send_days=closed_days)
    campaign_launch(campaign=campaign, tenant=sos)
    outcome = campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert outcome.next == "wait" and smtp_sink.messages == []
    assert campaign.status == "sending" and "window" in campaign.waiting_reason
