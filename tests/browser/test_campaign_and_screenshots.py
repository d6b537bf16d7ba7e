"""In a real browser, on the demo data: launch a campaign into a real SMTP server and watch it reach 100%;
screenshots of the dashboard, the fleet and the campaign page: into var/screenshots/, or into the
README's docs/screenshots/ with `make screenshots` (SCREENSHOTS_DIR), so a test run leaves the checkout as it was."""
import os
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_access import PASSWORD, _person
from tests.doubles.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")


def _full_page_screenshot(browser, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height, 900), 2600))
    browser.save_screenshot(str(SCREENSHOTS / name))
    browser.set_window_size(1400, 1000)


@pytest.fixture
def demo(live_app):
    from emailengine.progress import progress
    from fixtures.seed import seed_demo

    seed_demo(progress=progress)
    return live_app


def test_launching_the_demo_campaign_sends_each_recipient_once_and_shows_100_percent(demo, login, settings):
    from campaigns.models import Campaign

    with SmtpSink() as sink:
        settings.SMTP_RELAY_URL = f"smtp://{sink.host}:{sink.port}"
        _person("ada", admin=True)
        browser = login("ada", PASSWORD)
        wait = WebDriverWait(browser, 60)
        wait.until(EC.presence_of_element_located((By.ID, "dashboard")))
        with tenant_context(demo.sos):
            campaign = Campaign.objects.get(name__startswith="Demo:")
        browser.get(f"{demo.url}/admin/campaigns/campaign/{campaign.pk}/change/")
        browser.find_element(By.ID, "campaign-launch").click()
        wait.until(EC.alert_is_present()).accept()
        wait.until(lambda b: float(b.find_element(By.CSS_SELECTOR, ".campaign-progress").get_attribute("data-percent")
                                   or 0) == 100)
        with tenant_context(demo.sos):
            campaign.refresh_from_db()
            assert campaign.total_recipients > 0 and campaign.sent_count == campaign.total_recipients
        recipients = [rcpt for message in sink.messages for rcpt in message.rcpt_tos]
        assert len(recipients) == len(set(recipients)) == campaign.total_recipients
        assert "per-language" in browser.page_source and "campaign-funnel" in browser.page_source
        _full_page_screenshot(browser, "campaign.png")

        browser.get(demo.url + "/admin/")
        wait.until(EC.presence_of_element_located((By.ID, "dashboard")))
        _full_page_screenshot(browser, "dashboard.png")
        browser.get(demo.url + "/admin/deliverability/ipaddress/fleet/")
        wait.until(EC.presence_of_element_located((By.ID, "fleet-grid")))
        assert len(browser.find_elements(By.CSS_SELECTOR, ".fleet-tile")) == 50
        _full_page_screenshot(browser, "fleet.png")
    for name in ("dashboard.png", "fleet.png", "campaign.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000
