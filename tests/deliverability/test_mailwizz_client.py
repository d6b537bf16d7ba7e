"""MailWizzClient against the local MailWizz double (a real HTTP server), plus its pure parts."""

from __future__ import annotations

import base64
import logging
import time

import pytest
import requests

from deliverability.mailwizz_client import (
    BULK_SUBSCRIBERS_MAX,
    CampaignStats,
    MailWizzClient,
    MailWizzError,
    http_build_query,
    lenient_int,
    mailwizz_signature,
    mailwizz_signature_string,
)
from tests.doubles.mailwizz import (
    ALREADY_IN_LIST,
    BLACKLISTED,
    EXPIRED,
    INVALID_KEY,
    INVALID_SIGNATURE,
    SERVICE_UNAVAILABLE,
    WRONG_VERB,
)

FAST = {"backoff": 0.01, "timeout": 2.0}
HEADERS = {"X-MW-PUBLIC-KEY": "pub123", "X-MW-TIMESTAMP": "1700000000", "X-MW-REMOTE-ADDR": ""}


@pytest.fixture
def double(mailwizz_double_factory):
    return mailwizz_double_factory()


@pytest.fixture
def client(double):
    with MailWizzClient(**double.client_kwargs(), **FAST) as mw:
        yield mw


def _new_list(client: MailWizzClient, name: str = "Engine list") -> str:
    return client.create_list(name=name, from_name="SOS-Expat", from_email="news@sos-expat.com", reply_to="news@sos-expat.com")


# --- PHP form encoding ------------------------------------------------------------------------


class TestHttpBuildQuery:
    def test_it_encodes_flat_values_like_php(self):
        """Spaces become '+', None is dropped, booleans are 1/0, '~' and '*' are escaped."""
        query = http_build_query({"a": 1, "b": "x y", "c": None, "d": True, "e": False, "f": "", "g": "~*-_.!"})
        assert query == "a=1&b=x+y&d=1&e=0&f=&g=%7E%2A-_.%21"

    def test_it_flattens_nested_dicts_and_lists_with_encoded_brackets(self):
        """subscribers[0][EMAIL] is written subscribers%5B0%5D%5BEMAIL%5D, as PHP does."""
        query = http_build_query(
            {
                "subscribers": [{"EMAIL": "a+b@x.com", "FNAME": "Zoë", "LNAME": None}],
                "details": {"status": "confirmed"},
                "empty": [],
            }
        )
        assert query == (
            "subscribers%5B0%5D%5BEMAIL%5D=a%2Bb%40x.com&subscribers%5B0%5D%5BFNAME%5D=Zo%C3%AB"
            "&details%5Bstatus%5D=confirmed"
        )


# --- 1.x signature ----------------------------------------------------------------------------


