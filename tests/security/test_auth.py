"""Authentication (API keys, JWT) and per-RPC authorization, through the real SDK against a real server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from scanrules.v1 import (
    monitoring_service_pb2,
    orchestration_service_pb2,
    rule_pb2,
    rule_service_pb2,
)

from scanrules_client import (
    NotFoundError,
    PermissionDeniedError,
    ScanRulesClient,
    UnauthenticatedError,
    UnimplementedError,
)
from scanrules_server.api import permissions
from scanrules_server.api.auth import JwtVerifier
from scanrules_server.cli_tokens import ROLE_NAMES
from scanrules_server.settings import Settings
from tests.security.auth_server import AuthServer, auth_server

__all__ = ["auth_server"]

REPO = Path(__file__).resolve().parents[2]
EXPRESSION = "match value ~ /^[a-z]+@corp[.]example$/"
SERVICE_MODULES = (rule_service_pb2, orchestration_service_pb2, monitoring_service_pb2)


def _rule(rule_id: str) -> rule_service_pb2.CreateRuleRequest:
    return rule_service_pb2.CreateRuleRequest(
        rule_id=rule_id, rule=rule_pb2.Rule(expression=EXPRESSION, classification="EMAIL_ADDRESS")
    )


def _id() -> str:
    return f"auth-{uuid.uuid4().hex[:10]}"


async def _get_default(target: str, token: str | None) -> None:
    """GetRuleSet(default) with `token` ("" for none; None: from the environment or the config file)."""
    async with ScanRulesClient.connect(target, token=token) as client:
        await client.rules.get_rule_set(rule_service_pb2.GetRuleSetRequest(name="ruleSets/default"))


async def _unauthenticated(target: str, token: str | None) -> UnauthenticatedError:
    with pytest.raises(UnauthenticatedError) as caught:
        await _get_default(target, token)
    assert caught.value.domain == "scanrules.dev"
    return caught.value


# ---- the table -------------------------------------------------------------------------------------------


def test_every_rpc_of_every_service_has_a_permission() -> None:
    declared = set()
    for module in SERVICE_MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                declared.add(f"/{service.full_name}/{method.name}")
    missing = sorted(declared - set(permissions.METHOD_PERMISSIONS))
    assert not missing, f"RPCs without a permission in api/permissions.py: {missing}"
    assert set(permissions.METHOD_PERMISSIONS) == declared, "the table names RPCs that do not exist"
    assert set(permissions.METHOD_PERMISSIONS.values()) <= set(permissions.PERMISSIONS)


def test_roles_grow_from_viewer_to_admin() -> None:
    roles = permissions.ROLES
    assert list(roles) == ["viewer", "editor", "operator", "admin"] == list(ROLE_NAMES)
    assert roles["viewer"] < roles["editor"] < roles["operator"] < roles["admin"]
    assert roles["admin"] == frozenset(permissions.PERMISSIONS) and len(permissions.PERMISSIONS) == 15
    assert roles["viewer"] == {"scan_rules:read", "analytics:read", "monitoring:read", "data_sources:read"}
    assert {"scan_rules:create", "scan_rules:update", "ai:optimize"} <= roles["editor"] - roles["viewer"]
    assert {"data_sources:write", "scan_jobs:execute", "monitoring:stream"} <= roles["operator"] - roles["editor"]
    assert {"audit:read", "tokens:admin"} == roles["admin"] - roles["operator"]


def test_docs_carry_the_generated_table() -> None:
    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    assert permissions.markdown_tables() in doc, "regenerate with permissions.markdown_tables()"


# ---- authentication --------------------------------------------------------------------------------------


async def test_no_token_is_unauthenticated(auth_server: AuthServer) -> None:
    error = await _unauthenticated(auth_server.target, "")
    assert error.reason == "MISSING_CREDENTIALS"


@pytest.mark.parametrize("token", ["sr_" + "x" * 43, "not-a-token", "a.b.c"])
async def test_bad_tokens_are_unauthenticated(auth_server: AuthServer, token: str) -> None:
    error = await _unauthenticated(auth_server.target, token)
    assert error.reason in ("INVALID_CREDENTIALS", "INVALID_TOKEN")


async def test_wrong_scheme_is_unauthenticated(auth_server: AuthServer) -> None:
    async with grpc.aio.insecure_channel(auth_server.target) as channel:
        call = channel.unary_unary(
            "/scanrules.v1.RuleService/GetRuleSet",
            request_serializer=rule_service_pb2.GetRuleSetRequest.SerializeToString,
            response_deserializer=rule_service_pb2.GetRuleSetResponse.FromString,
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(
                rule_service_pb2.GetRuleSetRequest(name="ruleSets/default"),
                metadata=(("authorization", f"Basic {auth_server.admin_key}"),),
            )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_admin_key_from_first_start_works(auth_server: AuthServer) -> None:
    assert auth_server.admin_key.startswith("sr_") and len(auth_server.admin_key) == 46
    await _get_default(auth_server.target, auth_server.admin_key)


async def test_revoked_key_is_refused(auth_server: AuthServer) -> None:
    key_id, key = auth_server.key("viewer")
    await _get_default(auth_server.target, key)
    auth_server.revoke(key_id)
    error = await _unauthenticated(auth_server.target, key)
    assert error.reason == "KEY_REVOKED"


async def test_expired_key_is_refused(auth_server: AuthServer) -> None:
    _, key = auth_server.key("viewer", expires=timedelta(seconds=1))
    await asyncio.sleep(1.2)
    error = await _unauthenticated(auth_server.target, key)
    assert error.reason == "KEY_EXPIRED"


async def test_keys_are_stored_as_hashes_only(auth_server: AuthServer) -> None:
    from sqlalchemy import text

    key_id, key = auth_server.key("viewer")

    async def rows() -> list[tuple[str, str]]:
        async with auth_server.db.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text("SELECT key_id, key_hash FROM api_keys"))).all()]

    stored = auth_server.run(rows())
    assert any(k == key_id for k, _ in stored)
    assert all(key not in f"{k}{h}" and auth_server.admin_key not in f"{k}{h}" for k, h in stored)


# ---- JWT ---------------------------------------------------------------------------------------------------


async def test_jwt_hs256_valid(auth_server: AuthServer) -> None:
    await _get_default(auth_server.target, auth_server.jwt.token())
    # the scanrules_role claim works too
    await _get_default(auth_server.target, auth_server.jwt.token(drop=("role",), scanrules_role="viewer"))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": 1_000_000_000}, "TOKEN_EXPIRED"),
        ({"aud": "someone-else"}, "INVALID_AUDIENCE"),
        ({"iss": "https://evil.test"}, "INVALID_ISSUER"),
        ({"nbf": 4_000_000_000}, "TOKEN_NOT_YET_VALID"),
        ({"role": "superuser"}, "INVALID_ROLE_CLAIM"),
    ],
)
async def test_jwt_hs256_refused_claims(auth_server: AuthServer, changes: dict[str, object], reason: str) -> None:
    error = await _unauthenticated(auth_server.target, auth_server.jwt.token(**changes))
    assert error.reason == reason


async def test_jwt_without_exp_or_with_a_wrong_secret_is_refused(auth_server: AuthServer) -> None:
    for token in (
        auth_server.jwt.token(drop=("exp",)),
        auth_server.jwt.token(key="another-secret-of-at-least-32-bytes!!"),
        jwt.encode({"sub": "x", "role": "admin", "aud": "scanrules-test"}, None, algorithm="none"),
    ):
        await _unauthenticated(auth_server.target, token)


async def test_jwt_rs256_with_a_key_made_here(auth_server: AuthServer) -> None:
    await _get_default(auth_server.target, auth_server.jwt.token(alg="RS256", sub="svc-rs"))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    error = await _unauthenticated(auth_server.target, auth_server.jwt.token(alg="RS256", key=other))
    assert error.reason == "INVALID_TOKEN"
    # Algorithm confusion: an HS256 token MACed with the public key PEM must not pass.
    pem = auth_server.jwt.rsa_public_pem.read_bytes()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    body = b'{"sub":"x","role":"admin","aud":"scanrules-test","iss":"https://issuer.test","exp":4000000000}'
    header = b'{"alg":"HS256","typ":"JWT"}'
    signing_input = f"{b64(header)}.{b64(body)}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    await _unauthenticated(auth_server.target, f"{signing_input}.{b64(mac)}")


async def test_jwt_es256_from_jwks(auth_server: AuthServer) -> None:
    await _get_default(auth_server.target, auth_server.jwt.token(alg="ES256", role="viewer"))
    error = await _unauthenticated(
        auth_server.target, auth_server.jwt.token(alg="ES256", headers={"kid": "unknown-kid"})
    )
    assert error.reason == "INVALID_TOKEN"


def test_short_hs256_secret_is_refused_at_start() -> None:
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        JwtVerifier.from_settings(Settings(jwt_secret="short"))
    assert JwtVerifier.from_settings(Settings(jwt_secret=None, jwt_public_key_file=None, jwt_jwks_file=None)) is None


# ---- authorization -----------------------------------------------------------------------------------------


async def test_viewer_cannot_create_even_a_name_that_does_not_exist(auth_server: AuthServer) -> None:
    _, viewer = auth_server.key("viewer")
    async with ScanRulesClient.connect(auth_server.target, token=viewer) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.rules.create_rule(_rule(_id()))
        assert caught.value.reason == "PERMISSION_DENIED"
        assert caught.value.metadata["permission"] == "scan_rules:create"
        # decided before existence: no probing for names
        with pytest.raises(PermissionDeniedError):
            await client.rules.delete_rule(rule_service_pb2.DeleteRuleRequest(name="rules/does-not-exist-at-all"))
        with pytest.raises(PermissionDeniedError):
            await client.monitoring.list_audit_events(monitoring_service_pb2.ListAuditEventsRequest())
        # reads work, and a missing name is NOT_FOUND for a caller allowed to read
        with pytest.raises(NotFoundError):
            await client.rules.get_rule(rule_service_pb2.GetRuleRequest(name="rules/does-not-exist-at-all"))


async def test_editor_can_create_but_not_write_data_sources(auth_server: AuthServer) -> None:
    _, editor = auth_server.key("editor")
    async with ScanRulesClient.connect(auth_server.target, token=editor) as client:
        created = (await client.rules.create_rule(_rule(rule_id := _id()))).rule
        assert created.name == f"rules/{rule_id}"
        with pytest.raises(PermissionDeniedError):
            await client.orchestration.delete_data_source(
                orchestration_service_pb2.DeleteDataSourceRequest(name="dataSources/nope")
            )


async def test_jwt_viewer_is_denied_writes(auth_server: AuthServer) -> None:
    token = auth_server.jwt.token(role="viewer")
    async with ScanRulesClient.connect(auth_server.target, token=token) as client:
        with pytest.raises(PermissionDeniedError):
            await client.rules.create_rule(_rule(_id()))


async def test_streams_are_authenticated_and_authorized_too(auth_server: AuthServer) -> None:
    request = monitoring_service_pb2.WatchMetricsRequest()
    for token, error in (("", UnauthenticatedError), (auth_server.key("editor")[1], PermissionDeniedError)):
        async with ScanRulesClient.connect(auth_server.target, token=token) as client:
            with pytest.raises(error):
                async for _ in client.monitoring.watch_metrics(request, timeout=10):
                    pass
    async with ScanRulesClient.connect(auth_server.target, token=auth_server.key("operator")[1]) as client:
        with pytest.raises(UnimplementedError):  # admitted: the handler itself answers
            async for _ in client.monitoring.watch_metrics(request, timeout=10):
                pass


# ---- open methods ------------------------------------------------------------------------------------------


async def test_health_and_reflection_need_no_token(auth_server: AuthServer) -> None:
    async with grpc.aio.insecure_channel(auth_server.target) as channel:
        answer = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    with grpc.insecure_channel(auth_server.target) as sync_channel:
        assert "scanrules.v1.RuleService" in set(ProtoReflectionDescriptorDatabase(sync_channel).get_services())


# ---- where the SDK and scanrules-ctl find the token --------------------------------------------------------


async def test_sdk_and_ctl_read_target_and_token_from_the_config_file(
    auth_server: AuthServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'target = "{auth_server.target}"\ntoken = "{auth_server.admin_key}"\n')
    monkeypatch.delenv("SCANRULES_TOKEN", raising=False)
    monkeypatch.delenv("SCANRULES_TARGET", raising=False)
    monkeypatch.setenv("SCANRULES_CONFIG", str(config))
    await _get_default(auth_server.target, None)  # token=None: env, then the config file
    env = {k: v for k, v in os.environ.items() if k not in ("SCANRULES_TOKEN", "SCANRULES_TARGET")}
    ctl = subprocess.run(
        [sys.executable, "-m", "scanrules_client.ctl", "rule-sets", "get", "ruleSets/default"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "SCANRULES_CONFIG": str(config)},
    )
    assert ctl.returncode == 0, ctl.stderr
    # the environment wins over the file; an explicit argument over both
    monkeypatch.setenv("SCANRULES_TOKEN", "sr_not-a-real-key")
    await _unauthenticated(auth_server.target, None)
    await _get_default(auth_server.target, auth_server.admin_key)
