"""Secrets at rest: what the database holds is a Fernet token, never the key itself."""
from django.db import connection

from deliverability.models import MailWizzInstance, SendingDomain

from .factories import make_ip, shared_dkim_key


def test_dkim_and_mailwizz_private_keys_are_stored_encrypted(brands):
    ip = make_ip(brands.sos, n=11)
    instance = MailWizzInstance.objects.create(tenant=brands.sos, name="SOS", api_private_key="mw-private-key-42")
    private_pem, _public = shared_dkim_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT dkim_private_key FROM deliverability_sendingdomain WHERE id = %s",
                       [ip.sending_domain_id])
        stored_pem = cursor.fetchone()[0]
        cursor.execute("SELECT api_private_key FROM deliverability_mailwizzinstance WHERE id = %s", [instance.pk])
        stored_mw = cursor.fetchone()[0]
    assert stored_pem.startswith("fernet:") and "PRIVATE KEY" not in stored_pem
    assert private_pem.splitlines()[3] not in stored_pem
    assert stored_mw.startswith("fernet:") and "mw-private-key-42" not in stored_mw
    assert SendingDomain.objects.get(pk=ip.sending_domain_id).dkim_private_key == private_pem
    assert MailWizzInstance.objects.get(pk=instance.pk).api_private_key == "mw-private-key-42"
