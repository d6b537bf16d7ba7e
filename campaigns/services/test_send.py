"""Test sends: the campaign's message to a few given addresses, not counted anywhere."""
from __future__ import annotations

from django.conf import settings

from templates_app import rendering
from templates_app.selectors import template_chain_resolver

from ..composition import MessageComposer
from ..relay import RelayError, relay_open
from .lifecycle import CampaignError


def campaign_test_send(*, campaign, tenant, emails, contact_id=None, language="en", category=None) -> list[dict]:
    """Send the message as `contact_id` (or sample data in `language`) would get it, subject
    prefixed with [TEST]. Uses one of the brand's sending IPs without reserving quota; no
    recipient row, counter or event is written. Returns one result per address."""
    from contacts.models import Contact
    from deliverability.models import IPAddress, SENDING_STATES

    ip = (IPAddress.objects.filter(tenant_id=tenant.pk, state__in=SENDING_STATES).select_related("sending_domain")
          .order_by("-weight", "pk").first())
    if ip is None:
        raise CampaignError("the brand has no active or warmup IP to send a test from")
    contact = None
    if contact_id is not None:
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise CampaignError(f"no contact {contact_id} in this brand")
        language, category = contact.language, contact.category or None
    resolver = template_chain_resolver(pinned_template_id=campaign.template_id)
    choice = resolver.resolve(language=language, category=category)
    values = rendering.contact_values(contact) if contact else rendering.sample_values(language=language or "en")
    composer = MessageComposer(
        tenant_id=tenant.pk, brand_name=tenant.name, brand_domain=tenant.brand_domain, campaign_id=campaign.pk,
        from_name=campaign.from_name, reply_to=campaign.reply_to, tracking=False, links=(),
        base_url=settings.PUBLIC_BASE_URL, local_part=settings.SENDER_LOCAL_PART,
    )
    unsubscribe_url = composer.unsubscribe_url(contact.pk if contact else 0)
    values["unsubscribeUrl"] = unsubscribe_url
    try:
        rendered = choice.compiled.render(values)
    except rendering.MissingVariable as problem:
        raise CampaignError(f"the template does not render: {problem}") from problem
    rendered = rendered._replace(subject=f"[TEST] {rendered.subject}")
    results = []
    with relay_open() as relay:
        composer.eight_bit = relay.supports_8bit()
        for email in emails:
            composed = composer.compose(
                rendered=rendered, contact_id=contact.pk if contact else 0, email=email, recipient_id=0,
                domain=ip.sending_domain.name, vmta=ip.vmta_name, unsubscribe_url=unsubscribe_url,
                template_has_unsubscribe="unsubscribeUrl" in choice.compiled.placeholders,
            )
            try:
                relay.send(sender=composed.sender, recipient=email, message=composed.data)
                results.append({"email": email, "sent": True, "message_id": composed.message_id})
            except RelayError as problem:
                results.append({"email": email, "sent": False, "error": str(problem)})
    return results