class TestSignature:
    BULK_BODY = {
        "subscribers": [
            {"EMAIL": "jane.doe+test@example.com", "FNAME": "Jane Marie", "details": {"status": "confirmed"}},
            {"EMAIL": "li@example.org", "FNAME": None, "details": {"status": "confirmed"}},
        ]
    }

    def test_it_signs_nested_body_fields_exactly_as_the_server_checks(self):
        """Headers and body merged, top-level keys byte-sorted, nested keys http_build_query'd."""
        args = ("post", "https://lists.example.com/api/", "/lists/ab12cd34ef56g/subscribers/bulk/", HEADERS, self.BULK_BODY, None)
        expected = (
            "POST https://lists.example.com/api/lists/ab12cd34ef56g/subscribers/bulk"
            "?X-MW-PUBLIC-KEY=pub123&X-MW-REMOTE-ADDR=&X-MW-TIMESTAMP=1700000000"
            "&subscribers%5B0%5D%5BEMAIL%5D=jane.doe%2Btest%40example.com"
            "&subscribers%5B0%5D%5BFNAME%5D=Jane+Marie"
            "&subscribers%5B0%5D%5Bdetails%5D%5Bstatus%5D=confirmed"
            "&subscribers%5B1%5D%5BEMAIL%5D=li%40example.org"
            "&subscribers%5B1%5D%5Bdetails%5D%5Bstatus%5D=confirmed"
        )
        assert mailwizz_signature_string(*args) == expected
        # Computed independently with: printf '%s' "$expected" | openssl dgst -sha1 -hmac priv456
        assert mailwizz_signature(*args, "priv456") == "e0ad8314a08dd65d68a3ce2dd15786d1eb1479ee"

    def test_it_sorts_uppercase_tags_before_the_headers_and_lowercase_keys_after(self):
        """Byte order: EMAIL, FNAME < X-MW-* < details."""
        body = {"details": {"status": "confirmed"}, "FNAME": "Zoë", "EMAIL": "a@b.co"}
        text = mailwizz_signature_string("POST", "https://lists.example.com/api", "/lists/ab12cd34ef56g/subscribers", HEADERS, body, None)
        assert text == (
            "POST https://lists.example.com/api/lists/ab12cd34ef56g/subscribers"
            "?EMAIL=a%40b.co&FNAME=Zo%C3%AB&X-MW-PUBLIC-KEY=pub123&X-MW-REMOTE-ADDR="
            "&X-MW-TIMESTAMP=1700000000&details%5Bstatus%5D=confirmed"
        )

    def test_it_appends_sorted_get_params_to_the_url_and_joins_with_an_ampersand(self):
        text = mailwizz_signature_string("GET", "https://lists.example.com/api", "/lists", HEADERS, None, {"per_page": 10, "page": 1})
        assert text == (
            "GET https://lists.example.com/api/lists?page=1&per_page=10"
            "&X-MW-PUBLIC-KEY=pub123&X-MW-REMOTE-ADDR=&X-MW-TIMESTAMP=1700000000"
        )


# --- authentication against the double --------------------------------------------------------


class TestAuthentication:
    def test_a_2x_client_sends_the_api_key_header_and_no_signature(self, double, client):
        list_uid = _new_list(client)
        assert client.get_list(list_uid)["general"]["list_uid"] == list_uid
        headers = double.requests[-1].headers
        assert headers["X-API-KEY"] == double.api_key
        assert "X-MW-SIGNATURE" not in headers

    def test_a_wrong_2x_key_is_a_400_with_mailwizz_message_and_is_not_retried(self, double):
        client = MailWizzClient(double.base_url, "x" * 40, **FAST)
        with pytest.raises(MailWizzError) as caught:
            client.ping()
        assert (caught.value.status, caught.value.message, caught.value.retryable) == (400, INVALID_KEY, False)
        assert len(double.requests) == 1

    def test_a_1x_client_signs_nested_fields_and_puts_that_the_server_accepts(self, mailwizz_double_factory):
        """The double checks signatures with its own PHP-style encoder."""
        double = mailwizz_double_factory(api_version=1)
        client = MailWizzClient(**double.client_kwargs(), **FAST)
        list_uid = _new_list(client)
        results = client.create_subscribers_bulk(
            list_uid, [{"EMAIL": "jane.doe+test@example.com", "FNAME": "Jane Marie"}, {"EMAIL": "li@example.org"}]
        )
        assert [r.ok for r in results] == [True, True]
        client.update_subscriber(list_uid, results[1].subscriber_uid, fields={"LNAME": "O'Brien ~"}, status="unsubscribed")
        assert client.search_by_email(list_uid, "li@example.org")["status"] == "unsubscribed"
        assert [r.status for r in double.requests] == [201, 201, 200, 200]
        sent = double.requests[1].headers
        assert {"X-MW-PUBLIC-KEY", "X-MW-TIMESTAMP", "X-MW-REMOTE-ADDR", "X-MW-SIGNATURE"} <= set(sent)
        assert "X-API-KEY" not in sent

    def test_a_1x_signature_made_with_the_wrong_private_key_is_a_400(self, mailwizz_double_factory):
        double = mailwizz_double_factory(api_version=1)
        client = MailWizzClient(double.base_url, double.public_key, "wrong-private-key", api_version=1, **FAST)
        with pytest.raises(MailWizzError) as caught:
            client.create_list(name="x", from_name="x", from_email="x@example.com", reply_to="x@example.com")
        assert (caught.value.status, caught.value.message, caught.value.retryable) == (400, INVALID_SIGNATURE, False)
        assert len(double.requests) == 1

    def test_a_1x_request_older_than_900_seconds_is_refused(self, mailwizz_double_factory):
        double = mailwizz_double_factory(api_version=1, now=lambda: time.time() + 1000)
        client = MailWizzClient(**double.client_kwargs(), **FAST)
        with pytest.raises(MailWizzError) as caught:
            client.ping()
        assert (caught.value.status, caught.value.message) == (400, EXPIRED)


