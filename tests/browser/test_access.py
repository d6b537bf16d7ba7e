"""In a real browser: log in, see the brand, switch brand; a one-brand user never reaches the other."""
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tenants.models import Role, Tenant, TenantGrant

PASSWORD = "correct-horse-battery-staple"


def _person(username, *, admin=False, brand=None, role=Role.OPERATOR):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    if admin:
        TenantGrant.objects.create(user=user, tenant=None, role=Role.ADMIN)
    if brand:
        TenantGrant.objects.create(user=user, tenant=Tenant.objects.get(slug=brand), role=role)
    return user


def test_an_admin_logs_in_and_switches_brand(live_app, login):
    _person("ada", admin=True)
    browser = login("ada", PASSWORD)
    wait = WebDriverWait(browser, 10)
    badge = wait.until(EC.presence_of_element_located((By.ID, "current-brand")))
    assert badge.get_attribute("data-brand") == "sos-expat"
    Select(browser.find_element(By.ID, "brand-select")).select_by_visible_text("Ulixai")
    wait.until(lambda b: b.find_element(By.ID, "current-brand").get_attribute("data-brand") == "ulixai")
    assert "now working in Ulixai" in browser.page_source


def test_a_one_brand_user_sees_no_switcher(live_app, login):
    _person("uli", brand="ulixai")
    browser = login("uli", PASSWORD)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "current-brand")))
    assert browser.find_elements(By.ID, "brand-select") == []
    assert browser.find_element(By.ID, "current-brand").text == "Ulixai"
