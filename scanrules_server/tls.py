"""TLS for the server: credentials from PEM files, and the rule that only loopback may go without them."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost` are loopback; every other address or name (including "" and 0.0.0.0) is not."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise RuntimeError(f"cannot read the TLS {what} {path}: {exc.strerror or exc}") from None


def _certificates(data: bytes, path: str, what: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise RuntimeError(f"the TLS {what} {path} holds no PEM certificate")
    return certs


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """Credentials from `tls_cert`/`tls_key` (and `tls_client_ca` for mTLS); None when TLS is not configured.

    Raises RuntimeError with a one-line message when the files are missing, unreadable or do not belong together.
    """
    cert_path, key_path, ca_path = settings.tls_cert, settings.tls_key, settings.tls_client_ca
    if not (cert_path or key_path or ca_path):
        return None
    if not cert_path or not key_path:
        raise RuntimeError("TLS needs both --tls-cert and --tls-key (env SCANRULES_TLS_CERT, SCANRULES_TLS_KEY)")
    cert_pem, key_pem = _read(cert_path, "certificate"), _read(key_path, "key")
    leaf = _certificates(cert_pem, cert_path, "certificate")[0]
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise RuntimeError(f"the TLS key {key_path} is not an unencrypted PEM private key") from None
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if public != leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise RuntimeError(f"the TLS key {key_path} does not belong to the certificate {cert_path}")
    client_ca: bytes | None = None
    if ca_path:
        client_ca = _read(ca_path, "client CA")
        _certificates(client_ca, ca_path, "client CA")
    return grpc.ssl_server_credentials(
        [(key_pem, cert_pem)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def check_bind(settings: Settings, tls: bool) -> None:
    """Refuse plaintext on a non-loopback address unless `insecure` is set."""
    if tls or settings.insecure or is_loopback(settings.host):
        return
    raise RuntimeError(
        f"refusing to listen on {settings.host or 'all addresses'} without TLS: give --tls-cert and --tls-key,"
        " or --insecure to serve plaintext on the network"
    )