# --- subscribers ------------------------------------------------------------------------------


class TestBulkSubscribers:
    @pytest.mark.slow
    def test_25000_subscribers_go_out_in_three_calls_of_at_most_10000(self, double, client):
        list_uid = _new_list(client)
        subscribers = [{"EMAIL": f"user{i}@example.com", "FNAME": f"User {i}"} for i in range(25_000)]
        results = client.create_subscribers_bulk(list_uid, subscribers)
        bulk_calls = [r for r in double.requests if r.path.endswith("/subscribers/bulk")]
        assert [len(r.form["subscribers"]) for r in bulk_calls] == [10_000, 10_000, 5_000]
        assert len(results) == 25_000 and all(r.ok for r in results)
        assert [r.index for r in results[9_999:10_001]] == [9_999, 10_000]
        assert len(double.subscribers(list_uid)) == 25_000
        assert bulk_calls[0].form["subscribers"]["0"]["details"]["status"] == "confirmed"

    def test_a_chunk_size_above_the_10000_cap_is_refused(self, client):
        with pytest.raises(ValueError):
            client.create_subscribers_bulk("ab12cd34ef56g", [{"EMAIL": "a@example.com"}], chunk_size=BULK_SUBSCRIBERS_MAX + 1)

    def test_per_item_errors_are_returned_not_raised(self, double, client):
        list_uid = _new_list(client)
        client.create_subscriber(list_uid, email="already@example.com")
        double.blacklist("banned@example.com")
        items = [
            {"EMAIL": "ok1@example.com"},
            {"EMAIL": "not-an-email"},
            {"EMAIL": "already@example.com"},
            {"EMAIL": "banned@example.com"},
            {"EMAIL": "ok2@example.com"},
        ]
        results = client.create_subscribers_bulk(list_uid, items, chunk_size=2)
        assert [r.ok for r in results] == [True, False, False, False, True]
        assert results[1].errors == {"EMAIL": "Email is not a valid email address."}
        assert results[2].errors == {"_common": ALREADY_IN_LIST} and results[3].errors == {"_common": BLACKLISTED}
        assert [r.index for r in results] == [0, 1, 2, 3, 4]
        assert results[4].email == "ok2@example.com" and results[4].subscriber_uid
        assert sorted(s["email"] for s in double.subscribers(list_uid)) == ["already@example.com", "ok1@example.com", "ok2@example.com"]


