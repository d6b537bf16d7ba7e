"""The SMTP relay connection against a real SMTP server on loopback."""
import pytest

from campaigns.messages import message_build
from campaigns.relay import OutboxRelay, RecipientRefused, RelayUnavailable, SmtpRelay, relay_config_parse
from tests.doubles.smtp_sink import SmtpSink, free_port


def _message(to="zoe@example.com"):
    return message_build(from_header="A <a@mail1.sos-mail.com>", to_address=to, subject="Hello",
                         text=".starts with a dot\nbye", html="<p>hi</p>", message_id="<1@mail1.sos-mail.com>")


def test_messages_share_one_connection_and_arrive_intact():
    """Dot-stuffing is undone by the server: the body comes back byte for byte."""
    with SmtpSink() as sink, SmtpRelay(host=sink.host, port=sink.port) as relay:
        for n in range(3):
            relay.send(sender="a@mail1.sos-mail.com", recipient=f"r{n}@example.com", message=_message())
        connection = relay._connection
        relay.send(sender="a@mail1.sos-mail.com", recipient="r9@example.com", message=_message())
        assert relay._connection is connection
    assert [m.rcpt_tos for m in sink.messages] == [["r0@example.com"], ["r1@example.com"], ["r2@example.com"], ["r9@example.com"]]
    assert sink.messages[0].data.replace(b"\r\n", b"\n") == _message().replace(b"\r\n", b"\n")


def test_a_deferral_is_retried_with_backoff_and_delivered_once():
    with SmtpSink(defer_first=2) as sink, SmtpRelay(host=sink.host, port=sink.port, backoff=0.01) as relay:
        relay.send(sender="a@mail1.sos-mail.com", recipient="zoe@example.com", message=_message())
    assert sink.deferred == 2 and len(sink.messages) == 1


def test_a_refused_recipient_raises_recipient_refused_and_the_connection_goes_on():
    with SmtpSink(refuse=["gone@example.com"]) as sink, SmtpRelay(host=sink.host, port=sink.port) as relay:
        with pytest.raises(RecipientRefused) as refused:
            relay.send(sender="a@mail1.sos-mail.com", recipient="gone@example.com", message=_message())
        relay.send(sender="a@mail1.sos-mail.com", recipient="zoe@example.com", message=_message())
    assert refused.value.code == 550 and len(sink.messages) == 1


def test_an_unreachable_relay_is_unavailable_after_the_retries():
    relay = SmtpRelay(host="127.0.0.1", port=free_port(), retries=2, backoff=0.01, timeout=2)
    with pytest.raises(RelayUnavailable, match="cannot connect"):
        relay.send(sender="a@b.com", recipient="c@d.com", message=_message())


def test_relay_urls_are_parsed_with_their_security_and_credentials():
    assert relay_config_parse("smtp://127.0.0.1:2525") == {
        "host": "127.0.0.1", "port": 2525, "security": "plain", "username": "", "password": ""}
    config = relay_config_parse("smtp+starttls://user%40x:p%3Ass@relay.example.com")
    assert (config["security"], config["port"], config["username"], config["password"]) == ("starttls", 25, "user@x", "p:ss")
    assert relay_config_parse("smtps://relay.example.com")["port"] == 465
    assert relay_config_parse("smtp://h:1?starttls=1")["security"] == "starttls"
    with pytest.raises(ValueError):
        relay_config_parse("http://relay.example.com")
    assert "p:ss" not in repr(SmtpRelay(**config))


def test_without_a_relay_url_messages_land_in_the_outbox(tmp_path):
    relay = OutboxRelay(tmp_path)
    relay.send(sender="a@mail1.sos-mail.com", recipient="zoe@example.com", message=_message())
    files = list(tmp_path.glob("*/*.eml"))
    assert len(files) == 1 and b"X-Envelope-To: <zoe@example.com>" in files[0].read_bytes()
