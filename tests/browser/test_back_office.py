"""In a real browser: segment builder, CSV import, Arabic preview, pausing an IP."""
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.test_access import PASSWORD, _person


@pytest.fixture
def ops(live_app, login):
    _person("ops", brand="ulixai")
    browser = login("ops", PASSWORD)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "current-brand")))
    return browser


def _wait_text(browser, element_id, expected, timeout=10):
    WebDriverWait(browser, timeout).until(lambda b: b.find_element(By.ID, element_id).text == expected)


def test_the_segment_builder_shows_the_count_as_filters_change(live_app, ops):
    from contacts.models import Contact, Tag

    with tenant_context(live_app.ulixai):
        parent = Tag.objects.create(slug="prestataire")
        child = Tag.objects.create(slug="avocat", parent=parent)
        for n in range(6):
            contact = Contact.objects.create(email=f"c{n}@example.com", language="fr" if n % 2 else "de")
            if n < 4:
                contact.tags.add(child)
    ops.get(live_app.url + "/admin/contacts/contact/segment/")
    _wait_text(ops, "segment-count", "6")
    Select(ops.find_element(By.ID, "tags_all")).select_by_visible_text("prestataire")
    _wait_text(ops, "segment-count", "4")
    Select(ops.find_element(By.ID, "language")).select_by_value("fr")
    _wait_text(ops, "segment-count", "2")


def test_a_csv_import_runs_to_the_end_with_its_progress_shown(live_app, ops, tmp_path):
    from contacts.models import Contact
    from contacts.seed import seed_tags_and_sources

    seed_tags_and_sources(progress=lambda items, **_: items)

    csv_file = tmp_path / "prospects.csv"
    csv_file.write_text("Email;First Name;Language;tags\nana@example.com;Ana;es;vip|lead\nnot-an-email;Bob;en;\n"
                        "li@example.com;Li;zh;lead\n", encoding="utf-8")
    ops.get(live_app.url + "/admin/contacts/contact/import/")
    ops.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(csv_file))
    ops.find_element(By.CSS_SELECTOR, "#csv-import-form input[type=submit]").click()
    WebDriverWait(ops, 20).until(lambda b: "importjob" in b.current_url and "100%" in b.page_source)
    assert "line 3" in ops.page_source
    with tenant_context(live_app.ulixai):
        assert sorted(Contact.objects.values_list("email", flat=True)) == ["ana@example.com", "li@example.com"]


def test_an_arabic_template_previews_right_to_left(live_app, ops):
    from templates_app.models import EmailTemplate
    from templates_app.seed import seed_starter_templates

    seed_starter_templates(progress=lambda items, **_: items)
    with tenant_context(live_app.ulixai):
        arabic = EmailTemplate.objects.get(language="ar", category__isnull=True, is_default=True)
    ops.get(f"{live_app.url}/admin/templates_app/emailtemplate/{arabic.pk}/preview/")
    frame = WebDriverWait(ops, 10).until(EC.presence_of_element_located((By.ID, "preview-frame")))
    ops.switch_to.frame(frame)
    WebDriverWait(ops, 10).until(lambda b: b.execute_script("return document.readyState") == "complete")
    assert ops.execute_script("return document.documentElement.getAttribute('dir')") == "rtl"
    assert ops.execute_script("return getComputedStyle(document.body).direction") == "rtl"
    assert ops.execute_script("return document.documentElement.lang") == "ar"
    ops.switch_to.default_content()


def test_an_operator_pauses_an_ip_from_the_fleet_list(live_app, ops):
    from deliverability.models import IPAddress, SendingDomain

    domain = SendingDomain.objects.create(tenant=live_app.ulixai, name="mail41.ulixai-mail.com")
    ip = IPAddress.objects.create(tenant=live_app.ulixai, address="45.124.20.41", sending_domain=domain,
                                  vmta_name="vmta-ulixai-41", state="warmup", weight=50, warmup_day=3,
                                  quota_today=50, quota_date=timezone.now().date())
    ops.get(live_app.url + "/admin/deliverability/ipaddress/")
    ops.find_element(By.CSS_SELECTOR, f"input[name=_selected_action][value='{ip.pk}']").click()
    Select(ops.find_element(By.NAME, "action")).select_by_value("pause")
    ops.find_element(By.NAME, "index").click()
    WebDriverWait(ops, 10).until(lambda b: "45.124.20.41" in b.find_element(By.CSS_SELECTOR, ".messagelist").text)
    ip.refresh_from_db()
    assert ip.state == "paused" and ip.weight == 0
    assert ops.find_element(By.CSS_SELECTOR, "span.ip-state").get_attribute("data-state") == "paused"
