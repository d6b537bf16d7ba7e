"""DKIM keys of the sending domains: generation (in parallel), rotation and PEM export."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.utils import timezone

from ..dkim import dkim_generate_key
from ..models import SendingDomain


def _passthrough(iterable, **kwargs):
    return iterable


def sending_domain_dkim_generate(*, domains=None, bits: int = 2048, rotate: bool = False, progress=None) -> int:
    """Give each sending domain of `domains` (a queryset; all by default) an RSA key pair of
    `bits` bits. Without `rotate` only domains that have no key get one; with it every
    domain gets a new key (publish the new DNS record and PowerMTA PEM afterwards).
    Keys are generated in a thread pool (OpenSSL releases the GIL). Returns how many keys."""
    progress = progress or _passthrough
    domains = SendingDomain.objects.all() if domains is None else domains
    if not rotate:
        domains = domains.filter(dkim_private_key="")
    targets = list(domains.select_related(None).order_by("name").only("id", "name"))
    if not targets:
        return 0
    workers = min(len(targets), max(os.cpu_count() or 1, 1) * 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        keys = pool.map(lambda _domain: dkim_generate_key(bits), targets)
        for domain, (private_pem, public_b64) in progress(zip(targets, keys), total=len(targets),
                                                          desc="DKIM keys", unit="key"):
            domain.dkim_private_key = private_pem
            domain.dkim_public_key = public_b64
            domain.dkim_bits = bits
            domain.dkim_created_at = timezone.now()
            domain.save(update_fields=["dkim_private_key", "dkim_public_key", "dkim_bits", "dkim_created_at"])
    return len(targets)


def dkim_keys_export(*, directory, domains=None) -> list[Path]:
    """Write `<domain>.pem` (mode 0600) for each domain with a key into `directory`, the
    files PowerMTA's `domain-key` lines point at. Returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    domains = SendingDomain.objects.all() if domains is None else domains
    written = []
    for domain in domains.exclude(dkim_private_key="").order_by("name"):
        path = directory / f"{domain.name}.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(domain.dkim_private_key)
        os.chmod(path, 0o600)
        written.append(path)
    return written
