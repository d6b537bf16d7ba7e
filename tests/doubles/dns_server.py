"""A real DNS server on loopback, for tests of code that queries DNS.

It answers over UDP and TCP on the same port of 127.0.0.1 from an in-memory zone:

    with LoopbackDnsServer({"mail1.sos-mail.com": {"A": ["45.123.10.1"]}}) as dns_server:
        dns_check_host(host, nameserver=dns_server.host, port=dns_server.port)

The zone is either a dict ``{name: {type: [value, ...]}}`` or an iterable of
``deliverability.dns_records.DnsRecord``. A TXT value is a string (one
character-string, at most 255 bytes) or a list/tuple of strings (one record made of
several character-strings). Unknown names get NXDOMAIN, known names without the asked
type an empty NOERROR answer. UDP answers over 512 bytes (or the client's EDNS size)
are truncated, so clients retry over TCP exactly as with a real server.
"""

from __future__ import annotations

import socket
import threading

from dnslib import AAAA, CNAME, MX, NS, PTR, QTYPE, RCODE, RR, TXT, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer, TCPServer, UDPServer

_RDATA = {"A": A, "AAAA": AAAA, "PTR": PTR, "CNAME": CNAME, "NS": NS, "TXT": TXT}


def _normalize(name: str) -> str:
    return str(name).strip().rstrip(".").lower()


class _ZoneResolver(BaseResolver):
    def __init__(self):
        self.lock = threading.Lock()
        self.rrsets: dict[str, dict[str, list]] = {}
        self.queries: list[tuple[str, str, str]] = []

    def resolve(self, request, handler):
        reply = request.reply()
        qname = _normalize(request.q.qname)
        qtype = QTYPE[request.q.qtype]
        with self.lock:
            self.queries.append((handler.protocol, qname, qtype))
            types = self.rrsets.get(qname)
            if types is None:
                reply.header.rcode = RCODE.NXDOMAIN
                return reply
            for rtype, ttl, rdata in types.get(qtype, []):
                reply.add_answer(RR(request.q.qname, getattr(QTYPE, rtype), rdata=rdata, ttl=ttl))
        return reply


class _TruncatingHandler(DNSHandler):
    """dnslib's handler, truncating UDP answers beyond 512 bytes or the EDNS size."""

    def get_reply(self, data):
        request = DNSRecord.parse(data)
        reply = self.server.resolver.resolve(request, self)
        rdata = reply.pack()
        if self.protocol == "udp":
            limit = 512
            for rr in request.ar:
                if rr.rtype == QTYPE.OPT:
                    limit = max(512, rr.rclass)
            if len(rdata) > limit:
                # Keep the question (dnslib's truncate() drops it, which clients reject).
                truncated = request.reply()
                truncated.header.tc = 1
                rdata = truncated.pack()
        return rdata


class LoopbackDnsServer:
    """DNS server on 127.0.0.1 (UDP and TCP, same free port). Use as a context manager
    or call start()/stop(); ``host`` and ``port`` say where it listens; ``serve(zone)``
    replaces the zone while running; ``queries`` lists the questions answered as
    ``(protocol, name, type)`` tuples."""

    host = "127.0.0.1"

    def __init__(self, zone=None, *, ttl: int = 60):
        self.ttl = ttl
        self._resolver = _ZoneResolver()
        self._servers: list[DNSServer] = []
        self.port: int | None = None
        self.serve(zone or {})

    @property
    def queries(self) -> list[tuple[str, str, str]]:
        with self._resolver.lock:
            return list(self._resolver.queries)

    def serve(self, zone) -> None:
        rrsets: dict[str, dict[str, list]] = {}
        for name, rtype, values in _zone_entries(zone):
            if rtype not in _RDATA and rtype != "MX":
                raise ValueError(f"unsupported record type {rtype}")
            bucket = rrsets.setdefault(_normalize(name), {}).setdefault(rtype, [])
            for value in values:
                bucket.append((rtype, self.ttl, _rdata(rtype, value)))
        with self._resolver.lock:
            self._resolver.rrsets = rrsets

    def start(self) -> "LoopbackDnsServer":
        logger = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        for _attempt in range(20):
            udp = DNSServer(self._resolver, address=self.host, port=0, logger=logger,
                            handler=_TruncatingHandler, server=UDPServer)
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self._resolver, address=self.host, port=port, tcp=True, logger=logger,
                                handler=_TruncatingHandler, server=TCPServer)
            except OSError:
                udp.server.server_close()
                continue
            self._servers = [udp, tcp]
            self.port = port
            for server in self._servers:
                # A short poll interval keeps stop() (shutdown) fast between tests.
                thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.02},
                                          name=f"loopback-dns-{port}", daemon=True)
                thread.start()
            return self
        raise RuntimeError("no free port for both UDP and TCP on loopback")

    def stop(self) -> None:
        for server in self._servers:
            server.server.shutdown()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> "LoopbackDnsServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SilentDnsServer:
    """A UDP/TCP socket on loopback that never answers: queries to it time out."""

    host = "127.0.0.1"

    def __enter__(self) -> "SilentDnsServer":
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind((self.host, 0))
        self.port = self._udp.getsockname()[1]
        return self

    def __exit__(self, *exc) -> None:
        self._udp.close()


def _zone_entries(zone):
    if isinstance(zone, dict):
        for name, types in zone.items():
            for rtype, values in types.items():
                if isinstance(values, (str, bytes)):
                    values = [values]
                yield name, rtype.upper(), list(values)
        return
    for record in zone:  # DnsRecord-like: name, type, value, strings
        if record.type == "TXT":
            yield record.name, "TXT", [tuple(record.strings) or (record.value,)]
        else:
            yield record.name, record.type, [record.value]


def _rdata(rtype: str, value):
    if rtype == "TXT":
        strings = [value] if isinstance(value, (str, bytes)) else list(value)
        encoded = [s.encode("utf-8") if isinstance(s, str) else s for s in strings]
        if any(len(s) > 255 for s in encoded):
            raise ValueError("a TXT character-string holds at most 255 bytes; pass a list of strings")
        return TXT(encoded)
    if rtype == "MX":
        preference, exchange = value
        return MX(exchange, preference)
    return _RDATA[rtype](value)
