"""Fixtures for the crawler tests (servers and certificates live in servers.py)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket

import pytest

from .servers import Certs, FarmServer, start_server


@pytest.fixture
def servers():
    """Factory for farm servers; all are stopped at the end of the test."""
    started: list[FarmServer] = []

    def start(host: str = "127.0.0.1", **kwargs: object) -> FarmServer:
        server = start_server(host, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def farm(servers) -> FarmServer:
    return servers("127.0.0.1")


@pytest.fixture
def free_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certs:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    out = tmp_path_factory.mktemp("certs")
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey):
        cert_path, key_path = out / f"{stem}.crt", out / f"{stem}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def issue(cn, dns, ips, issuer_name, issuer_key, *, ca=False, start=None, end=None):
        key = ec.generate_private_key(ec.SECP256R1())
        sans = [x509.DNSName(d) for d in dns] + [
            x509.IPAddress(ipaddress.ip_address(i)) for i in ips
        ]
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(issuer_name or name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start or now - dt.timedelta(days=1))
            .not_valid_after(end or now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        cert = builder.sign(issuer_key or key, hashes.SHA256())
        return cert, key

    ca_cert, ca_key = issue("govwatch test CA", [], [], None, None, ca=True)
    ca_path, _ = write("ca", ca_cert, ca_key)
    self_signed = write("self", *issue("localhost", ["localhost"], ["127.0.0.1"], None, None))
    good = write("good", *issue("localhost", ["localhost"], ["127.0.0.1"], ca_cert.subject, ca_key))
    wrong = write(
        "wrong", *issue("www.example.test", ["www.example.test"], [], ca_cert.subject, ca_key)
    )
    expired = write(
        "expired",
        *issue(
            "localhost",
            ["localhost"],
            ["127.0.0.1"],
            ca_cert.subject,
            ca_key,
            start=now - dt.timedelta(days=60),
            end=now - dt.timedelta(days=1),
        ),
    )
    return Certs(ca=ca_path, self_signed=self_signed, good=good, wrong_name=wrong, expired=expired)
