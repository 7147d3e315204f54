"""TLS and mutual TLS through the real SDK against a real server, with certificates made here."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from scanrules.v1 import rule_service_pb2

from scanrules_client import RetryPolicy, ScanRulesClient, ScanRulesError, SyncScanRulesClient
from scanrules_client import ctl as ctl_module
from scanrules_server import cli
from scanrules_server.app import create_server
from scanrules_server.settings import Settings
from scanrules_server.tls import check_bind, is_loopback, server_credentials
from tests.integration.conftest import ServerThread

NO_RETRY = RetryPolicy(max_attempts=1)


# ---- certificates ------------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    server: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    rogue_cert: Path  # a client certificate signed by another CA
    rogue_key: Path

    def read(self, path: Path) -> bytes:
        return path.read_bytes()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    tmp = tmp_path_factory.mktemp("pki")
    ca_key, rogue_ca_key = _key(), _key()
    ca = _cert("scanrules test CA", ca_key, None, ca=True)
    server_key, client_key, rogue_key = _key(), _key(), _key()
    pem = serialization.Encoding.PEM
    return Pki(
        ca=_write(tmp / "ca.pem", ca.public_bytes(pem)),
        server_cert=_write(
            tmp / "server.pem",
            _cert("localhost", server_key, ("scanrules test CA", ca_key), server=True).public_bytes(pem),
        ),
        server_key=_write(tmp / "server.key", _pem_key(server_key)),
        client_cert=_write(
            tmp / "client.pem", _cert("alice", client_key, ("scanrules test CA", ca_key)).public_bytes(pem)
        ),
        client_key=_write(tmp / "client.key", _pem_key(client_key)),
        rogue_cert=_write(tmp / "rogue.pem", _cert("mallory", rogue_key, ("rogue CA", rogue_ca_key)).public_bytes(pem)),
        rogue_key=_write(tmp / "rogue.key", _pem_key(rogue_key)),
    )


def _settings(tmp: Path, **kwargs: Any) -> Settings:
    """A server on an empty SQLite database; authentication off (tested on its own), unless `kwargs` say else."""
    kwargs.setdefault("auth_enabled", False)
    return Settings(
        host="127.0.0.1", port=0, database_url=f"sqlite+aiosqlite:///{tmp / 'scanrules.db'}", migrate=True, **kwargs
    )


@pytest.fixture(scope="module")
def tls_target(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ServerThread(
        _settings(tmp_path_factory.mktemp("tls"), tls_cert=str(pki.server_cert), tls_key=str(pki.server_key))
    )
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mtls_target(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = _settings(
        tmp_path_factory.mktemp("mtls"),
        tls_cert=str(pki.server_cert),
        tls_key=str(pki.server_key),
        tls_client_ca=str(pki.ca),
    )
    server = ServerThread(settings)
    try:
        yield server.start()
    finally:
        server.stop()


async def _list_one(client: ScanRulesClient) -> int:
    response = await client.rules.list_rules(rule_service_pb2.ListRulesRequest(page_size=1))
    return len(response.rules)


# ---- TLS -----------------------------------------------------------------------------


async def test_tls_client_trusting_the_ca_works(tls_target: str, pki: Pki) -> None:
    credentials = grpc.ssl_channel_credentials(root_certificates=pki.read(pki.ca))
    async with ScanRulesClient.connect(tls_target, credentials=credentials) as client:
        assert await _list_one(client) == 1
    port = tls_target.rsplit(":", 1)[1]
    async with ScanRulesClient.connect(f"localhost:{port}", tls_ca_file=pki.ca) as client:
        assert await _list_one(client) == 1


async def test_plaintext_client_cannot_talk_to_a_tls_server(tls_target: str) -> None:
    with pytest.raises(ScanRulesError) as caught:
        async with ScanRulesClient.connect(tls_target, connect_timeout=3, retry=NO_RETRY) as client:
            await _list_one(client)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_client_not_trusting_the_server_certificate_fails(tls_target: str, pki: Pki) -> None:
    with pytest.raises(ScanRulesError) as caught:
        async with ScanRulesClient.connect(tls_target, tls_ca_file=pki.rogue_cert, connect_timeout=3) as client:
            await _list_one(client)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


# ---- mutual TLS ------------------------------------------------------------------------


async def test_mtls_rejects_a_client_without_certificate(mtls_target: str, pki: Pki) -> None:
    with pytest.raises(ScanRulesError) as caught:
        async with ScanRulesClient.connect(
            mtls_target, tls_ca_file=pki.ca, connect_timeout=3, retry=NO_RETRY
        ) as client:
            await _list_one(client)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_mtls_rejects_a_certificate_from_another_ca(mtls_target: str, pki: Pki) -> None:
    with pytest.raises(ScanRulesError) as caught:
        async with ScanRulesClient.connect(
            mtls_target,
            tls_ca_file=pki.ca,
            tls_cert_file=pki.rogue_cert,
            tls_key_file=pki.rogue_key,
            connect_timeout=3,
            retry=NO_RETRY,
        ) as client:
            await _list_one(client)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_mtls_accepts_a_certificate_signed_by_the_client_ca(mtls_target: str, pki: Pki) -> None:
    credentials = grpc.ssl_channel_credentials(pki.read(pki.ca), pki.read(pki.client_key), pki.read(pki.client_cert))
    async with ScanRulesClient.connect(mtls_target, credentials=credentials) as client:
        assert await _list_one(client) == 1
    async with ScanRulesClient.connect(
        mtls_target, tls_ca_file=pki.ca, tls_cert_file=pki.client_cert, tls_key_file=pki.client_key
    ) as client:
        assert await _list_one(client) == 1


def test_sync_client_and_ctl_speak_mtls(mtls_target: str, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    with SyncScanRulesClient.connect(
        mtls_target, tls_ca_file=pki.ca, tls_cert_file=str(pki.client_cert), tls_key_file=str(pki.client_key)
    ) as client:
        assert len(client.rules.list_rules(rule_service_pb2.ListRulesRequest(page_size=1)).rules) == 1
    common = ["--target", mtls_target, "--ca-file", str(pki.ca)]
    mtls = ["--cert-file", str(pki.client_cert), "--key-file", str(pki.client_key)]
    assert ctl_module.main([*common, *mtls, "-o", "json", "rules", "list", "--page-size", "5"]) == 0
    assert '"rules/' in capsys.readouterr().out
    assert ctl_module.main([*common, "--cert-file", str(pki.client_cert), "rules", "list"]) == 2
    assert "--key-file" in capsys.readouterr().err


def test_sdk_tls_arguments_are_checked(pki: Pki) -> None:
    with pytest.raises(ValueError, match="key"):
        SyncScanRulesClient.connect("127.0.0.1:1", tls_cert_file=pki.client_cert)
    with pytest.raises(ValueError, match="not both"):
        ScanRulesClient.connect("127.0.0.1:1", credentials=grpc.ssl_channel_credentials(), tls_ca_file=pki.ca)


# ---- safe defaults and bad configuration ---------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.1", "example.com", "localhost.example.com"])
def test_non_loopback_hosts(host: str) -> None:
    assert not is_loopback(host)


async def test_non_loopback_bind_without_tls_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.host = "0.0.0.0"
    with pytest.raises(RuntimeError, match="without TLS") as caught:
        await create_server(settings)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "scanrules.db").exists(), "refused before touching the database"


async def test_non_loopback_bind_is_allowed_with_insecure(tmp_path: Path) -> None:
    settings = _settings(tmp_path, insecure=True)
    settings.host = "0.0.0.0"
    running = await create_server(settings)
    try:
        assert running.port > 0
    finally:
        await running.stop(0)


def test_non_loopback_bind_is_allowed_with_tls() -> None:
    check_bind(Settings(host="0.0.0.0"), tls=True)
    check_bind(Settings(host="::"), tls=True)
    with pytest.raises(RuntimeError, match="--insecure"):
        check_bind(Settings(host="::"), tls=False)


def test_serve_refuses_non_loopback_without_tls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    logger = logging.getLogger("scanrules")
    level = logger.level
    try:
        url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
        code = cli.main(["serve", "--host", "0.0.0.0", "--port", "0", "--database-url", url])
    finally:
        logger.setLevel(level)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("scanrules: refusing to listen on 0.0.0.0 without TLS")
    assert len(err.splitlines()) == 1


def test_serve_options_reach_the_settings() -> None:
    args = cli.build_parser().parse_args(
        ["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-ca", "ca.pem", "--insecure"]
    )
    assert (args.tls_cert, args.tls_key, args.tls_client_ca, args.insecure) == ("c.pem", "k.pem", "ca.pem", True)


def test_tls_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCANRULES_TLS_CERT", "/etc/c.pem")
    monkeypatch.setenv("SCANRULES_TLS_KEY", "/etc/k.pem")
    monkeypatch.setenv("SCANRULES_TLS_CLIENT_CA", "/etc/ca.pem")
    s = Settings()
    assert (s.tls_cert, s.tls_key, s.tls_client_ca, s.insecure) == ("/etc/c.pem", "/etc/k.pem", "/etc/ca.pem", False)


def test_bad_tls_files_give_one_line_errors(pki: Pki, tmp_path: Path) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"tls_cert": str(pki.server_cert)}, "both --tls-cert and --tls-key"),
        ({"tls_cert": str(pki.server_cert), "tls_key": str(tmp_path / "missing.key")}, "cannot read the TLS key"),
        ({"tls_cert": str(pki.server_key), "tls_key": str(pki.server_key)}, "no PEM certificate"),
        ({"tls_cert": str(pki.server_cert), "tls_key": str(pki.server_cert)}, "not an unencrypted PEM private key"),
        ({"tls_cert": str(pki.server_cert), "tls_key": str(pki.client_key)}, "does not belong"),
        (
            {"tls_cert": str(pki.server_cert), "tls_key": str(pki.server_key), "tls_client_ca": str(pki.server_key)},
            "no PEM certificate",
        ),
    ]
    for fields, message in cases:
        settings = Settings(**fields)
        with pytest.raises(RuntimeError, match=message) as caught:
            server_credentials(settings)
        assert "\n" not in str(caught.value)


def test_no_tls_configured_means_no_credentials() -> None:
    assert server_credentials(Settings(tls_cert=None, tls_key=None, tls_client_ca=None)) is None


async def test_tls_server_still_serves_after_rejections(mtls_target: str, pki: Pki) -> None:
    """A failed handshake is the client's problem only: the server keeps serving others."""
    for _ in range(3):
        with pytest.raises(ScanRulesError):
            async with ScanRulesClient.connect(mtls_target, tls_ca_file=pki.ca, connect_timeout=2, retry=NO_RETRY) as c:
                await _list_one(c)
    async with ScanRulesClient.connect(
        mtls_target, tls_ca_file=pki.ca, tls_cert_file=pki.client_cert, tls_key_file=pki.client_key
    ) as client:
        results = await asyncio.gather(*(_list_one(client) for _ in range(5)))
    assert results == [1] * 5
