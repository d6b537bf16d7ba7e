"""End-to-end fixtures: the real app served over HTTP on loopback, driven by Debian's headless Chromium.

Browser tests are skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing
(`.ci/run` installs both). They use `live_db`: the server thread sees committed data.
"""
import shutil
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def pytest_collection_modifyitems(config, items):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"not installed: {', '.join(missing)}"))


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def live_app(live_db):
    """The Django app on http://127.0.0.1:<port>, one thread per request, with real commits."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    class ClosingHandler(WSGIHandler):
        def __call__(self, environ, start_response):
            try:
                return super().__call__(environ, start_response)
            finally:
                connections.close_all()

    server = make_server("127.0.0.1", 0, ClosingHandler(), server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_db.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield live_db
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def login(live_app, browser):
    """login("ada", "password") in the real login form; returns the browser on the admin home."""
    from selenium.webdriver.common.by import By

    def do_login(username, password):
        browser.get(live_app.url + "/admin/login/")
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        return browser

    return do_login