class TestSubscribers:
    def test_fields_are_stored_and_custom_fields_can_be_created(self, double, client):
        list_uid = _new_list(client)
        assert [f["tag"] for f in client.list_fields(list_uid)] == ["EMAIL", "FNAME", "LNAME"]
        record = client.create_field(list_uid, tag="LANGUAGE", label="Language")
        assert record["tag"] == "LANGUAGE" and double.requests[-1].status == 201
        uid = client.create_subscriber(list_uid, email="ana@example.com", fields={"FNAME": "Ana", "LANGUAGE": "fr"})
        [stored] = double.subscribers(list_uid)
        assert (stored["subscriber_uid"], stored["status"], stored["fields"]["LANGUAGE"]) == (uid, "confirmed", "fr")
        with pytest.raises(MailWizzError) as caught:
            client.create_field(list_uid, tag="LANGUAGE", label="Again")
        assert caught.value.status == 422 and "tag" in caught.value.errors

    def test_search_by_email_returns_none_when_mailwizz_answers_404(self, client):
        list_uid = _new_list(client)
        assert client.search_by_email(list_uid, "nobody@example.com") is None
        uid = client.create_subscriber(list_uid, email="ana@example.com")
        assert client.search_by_email(list_uid, "ana@example.com")["subscriber_uid"] == uid

    def test_a_duplicate_subscriber_is_a_409_that_is_not_retried(self, double, client):
        list_uid = _new_list(client)
        client.create_subscriber(list_uid, email="ana@example.com")
        with pytest.raises(MailWizzError) as caught:
            client.create_subscriber(list_uid, email="ana@example.com")
        assert (caught.value.status, caught.value.message, caught.value.retryable) == (409, ALREADY_IN_LIST, False)
        assert len(double.requests) == 3

    def test_update_unsubscribe_and_delete_change_the_subscriber(self, double, client):
        list_uid = _new_list(client)
        other_list = _new_list(client, "Other")
        uid = client.create_subscriber(list_uid, email="ana@example.com")
        client.create_subscriber(other_list, email="ana@example.com")
        assert client.update_subscriber(list_uid, uid, fields={"FNAME": "Ana Maria"})["FNAME"] == "Ana Maria"
        client.unsubscribe_subscriber(list_uid, uid)
        assert double.subscribers(list_uid)[0]["status"] == "unsubscribed"
        assert client.unsubscribe_by_email_from_all_lists("ana@example.com") is True
        assert double.subscribers(other_list)[0]["status"] == "unsubscribed"
        assert client.unsubscribe_by_email_from_all_lists("nobody@example.com") is False
        client.delete_subscriber(list_uid, uid)
        assert double.subscribers(list_uid) == []
        with pytest.raises(MailWizzError) as caught:
            client.update_subscriber(list_uid, uid, fields={"FNAME": "Gone"})
        assert (caught.value.status, caught.value.retryable) == (409, False)


# --- lists ------------------------------------------------------------------------------------


def test_list_lists_walks_every_page(double, client):
    uids = {_new_list(client, f"List {i}") for i in range(5)}
    assert {record["general"]["list_uid"] for record in client.list_lists(per_page=2)} == uids
    pages = [r.query["page"] for r in double.requests if r.method == "GET"]
    assert pages == ["1", "2", "3"]


# --- campaigns --------------------------------------------------------------------------------


