"""Turning a rendered template into the message one recipient gets.

`MessageComposer` is built once per dispatch run (brand, campaign, base URL, sender local
part) and then, per recipient: signs the unsubscribe/open/click tokens, rewrites the links
that were in the campaign's templates into click-tracking URLs (other links, e.g.
personalised ones, are left alone: a click token can only ever point at a known URL), adds
the open pixel, adds a visible unsubscribe line in the recipient's language to both bodies
when the template does not place `{unsubscribeUrl}` itself, and writes the MIME bytes with
the headers PowerMTA and mailbox providers need.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

from . import messages, texts, tokens

_HREF_RE = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_BODY_CLOSE_RE = re.compile(r"</body\s*>", re.I)


def campaign_links_collect(compiled_templates) -> list[str]:
    """The fixed http(s) URLs of the given compiled templates, in first-seen order."""
    links: list[str] = []
    for compiled in compiled_templates:
        for url in compiled.links:
            if "{" in url or "}" in url or not url.lower().startswith(("http://", "https://")):
                continue
            if url not in links:
                links.append(url)
    return links


@dataclass(frozen=True)
class ComposedMessage:
    data: bytes
    message_id: str
    sender: str
    unsubscribe_url: str


class MessageComposer:
    def __init__(self, *, tenant_id: int, brand_name: str, brand_domain: str, campaign_id: int, from_name: str,
                 reply_to: str, tracking: bool, links, base_url: str, local_part: str, eight_bit: bool = False):
        self.tenant_id = tenant_id
        self.campaign_id = campaign_id
        self.from_name = from_name or brand_name
        self.reply_to = reply_to or f"contact@{brand_domain}"
        self.tracking = tracking
        self.link_index = {url: index for index, url in enumerate(links or ())}
        self.base_url = base_url.rstrip("/")
        self.local_part = local_part
        self.eight_bit = eight_bit
        self._from_headers: dict[str, str] = {}

    def unsubscribe_url(self, contact_id: int) -> str:
        token = tokens.token_make(kind=tokens.UNSUBSCRIBE, tenant_id=self.tenant_id, campaign_id=self.campaign_id,
                                  contact_id=contact_id)
        return f"{self.base_url}/u/{token}"

    def _click_url(self, contact_id: int, index: int) -> str:
        token = tokens.token_make(kind=tokens.CLICK, tenant_id=self.tenant_id, campaign_id=self.campaign_id,
                                  contact_id=contact_id, link_index=index)
        return f"{self.base_url}/t/c/{token}"

    def _track(self, html: str, contact_id: int) -> str:
        link_index = self.link_index
        if link_index:
            def rewrite(match):
                index = link_index.get(unescape(match.group(3)).strip())
                if index is None:
                    return match.group(0)
                return f"{match.group(1)}{match.group(2)}{self._click_url(contact_id, index)}{match.group(2)}"

            html = _HREF_RE.sub(rewrite, html)
        token = tokens.token_make(kind=tokens.OPEN, tenant_id=self.tenant_id, campaign_id=self.campaign_id,
                                  contact_id=contact_id)
        pixel = (f'<img src="{self.base_url}/t/o/{token}.gif" width="1" height="1" alt="" '
                 'style="display:block;border:0;width:1px;height:1px" />')
        return _insert_before_body_end(html, pixel)

    def compose(self, *, rendered, contact_id: int, email: str, recipient_id: int, domain: str, vmta: str,
                unsubscribe_url: str, template_has_unsubscribe: bool) -> ComposedMessage:
        """The full message for one recipient sent through the IP whose domain/VMTA are given."""
        html, text = rendered.html, rendered.text
        if not template_has_unsubscribe:
            words = texts.texts_for(rendered.language)
            html = _insert_before_body_end(
                html,
                f'<div dir="{rendered.direction}" style="margin-top:24px;font-size:12px;color:#777">'
                f'{escape(words["footer"])} <a href="{escape(unsubscribe_url)}">{escape(words["unsubscribe"])}</a></div>',
            )
            text = f"{text.rstrip()}\n\n--\n{words['footer']} {words['unsubscribe']}: {unsubscribe_url}\n"
        if self.tracking:
            html = self._track(html, contact_id)
        sender = f"{self.local_part}@{domain}"
        from_header = self._from_headers.get(domain)
        if from_header is None:
            from_header = self._from_headers[domain] = messages.address_header(self.from_name, sender)
        message_id = messages.message_id_make(domain=domain, campaign_id=self.campaign_id, recipient_id=recipient_id)
        data = messages.message_build(
            from_header=from_header,
            to_address=email,
            subject=rendered.subject,
            text=text,
            html=html,
            message_id=message_id,
            reply_to=self.reply_to,
            extra_headers=[
                ("List-Unsubscribe", f"<{unsubscribe_url}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("X-Virtual-MTA", vmta),
                ("X-Job", str(self.campaign_id)),
            ],
            eight_bit=self.eight_bit,
        )
        return ComposedMessage(data=data, message_id=message_id, sender=sender, unsubscribe_url=unsubscribe_url)


def _insert_before_body_end(html: str, fragment: str) -> str:
    ends = list(_BODY_CLOSE_RE.finditer(html))
    if not ends:
        return html + fragment
    position = ends[-1].start()
    return html[:position] + fragment + html[position:]
