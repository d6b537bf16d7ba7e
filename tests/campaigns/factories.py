"""Test data for campaigns: a brand with IPs that have quota, default templates in the 9
languages, contacts with tags. Everything is created in the brand's schema (set it first)."""
import itertools

from django.utils import timezone

from campaigns.models import Campaign
from contacts.models import Contact, ContactTag, Tag
from deliverability.models import IPState
from templates_app.models import EmailTemplate
from tests.deliverability.factories import make_ip

LANGUAGES = ("fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar")
GREETING = {"fr": "Bonjour", "en": "Hello", "es": "Hola", "de": "Hallo", "pt": "Olá", "ru": "Здравствуйте",
            "zh": "你好", "hi": "नमस्ते", "ar": "مرحبا"}
OFFER_URL = "https://www.sos-expat.com/offer?from=mail&x=1"
_emails = itertools.count(1)


def make_fleet(tenant, *, active=2, warmup=1, standby=1, quota=1000):
    """IPs of `tenant` (public schema rows): active and warmup ones with `quota` each today."""
    ips = []
    for _ in range(active):
        ips.append(make_ip(tenant, state=IPState.ACTIVE, quota_today=quota, with_key=False))
    for _ in range(warmup):
        ips.append(make_ip(tenant, state=IPState.WARMUP, quota_today=quota, with_key=False))
    for _ in range(standby):
        ips.append(make_ip(tenant, state=IPState.STANDBY, quota_today=0, with_key=False))
    return ips


def make_templates(*, with_unsubscribe_placeholder=True):
    """A default general template per language, greeting the contact by first name, with one link."""
    templates = {}
    for language in LANGUAGES:
        footer = '<p><a href="{unsubscribeUrl}">unsubscribe</a></p>' if with_unsubscribe_placeholder else ""
        templates[language] = EmailTemplate.objects.create(
            name=f"Outreach {language}", language=language, is_default=True,
            subject=f"[{language}] {GREETING[language]} {{firstName|there}}",
            body_html=(f"<p>{GREETING[language]} {{firstName|there}},</p>"
                       f'<p><a href="{OFFER_URL.replace("&", "&amp;")}">offer</a> '
                       '<a href="{website|https://example.com}">your site</a></p>' + footer),
        )
    return templates


def make_contact(*, language="en", tags=(), status="active", **fields):
    number = next(_emails)
    contact = Contact.objects.create(
        email=fields.pop("email", f"person{number}@example{number % 7}.com"), language=language, status=status,
        first_name=fields.pop("first_name", f"Name{number}"), validation_status=fields.pop("validation_status", "valid"),
        **fields,
    )
    for slug in tags:
        tag, _ = Tag.objects.get_or_create(slug=slug)
        ContactTag.objects.create(contact=contact, tag=tag)
    return contact


def make_campaign(**fields):
    defaults = {"name": "Test campaign", "tags_any": ["prospect"]}
    defaults.update(fields)
    return Campaign.objects.create(**defaults)


def now():
    return timezone.now()