class TestCampaigns:
    HTML = "<html><body><h1>Bonjour {{FNAME}}</h1><p>Voilà&nbsp;!</p></body></html>"

    def _campaign(self, client: MailWizzClient, list_uid: str) -> str:
        return client.create_campaign(
            name="Welcome FR",
            list_uid=list_uid,
            from_name="SOS-Expat",
            from_email="news@sos-expat.com",
            reply_to="news@sos-expat.com",
            subject="Bienvenue",
            html=self.HTML,
            plain_text="Bonjour",
        )

    def test_template_content_and_plain_text_travel_base64_encoded(self, double, client):
        list_uid = _new_list(client)
        campaign_uid = self._campaign(client, list_uid)
        sent = double.requests[-1]
        assert sent.status == 201
        template = sent.form["campaign"]["template"]
        assert template["content"] == base64.b64encode(self.HTML.encode()).decode()
        assert template["plain_text"] == base64.b64encode(b"Bonjour").decode()
        stored = double.campaign(campaign_uid)
        assert (stored["template"]["content"], stored["list_uid"], stored["subject"]) == (self.HTML, list_uid, "Bienvenue")

    def test_get_and_pause_unpause(self, client):
        campaign_uid = self._campaign(client, _new_list(client))
        assert client.get_campaign(campaign_uid)["status"] == "pending-sending"
        assert client.pause_unpause(campaign_uid) == "paused"
        assert client.pause_unpause(campaign_uid) == "sending"

    def test_stats_sent_as_strings_are_parsed_to_ints(self, double, client):
        campaign_uid = self._campaign(client, _new_list(client))
        double.campaign_set_stats(campaign_uid, {"opens_count": 1234, "unique_opens_count": "1,000", "clicks_count": None})
        stats = client.campaign_stats(campaign_uid)
        assert isinstance(stats, CampaignStats)
        assert (stats.opens_count, stats.unique_opens_count, stats.clicks_count) == (1234, 1000, 0)
        assert stats.raw["opens_count"] == "1234"
        assert stats.campaign_status == "pending-sending"

    def test_unsubscribes_are_read_across_pages(self, double, client):
        list_uid = _new_list(client)
        campaign_uid = self._campaign(client, list_uid)
        emails = [f"gone{i}@example.com" for i in range(5)]
        for email in emails:
            double.campaign_add_unsubscribe(campaign_uid, email)
        unsubscribes = list(client.campaign_unsubscribes(campaign_uid, per_page=2))
        assert [u.email for u in unsubscribes] == emails
        assert len([r for r in double.requests if r.path.endswith("/unsubscribes")]) == 3
        assert client.campaign_stats(campaign_uid).unsubscribes_count == 5

    def test_a_bounce_is_recorded_against_the_campaign(self, double, client):
        list_uid = _new_list(client)
        uid = client.create_subscriber(list_uid, email="ana@example.com")
        campaign_uid = self._campaign(client, list_uid)
        client.campaign_bounce(campaign_uid, subscriber_uid=uid, bounce_type="hard", message="550 no such user")
        assert double.requests[-1].status == 201
        stats = client.campaign_stats(campaign_uid)
        assert (stats.bounces_count, stats.hard_bounces_count) == (1, 1)

    def test_a_read_timeout_on_create_campaign_is_not_retried(self, mailwizz_double_factory):
        """The campaign may have been created: the caller decides, MailWizz cannot deduplicate."""
        double = mailwizz_double_factory(timeout_delay=1.0)
        client = MailWizzClient(**double.client_kwargs(), backoff=0.01, timeout=0.2)
        list_uid = _new_list(client)
        double.fail_next(1, kind="timeout")
        with pytest.raises(MailWizzError) as caught:
            self._campaign(client, list_uid)
        assert caught.value.retryable and caught.value.status is None
        assert len(double.requests) == 2


# --- retries and outages ----------------------------------------------------------------------


