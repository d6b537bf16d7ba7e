"""Outgoing MIME messages parse back into exactly what was meant."""
import email
import email.policy

from campaigns.messages import address_header, message_build, message_id_make


def _parse(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def _build(**overrides):
    arguments = dict(
        from_header=address_header("SOS-Expat", "outreach@mail3.sos-mail.com"),
        to_address="zoe@example.com",
        subject="Bonjour Zoé — مرحبا بكم " * 3,
        text="Bonjour Zoé,\n.ligne qui commence par un point\n" + "long " * 100,
        html="<!DOCTYPE html><html dir=\"rtl\"><body><p>" + "مرحبا " * 200 + "</p></body></html>",
        message_id=message_id_make(domain="mail3.sos-mail.com", campaign_id=4, recipient_id=5),
        reply_to="contact@sos-expat.com",
        extra_headers=[("X-Job", "4"), ("X-Virtual-MTA", "vmta-sos-expat-3")],
    )
    arguments.update(overrides)
    return arguments, message_build(**arguments)


def test_a_message_parses_back_with_its_headers_and_both_parts():
    """multipart/alternative, text then HTML, UTF-8, headers decoded to what was given."""
    arguments, data = _build()
    message = _parse(data)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == " ".join(arguments["subject"].split())
    assert message["From"].addresses[0].display_name == "SOS-Expat"
    assert message["From"].addresses[0].addr_spec == "outreach@mail3.sos-mail.com"
    assert message["Message-ID"] == arguments["message_id"]
    assert message["X-Virtual-MTA"] == "vmta-sos-expat-3"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip() == arguments["text"].rstrip()
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip() == arguments["html"]
    assert message.defects == [] and all(part.defects == [] for part in message.iter_parts())


def test_every_line_is_short_and_ends_with_crlf():
    """No line over 78 characters (headers folded, bodies quoted-printable), only CRLF endings."""
    _, data = _build()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 78


def test_display_names_with_specials_or_accents_stay_readable():
    """Quoted strings for ASCII specials, encoded words for non-ASCII names."""
    for name in ('Expat, "Help" & Co', "Société Générale d'Expatriés", "أحمد"):
        _, data = _build(from_header=address_header(name, "outreach@mail1.sos-mail.com"))
        assert _parse(data)["From"].addresses[0].display_name == name


def test_eight_bit_parts_are_plain_utf8_when_lines_fit():
    """With 8BITMIME the parts go as UTF-8 8bit (smaller), and still parse back to the same text."""
    arguments, data = _build(eight_bit=True, html="<p>" + "Здравствуйте " * 20 + "</p>")
    assert b"Content-Transfer-Encoding: 8bit" in data and "Здравствуйте".encode() in data
    message = _parse(data)
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip() == arguments["html"]
    _, long_line = _build(eight_bit=True, html="<p>" + "x" * 2000 + "</p>")
    assert long_line.count(b"quoted-printable") == 1  # the HTML part falls back to QP, the text stays 8bit
