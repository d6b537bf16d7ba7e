"""Signed tracking and unsubscribe tokens."""
import pytest

from campaigns.tokens import CLICK, OPEN, UNSUBSCRIBE, BadToken, token_make, token_read


def test_a_token_names_brand_campaign_and_contact():
    """What was signed comes back out."""
    token = token_make(kind=UNSUBSCRIBE, tenant_id=2, campaign_id=42, contact_id=123456)
    read = token_read(kind=UNSUBSCRIBE, token=token)
    assert (read.tenant_id, read.campaign_id, read.contact_id, read.link_index) == (2, 42, 123456, None)
    assert len(token) < 64 and "/" not in token


def test_a_click_token_also_names_the_link():
    token = token_make(kind=CLICK, tenant_id=1, campaign_id=7, contact_id=9, link_index=3)
    assert token_read(kind=CLICK, token=token).link_index == 3


@pytest.mark.parametrize("change", ["contact", "campaign", "signature", "truncate"])
def test_an_altered_token_is_refused(change):
    """Changing any number or the signature breaks the token."""
    token = token_make(kind=UNSUBSCRIBE, tenant_id=1, campaign_id=42, contact_id=1000)
    value, signature = token.split(".")
    tenant, campaign, contact = value.split("-")
    altered = {
        "contact": f"{tenant}-{campaign}-{contact[:-1]}x.{signature}",
        "campaign": f"{tenant}-1-{contact}.{signature}",
        "signature": f"{value}.{signature[:-2]}AA",
        "truncate": value,
    }[change]
    with pytest.raises(BadToken):
        token_read(kind=UNSUBSCRIBE, token=altered)


def test_a_token_of_one_kind_is_not_valid_as_another():
    """An open-pixel token cannot be used to unsubscribe someone (different salt)."""
    token = token_make(kind=OPEN, tenant_id=1, campaign_id=42, contact_id=1000)
    with pytest.raises(BadToken):
        token_read(kind=UNSUBSCRIBE, token=token)


def test_a_token_signed_with_another_secret_is_refused(settings):
    token = token_make(kind=UNSUBSCRIBE, tenant_id=1, campaign_id=42, contact_id=1000)
    settings.SECRET_KEY = "another-secret-key-entirely-different-from-the-first-one"
    with pytest.raises(BadToken):
        token_read(kind=UNSUBSCRIBE, token=token)