class TestRetries:
    def test_5xx_is_retried_then_succeeds(self, double, client):
        list_uid = _new_list(client)
        double.fail_next(2, status=502)
        uid = client.create_subscriber(list_uid, email="ana@example.com")
        assert [r.status for r in double.requests[1:]] == [502, 502, 201]
        assert [s["subscriber_uid"] for s in double.subscribers(list_uid)] == [uid]

    def test_5xx_that_outlasts_the_retries_raises_a_retryable_error(self, double):
        client = MailWizzClient(**double.client_kwargs(), max_retries=2, **FAST)
        double.fail_next(5, status=500)
        with pytest.raises(MailWizzError) as caught:
            client.ping()
        assert (caught.value.status, caught.value.retryable) == (500, True)
        assert len(double.requests) == 3

    def test_404_and_422_are_not_retried(self, double, client):
        with pytest.raises(MailWizzError) as not_found:
            client.get_list("zzzzzzzzzzzzz")
        list_uid = _new_list(client)
        with pytest.raises(MailWizzError) as invalid:
            client.create_subscriber(list_uid, email="not-an-email")
        assert (not_found.value.status, not_found.value.retryable) == (404, False)
        assert not_found.value.message == "The subscribers list does not exist."
        assert (invalid.value.status, invalid.value.retryable) == (422, False)
        assert invalid.value.errors == {"EMAIL": "Email is not a valid email address."}
        assert len(double.requests) == 3

    def test_the_mutex_409_is_retried(self, double, client):
        list_uid = _new_list(client)
        double.fail_next(2, kind="mutex")
        client.create_subscriber(list_uid, email="ana@example.com")
        assert [r.status for r in double.requests[1:]] == [409, 409, 201]

    def test_a_timeout_is_retried_then_raises(self, mailwizz_double_factory):
        double = mailwizz_double_factory(timeout_delay=1.0)
        client = MailWizzClient(**double.client_kwargs(), backoff=0.01, timeout=0.2, max_retries=2)
        double.fail_next(1, kind="timeout")
        client.ping()  # one timeout, then success
        double.fail_next(3, kind="timeout")
        with pytest.raises(MailWizzError) as caught:
            client.ping()
        assert (caught.value.status, caught.value.retryable) == (None, True)
        assert len(double.requests) == 2 + 3

    def test_an_outage_raises_a_retryable_error_until_mailwizz_is_back(self, double, client):
        double.set_down(True)
        with pytest.raises(MailWizzError) as refused:
            client.ping()
        assert (refused.value.status, refused.value.retryable) == (None, True)
        double.set_down(False)
        client.ping()
        double.set_down(True, mode="503")
        with pytest.raises(MailWizzError) as unavailable:
            client.ping()
        assert (unavailable.value.status, unavailable.value.message, unavailable.value.retryable) == (503, SERVICE_UNAVAILABLE, True)


# --- logging ----------------------------------------------------------------------------------


def test_every_attempt_is_logged_without_keys_or_signature(mailwizz_double_factory, caplog):
    double = mailwizz_double_factory(api_version=1)
    client = MailWizzClient(**double.client_kwargs(), **FAST)
    caplog.set_level(logging.INFO, logger="deliverability.mailwizz")
    double.fail_next(1, status=500)
    list_uid = _new_list(client)
    client.search_by_email(list_uid, "secret.person@example.com")
    records = [r for r in caplog.records if r.name == "deliverability.mailwizz"]
    assert [(r.mailwizz_method, r.mailwizz_path, r.mailwizz_status) for r in records] == [
        ("POST", "/lists", 500),
        ("POST", "/lists", 201),
        ("GET", f"/lists/{list_uid}/subscribers/search-by-email", 404),
    ]
    assert all(r.mailwizz_duration_ms >= 0 for r in records)
    signatures = [r.headers["X-MW-SIGNATURE"] for r in double.requests]
    for text in [caplog.text] + [repr(vars(r)) for r in records] + [repr(client)]:
        for secret in [double.public_key, double.private_key, *signatures, "secret.person"]:
            assert secret not in text


# --- the double keeps the server's contract ---------------------------------------------------


class TestDoubleContract:
    def test_a_json_post_body_is_ignored_so_email_is_missing(self, double, client):
        list_uid = _new_list(client)
        response = requests.post(
            f"{double.base_url}/lists/{list_uid}/subscribers",
            json={"EMAIL": "ana@example.com"},
            headers={"X-API-KEY": double.api_key},
            timeout=5,
        )
        assert response.status_code == 422
        assert response.json() == {"status": "error", "error": {"EMAIL": "Email cannot be blank."}}

    def test_a_wrong_verb_is_a_400(self, double, client):
        list_uid = _new_list(client)
        response = requests.get(f"{double.base_url}/lists/{list_uid}/subscribers/bulk", headers={"X-API-KEY": double.api_key}, timeout=5)
        assert response.status_code == 400 and response.json()["error"] == WRONG_VERB


def test_lenient_int_reads_what_mailwizz_sends():
    assert [lenient_int(v) for v in ["12", "1,234", "12.0", "", None, "n/a", 7]] == [12, 1234, 12, 0, 0, 0, 7]
